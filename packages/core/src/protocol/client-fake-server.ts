/**
 * Test support for the client tests (never exported from the package): a tiny fake control
 * server speaking the wire protocol over real sockets, scriptable per test, plus the backends
 * and helpers the forwarder tests need. It is deliberately not the real server, so the client
 * is tested against the spec's behaviour rather than against another part of this package.
 */

import {
  createServer as createHttpServer,
  type Server as HttpServer,
  type IncomingHttpHeaders,
} from "node:http";
import { type AddressInfo, createServer, connect as netConnect, type Server, type Socket } from "node:net";
import { WebSocketServer } from "ws";
import { FrameReader } from "./frame-reader.js";
import { spliceWebSocket } from "./websocket-tunnel.js";

/** One request the fake received. `connection` numbers connections from 1 in accept order. */
export interface FakeRequest {
  readonly id: unknown;
  readonly method: string;
  readonly params: Record<string, unknown>;
  readonly connection: number;
}

/**
 * How the fake answers: a result, an error frame, a raw line, hanging up, or never replying.
 * `undefined` from a handler means "the default behaviour".
 */
export type FakeReply =
  | { result: unknown; delayMs?: number }
  | { error: { code: number; message: string }; delayMs?: number }
  | { raw: string }
  | { hangUp: true }
  | { silent: true };

export type FakeHandler = (request: FakeRequest) => FakeReply | undefined | Promise<FakeReply | undefined>;

export interface FakeBinding {
  name: string;
  protocol: string;
  url: string;
  params: Record<string, unknown>;
}

export interface FakeServerOptions {
  transport?: "tcp" | "ws";
  /** Listen on this port (for "starts late" tests); default 0. */
  port?: number;
  handle?: FakeHandler;
  bindings?: FakeBinding[];
  /** Capability name -> backend port on 127.0.0.1, for `tunnel.open` and `/tunnel/<name>`. */
  backends?: Record<string, number>;
  /** Written in the same `write` as the `tunnel.open` reply line (TCP). */
  tunnelBanner?: string;
  /** The first N connections are accepted and closed without reading. */
  hangUpFirst?: number;
  /** HTTP statuses to refuse the first upgrades with, in order (WS). */
  refuseUpgrades?: number[];
  token?: string;
}

export const FAKE_SESSION_ID = "sess-0000beef";

/** A scriptable control server; see {@link FakeServerOptions}. */
export class FakeControlServer {
  readonly requests: FakeRequest[] = [];
  /** `recv <method>` when a request is read, `send <method>` when its reply is written. */
  readonly events: string[] = [];
  readonly upgrades: Array<{ url: string; headers: IncomingHttpHeaders }> = [];
  readonly tunnelOpens: Array<Record<string, unknown>> = [];
  /** Resolves each time a connection (control or tunnel) closes. */
  closedConnections = 0;
  connections = 0;
  readonly #options: FakeServerOptions;
  readonly #server: Server | HttpServer;
  readonly #sockets = new Set<Socket>();
  readonly #wss = new WebSocketServer({ noServer: true });

  private constructor(options: FakeServerOptions) {
    this.#options = options;
    if (options.transport === "ws") {
      const http = createHttpServer((_request, response) => response.writeHead(426).end());
      http.on("upgrade", (request, socket: Socket, head: Buffer) => this.#upgrade(request, socket, head));
      http.on("connection", (socket: Socket) => this.#track(socket));
      this.#server = http;
    } else {
      this.#server = createServer({ allowHalfOpen: true }, (socket) => {
        this.#track(socket);
        void this.#serveTcp(socket);
      });
    }
  }

  static async start(options: FakeServerOptions = {}): Promise<FakeControlServer> {
    const fake = new FakeControlServer(options);
    await new Promise<void>((resolve, reject) => {
      fake.#server.once("error", reject);
      fake.#server.listen(options.port ?? 0, "127.0.0.1", () => resolve());
    });
    return fake;
  }

