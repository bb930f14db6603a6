import type WebSocket from "ws";
import { HudkitError } from "../errors/hudkit-error.js";
import type { ControlTransport } from "./client-transport.js";

/** How long `close()` waits for the server's close frame before dropping the socket. */
const CLOSE_GRACE_MS = 1_000;

/**
 * A control connection over WebSocket (hudkit superset): one JSON-RPC object per text message,
 * no newline. Binary messages are accepted too and read as UTF-8.
 *
 * @example
 * ```ts
 * const transport = new WebSocketControlTransport(await dialWebSocket("ws://127.0.0.1:8765/"));
 * await transport.send('{"jsonrpc":"2.0","id":1,"method":"hello","params":{}}');
 * console.log(await transport.receive());
 * ```
 */
export class WebSocketControlTransport implements ControlTransport {
  readonly kind = "ws";
  readonly #ws: WebSocket;
  readonly #frames: string[] = [];
  #ended = false;
  #error: Error | undefined;
  #waiter: (() => void) | undefined;

  constructor(ws: WebSocket) {
    this.#ws = ws;
    ws.on("message", (data) => {
      this.#frames.push(rawDataToBuffer(data).toString("utf8"));
      // Frames are read one per request; if a peer floods us, stop reading until we catch up.
      if (this.#frames.length > 1) ws.pause();
      this.#wake();
    });
    ws.on("close", () => {
      this.#ended = true;
      this.#wake();
    });
    ws.on("error", (error) => {
      this.#error = error;
      this.#wake();
    });
    // dialWebSocket hands the socket over paused, so nothing was emitted before this point.
    ws.resume();
  }

  send(frame: string): Promise<void> {
    if (this.#ws.readyState !== this.#ws.OPEN) {
      return Promise.reject(
        new HudkitError("connection-closed", "the WebSocket control connection is closed"),
      );
    }
    return new Promise<void>((resolve, reject) => {
      this.#ws.send(frame, (error) => (error ? reject(error) : resolve()));
    });
  }

  async receive(): Promise<string | null> {
    for (;;) {
      const frame = this.#frames.shift();
      if (frame !== undefined) {
        if (this.#frames.length === 0 && this.#ws.isPaused) this.#ws.resume();
        return frame;
      }
      if (this.#error) throw this.#error;
      if (this.#ended) return null;
      await new Promise<void>((resolve) => {
        this.#waiter = resolve;
      });
    }
  }

  close(): Promise<void> {
    const ws = this.#ws;
    if (ws.readyState === ws.CLOSED) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const timer = setTimeout(() => ws.terminate(), CLOSE_GRACE_MS);
      timer.unref();
      ws.once("close", () => {
        clearTimeout(timer);
        resolve();
      });
      ws.close(1000);
    });
  }

  abort(): void {
    this.#ws.terminate();
  }

  #wake(): void {
    const waiter = this.#waiter;
    this.#waiter = undefined;
    waiter?.();
  }
}

/**
 * One message's bytes: `ws` hands out a Buffer, a list of fragments, or an ArrayBuffer
 * depending on `binaryType`.
 *
 * @example
 * ```ts
 * ws.on("message", (data) => socket.write(rawDataToBuffer(data)));
 * ```
 */
export function rawDataToBuffer(data: WebSocket.RawData): Buffer {
  if (Buffer.isBuffer(data)) return data;
  if (Array.isArray(data)) return Buffer.concat(data);
  return Buffer.from(data);
}
