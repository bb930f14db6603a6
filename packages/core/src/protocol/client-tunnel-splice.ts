import type { Socket } from "node:net";
import type { Duplex } from "node:stream";
import type WebSocket from "ws";
import { rawDataToBuffer } from "./client-ws-transport.js";

/** An empty binary message: end of stream in one direction of a WebSocket tunnel. */
export const WS_TUNNEL_EOF = Buffer.alloc(0);

/** Unsent WebSocket bytes above which the local socket is paused, and the level to resume at. */
const WS_HIGH_WATER_BYTES = 1024 * 1024;
const WS_LOW_WATER_BYTES = 256 * 1024;

/**
 * Pipes a local socket and a TCP tunnel into each other until both are closed. `leftover` (bytes
 * that followed the `tunnel.open` reply) reaches the local side first. Half-close is honoured
 * both ways: EOF from one side becomes `end()` on the other while the opposite direction keeps
 * flowing, so both sockets must be `allowHalfOpen`. A reset on either side destroys the other,
 * where the reference would leave the surviving direction waiting (spec §6.21).
 *
 * @example
 * ```ts
 * const tunnel = await openTunnel(endpoint, "shell", {});
 * if (tunnel.kind === "tcp") await spliceTcpTunnel(local, tunnel.socket, tunnel.leftover);
 * ```
 */
export async function spliceTcpTunnel(local: Socket, remote: Socket, leftover: Buffer): Promise<void> {
  destroyPeerOnError(local, remote);
  destroyPeerOnError(remote, local);
  if (leftover.length > 0) local.write(leftover);
  // pipe() also ends the destination when the source already emitted 'end' (a backend that sent
  // its banner and hung up while the reply was being read).
  local.pipe(remote);
  remote.pipe(local);
  await Promise.all([whenClosed(local), whenClosed(remote)]);
}

/**
 * Pipes a local socket and a WebSocket tunnel into each other: local bytes go out as binary
 * messages, received messages (binary, or text as UTF-8) are written to the local socket.
 * WebSocket has no half-close, so hudkit tunnels mark EOF with an empty binary message
 * ({@link WS_TUNNEL_EOF}) in either direction; the WebSocket closes once both directions have
 * ended, or when either side closes outright.
 *
 * @example
 * ```ts
 * const tunnel = await openTunnel(wsEndpoint, "shell", {});
 * if (tunnel.kind === "ws") await spliceWebSocketTunnel(local, tunnel.ws);
 * ```
 */
export async function spliceWebSocketTunnel(local: Socket, ws: WebSocket): Promise<void> {
  const wsClosed = new Promise<void>((resolve) => {
    if (ws.readyState === ws.CLOSED) resolve();
    else ws.once("close", () => resolve());
  });
  let localEnded = false;
  let remoteEnded = false;
  ws.on("message", (data) => {
    const bytes = rawDataToBuffer(data);
    if (bytes.length === 0) {
      remoteEnded = true;
      local.end();
      if (localEnded) ws.close(1000);
      return;
    }
    if (!local.write(bytes)) {
      ws.pause();
      local.once("drain", () => ws.resume());
    }
  });
  ws.once("close", () => {
    local.end();
  });
  let unsent = 0;
  local.on("data", (chunk: Buffer) => {
    if (ws.readyState !== ws.OPEN) return;
    unsent += chunk.length;
    ws.send(chunk, { binary: true }, () => {
      unsent -= chunk.length;
      if (unsent <= WS_LOW_WATER_BYTES && local.isPaused()) local.resume();
    });
    if (unsent > WS_HIGH_WATER_BYTES) local.pause();
  });
  local.once("end", () => {
    localEnded = true;
    if (ws.readyState !== ws.OPEN) return;
    ws.send(WS_TUNNEL_EOF, { binary: true });
    if (remoteEnded) ws.close(1000);
  });
  local.once("close", (hadError) => {
    if (hadError) ws.terminate();
    else ws.close(1000);
  });
  // Both arrive paused (pauseOnConnect, dialWebSocket); now that every listener is attached,
  // let bytes flow. A 'data' listener alone does not restart an explicitly paused socket.
  local.resume();
  ws.resume();
  await Promise.all([wsClosed, whenClosed(local)]);
}

function destroyPeerOnError(stream: Socket, peer: Socket): void {
  stream.once("close", (hadError) => {
    if (hadError) peer.destroy();
  });
}

function whenClosed(stream: Duplex): Promise<void> {
  if (stream.closed) return Promise.resolve();
  return new Promise<void>((resolve) => stream.once("close", () => resolve()));
}
