import type { Socket } from "node:net";
import type WebSocket from "ws";
import { WS_TUNNEL_EOF } from "./client-tunnel-splice.js";

/**
 * Pipes a WebSocket (binary messages) into a TCP backend and back. WebSocket has no half-close,
 * so an empty binary message marks EOF in either direction: the client's becomes `end()` on the
 * backend, the backend's EOF is sent as one. The WebSocket closes once both directions ended,
 * or when either side closes outright.
 */
export function spliceWebSocket(ws: WebSocket, backend: Socket): Promise<void> {
  return new Promise((resolve) => {
    let clientEnded = false;
    let backendEnded = false;
    ws.on("message", (data) => {
      const bytes = Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data as ArrayBuffer);
      if (bytes.length === 0) {
        clientEnded = true;
        backend.end();
        if (backendEnded) ws.close(1000);
        return;
      }
      if (!backend.write(bytes)) ws.pause();
    });
    backend.on("drain", () => ws.resume());
    backend.on("data", (chunk: Buffer) => {
      if (ws.readyState === ws.OPEN) ws.send(chunk, { binary: true });
    });
    backend.once("end", () => {
      backendEnded = true;
      if (ws.readyState !== ws.OPEN) return;
      ws.send(WS_TUNNEL_EOF, { binary: true });
      if (clientEnded) ws.close(1000);
    });
    backend.once("error", () => ws.close(1011, "backend error"));
    backend.once("close", () => {
      if (ws.readyState === ws.OPEN) ws.close(1000);
      resolve();
    });
    ws.once("close", () => backend.destroy());
    ws.once("error", () => backend.destroy());
  });
}
