import type { Duplex } from "node:stream";
import { HudkitError } from "../errors/hudkit-error.js";

/** 16 MiB: large enough for rich grade frames and long prompts; the reference stops at 64 KiB. */
export const DEFAULT_MAX_FRAME_BYTES = 16 * 1024 * 1024;

/** Past this many buffered bytes with no reader waiting, the socket is paused (backpressure). */
const HIGH_WATER_BYTES = 1024 * 1024;

const NEWLINE = 0x0a;

/** {@link FrameReader}'s "no line yet": more bytes are needed. */
const NEED_MORE = Symbol("need more bytes");

/** The pending `read()`: settled from the stream's events, with the line itself. */
interface Waiter {
  resolve(line: Buffer | null): void;
  reject(error: unknown): void;
}

/** Raised by {@link FrameReader.read} when a line exceeds the frame limit. */
export class FrameTooLargeError extends HudkitError {
  constructor(readonly limit: number) {
    super("frame-too-large", `frame exceeds the ${limit}-byte limit`);
  }
}

/**
 * Reads newline-delimited frames from a byte stream, one at a time, in order.
 *
 * Bytes after the last complete line stay buffered and can be taken with {@link takeBuffered},
 * which is how a `tunnel.open` preface hands the rest of its segment to the byte pipe.
 *
 * @example
 * ```ts
 * const reader = new FrameReader(socket);
 * for (let line = await reader.read(); line !== null; line = await reader.read()) handle(line);
 * ```
 */
export class FrameReader {
  readonly #stream: Duplex;
  readonly #maxFrameBytes: number;
  #chunks: Buffer[] = [];
  #buffered = 0;
  /** Offset in the concatenated buffer up to which no newline exists. */
  #scanned = 0;
  #ended = false;
  #error: Error | undefined;
  #waiter: Waiter | undefined;
  #detached = false;

  /**
   * `initial` is data already taken off the stream (a server peeks at a connection's first
   * chunk to tell NDJSON from HTTP); it is framed before anything the stream delivers next.
   */
  constructor(stream: Duplex, options: { maxFrameBytes?: number; initial?: Buffer } = {}) {
    this.#stream = stream;
    this.#maxFrameBytes = options.maxFrameBytes ?? DEFAULT_MAX_FRAME_BYTES;
    stream.on("data", this.#onData);
    stream.on("end", this.#onEnd);
    stream.on("close", this.#onEnd);
    stream.on("error", this.#onError);
    if (options.initial !== undefined && options.initial.length > 0) this.#onData(options.initial);
  }

  /**
   * The next line without its `\n` (a trailing `\r` is kept: JSON parsing treats it as
   * whitespace), or `null` at end of stream. Bytes after the last newline at EOF are dropped,
   * as the reference does. Rejects with {@link FrameTooLargeError} for a line over the limit.
   *
   * A read that has to wait is settled from the stream's `data` event with the line itself,
   * not woken to look again: one promise per frame, which a busy connection feels.
   */
  read(): Promise<Buffer | null> {
    let next: Buffer | null | typeof NEED_MORE;
    try {
      next = this.#next();
    } catch (error) {
      return Promise.reject(error);
    }
    if (next !== NEED_MORE) return Promise.resolve(next);
    if (this.#stream.isPaused()) this.#stream.resume();
    return new Promise<Buffer | null>((resolve, reject) => {
      this.#waiter = { resolve, reject };
    });
  }

  /** What a read gets now: a line, `null` at the end, or {@link NEED_MORE}; throws its errors. */
  #next(): Buffer | null | typeof NEED_MORE {
    const line = this.#takeLine();
    if (line !== undefined) return line;
    if (this.#buffered > this.#maxFrameBytes) throw new FrameTooLargeError(this.#maxFrameBytes);
    if (this.#error) throw this.#error;
    if (this.#ended) return null;
    return NEED_MORE;
  }

  /** True when no read is waiting and no unread byte is buffered: nobody expects more input. */
  get idle(): boolean {
    return this.#waiter === undefined && this.#buffered === 0;
  }

  /** True once the stream has signalled end of input (a half-close from the peer). */
  get ended(): boolean {
    return this.#ended;
  }

  /** Stops reading and returns every byte buffered but not yet returned as a line. */
  takeBuffered(): Buffer {
    this.detach();
    const rest = Buffer.concat(this.#chunks);
    this.#chunks = [];
    this.#buffered = 0;
    this.#scanned = 0;
    return rest;
  }

  /** Removes the reader's listeners so another consumer can own the stream. */
  detach(): void {
    if (this.#detached) return;
    this.#detached = true;
    this.#stream.off("data", this.#onData);
    this.#stream.off("end", this.#onEnd);
    this.#stream.off("close", this.#onEnd);
    this.#stream.off("error", this.#onError);
    this.#stream.pause();
  }

  #takeLine(): Buffer | undefined {
    if (this.#buffered === 0) return undefined;
    if (this.#chunks.length > 1) this.#chunks = [Buffer.concat(this.#chunks)];
    const buffer = this.#chunks[0]!;
    const index = buffer.indexOf(NEWLINE, this.#scanned);
    if (index === -1) {
      this.#scanned = buffer.length;
      return undefined;
    }
    if (index > this.#maxFrameBytes) throw new FrameTooLargeError(this.#maxFrameBytes);
    const line = buffer.subarray(0, index);
    if (index + 1 < buffer.length) {
      const rest = buffer.subarray(index + 1);
      this.#chunks = [rest];
      this.#buffered = rest.length;
    } else {
      this.#chunks = [];
      this.#buffered = 0;
    }
    this.#scanned = 0;
    return line;
  }

  /** Settles a waiting read if the stream has given it what it needs. */
  #wake(): void {
    const waiter = this.#waiter;
    if (waiter === undefined) return;
    let next: Buffer | null | typeof NEED_MORE;
    try {
      next = this.#next();
    } catch (error) {
      this.#waiter = undefined;
      waiter.reject(error);
      return;
    }
    if (next === NEED_MORE) {
      if (this.#stream.isPaused()) this.#stream.resume();
      return;
    }
    this.#waiter = undefined;
    waiter.resolve(next);
  }

  #onData = (chunk: Buffer): void => {
    this.#chunks.push(chunk);
    this.#buffered += chunk.length;
    if (this.#buffered > HIGH_WATER_BYTES && this.#waiter === undefined) this.#stream.pause();
    this.#wake();
  };

  #onEnd = (): void => {
    this.#ended = true;
    this.#wake();
  };

  #onError = (error: Error): void => {
    this.#error = error;
    this.#wake();
  };
}
