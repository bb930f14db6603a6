import type { Socket } from "node:net";
import type WebSocket from "ws";
import { FrameReader, FrameTooLargeError } from "./frame-reader.js";

/** One control connection's frames, whatever carries them (NDJSON over TCP, or WebSocket). */
export interface FrameChannel {
  /** The next frame's text, `null` at end of stream; throws {@link FrameTooLargeError}. */
  read(): Promise<Buffer | string | null>;
  /** Sends one JSON-RPC frame: an object, or its JSON text when that was built already. */
  write(frame: object | string): void;
  /** Flushes what was written, then closes. */
  close(): void;
  /** Closes at once. */
  destroy(): void;
}

/** A {@link FrameChannel} over a TCP socket: one JSON object per `\n`-terminated line. */
export class SocketFrameChannel implements FrameChannel {
  readonly reader: FrameReader;
  readonly #socket: Socket;

  /** `initial`: bytes already read from the socket (a peeked first chunk), framed first. */
  constructor(socket: Socket, maxFrameBytes: number, initial?: Buffer) {
    this.#socket = socket;
    this.reader = new FrameReader(socket, { maxFrameBytes, initial });
  }

  read(): Promise<Buffer | null> {
    return this.reader.read();
  }

  write(frame: object | string): void {
    if (!this.#socket.writable) return;
    this.#socket.write(`${typeof frame === "string" ? frame : JSON.stringify(frame)}\n`);
  }

  close(): void {
    this.#socket.end();
  }

  destroy(): void {
    this.#socket.destroy();
  }
}

/** A {@link FrameChannel} over a WebSocket: one JSON object per text message. */
export class WebSocketFrameChannel implements FrameChannel {
  readonly #socket: WebSocket;
  readonly #maxFrameBytes: number;
  readonly #queue: Array<Buffer | string> = [];
  #closed = false;
  #waiter: (() => void) | undefined;

  constructor(socket: WebSocket, maxFrameBytes: number) {
    this.#socket = socket;
    this.#maxFrameBytes = maxFrameBytes;
    socket.on("message", (data, isBinary) => {
      const bytes = Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data as ArrayBuffer);
      this.#queue.push(isBinary ? bytes : bytes.toString("utf8"));
      this.#wake();
    });
    socket.on("close", () => {
      this.#closed = true;
      this.#wake();
    });
    socket.on("error", () => {
      this.#closed = true;
      this.#wake();
    });
  }

  async read(): Promise<Buffer | string | null> {
    for (;;) {
      const next = this.#queue.shift();
      if (next !== undefined) {
        if (Buffer.byteLength(next) > this.#maxFrameBytes) throw new FrameTooLargeError(this.#maxFrameBytes);
        return next;
      }
      if (this.#closed) return null;
      await new Promise<void>((resolve) => {
        this.#waiter = resolve;
      });
    }
  }

  write(frame: object | string): void {
    if (this.#socket.readyState !== this.#socket.OPEN) return;
    this.#socket.send(typeof frame === "string" ? frame : JSON.stringify(frame));
  }

  close(): void {
    this.#socket.close(1000);
  }

  destroy(): void {
    this.#socket.terminate();
  }

  #wake(): void {
    const waiter = this.#waiter;
    this.#waiter = undefined;
    waiter?.();
  }
}
