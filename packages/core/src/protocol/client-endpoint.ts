import { HudkitError } from "../errors/hudkit-error.js";

/**
 * Where a control channel lives, parsed once from its URL.
 *
 * `tcp://host:port` speaks newline-delimited JSON-RPC, the reference transport. `ws://` and
 * `wss://` are the hudkit superset for substrates that only expose HTTP(S): the URL (path and
 * query included) is the control session, and capability streams go to `<path>/tunnel/<name>`.
 *
 * @example
 * ```ts
 * const endpoint = parseControlUrl("tcp://127.0.0.1:8765");
 * // { url: "tcp://127.0.0.1:8765", transport: "tcp", host: "127.0.0.1", port: 8765 }
 * ```
 */
export interface ControlEndpoint {
  /** The URL as given. */
  readonly url: string;
  readonly transport: "tcp" | "ws";
  /** Host name or address, IPv6 without brackets, ready for `net.connect`. */
  readonly host: string;
  readonly port: number;
  /** For `ws`/`wss`: the control session's WebSocket URL. */
  readonly webSocketUrl?: string;
}

const USE_TCP = "use tcp://host:port (or ws://host:port, wss://host)";

/**
 * Parses a control URL. Anything but `tcp://host:port`, `ws://...` or `wss://...` is rejected
 * with a `bad-url` error, including a bare `127.0.0.1:8765`, which the reference client silently
 * turns into port 0 (spec §6.27).
 *
 * @example
 * ```ts
 * parseControlUrl("wss://sandbox.example/env?token=t").port; // 443
 * parseControlUrl("127.0.0.1:8765"); // throws HudkitError code "bad-url"
 * ```
 */
export function parseControlUrl(url: string): ControlEndpoint {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new HudkitError("bad-url", `unsupported control URL '${url}': ${USE_TCP}`);
  }
  const host = parsed.hostname.replace(/^\[(.*)\]$/, "$1");
  if (parsed.protocol === "tcp:") {
    const port = Number(parsed.port);
    if (host === "" || !Number.isInteger(port) || port <= 0) {
      throw new HudkitError("bad-url", `control URL '${url}' needs a host and a port: ${USE_TCP}`);
    }
    return { url, transport: "tcp", host, port };
  }
  if (parsed.protocol === "ws:" || parsed.protocol === "wss:") {
    if (host === "") throw new HudkitError("bad-url", `control URL '${url}' has no host: ${USE_TCP}`);
    const defaultPort = parsed.protocol === "wss:" ? 443 : 80;
    const port = parsed.port === "" ? defaultPort : Number(parsed.port);
    return { url, transport: "ws", host, port, webSocketUrl: parsed.href };
  }
  throw new HudkitError("bad-url", `unsupported control URL '${url}': ${USE_TCP}`);
}

/**
 * The WebSocket URL of one capability stream: the control URL's path (trailing slashes
 * removed) plus `/tunnel/<capability>`, query kept, so a gateway's base path and query
 * credentials apply to tunnels too. For `ws://host:port` this is `ws://host:port/tunnel/<name>`.
 *
 * @example
 * ```ts
 * tunnelWebSocketUrl(parseControlUrl("ws://127.0.0.1:9000"), "shell"); // "ws://127.0.0.1:9000/tunnel/shell"
 * ```
 */
export function tunnelWebSocketUrl(endpoint: ControlEndpoint, capability: string): string {
  if (endpoint.webSocketUrl === undefined) {
    throw new HudkitError("bad-url", `control URL '${endpoint.url}' is not a WebSocket URL`);
  }
  const url = new URL(endpoint.webSocketUrl);
  url.pathname = `${url.pathname.replace(/\/+$/, "")}/tunnel/${encodeURIComponent(capability)}`;
  url.hash = "";
  return url.href;
}
