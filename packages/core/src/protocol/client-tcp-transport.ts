import type { Socket } from "node:net";
import type { ControlTransport } from "./client-transport.js";
import { DEFAULT_MAX_FRAME_BYTES, FrameReader } from "./frame-reader.js";

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

  constructor(socket: Socket, options: { maxFrameBytes?: number } = {}) {
    this.#socket = socket;
    this.#reader = new FrameReader(socket, {
      maxFrameBytes: options.maxFrameBytes ?? DEFAULT_MAX_FRAME_BYTES,
    });
  }

  send(frame: string): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.#socket.write(`${frame}\n`, (error) => (error ? reject(error) : resolve()));
    });
  }

  async receive(): Promise<string | null> {
    const line = await this.#reader.read();
    return line === null ? null : line.toString("utf8");
  }

  /**
   * Sends FIN and resolves once it is flushed; the socket is released when the peer's FIN
   * arrives (the reader keeps consuming so it is seen), or dropped after a grace period.
   */
  close(): Promise<void> {
    const socket = this.#socket;
    if (socket.destroyed) return Promise.resolve();
    const timer = setTimeout(() => socket.destroy(), CLOSE_GRACE_MS);
    timer.unref();
    socket.once("close", () => clearTimeout(timer));
    return new Promise<void>((resolve) => {
      socket.end(() => resolve());
    });
  }

  abort(): void {
    this.#socket.destroy();
  }
}
