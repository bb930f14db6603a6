import { createServer as createHttpServer, type IncomingMessage } from "node:http";
import type { Socket } from "node:net";
import { WebSocketServer } from "ws";
import { ControlSession, type ServerState } from "./control-session.js";
import { WebSocketFrameChannel } from "./frame-channel.js";
import { RpcError } from "./rpc-error.js";
import { openTunnelBackend, TunnelRefusal } from "./tunnel-server.js";
import { spliceWebSocket } from "./websocket-tunnel.js";
import { wsHardCap } from "./ws-hard-cap.js";

/** The WebSocket side of a server's port: where its HTTP-looking connections go. */
export interface WebSocketFront {
  /** Serves a connection whose first bytes (pushed back with `unshift`) looked like HTTP. */
  accept(socket: Socket): void;
  /** Ends every WebSocket connection at once, as closing the server does. */
  terminateAll(): void;
}

/**
 * The HTTP server and WebSocket endpoint behind `bind`'s port: upgrades of `/` become control
 * sessions and of `/tunnel/<capability>` tunnel streams; any other request gets 426. `bind` loads
 * this module only when the first such connection arrives.
 *
 * @example
 * ```ts
 * const front = createWebSocketFront(state, track);
 * socket.pause();
 * socket.unshift(first);
 * front.accept(socket);
 * ```
 */
export function createWebSocketFront(
  state: ServerState,
  track: (work: Promise<void>) => void,
): WebSocketFront {
  const wss = new WebSocketServer({ noServer: true, maxPayload: wsHardCap(state.maxFrameBytes) });
  const http = createHttpServer((_request, response) => {
    response.writeHead(426, { "content-type": "text/plain", upgrade: "websocket" });
    response.end(
      `${state.env.name} ${state.env.version}: a hudkit control port; connect over tcp:// or a WebSocket\n`,
    );
  });
  http.on("upgrade", (request: IncomingMessage, socket: Socket, head: Buffer) => {
    track(upgrade(state, wss, request, socket, head, track));
  });
  return {
    accept(socket) {
      // It may have closed while this module loaded.
      if (socket.destroyed) return;
      http.emit("connection", socket);
      socket.resume();
    },
    terminateAll() {
      for (const client of wss.clients) client.terminate();
    },
  };
}

async function upgrade(
  state: ServerState,
  wss: WebSocketServer,
  request: IncomingMessage,
  socket: Socket,
  head: Buffer,
  track: (work: Promise<void>) => void,
): Promise<void> {
  const path = new URL(request.url ?? "/", "http://localhost").pathname;
  const refuse = (status: number, reason: string) => {
    socket.end(
      `HTTP/1.1 ${status} ${reason}\r\nconnection: close\r\ncontent-type: text/plain\r\n\r\n${reason}\n`,
    );
  };
  const token = state.controlToken;
  if (token !== undefined && request.headers.authorization !== `Bearer ${token}`) {
    refuse(401, "Unauthorized: send Authorization: Bearer <HUD_CONTROL_TOKEN>");
    return;
  }
  if (path === "/") {
    const ws = await new Promise<import("ws").WebSocket>((resolve) =>
      wss.handleUpgrade(request, socket, head, resolve),
    );
    await new ControlSession(state, new WebSocketFrameChannel(ws, state.maxFrameBytes), {
      preAuthenticated: true,
    }).run();
    return;
  }
  if (path.startsWith("/tunnel/")) {
    const name = decodeURIComponent(path.slice("/tunnel/".length));
    let backend: Socket;
    try {
      ({ backend } = await openTunnelBackend(state, { capability: name }, { authenticated: true }));
    } catch (error) {
      const message = error instanceof RpcError ? error.rpcMessage : String(error);
      refuse(error instanceof TunnelRefusal ? error.httpStatus : 502, message.replace(/[\r\n]/g, " "));
      return;
    }
    const ws = await new Promise<import("ws").WebSocket>((resolve) =>
      wss.handleUpgrade(request, socket, head, resolve),
    );
    track(spliceWebSocket(ws, backend));
    return;
  }
  refuse(404, `Not Found: use / for control or /tunnel/<capability>`);
}