  get port(): number {
    return (this.#server.address() as AddressInfo).port;
  }

  get url(): string {
    return `${this.#options.transport === "ws" ? "ws" : "tcp"}://127.0.0.1:${this.port}`;
  }

  /** Methods received, in order. */
  get methods(): string[] {
    return this.requests.map((request) => request.method);
  }

  /** Stops accepting connections; established ones keep working. */
  stopListening(): Promise<void> {
    return new Promise((resolve) => {
      this.#server.close(() => resolve());
      // The close callback waits for every connection; resolve as soon as the port is released.
      setImmediate(resolve);
    });
  }

  async close(): Promise<void> {
    for (const socket of this.#sockets) socket.destroy();
    for (const client of this.#wss.clients) client.terminate();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  #track(socket: Socket): void {
    this.connections += 1;
    this.#sockets.add(socket);
    socket.on("error", () => {});
    socket.once("close", () => {
      this.#sockets.delete(socket);
      this.closedConnections += 1;
    });
  }

  async #serveTcp(socket: Socket): Promise<void> {
    const connection = this.connections;
    if (connection <= (this.#options.hangUpFirst ?? 0)) {
      socket.end();
      return;
    }
    const reader = new FrameReader(socket);
    const first = await reader.read().catch(() => null);
    if (first === null) {
      socket.end();
      return;
    }
    const frame = JSON.parse(first.toString("utf8")) as Record<string, unknown>;
    if (frame.method === "tunnel.open") return this.#tunnelTcp(socket, reader, frame);
    const token = this.#options.token;
    const params = (frame.params ?? {}) as Record<string, unknown>;
    if (token !== undefined && !(frame.method === "hello" && params.auth === token)) {
      socket.end(errorLine(frame.id, -32001, "unauthorized: wrong token"));
      return;
    }
    const send = (line: string) => socket.write(`${line}\n`);
    const hangUp = () => socket.destroy();
    // Frames are handled as they arrive, not one after another, so a client that overlapped
    // requests would show up in `events` as two `recv` in a row.
    void this.#handle(frame, connection, send, hangUp);
    for (;;) {
      const line = await reader.read().catch(() => null);
      if (line === null) return void socket.end();
      void this.#handle(JSON.parse(line.toString("utf8")), connection, send, hangUp);
    }
  }

  async #handle(
    frame: Record<string, unknown>,
    connection: number,
    send: (line: string) => void,
    hangUp: () => void,
  ): Promise<void> {
    const request: FakeRequest = {
      id: frame.id,
      method: String(frame.method),
      params: (frame.params ?? {}) as Record<string, unknown>,
      connection,
    };
    this.requests.push(request);
    this.events.push(`recv ${request.method}`);
    const reply = (await this.#options.handle?.(request)) ?? this.#defaultReply(request);
    if ("silent" in reply) return;
    if ("hangUp" in reply) return hangUp();
    if ("delayMs" in reply && reply.delayMs)
      await new Promise((resolve) => setTimeout(resolve, reply.delayMs));
    this.events.push(`send ${request.method}`);
    if ("raw" in reply) return send(reply.raw);
    if ("error" in reply) return send(JSON.stringify({ jsonrpc: "2.0", id: request.id, error: reply.error }));
    send(JSON.stringify({ jsonrpc: "2.0", id: request.id, result: reply.result }));
    if (request.method === "bye") hangUp();
  }

  #defaultReply(request: FakeRequest): FakeReply {
    switch (request.method) {
      case "hello": {
        const sessionId =
          typeof request.params.session_id === "string" ? request.params.session_id : FAKE_SESSION_ID;
        return {
          result: {
            session_id: sessionId,
            env: { name: "fake", version: "0.0.1" },
            bindings: this.#options.bindings ?? [],
          },
        };
      }
      case "tasks.list":
        return { result: { tasks: [{ id: "echo", description: "echoes", args: { type: "object" } }] } };
      case "tasks.start":
        return { result: { prompt: `go ${String(request.params.id)}` } };
      case "tasks.grade":
        return { result: { score: 1 } };
      case "tasks.cancel":
        return { result: { cancelled: true } };
      case "bye":
        return { result: { goodbye: true } };
      default:
        return { error: { code: -32601, message: `method not found: ${request.method}` } };
    }
  }

  async #tunnelTcp(socket: Socket, reader: FrameReader, frame: Record<string, unknown>): Promise<void> {
    const params = (frame.params ?? {}) as Record<string, unknown>;
    this.tunnelOpens.push(params);
    const name = String(params.capability);
    const token = this.#options.token;
    if (token !== undefined && params.auth !== token) {
      socket.end(errorLine(frame.id, -32001, "unauthorized: wrong token"));
      return;
    }
    const port = this.#options.backends?.[name];
    if (port === undefined) {
      socket.end(errorLine(frame.id, -32000, `"unknown capability: '${name}'"`));
      return;
    }
    const leftover = reader.takeBuffered();
    const backend = await dialBackend(port);
    this.#track(backend);
    const reply = JSON.stringify({ jsonrpc: "2.0", id: frame.id, result: { capability: name } });
    socket.write(`${reply}\n${this.#options.tunnelBanner ?? ""}`);
    if (leftover.length > 0) backend.write(leftover);
    socket.pipe(backend);
    backend.pipe(socket);
    socket.once("close", () => backend.destroy());
    backend.once("close", () => socket.destroy());
  }

  #upgrade(request: import("node:http").IncomingMessage, socket: Socket, head: Buffer): void {
    const url = request.url ?? "/";
    this.upgrades.push({ url, headers: request.headers });
    const refuse = (status: number, text: string): void => {
      socket.end(`HTTP/1.1 ${status} ${text}\r\nconnection: close\r\ncontent-length: 0\r\n\r\n`);
    };
    const scripted = this.#options.refuseUpgrades?.shift();
    if (scripted !== undefined) {
      refuse(scripted, "Scripted");
      return;
    }
    const token = this.#options.token;
    if (token !== undefined && request.headers.authorization !== `Bearer ${token}`) {
      refuse(401, "Unauthorized");
      return;
    }
    const path = new URL(url, "http://localhost").pathname;
    if (path === "/") {
      const connection = this.connections;
      this.#wss.handleUpgrade(request, socket, head, (ws) => {
        ws.on("message", (data) => {
          void this.#handle(
            JSON.parse(String(data)),
            connection,
            (line) => ws.send(line),
            () => ws.terminate(),
          );
        });
      });
      return;
    }
    if (path.startsWith("/tunnel/")) {
      const name = decodeURIComponent(path.slice("/tunnel/".length));
      const port = this.#options.backends?.[name];
      if (port === undefined) {
        refuse(404, `unknown capability ${name}`);
        return;
      }
      this.tunnelOpens.push({ capability: name });
      void dialBackend(port).then((backend) => {
        this.#track(backend);
        this.#wss.handleUpgrade(request, socket, head, (ws) => void spliceWebSocket(ws, backend));
      });
      return;
    }
    refuse(404, "Not Found");
  }
}

