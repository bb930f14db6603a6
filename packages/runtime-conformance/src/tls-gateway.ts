import { readFileSync } from "node:fs";
import type { IncomingMessage } from "node:http";
import { createServer } from "node:https";
import { connect as dialTcp, type Socket } from "node:net";
import type { Duplex } from "node:stream";

const FIXTURES = new URL("./fixtures/", import.meta.url);

/**
 * The gateway's certificate (self-signed for `localhost` and `127.0.0.1`): give it to the client
 * as `ca`, the way a user behind a private CA would.
 */
export const GATEWAY_CA: string = readFileSync(new URL("proxy-cert.pem", FIXTURES), "utf8");

/** Options of {@link startTlsGateway}. */
export interface TlsGatewayOptions {
  /**
   * The plain server behind the gateway, or a function naming it at each upgrade (for servers
   * that a mocked vendor SDK starts per sandbox).
   */
  target: GatewayTarget | (() => GatewayTarget);
  /** The header every upgrade must carry, as the vendor's proxy demands it. */
  header: { name: string; value: string };
}

/** Where a gateway forwards to. */
export interface GatewayTarget {
  host: string;
  port: number;
}

/** A running gateway. */
export interface TlsGateway extends AsyncDisposable {
  /** `localhost:<port>`, what a vendor SDK's `getHost(port)` would return. */
  readonly host: string;
  readonly port: number;
  /** Every upgrade it saw, allowed or not, with the path and the gate header's value. */
  readonly upgrades: Array<{ path: string; header: string | undefined; allowed: boolean }>;
}

/**
 * A stand-in for E2B's or Daytona's proxy: terminates TLS, refuses any WebSocket upgrade without
 * the expected header (HTTP 403, as the vendors answer), and splices allowed ones, raw, to the
 * plain server behind it. Control (`/`) and tunnel (`/tunnel/<capability>`) upgrades alike.
 *
 * @example
 * ```ts
 * await using gateway = await startTlsGateway({ target: { host: "127.0.0.1", port }, header: { name: "x-daytona-preview-token", value: "t" } });
 * await connect(`wss://${gateway.host}`, { headers: { "x-daytona-preview-token": "t" }, ca: GATEWAY_CA });
 * ```
 */
export async function startTlsGateway(options: TlsGatewayOptions): Promise<TlsGateway> {
  const upgrades: TlsGateway["upgrades"] = [];
  const sockets = new Set<Duplex>();
  const server = createServer({
    key: readFileSync(new URL("proxy-key.pem", FIXTURES)),
    cert: GATEWAY_CA,
  });
  server.on("request", (_request, response) => {
    response.writeHead(404).end("this gateway only forwards WebSocket upgrades\n");
  });
  server.on("upgrade", (request: IncomingMessage, client: Duplex, head: Buffer) => {
    sockets.add(client);
    client.on("close", () => sockets.delete(client));
    client.on("error", () => client.destroy());
    const value = request.headers[options.header.name.toLowerCase()];
    const header = Array.isArray(value) ? value[0] : value;
    const allowed = header === options.header.value;
    upgrades.push({ path: request.url ?? "/", header, allowed });
    if (!allowed) {
      client.end("HTTP/1.1 403 Forbidden\r\nConnection: close\r\nContent-Length: 0\r\n\r\n");
      return;
    }
    const target = typeof options.target === "function" ? options.target() : options.target;
    const upstream: Socket = dialTcp(target.port, target.host);
    sockets.add(upstream);
    upstream.on("close", () => sockets.delete(upstream));
    upstream.on("error", () => client.destroy());
    upstream.on("connect", () => {
      upstream.write(rawRequest(request));
      if (head.length > 0) upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
    });
    client.on("close", () => upstream.destroy());
    upstream.on("close", () => client.destroy());
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  const address = server.address();
  const port = typeof address === "object" && address !== null ? address.port : 0;
  return {
    host: `localhost:${port}`,
    port,
    upgrades,
    async [Symbol.asyncDispose]() {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** The upgrade request as it arrived, to replay upstream byte for byte (headers included). */
function rawRequest(request: IncomingMessage): string {
  const lines = [`${request.method} ${request.url} HTTP/${request.httpVersion}`];
  for (let i = 0; i < request.rawHeaders.length; i += 2) {
    lines.push(`${request.rawHeaders[i]}: ${request.rawHeaders[i + 1]}`);
  }
  return `${lines.join("\r\n")}\r\n\r\n`;
}
