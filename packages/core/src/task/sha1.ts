/** SHA-1 works on 64-byte blocks; the padding adds a 0x80 byte and an 8-byte bit length. */
const BLOCK_BYTES = 64;
const LENGTH_BYTES = 8;
const ROUNDS = 80;

/**
 * How many bytes {@link Sha1.digest} needs in its buffer for a message of `length` bytes: the
 * message and its padding, a whole number of blocks.
 *
 * @example
 * ```ts
 * sha1BufferBytes(3); // 64
 * sha1BufferBytes(56); // 128
 * ```
 */
export function sha1BufferBytes(length: number): number {
  return (Math.floor((length + LENGTH_BYTES) / BLOCK_BYTES) + 1) * BLOCK_BYTES;
}

/**
 * SHA-1 in plain JavaScript, for the short texts default slugs hash. A call into node:crypto
 * costs more than hashing a one-block message here (the binding, the UTF-8 copy and the
 * 40-digit hex string it returns), and a slug needs just the first word of the digest. Each
 * instance keeps its own scratch space, so it is cheap to reuse and never shared between users.
 *
 * @example
 * ```ts
 * const sha1 = new Sha1();
 * const bytes = new Uint8Array(sha1BufferBytes(3));
 * bytes.set([0x61, 0x62, 0x63]);
 * sha1.digest(bytes, 3)[0]! >>> 0; // 0xa9993e36, the start of SHA-1("abc")
 * ```
 */
export class Sha1 {
  readonly #schedule = new Int32Array(ROUNDS);
  readonly #state = new Int32Array(5);

  /**
   * The digest of `bytes[0, length)` as five big-endian 32-bit words (signed; `>>> 0` for the
   * unsigned value). Pads the message in place, so `bytes` must hold
   * {@link sha1BufferBytes}(length) bytes and its contents past `length` are overwritten. The
   * returned array is this instance's own and changes on the next call.
   */
  digest(bytes: Uint8Array, length: number): Int32Array {
    const total = sha1BufferBytes(length);
    if (bytes.length < total) throw new RangeError(`SHA-1 of ${length} bytes needs a ${total}-byte buffer`);
    bytes[length] = 0x80;
    bytes.fill(0, length + 1, total - 4);
    // The bit length's high word is zero for any message a Uint8Array can hold in practice.
    const bits = length * 8;
    bytes[total - 4] = bits >>> 24;
    bytes[total - 3] = (bits >>> 16) & 0xff;
    bytes[total - 2] = (bits >>> 8) & 0xff;
    bytes[total - 1] = bits & 0xff;
    const state = this.#state;
    state[0] = 0x67452301;
    state[1] = 0xefcdab89 | 0;
    state[2] = 0x98badcfe | 0;
    state[3] = 0x10325476;
    state[4] = 0xc3d2e1f0 | 0;
    for (let offset = 0; offset < total; offset += BLOCK_BYTES) this.#block(bytes, offset);
    return state;
  }

  #block(bytes: Uint8Array, offset: number): void {
    const w = this.#schedule;
    for (let t = 0; t < 16; t++) {
      const at = offset + t * 4;
      w[t] = (bytes[at]! << 24) | (bytes[at + 1]! << 16) | (bytes[at + 2]! << 8) | bytes[at + 3]!;
    }
    for (let t = 16; t < ROUNDS; t++) {
      const x = w[t - 3]! ^ w[t - 8]! ^ w[t - 14]! ^ w[t - 16]!;
      w[t] = (x << 1) | (x >>> 31);
    }
    const state = this.#state;
    let a = state[0]!;
    let b = state[1]!;
    let c = state[2]!;
    let d = state[3]!;
    let e = state[4]!;
    // Four loops, one per round function, rather than choosing the function in every round.
    for (let t = 0; t < 20; t++) {
      const temp = (((a << 5) | (a >>> 27)) + ((b & c) | (~b & d)) + e + 0x5a827999 + w[t]!) | 0;
      e = d;
      d = c;
      c = (b << 30) | (b >>> 2);
      b = a;
      a = temp;
    }
    for (let t = 20; t < 40; t++) {
      const temp = (((a << 5) | (a >>> 27)) + (b ^ c ^ d) + e + 0x6ed9eba1 + w[t]!) | 0;
      e = d;
      d = c;
      c = (b << 30) | (b >>> 2);
      b = a;
      a = temp;
    }
    for (let t = 40; t < 60; t++) {
      const temp =
        (((a << 5) | (a >>> 27)) + ((b & c) | (b & d) | (c & d)) + e + (0x8f1bbcdc | 0) + w[t]!) | 0;
      e = d;
      d = c;
      c = (b << 30) | (b >>> 2);
      b = a;
      a = temp;
    }
    for (let t = 60; t < ROUNDS; t++) {
      const temp = (((a << 5) | (a >>> 27)) + (b ^ c ^ d) + e + (0xca62c1d6 | 0) + w[t]!) | 0;
      e = d;
      d = c;
      c = (b << 30) | (b >>> 2);
      b = a;
      a = temp;
    }
    state[0] = (state[0]! + a) | 0;
    state[1] = (state[1]! + b) | 0;
    state[2] = (state[2]! + c) | 0;
    state[3] = (state[3]! + d) | 0;
    state[4] = (state[4]! + e) | 0;
  }
}
