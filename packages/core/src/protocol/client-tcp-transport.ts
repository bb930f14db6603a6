import type { Socket } from "node:net";
import type { ControlTransport } from "./client-transport.js";
import { DEFAULT_MAX_FRAME_BYTES, FrameReader } from "./frame-reader.js";

/** What `send` returns when a frame went out during `write()` itself. */
const SENT: Promise<void> = Promise.resolve();

/** A frame's text; `null` (end of stream) stays `null`. */
function lineText(line: Buffer | null): string | null {
  return line === null ? null : line.toString("utf8");
}

/** How long `close()` waits for the peer to finish closing before dropping the socket. */
const CLOSE_GRACE_MS = 1_000;

/**
 * A control connection over TCP: newline-delimited JSON, the reference wire format (spec §1.3).
 *
 * @example
 * ```ts
 * const transport = new TcpControlTransport(await dialTcp("127.0.0.1", 8765));
 * await transport.send('{"jsonrpc":"2.0","id":1,"method":"hello","params":{}}');
 * console.log(await transport.receive());
 * await transport.close();
 * ```
 */
export class TcpControlTransport implements ControlTransport {
  readonly kind = "tcp";
  readonly #socket: Socket;
  readonly #reader: FrameReader;
  /** One entry per write whose callback is due, in order: who waits for it, if anyone. */
  readonly #writes: Array<{ resolve(): void; reject(error: Error): void } | undefined> = [];

  constructor(socket: Socket, options: { maxFrameBytes?: number } = {}) {
    this.#socket = socket;
    this.#reader = new FrameReader(socket, {
      maxFrameBytes: options.maxFrameBytes ?? DEFAULT_MAX_FRAME_BYTES,
    });
  }

  send(frame: string): Promise<void> {
    const socket = this.#socket;
    // Writable never calls back from inside write(), so the entry can follow the write.
    socket.write(`${frame}\n`, this.#onWritten);
    // Nothing left queued and no error: the kernel took the whole frame during write(), so the
    // callback (a tick later) need not be awaited. Otherwise it settles the returned promise.
    if (socket.writableLength === 0 && !socket.errored && !socket.destroyed) {
      this.#writes.push(undefined);
      return SENT;
    }
    return new Promise<void>((resolve, reject) => this.#writes.push({ resolve, reject }));
  }

  #onWritten = (error?: Error | null): void => {
    const waiter = this.#writes.shift();
    if (error) waiter?.reject(error);
    else waiter?.resolve();
  };

  receive(): Promise<string | null> {
    // A `then` rather than an async wrapper: one promise per reply instead of two.
    return this.#reader.read().then(lineText);
  }

  /**
   * Closes the connection once every frame is with the operating system (the FIN follows
   * them). With nothing queued and no reply awaited, the socket is closed at once, as asyncio's
   * `transport.close()` does for the reference client: the kernel still delivers what was
   * written, then the FIN. Otherwise it sends FIN and keeps reading until the peer's FIN (or a
   * grace period), so that a reply arriving at a closed socket cannot make the kernel answer
   * with a reset, which would discard frames the peer has not read yet.
   */
  close(): Promise<void> {
    const socket = this.#socket;
    if (socket.destroyed) return SENT;
    if (socket.writableLength === 0 && this.#reader.idle) {
      // Waiting for the peer's FIN would cost the client a wake-up, a read and a close per
      // connection: about a sixth of a loopback rollout's client CPU.
      socket.destroy();
      return SENT;
    }
    const timer = setTimeout(() => socket.destroy(), CLOSE_GRACE_MS);
    timer.unref();
    socket.once("close", () => clearTimeout(timer));
    if (socket.writableLength > 0) {
      return new Promise<void>((resolve) => {
        socket.end(() => resolve());
      });
    }
    // Nothing queued: libuv sends the FIN on its next turn, and waiting for that turn (the
    // `end` callback) would hold every closing client for one more event-loop iteration.
    socket.end();
    return SENT;
  }

  abort(): void {
    this.#socket.destroy();
  }
}
