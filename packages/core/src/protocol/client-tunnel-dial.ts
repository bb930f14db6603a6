import type { Socket } from "node:net";
import type WebSocket from "ws";
import { HudkitError } from "../errors/hudkit-error.js";
import { upgradeHeaders } from "./client-dial.js";
import { type ControlEndpoint, tunnelWebSocketUrl } from "./client-endpoint.js";
import { dialTcp } from "./client-tcp-dial.js";
import { dialWebSocket, WebSocketUpgradeError } from "./client-ws-dial.js";
import { DEFAULT_MAX_FRAME_BYTES, FrameReader } from "./frame-reader.js";
import { pyRepr } from "./python-repr.js";

/**
 * An established capability stream. Over TCP, `leftover` holds bytes that arrived after the
 * `tunnel.open` reply line in the same read (a backend banner, say): they belong to the stream
 * and must be delivered first (spec §1.8).
 *
 * @example
 * ```ts
 * const tunnel = await openTunnel(endpoint, "shell", {});
 * if (tunnel.kind === "tcp") local.write(tunnel.leftover);
 * ```
 */
export type OpenedTunnel =
  | { readonly kind: "tcp"; readonly socket: Socket; readonly leftover: Buffer }
  | { readonly kind: "ws"; readonly ws: WebSocket };

/**
 * The env answered `tunnel.open` with an error frame (or hung up before answering, or refused
 * the WebSocket upgrade). The message is the warning the forwarder logs:
 * `tunnel.open '<name>' refused: <why>`.
 *
 * @example
 * ```ts
 * try { await openTunnel(endpoint, "nope", {}) } catch (e) {
 *   if (e instanceof TunnelRefusedError) console.warn(e.message);
 * }
 * ```
 */
export class TunnelRefusedError extends HudkitError {
  constructor(capability: string, reason: string, options?: { cause?: unknown }) {
    super("tunnel-refused", `tunnel.open ${pyRepr(capability)} refused: ${reason}`, options);
    this.name = "TunnelRefusedError";
  }
}

/**
 * The control endpoint could not be reached for a new stream. The message is the reference's
 * warning: `tunnel peer <host>:<port> connection failed: <error>`.
 *
 * @example
 * ```ts
 * try { await openTunnel(endpoint, "shell", {}) } catch (e) {
 *   if (e instanceof TunnelPeerError) console.warn(e.message);
 * }
 * ```
 */
export class TunnelPeerError extends HudkitError {
  constructor(host: string, port: number, cause: unknown) {
    super("tunnel-peer-unreachable", `tunnel peer ${host}:${port} connection failed: ${describe(cause)}`, {
      cause,
    });
    this.name = "TunnelPeerError";
  }
}

/**
 * Options for one capability stream; the same `headers` and `token` as the control connection.
 *
 * @example
 * ```ts
 * const options: TunnelOptions = { token: "s3cret", signal: AbortSignal.timeout(10_000) };
 * ```
 */
export interface TunnelOptions {
  headers?: Record<string, string>;
  token?: string;
  /** PEM certificate(s) to trust for `wss://` besides the system's. */
  ca?: string | undefined;
  maxFrameBytes?: number;
  signal?: AbortSignal;
}

/**
 * Opens one capability stream on a NEW connection to the control endpoint. Over TCP it sends
 * the `tunnel.open` preface (id 1, `params.auth` when a token is set) and reads one reply
 * line; over WebSocket it upgrades `<path>/tunnel/<capability>`. Rejects with
 * {@link TunnelPeerError} when the endpoint is unreachable and {@link TunnelRefusedError} when
 * the env says no.
 *
 * @example
 * ```ts
 * const tunnel = await openTunnel(parseControlUrl("tcp://127.0.0.1:8765"), "shell", {});
 * ```
 */
export async function openTunnel(
  endpoint: ControlEndpoint,
  capability: string,
  options: TunnelOptions,
): Promise<OpenedTunnel> {
  return endpoint.transport === "tcp"
    ? openTcpTunnel(endpoint, capability, options)
    : openWebSocketTunnel(endpoint, capability, options);
}

async function openTcpTunnel(
  endpoint: ControlEndpoint,
  capability: string,
  options: TunnelOptions,
): Promise<OpenedTunnel> {
  const { signal } = options;
  let socket: Socket;
  try {
    socket = await dialTcp(endpoint.host, endpoint.port, { signal, allowHalfOpen: true });
  } catch (error) {
    if (signal?.aborted) throw signal.reason;
    throw new TunnelPeerError(endpoint.host, endpoint.port, error);
  }
  // Errors are handled through 'close' by whoever owns the socket next; without a listener an
  // error emitted between two owners would crash the process.
  socket.on("error", () => {});
  const onAbort = (): void => {
    socket.destroy();
  };
  signal?.addEventListener("abort", onAbort, { once: true });
  try {
    const params: Record<string, unknown> = { capability };
    if (options.token !== undefined) params.auth = options.token;
    socket.write(`${JSON.stringify({ jsonrpc: "2.0", id: 1, method: "tunnel.open", params })}\n`);
    const reader = new FrameReader(socket, {
      maxFrameBytes: options.maxFrameBytes ?? DEFAULT_MAX_FRAME_BYTES,
    });
    let line: Buffer | null;
    try {
      line = await reader.read();
    } catch (error) {
      if (signal?.aborted) throw signal.reason;
      throw new TunnelRefusedError(capability, describe(error), { cause: error });
    }
    if (signal?.aborted) throw signal.reason;
    if (line === null) throw new TunnelRefusedError(capability, "connection closed before the reply");
    const refusal = refusalOf(line);
    if (refusal !== undefined) throw new TunnelRefusedError(capability, refusal);
    return { kind: "tcp", socket, leftover: reader.takeBuffered() };
  } catch (error) {
    socket.destroy();
    throw error;
  } finally {
    signal?.removeEventListener("abort", onAbort);
  }
}

/** Why a reply line refuses the stream, or `undefined` when it accepts it (no `error` member). */
function refusalOf(line: Buffer): string | undefined {
  let reply: unknown;
  try {
    reply = JSON.parse(line.toString("utf8"));
  } catch {
    return "the reply is not valid JSON";
  }
  if (typeof reply !== "object" || reply === null || Array.isArray(reply))
    return "the reply is not a JSON object";
  if (!("error" in reply)) return undefined;
  const error: unknown = reply.error;
  if (typeof error === "object" && error !== null && "message" in error) {
    const code = "code" in error ? error.code : undefined;
    return `hud rpc error ${String(code)}: ${String(error.message)}`;
  }
  return JSON.stringify(error);
}

async function openWebSocketTunnel(
  endpoint: ControlEndpoint,
  capability: string,
  options: TunnelOptions,
): Promise<OpenedTunnel> {
  try {
    const ws = await dialWebSocket(tunnelWebSocketUrl(endpoint, capability), {
      headers: upgradeHeaders(options),
      signal: options.signal,
      maxPayload: options.maxFrameBytes,
      ca: options.ca,
    });
    return { kind: "ws", ws };
  } catch (error) {
    if (options.signal?.aborted) throw options.signal.reason;
    if (error instanceof WebSocketUpgradeError) {
      throw new TunnelRefusedError(capability, error.reason, { cause: error });
    }
    if (HudkitError.isInstance(error)) throw error;
    throw new TunnelPeerError(endpoint.host, endpoint.port, error);
  }
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
