/**
 * Collects a stream's bytes up to a cap, keeping the first and the last half of the cap and
 * dropping the middle: test runners print their summary last, so the tail is what explains a
 * failing grade. The child keeps being read past the cap, so it never blocks on a full pipe.
 */
export class CappedOutput {
  readonly #half: number;
  readonly #head: Buffer[] = [];
  #headBytes = 0;
  #tail: Buffer[] = [];
  #tailBytes = 0;
  #omitted = 0;

  constructor(capBytes: number) {
    this.#half = Math.max(1, Math.floor(capBytes / 2));
  }

  /** Bytes seen but not kept. */
  get omittedBytes(): number {
    return this.#omitted;
  }

  push(chunk: Buffer): void {
    let rest = chunk;
    if (this.#headBytes < this.#half) {
      const taken = rest.subarray(0, this.#half - this.#headBytes);
      this.#head.push(taken);
      this.#headBytes += taken.length;
      rest = rest.subarray(taken.length);
    }
    if (rest.length === 0) return;
    this.#tail.push(rest);
    this.#tailBytes += rest.length;
    while (this.#tailBytes > this.#half) {
      const first = this.#tail[0]!;
      const excess = this.#tailBytes - this.#half;
      if (first.length <= excess) {
        this.#tail.shift();
        this.#tailBytes -= first.length;
        this.#omitted += first.length;
      } else {
        this.#tail[0] = first.subarray(excess);
        this.#tailBytes -= excess;
        this.#omitted += excess;
      }
    }
  }

  /** The kept bytes as UTF-8 (invalid bytes become U+FFFD), with a marker where bytes were dropped. */
  text(): string {
    if (this.#omitted === 0) return decode(Buffer.concat([...this.#head, ...this.#tail]));
    // Cut points can fall inside a character: drop the partial one on each side of the gap
    // rather than print replacement characters that were never in the output.
    const head = new TextDecoder("utf-8").decode(Buffer.concat(this.#head), { stream: true });
    const tail = decode(skipContinuationBytes(Buffer.concat(this.#tail)));
    return `${head}\n[... ${this.#omitted} bytes of output omitted ...]\n${tail}`;
  }
}

function decode(bytes: Buffer): string {
  return new TextDecoder("utf-8").decode(bytes);
}

function skipContinuationBytes(bytes: Buffer): Buffer {
  let start = 0;
  // A UTF-8 character has at most 3 continuation bytes (0b10xxxxxx).
  while (start < 3 && start < bytes.length && (bytes[start]! & 0xc0) === 0x80) start++;
  return bytes.subarray(start);
}
