import { type AddressInfo, createServer, type Server, type Socket } from "node:net";
import type { Environment } from "../environment/environment.js";
import { spliceSockets } from "./byte-splice.js";
import { ControlSession, errorFrame, frameTooLargeMessage, type ServerState } from "./control-session.js";
import { SocketFrameChannel } from "./frame-channel.js";
import { DEFAULT_MAX_FRAME_BYTES, FrameTooLargeError } from "./frame-reader.js";
import { parseFrame } from "./parse-frame.js";
import { RpcError } from "./rpc-error.js";
import { SessionTable } from "./session-table.js";
import { openTunnelBackend } from "./tunnel-server.js";
import type { WebSocketFront } from "./websocket-front.js";

/** Options of {@link bind}. */
export interface BindOptions {
  /** Default `127.0.0.1`: backends and sessions are unauthenticated unless a token is set. */
  host?: string;
  /** Default 0 (an ephemeral port). */
  port?: number;
  /** Largest accepted frame, default 16 MiB. Larger frames get an error reply, then close. */
  maxFrameBytes?: number;
  /** Require this bearer token on every connection (default: `HUD_CONTROL_TOKEN` if set). */
  controlToken?: string;
}

/** A listening environment server. */
export interface BoundServer extends AsyncDisposable {
  readonly host: string;
  readonly port: number;
  /** `tcp://host:port`. The same port also accepts `ws://host:port/`. */
  readonly url: string;
  /** Closes the port and every connection, cancels every task (teardown hooks run), then stops the env. */
  close(): Promise<void>;
}

/**
 * Starts the environment (its initialize hooks) and serves it on one TCP port: newline-delimited
 * JSON-RPC control sessions and `tunnel.open` streams, plus WebSocket upgrades (`/` control,
 * `/tunnel/<capability>` streams) on the same port.
 *
 * @example
 * ```ts
 * await using server = await bind(env, { port: 0 });
 * const client = await connect(server.url);
 * ```
 */
export async function bind(env: Environment, options: BindOptions = {}): Promise<BoundServer> {
  const state: ServerState = {
    env,
    sessions: new SessionTable(),
    controlToken: options.controlToken ?? (process.env.HUD_CONTROL_TOKEN || undefined),
    maxFrameBytes: options.maxFrameBytes ?? DEFAULT_MAX_FRAME_BYTES,
  };
  await env.start();
  const sockets = new Set<Socket>();
  const sessions = new Set<Promise<void>>();
  const track = (work: Promise<void>) => {
    sessions.add(work);
    void work.finally(() => sessions.delete(work));
  };

  // Loaded by the first WebSocket or HTTP connection: most servers (an env child above all) only
  // ever see TCP clients, and would pay for ws, http, https and zlib at every start.
  let front: Promise<WebSocketFront> | undefined;
  const webSocketFront = () =>
    (front ??= import("./websocket-front.js").then((module) => module.createWebSocketFront(state, track)));

  // noDelay: every frame is a small write answered by a small write; Nagle would stall them.
  const server: Server = createServer({ allowHalfOpen: true, noDelay: true }, (socket) => {
    sockets.add(socket);
    socket.once("close", () => sockets.delete(socket));
    socket.on("error", destroySocket);
    socket.once("end", endSocket);
    socket.once("data", (first: Buffer) => {
      socket.off("end", endSocket);
      if (looksLikeHttp(first)) {
        socket.pause();
        socket.unshift(first);
        track(
          webSocketFront().then(
            (loaded) => loaded.accept(socket),
            () => {
              socket.destroy();
            },
          ),
        );
        return;
      }
      // The frame reader takes the peeked chunk as it is, sparing every connection an unshift.
      track(serveSocket(state, socket, first));
    });
  });

  const host = options.host ?? "127.0.0.1";
  try {
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(options.port ?? 0, host, () => {
        server.off("error", reject);
        resolve();
      });
    });
  } catch (error) {
    await env.stop();
    throw error;
  }
  const port = (server.address() as AddressInfo).port;

  let closing: Promise<void> | undefined;
  const close = () => {
    closing ??= (async () => {
      const listening = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const socket of sockets) socket.destroy();
      (await front?.catch(() => undefined))?.terminateAll();
      await Promise.allSettled([...sessions]);
      await Promise.allSettled(state.sessions.takeAll().map((runner) => runner.cancel()));
      await listening;
      await env.stop();
    })();
    return closing;
  };
  return {
    host,
    port,
    url: `tcp://${host.includes(":") ? `[${host}]` : host}:${port}`,
    close,
    [Symbol.asyncDispose]: close,
  };
}

export { wsHardCap } from "./ws-hard-cap.js";

/*
 * Listeners every accepted socket gets, shared rather than made per connection: EventEmitter
 * calls them with the socket as `this`.
 */

/** A socket error ends the connection (its session parks, as on EOF). */
function destroySocket(this: Socket): void {
  this.destroy();
}

/** EOF before the first byte: nothing to serve, so our side ends too. */
function endSocket(this: Socket): void {
  this.end();
}

/** HTTP methods are upper-case ASCII letters; a JSON frame never starts with one. */
function looksLikeHttp(first: Buffer): boolean {
  const byte = first[0];
  return byte !== undefined && byte >= 0x41 && byte <= 0x5a;
}

/**
 * A TCP connection, `first` being the chunk already read from it: its first frame decides
 * whether it is a control session or a tunnel.
 */
async function serveSocket(state: ServerState, socket: Socket, first: Buffer): Promise<void> {
  const channel = new SocketFrameChannel(socket, state.maxFrameBytes, first);
  let firstFrame: Buffer | null;
  try {
    firstFrame = await channel.read();
  } catch (error) {
    if (error instanceof FrameTooLargeError) {
      channel.write(errorFrame(null, -32600, frameTooLargeMessage(error.limit)));
      channel.close();
    } else socket.destroy();
    return;
  }
  if (firstFrame === null) {
    socket.end();
    return;
  }
  const parsed = parseFrame(firstFrame);
  if (parsed.ok && parsed.request.method === "tunnel.open") {
    const { request } = parsed;
    try {
      const { capability, backend } = await openTunnelBackend(state, request.params, {
        authenticated: false,
      });
      if (request.hasId)
        channel.write({ jsonrpc: "2.0", id: request.id, result: { capability: capability.name } });
      const ended = channel.reader.ended;
      const leftover = channel.reader.takeBuffered();
      if (leftover.length > 0) backend.write(leftover);
      const done = spliceSockets(socket, backend);
      if (ended) backend.end();
      socket.resume();
      await done;
    } catch (error) {
      if (request.hasId && error instanceof RpcError)
        channel.write(errorFrame(request.id, error.rpcCode, error.rpcMessage));
      channel.close();
    }
    return;
  }
  await new ControlSession(state, channel).run(parsed);
}
