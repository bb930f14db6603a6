import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { Sha1, sha1BufferBytes } from "./sha1.js";

function hex(words: Int32Array): string {
  return Array.from(words, (word) => (word >>> 0).toString(16).padStart(8, "0")).join("");
}

describe("Sha1", () => {
  it("matches node:crypto across block and padding boundaries, reusing one instance", () => {
    const sha1 = new Sha1();
    for (let length = 0; length <= 300; length++) {
      const message = Buffer.from(Array.from({ length }, (_, i) => (i * 31 + length) & 0xff));
      const bytes = new Uint8Array(sha1BufferBytes(length)).fill(0xaa);
      bytes.set(message);
      expect(hex(sha1.digest(bytes, length))).toBe(createHash("sha1").update(message).digest("hex"));
    }
  });

  it("refuses a buffer without room for the padding", () => {
    expect(() => new Sha1().digest(new Uint8Array(60), 56)).toThrow(RangeError);
  });
});
