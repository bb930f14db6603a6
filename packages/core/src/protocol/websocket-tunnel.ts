import type { Socket } from "node:net";
import type WebSocket from "ws";

/**
 * Pipes a WebSocket (binary messages) into a TCP socket and back. WebSocket has no half-close,
 * so the backend's EOF closes the WebSocket, and the WebSocket's close ends the backend.
 */
export function spliceWebSocket(ws: WebSocket, backend: Socket): Promise<void> {
  return new Promise((resolve) => {
    ws.on("message", (data) => {
      const bytes = Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data as ArrayBuffer);
      if (!backend.write(bytes)) ws.pause();
    });
    backend.on("drain", () => ws.resume());
    backend.on("data", (chunk: Buffer) => {
      if (ws.readyState === ws.OPEN) ws.send(chunk, { binary: true });
    });
    backend.once("end", () => ws.close(1000));
    backend.once("error", () => ws.close(1011, "backend error"));
    backend.once("close", () => {
      if (ws.readyState === ws.OPEN) ws.close(1000);
      resolve();
    });
    ws.once("close", () => backend.end());
    ws.once("error", () => backend.destroy());
  });
}
