/**
 * The largest WebSocket message buffered at all: four times the frame limit, at least 1 MiB more.
 * Messages up to it reach the frame-limit check and get a JSON error reply; past it the WebSocket
 * layer itself refuses them with close code 1009 ("message too big") before buffering.
 *
 * @example
 * ```ts
 * new WebSocketServer({ noServer: true, maxPayload: wsHardCap(16 * 1024 * 1024) });
 * ```
 */
export function wsHardCap(maxFrameBytes: number): number {
  return Math.max(maxFrameBytes * 4, maxFrameBytes + 1024 * 1024);
}