function errorLine(id: unknown, code: number, message: string): string {
  return `${JSON.stringify({ jsonrpc: "2.0", id: id ?? null, error: { code, message } })}\n`;
}

function dialBackend(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = netConnect({ host: "127.0.0.1", port, allowHalfOpen: true });
    socket.once("connect", () => resolve(socket));
    socket.once("error", reject);
  });
}

/** A TCP backend on 127.0.0.1; `onSocket` gets each connection (`allowHalfOpen`). */
export async function startBackend(
  onSocket: (socket: Socket) => void,
): Promise<{ port: number; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  const server = createServer({ allowHalfOpen: true }, (socket) => {
    sockets.add(socket);
    socket.on("error", () => {});
    socket.once("close", () => sockets.delete(socket));
    onSocket(socket);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

/** An echo backend: every byte comes back; EOF is answered with EOF. */
export function startEchoBackend(): Promise<{ port: number; close(): Promise<void> }> {
  return startBackend((socket) => socket.pipe(socket));
}

/** Connects to a local port; resolves with the socket (`allowHalfOpen`). */
export function dialLocal(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = netConnect({ host: "127.0.0.1", port, allowHalfOpen: true });
    socket.once("connect", () => resolve(socket));
    socket.once("error", reject);
  });
}

/** Everything a socket receives until EOF (or close), as text. */
export function readToEnd(socket: Socket): Promise<string> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    socket.on("data", (chunk: Buffer) => chunks.push(chunk));
    const done = () => resolve(Buffer.concat(chunks).toString("utf8"));
    socket.once("end", done);
    socket.once("close", done);
  });
}

/** Reads until `expected` bytes of text arrived. */
export function readBytes(socket: Socket, length: number): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = "";
    const onData = (chunk: Buffer) => {
      text += chunk.toString("utf8");
      if (Buffer.byteLength(text) >= length) {
        socket.off("data", onData);
        resolve(text);
      }
    };
    socket.on("data", onData);
    socket.once("end", () => reject(new Error(`EOF after ${JSON.stringify(text)}`)));
  });
}

/** A port that nothing listens on right now. */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** Polls `condition` every 10 ms until it holds or `timeoutMs` passes. */
export async function waitUntil(condition: () => boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error("condition not met in time");
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
