import { isIPv4, isIPv6 } from "node:net";
import { z } from "zod";
import { HudkitError } from "../errors/hudkit-error.js";
import { pyRepr } from "../protocol/python-repr.js";
import { isPlainObject } from "../protocol/python-values.js";

// ─── URL splitting, as Python's urllib.parse.urlsplit does it ────────────────────────────────
// The reference normalises capability URLs with urlsplit/urlunsplit. WHATWG `URL` would rewrite
// the text of non-special schemes (ssh://, rfb://) and lowercases differently, so the few rules
// the reference relies on are reproduced here instead.

interface SplitUrl {
  scheme: string;
  netloc: string;
  path: string;
  query: string;
  fragment: string;
}

const LEADING_C0_OR_SPACE = /^[\u0000-\u0020]+/;
const REMOVED_URL_CHARACTERS = /[\t\r\n]/g;
const SCHEME_TEXT = /^[A-Za-z][A-Za-z0-9+\-.]*$/;
const IPV_FUTURE = /^v[a-fA-F0-9]+\..+$/;

function invalidUrl(message: string): HudkitError {
  return new HudkitError("invalid-url", message);
}

/** Python's `str.partition`: the text before the first `separator`, and the text after it. */
function partition(text: string, separator: string): [string, string] {
  const at = text.indexOf(separator);
  return at < 0 ? [text, ""] : [text.slice(0, at), text.slice(at + separator.length)];
}

function checkBracketedHost(host: string): void {
  if (host.startsWith("v")) {
    if (!IPV_FUTURE.test(host)) throw invalidUrl("IPvFuture address is invalid");
  } else if (isIPv4(host)) {
    throw invalidUrl("An IPv4 address cannot be in brackets");
  } else if (!isIPv6(host)) {
    throw invalidUrl(`${pyRepr(host)} does not appear to be an IPv4 or IPv6 address`);
  }
}

