import ssh2 from "ssh2";
import { describe, expect, it } from "vitest";
import { generateEd25519KeyPair } from "./ed25519-key-pair.js";

const { utils } = ssh2;

describe("generateEd25519KeyPair", () => {
  // ssh2 alone gets about one pair in 250 wrong: 3000 draws all but surely meet several.
  it("only hands out pairs whose both halves parse, as 32-byte Ed25519 keys", () => {
    const failures: string[] = [];
    for (let i = 0; i < 3000; i++) {
      const pair = generateEd25519KeyPair();
      const publicKey = utils.parseKey(pair.public);
      const privateKey = utils.parseKey(pair.private);
      if (publicKey instanceof Error || privateKey instanceof Error) failures.push(pair.public);
      else if (publicKey.getPublicSSH().length !== 51) failures.push(pair.public);
    }
    expect(failures).toEqual([]);
  });

  it("gives a different pair every time", () => {
    const a = generateEd25519KeyPair();
    const b = generateEd25519KeyPair();
    expect(a.public).not.toBe(b.public);
    expect(a.private).not.toBe(b.private);
  });
});
