/** The reference keeps the last 50 lines of a spawned env's output for its error message. */
export const TAIL_LINES = 50;
/** A line without a newline for this long is cut, so a runaway writer cannot grow the buffer. */
const MAX_LINE_CHARS = 4_000;

/**
 * Splits a child's output streams into lines and keeps the last {@link TAIL_LINES} of them, in
 * arrival order across streams. Each stream gets its own partial-line buffer, so stdout and
 * stderr writes cannot splice into one line.
 *
 * @example
 * ```ts
 * const tail = new OutputTail((line) => console.log(line));
 * child.stdout.on("data", tail.writer());
 * child.stderr.on("data", tail.writer());
 * tail.text();
 * ```
 */
export class OutputTail {
  readonly #lines: string[] = [];
  readonly #partials: Array<{ text: string }> = [];
  readonly #onLine: (line: string) => void;

  constructor(onLine: (line: string) => void = () => {}) {
    this.#onLine = onLine;
  }

  /** A `data` listener for one stream. */
  writer(): (chunk: Buffer | string) => void {
    const partial = { text: "" };
    this.#partials.push(partial);
    return (chunk) => {
      const pieces = (partial.text + String(chunk)).split("\n");
      partial.text = pieces.pop() ?? "";
      for (const piece of pieces) this.#push(piece.endsWith("\r") ? piece.slice(0, -1) : piece);
      if (partial.text.length > MAX_LINE_CHARS) {
        this.#push(partial.text);
        partial.text = "";
      }
    };
  }

  /** Emits every unterminated line (the streams have ended). */
  flush(): void {
    for (const partial of this.#partials) {
      if (partial.text !== "") this.#push(partial.text);
      partial.text = "";
    }
  }

  /** The kept lines, joined by newlines. */
  text(): string {
    return this.#lines.join("\n");
  }

  #push(line: string): void {
    const kept = line.length > MAX_LINE_CHARS ? `${line.slice(0, MAX_LINE_CHARS)}...` : line;
    this.#lines.push(kept);
    if (this.#lines.length > TAIL_LINES) this.#lines.shift();
    this.#onLine(line);
  }
}
