import { HudkitError } from "../errors/hudkit-error.js";
import type { ControlEndpoint } from "./client-endpoint.js";
import { dialTcp } from "./client-tcp-dial.js";
import { TcpControlTransport } from "./client-tcp-transport.js";
import type { ControlTransport } from "./client-transport.js";
import { dialWebSocket } from "./client-ws-dial.js";
import { WebSocketControlTransport } from "./client-ws-transport.js";

/**
 * How to reach a control endpoint: `headers` travel on every WebSocket upgrade (a gateway's
 * credentials, say); `token` is the env's `HUD_CONTROL_TOKEN`.
 *
 * @example
 * ```ts
 * const options: DialOptions = { headers: { "x-api-key": key }, token: "s3cret" };
 * ```
 */
export interface DialOptions {
  headers?: Record<string, string>;
  token?: string;
  maxFrameBytes?: number;
  /** PEM certificate(s) to trust for `wss://` besides the system's. */
  ca?: string | undefined;
  signal?: AbortSignal;
}

/**
 * Opens one control connection, TCP or WebSocket depending on the endpoint. It sends nothing:
 * over TCP the token goes into the first `hello` (see `HudClient.hello`), over WebSocket it is
 * already in the upgrade's `Authorization` header.
 *
 * @example
 * ```ts
 * const transport = await dialControlTransport(parseControlUrl("ws://127.0.0.1:8765"), { token });
 * const client = new HudClient(transport, { token });
 * await client.hello();
 * ```
 */
export async function dialControlTransport(
  endpoint: ControlEndpoint,
  options: DialOptions = {},
): Promise<ControlTransport> {
  if (endpoint.transport === "tcp") {
    const socket = await dialTcp(endpoint.host, endpoint.port, { signal: options.signal });
    return new TcpControlTransport(socket, { maxFrameBytes: options.maxFrameBytes });
  }
  const ws = await dialWebSocket(endpoint.webSocketUrl ?? endpoint.url, {
    headers: upgradeHeaders(options),
    signal: options.signal,
    maxPayload: options.maxFrameBytes,
    ca: options.ca,
  });
  return new WebSocketControlTransport(ws);
}

/**
 * The headers of a WebSocket upgrade: the caller's headers plus `Authorization: Bearer <token>`.
 * A token and a caller `Authorization` header cannot both travel, so that is a `bad-options`
 * error rather than one silently replacing the other.
 *
 * @example
 * ```ts
 * upgradeHeaders({ headers: { "x-k": "v" }, token: "t" }); // { "x-k": "v", Authorization: "Bearer t" }
 * ```
 */
export function upgradeHeaders(options: Pick<DialOptions, "headers" | "token">): Record<string, string> {
  const headers = { ...options.headers };
  if (options.token === undefined) return headers;
  if (Object.keys(headers).some((name) => name.toLowerCase() === "authorization")) {
    throw new HudkitError(
      "bad-options",
      "both `token` and an Authorization header were given: the token travels as 'Authorization: Bearer', so send the other credential under another header",
    );
  }
  headers.Authorization = `Bearer ${options.token}`;
  return headers;
}