/** Rejects a non-ASCII netloc that NFKC normalisation would turn into URL delimiters. */
function checkNetloc(netloc: string): void {
  if (/^[\u0000-\u007f]*$/.test(netloc)) return;
  const stripped = netloc.replace(/[@:#?]/g, "");
  const normalized = stripped.normalize("NFKC");
  if (stripped !== normalized && /[/?#@:]/.test(normalized)) {
    throw invalidUrl(`netloc '${netloc}' contains invalid characters under NFKC normalization`);
  }
}

function splitUrl(input: string): SplitUrl {
  let rest = input.replace(LEADING_C0_OR_SPACE, "").replace(REMOVED_URL_CHARACTERS, "");
  let scheme = "";
  const colon = rest.indexOf(":");
  if (colon > 0 && SCHEME_TEXT.test(rest.slice(0, colon))) {
    scheme = rest.slice(0, colon).toLowerCase();
    rest = rest.slice(colon + 1);
  }
  let netloc = "";
  if (rest.startsWith("//")) {
    const end = rest.slice(2).search(/[/?#]/);
    netloc = end < 0 ? rest.slice(2) : rest.slice(2, end + 2);
    rest = end < 0 ? "" : rest.slice(end + 2);
    const open = netloc.includes("[");
    const close = netloc.includes("]");
    if (open !== close) throw invalidUrl("Invalid IPv6 URL");
    if (open) checkBracketedHost(partition(partition(netloc, "[")[1], "]")[0]);
  }
  const [beforeFragment, fragment] = partition(rest, "#");
  const [path, query] = partition(beforeFragment, "?");
  checkNetloc(netloc);
  return { scheme, netloc, path, query, fragment };
}

/** The `hostname` of a Python `SplitResult`, and the text of its port (`""` when none). */
function hostInfo(netloc: string): { hostname: string | undefined; portText: string } {
  const hostAndPort = netloc.slice(netloc.lastIndexOf("@") + 1);
  let host: string;
  let portText: string;
  if (hostAndPort.includes("[")) {
    const [inside, after] = partition(partition(hostAndPort, "[")[1], "]");
    host = inside;
    portText = partition(after, ":")[1];
  } else {
    [host, portText] = partition(hostAndPort, ":");
  }
  if (host === "") return { hostname: undefined, portText };
  // The zone of a scoped IPv6 address keeps its case; the rest of the host is lowercased.
  const [address, zone] = partition(host, "%");
  return { hostname: host.includes("%") ? `${address.toLowerCase()}%${zone}` : host.toLowerCase(), portText };
}

/** The `port` of a Python `SplitResult`, which throws for a port that is not a number. */
function parsePort(portText: string): number | undefined {
  if (portText === "") return undefined;
  if (!/^[0-9]+$/.test(portText))
    throw invalidUrl(`Port could not be cast to integer value as ${pyRepr(portText)}`);
  const port = Number(portText);
  if (port > 65_535) throw invalidUrl("Port out of range 0-65535");
  return port;
}

/**
 * The reference's `normalize_url`: add `<defaultScheme>://` when there is no `://`, require a
 * host, and insert `defaultPort` when the URL has none, keeping userinfo, bracketing IPv6 hosts,
 * and keeping path, query and fragment. A URL that already has a port comes back unchanged.
 */
function normalizeUrl(url: string, defaultScheme: string, defaultPort: number | undefined): string {
  const text = url.includes("://") ? url : `${defaultScheme}://${url}`;
  const parts = splitUrl(text);
  if (parts.scheme === "") throw invalidUrl(`invalid URL (no scheme): ${pyRepr(url)}`);
  const { hostname, portText } = hostInfo(parts.netloc);
  if (hostname === undefined) throw invalidUrl(`invalid URL (no host): ${pyRepr(url)}`);
  if (parsePort(portText) !== undefined || defaultPort === undefined) return text;
  const at = parts.netloc.lastIndexOf("@");
  const userinfo = at < 0 ? "" : parts.netloc.slice(0, at + 1);
  const host = hostname.includes(":") ? `[${hostname}]` : hostname;
  const query = parts.query ? `?${parts.query}` : "";
  const fragment = parts.fragment ? `#${parts.fragment}` : "";
  return `${parts.scheme}://${userinfo}${host}:${defaultPort}${parts.path}${query}${fragment}`;
}

/**
 * The host and port a tunnel dials for a capability URL: the hostname (IPv6 brackets removed,
 * lowercased as Python's `urlsplit(url).hostname` is) and the port number. Only those two parts
 * of a capability URL matter to a tunnel. `undefined` when the URL has no host, no port, or does
 * not parse (a bare `127.0.0.1:8041` has no `//`, so it has no host either).
 *
 * @example
 * ```ts
 * capabilityHostPort("http://127.0.0.1:8040/mcp"); // { host: "127.0.0.1", port: 8040 }
 * capabilityHostPort("ssh://[::1]:22");            // { host: "::1", port: 22 }
 * capabilityHostPort("tcp://127.0.0.1");           // undefined
 * ```
 */
export function capabilityHostPort(url: string): { host: string; port: number } | undefined {
  try {
    const { hostname, portText } = hostInfo(splitUrl(url).netloc);
    const port = parsePort(portText);
    return hostname === undefined || port === undefined ? undefined : { host: hostname, port };
  } catch {
    return undefined;
  }
}

// ─── Capability ──────────────────────────────────────────────────────────────────────────────

/**
 * The wire form of a capability: one entry of the `hello` reply's `bindings`.
 *
 * @example
 * ```ts
 * const binding: CapabilityBinding = { name: "browser", protocol: "cdp/1.3", url: "ws://127.0.0.1:9222", params: {} };
 * ```
 */
export interface CapabilityBinding {
  name: string;
  protocol: string;
  url: string;
  params: Record<string, unknown>;
}

/**
 * Options of {@link Capability.ssh}.
 *
 * @example
 * ```ts
 * const options: SshCapabilityOptions = { url: "127.0.0.1:2222", hostPubkey: "ssh-ed25519 AAAA", cwd: "/workspace" };
 * ```
 */
export interface SshCapabilityOptions {
  /** Default `"shell"`. */
  name?: string;
  /** `host[:port]` or `ssh://[user@]host[:port]`; the port defaults to 22. */
  url: string;
  /** Default `"agent"`. */
  user?: string;
  /** The server's OpenSSH one-line public key, e.g. `ssh-ed25519 AAAA...`. */
  hostPubkey: string;
  /** The client's private key contents; works across a container boundary. */
  clientKey?: string;
  /** Path of the client's private key file; only works on a shared filesystem. */
  clientKeyPath?: string;
  /** The remote shell type; default `"bash"` (`"cmd"` when the declaring process runs on Windows). */
  shell?: "bash" | "powershell" | "cmd";
  /** Absolute directory sessions start in. */
  cwd?: string;
  /** The sandbox the workspace actually got. */
  isolation?: "bwrap" | "seatbelt" | "none";
}

/**
 * The MCP transports the reference knows: `websocket` goes with ws/wss URLs, the others with
 * http/https.
 *
 * @example
 * ```ts
 * const transport: McpTransport = "streamable-http";
 * ```
 */
export type McpTransport = "streamable-http" | "sse" | "websocket";

/**
 * Options of {@link Capability.mcp}.
 *
 * @example
 * ```ts
 * const options: McpCapabilityOptions = { url: "https://tools.example/mcp", authToken: "secret" };
 * ```
 */
export interface McpCapabilityOptions {
  /** Default `"tools"`. */
  name?: string;
  /** A `ws`, `wss`, `http` or `https` URL; without `://` the scheme is `ws`. */
  url: string;
  /** A bearer token the client sends. */
  authToken?: string;
  /** Default `"websocket"` for ws/wss, `"streamable-http"` for http/https. */
  transport?: McpTransport;
}

/**
 * Options of {@link Capability.cdp}.
 *
 * @example
 * ```ts
 * const options: CdpCapabilityOptions = { url: "127.0.0.1", targetId: "page-1" };
 * ```
 */
export interface CdpCapabilityOptions {
  /** Default `"browser"`. */
  name?: string;
  /** Chromium's DevTools address; default scheme `ws`, default port 9222. */
  url: string;
  /** The DevTools target to attach to; by default the client picks one. */
  targetId?: string;
}

/**
 * Options of {@link Capability.rfb}.
 *
 * @example
 * ```ts
 * const options: RfbCapabilityOptions = { url: "127.0.0.1", display: 1, password: "pw" };
 * ```
 */
export interface RfbCapabilityOptions {
  /** Default `"screen"`. */
  name?: string;
  /** The VNC server; default scheme `rfb`, default port `5900 + display`. */
  url: string;
  /** The VNC password, if the server asks for one. */
  password?: string;
  /** The VNC display number; default 0. */
  display?: number;
}

/**
 * Options of {@link Capability.robot}.
 *
 * @example
 * ```ts
 * const options: RobotCapabilityOptions = { url: "127.0.0.1", contract: { robot_type: "arm", control_rate: 10, features: {} } };
 * ```
 */
export interface RobotCapabilityOptions {
  /** Default `"robot"`. */
  name?: string;
  /** The robot bridge's WebSocket; default scheme `ws`, default port 9091. */
  url: string;
  /** `{robot_type, control_rate, features}`, passed to the client unchanged. */
  contract: Record<string, unknown>;
}

/**
 * The fields of a custom {@link Capability}.
 *
 * @example
 * ```ts
 * const fields: CapabilityFields = { name: "files", protocol: "custom/1", url: "tcp://127.0.0.1:7000" };
 * ```
 */
export interface CapabilityFields {
  name: string;
  /** `<family>/<version>`, e.g. `"custom/1"`. */
  protocol: string;
  /** Not normalised; a tunnel only needs its host and port. */
  url: string;
  params?: Record<string, unknown>;
}

const MCP_PROTOCOL = "mcp/2025-11-25";
const MCP_SCHEMES = new Set(["ws", "wss", "http", "https"]);
const WEBSOCKET_SCHEMES = new Set(["ws", "wss"]);
const MCP_TRANSPORTS: ReadonlySet<string> = new Set<McpTransport>(["streamable-http", "sse", "websocket"]);
const URL_SCHEME_PREFIX = /^([a-zA-Z][a-zA-Z0-9+\-.]*):/;

// Well-known ports of each backend, inserted when a URL names none.
const SSH_PORT = 22;
const CDP_PORT = 9222;
const RFB_BASE_PORT = 5900;
const ROBOT_PORT = 9091;
const HTTPS_PORT = 443;
const HTTP_PORT = 80;

/** A deep copy of the plain objects and arrays in `value`, frozen or not. */
function copyTree(value: unknown, freeze: boolean): unknown {
  let copy: unknown;
  if (Array.isArray(value)) copy = value.map((item) => copyTree(item, freeze));
  else if (isPlainObject(value)) {
    copy = Object.fromEntries(Object.entries(value).map(([key, item]) => [key, copyTree(item, freeze)]));
  } else return value;
  return freeze ? Object.freeze(copy) : copy;
}

function schemeOf(url: string): string {
  return splitUrl(url).scheme;
}

const CapabilityBindingSchema = z.object({
  name: z.string(),
  protocol: z.string(),
  url: z.string(),
  params: z.record(z.string(), z.unknown()).nullish(),
});

/**
 * One slice of environment access published in the `hello` manifest: a name, a protocol, the
 * address of the daemon serving it (inside the substrate), and protocol parameters. Immutable.
 * The static factories build the well-known protocols with the reference's URL normalisation
 * and parameter layout; `new Capability(...)` declares a custom one, taken as given.
 *
 * @example
 * ```ts
 * const tools = Capability.mcp({ url: "http://127.0.0.1:8040/mcp" });
 * const custom = new Capability({ name: "files", protocol: "custom/1", url: "tcp://127.0.0.1:7000" });
 * tools.toManifest();
 * // { name: "tools", protocol: "mcp/2025-11-25", url: "http://127.0.0.1:8040/mcp",
 * //   params: { transport: "streamable-http" } }
 * ```
 */
export class Capability {
  /** Unique per environment; a tunnel is opened by this name. */
  readonly name: string;
  /** `<family>/<version>`, e.g. `"ssh/2"`. */
  readonly protocol: string;
  /** Where the daemon listens, as seen from inside the substrate. */
  readonly url: string;
  /** Protocol parameters, in wire key order (snake_case). Deeply frozen. */
  readonly params: Readonly<Record<string, unknown>>;

  constructor(fields: CapabilityFields) {
    this.name = fields.name;
    this.protocol = fields.protocol;
    this.url = fields.url;
    this.params = copyTree(fields.params ?? {}, true) as Readonly<Record<string, unknown>>;
    Object.freeze(this);
  }

  /**
   * The wire binding `{name, protocol, url, params}`, as a fresh object the caller may change.
   *
   * @example
   * ```ts
   * Capability.cdp({ url: "127.0.0.1" }).toManifest();
   * // { name: "browser", protocol: "cdp/1.3", url: "ws://127.0.0.1:9222", params: {} }
   * ```
   */
  toManifest(): CapabilityBinding {
    return {
      name: this.name,
      protocol: this.protocol,
      url: this.url,
      params: copyTree(this.params, false) as Record<string, unknown>,
    };
  }

  /**
   * Reads a binding from a `hello` reply. Its URL is kept as sent; `params: null` becomes `{}`,
   * and an `mcp/*` binding without `transport` gets `"websocket"` for a ws/wss URL and
   * `"streamable-http"` otherwise. Throws a {@link HudkitError} (`invalid-capability`) naming
   * the field that is missing or of the wrong type.
   *
   * @example
   * ```ts
   * const capability = Capability.fromManifest({ name: "tools", protocol: "mcp/2025-11-25", url: "ws://h:1", params: null });
   * capability.params; // { transport: "websocket" }
   * ```
   */
  static fromManifest(binding: unknown): Capability {
    const parsed = CapabilityBindingSchema.safeParse(binding);
    if (!parsed.success) {
      const details = parsed.error.issues
        .map((issue) => (issue.path.length > 0 ? `${issue.path.join(".")}: ${issue.message}` : issue.message))
        .join("; ");
      throw new HudkitError("invalid-capability", `invalid capability binding: ${details}`, {
        cause: parsed.error,
      });
    }
    const { name, protocol, url } = parsed.data;
    const params = { ...parsed.data.params };
    if (protocol.split("/", 1)[0] === "mcp" && !("transport" in params)) {
      params.transport = WEBSOCKET_SCHEMES.has(schemeOf(url)) ? "websocket" : "streamable-http";
    }
    return new Capability({ name, protocol, url, params });
  }

  /**
   * An `ssh/2` daemon with public-key authentication. Params, in wire order: `user`,
   * `host_pubkey`, `shell`, then `client_key`, `client_key_path`, `cwd`, `isolation` when set.
   *
   * @example
   * ```ts
   * Capability.ssh({ url: "h:2222", hostPubkey: "ssh-ed25519 AAAA" }).url; // "ssh://h:2222"
   * ```
   */
  static ssh(options: SshCapabilityOptions): Capability {
    const params: Record<string, unknown> = {
      user: options.user ?? "agent",
      host_pubkey: options.hostPubkey,
      // The reference picks the shell of the process that declares the capability.
      shell: options.shell ?? (process.platform === "win32" ? "cmd" : "bash"),
    };
    if (options.clientKey !== undefined) params.client_key = options.clientKey;
    if (options.clientKeyPath !== undefined) params.client_key_path = options.clientKeyPath;
    if (options.cwd !== undefined) params.cwd = options.cwd;
    if (options.isolation !== undefined) params.isolation = options.isolation;
    return new Capability({
      name: options.name ?? "shell",
      protocol: "ssh/2",
      url: normalizeUrl(options.url, "ssh", SSH_PORT),
      params,
    });
  }

  /**
   * An `mcp/2025-11-25` server over WebSocket or HTTP (no stdio). The port defaults to 443 for
   * https/wss and 80 otherwise. Throws a {@link HudkitError} for another scheme, or a transport
   * that does not fit the scheme. As in the reference, `host:port` without `://` reads as scheme
   * `host` and is rejected unless the host starts with a digit: write `ws://localhost:8040`.
   *
   * @example
   * ```ts
   * Capability.mcp({ url: "http://tools.example/mcp" }).url; // "http://tools.example:80/mcp"
   * Capability.mcp({ url: "ws://127.0.0.1:8041" }).params;   // { transport: "websocket" }
   * ```
   */
  static mcp(options: McpCapabilityOptions): Capability {
    const { url, transport, authToken } = options;
    const unsupported = (scheme: string) =>
      new HudkitError(
        "invalid-capability",
        `${MCP_PROTOCOL}: only ws/wss/http/https URLs are supported, got ${pyRepr(scheme)}`,
      );
    const prefix = URL_SCHEME_PREFIX.exec(url);
    if (prefix && !url.includes("://")) throw unsupported(prefix[1]!);
    const withScheme = normalizeUrl(url, "ws", undefined);
    const scheme = schemeOf(withScheme);
    if (!MCP_SCHEMES.has(scheme)) throw unsupported(scheme);
    if (transport !== undefined && !MCP_TRANSPORTS.has(transport)) {
      throw new HudkitError(
        "invalid-capability",
        `unknown mcp transport ${pyRepr(String(transport))}; use "streamable-http", "sse" or "websocket"`,
      );
    }
    const websocket = WEBSOCKET_SCHEMES.has(scheme);
    if (transport === "websocket" && !websocket) {
      throw new HudkitError("invalid-capability", "mcp websocket transport requires a ws:// or wss:// URL");
    }
    if ((transport === "sse" || transport === "streamable-http") && websocket) {
      throw new HudkitError(
        "invalid-capability",
        `mcp ${transport} transport requires an http:// or https:// URL`,
      );
    }
    const port = scheme === "https" || scheme === "wss" ? HTTPS_PORT : HTTP_PORT;
    const params: Record<string, unknown> = {
      transport: transport ?? (websocket ? "websocket" : "streamable-http"),
    };
    if (authToken !== undefined) params.auth_token = authToken;
    return new Capability({
      name: options.name ?? "tools",
      protocol: MCP_PROTOCOL,
      url: normalizeUrl(withScheme, "ws", port),
      params,
    });
  }

  /**
   * A `cdp/1.3` Chromium DevTools endpoint. Params: `target_id` when set.
   *
   * @example
   * ```ts
   * Capability.cdp({ url: "127.0.0.1" }).url; // "ws://127.0.0.1:9222"
   * ```
   */
  static cdp(options: CdpCapabilityOptions): Capability {
    const params: Record<string, unknown> = {};
    if (options.targetId !== undefined) params.target_id = options.targetId;
    return new Capability({
      name: options.name ?? "browser",
      protocol: "cdp/1.3",
      url: normalizeUrl(options.url, "ws", CDP_PORT),
      params,
    });
  }

  /**
   * An `rfb/3.8` (VNC) server. Display N listens on port 5900 + N unless the URL names a port.
   * Params: `display`, then `password` when set.
   *
   * @example
   * ```ts
   * const screen = Capability.rfb({ url: "127.0.0.1", display: 1 });
   * screen.url;    // "rfb://127.0.0.1:5901"
   * screen.params; // { display: 1 }
   * ```
   */
  static rfb(options: RfbCapabilityOptions): Capability {
    const display = options.display ?? 0;
    if (!Number.isInteger(display) || display < 0) {
      throw new HudkitError(
        "invalid-capability",
        `rfb display must be a whole number from 0, got ${display}`,
      );
    }
    const params: Record<string, unknown> = { display };
    if (options.password !== undefined) params.password = options.password;
    return new Capability({
      name: options.name ?? "screen",
      protocol: "rfb/3.8",
      url: normalizeUrl(options.url, "rfb", RFB_BASE_PORT + display),
      params,
    });
  }

  /**
   * An `openpi/0` robot bridge: a schema-driven action/observation loop over WebSocket.
   * Params: `contract`, unchanged.
   *
   * @example
   * ```ts
   * Capability.robot({ url: "127.0.0.1", contract: { robot_type: "arm", control_rate: 10, features: {} } }).url;
   * // "ws://127.0.0.1:9091"
   * ```
   */
  static robot(options: RobotCapabilityOptions): Capability {
    return new Capability({
      name: options.name ?? "robot",
      protocol: "openpi/0",
      url: normalizeUrl(options.url, "ws", ROBOT_PORT),
      params: { contract: options.contract },
    });
  }
}
