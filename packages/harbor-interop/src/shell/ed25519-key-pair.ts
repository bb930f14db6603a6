import ssh2 from "ssh2";

// ssh2 is CommonJS whose named exports Node cannot detect, so they come off the default export.
const { utils } = ssh2;

/**
 * Attempts before giving up. A bad pair comes about once in 250; ten in a row would mean ssh2
 * itself is broken, and saying so beats looping.
 */
const MAX_ATTEMPTS = 10;

/** An Ed25519 key pair in OpenSSH text form. */
export interface Ed25519KeyPair {
  readonly private: string;
  readonly public: string;
}

/**
 * A fresh Ed25519 key pair that ssh2 itself can parse. ssh2 1.17's `generateKeyPairSync`
 * drops a leading zero byte from the 32-byte public key about once in 250 pairs, and neither
 * half of such a pair parses (`Malformed OpenSSH public key`), so a server would fail to start
 * at random. Such pairs are thrown away and drawn again.
 *
 * @example
 * ```ts
 * const hostKey = generateEd25519KeyPair();
 * new ssh2.Server({ hostKeys: [hostKey.private] }, onConnection);
 * ```
 */
export function generateEd25519KeyPair(): Ed25519KeyPair {
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    const pair = utils.generateKeyPairSync("ed25519");
    if (!(utils.parseKey(pair.public) instanceof Error) && !(utils.parseKey(pair.private) instanceof Error)) {
      return { private: pair.private, public: pair.public };
    }
  }
  throw new Error(`ssh2 generated ${MAX_ATTEMPTS} malformed Ed25519 key pairs in a row`);
}
