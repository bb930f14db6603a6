/**
 * One control connection as the client sees it: frames out, frames in, in order.
 *
 * A frame is one JSON text without its line terminator: the TCP transport adds and strips
 * the `\n`, the WebSocket transport sends one text message per frame. `HudClient` never has
 * more than one request in flight, so implementations need no request matching.
 *
 * @example
 * ```ts
 * await transport.send('{"jsonrpc":"2.0","id":1,"method":"hello","params":{}}');
 * const reply = await transport.receive(); // null at end of stream
 * ```
 */
export interface ControlTransport {
  /** `tcp` transports carry the bearer token in the first `hello`; `ws` ones in the upgrade. */
  readonly kind: "tcp" | "ws";
  /** Sends one frame; resolves once it is handed to the operating system. */
  send(frame: string): Promise<void>;
  /** The next frame, or `null` when the peer closed the connection. */
  receive(): Promise<string | null>;
  /** Ends the connection gently (pending writes are flushed) and resolves once it is closed. */
  close(): Promise<void>;
  /** Drops the connection at once; a pending `receive` settles. */
  abort(): void;
}
