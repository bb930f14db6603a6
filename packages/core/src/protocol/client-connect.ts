import { HudkitError } from "../errors/hudkit-error.js";
import { HudClient, type HudClientOptions } from "./client.js";
import { dialControlTransport, upgradeHeaders } from "./client-dial.js";
import { type ControlEndpoint, parseControlUrl } from "./client-endpoint.js";
import { dialTcp } from "./client-tcp-dial.js";
import { TcpControlTransport } from "./client-tcp-transport.js";
import type { ControlTransport } from "./client-transport.js";
import { WebSocketUpgradeError } from "./client-ws-dial.js";

/**
 * The reference's default: a fresh container or cloud sandbox can take minutes to install and
 * start its env before it serves.
 *
 * @example
 * ```ts
 * await connect(url, { readyTimeoutMs: DEFAULT_READY_TIMEOUT_MS * 2 }); // a slow image build
 * ```
 */
export const DEFAULT_READY_TIMEOUT_MS = 240_000;
/**
 * The reference's readiness poll interval: short enough to notice a ready env quickly, long
 * enough not to hammer a gateway.
 *
 * @example
 * ```ts
 * await connect(url, { pollIntervalMs: DEFAULT_POLL_INTERVAL_MS / 5 }); // a local child process
 * ```
 */
export const DEFAULT_POLL_INTERVAL_MS = 500;

/** Gateway answers that mean "the env behind me is not up yet", not "go away". */
const GATEWAY_NOT_READY = new Set([502, 503, 504]);

/**
 * Options of {@link connect}: the {@link HudClientOptions} (minus the endpoint, which comes from
 * the URL) plus the readiness loop's. `token` is only ever taken from here, never from the
 * environment. `headers` travel on WebSocket upgrades only. `signal` governs connecting; once
 * `connect` resolved, end the client with `close()` or `abort()`.
 *
 * @example
 * ```ts
 * const options: ConnectOptions = { readyTimeoutMs: 60_000, token: process.env.HUD_CONTROL_TOKEN };
 * ```
 */
export interface ConnectOptions extends Omit<HudClientOptions, "endpoint"> {
  /** How long the env may take to answer `hello`. Default {@link DEFAULT_READY_TIMEOUT_MS}. */
  readyTimeoutMs?: number;
  /** Pause between attempts. Default {@link DEFAULT_POLL_INTERVAL_MS}. */
  pollIntervalMs?: number;
  signal?: AbortSignal;
}

/**
 * Connects to an env's control channel and completes `hello`, retrying until the env is ready
 * (spec §4.1). Readiness is the protocol handshake, never a bare TCP connect: a published port
 * or a gateway can accept before the env behind it serves.
 *
 * Not ready yet, retried every `pollIntervalMs`: a refused or reset connection, EOF during
 * `hello`, a WebSocket upgrade that fails on the network or gets HTTP 502/503/504. Past
 * `readyTimeoutMs` this throws `connect-timeout`
 * (`env at <url> not ready after <n> s: <last error>`, the last error as `cause`). Each attempt
 * is bounded by the deadline too, so an env that accepts and never answers cannot hang it.
 * Anything else (an error frame such as `-32001` for a wrong token, HTTP 401, a garbled reply)
 * throws at once. Aborting `signal` rejects with its reason and closes the sockets.
 *
 * @example
 * ```ts
 * await using client = await connect("tcp://127.0.0.1:8765", { readyTimeoutMs: 30_000 });
 * console.log(client.manifest.env.name, client.binding("ssh").url);
 * ```
 */
export async function connect(url: string, options: ConnectOptions = {}): Promise<HudClient> {
  const endpoint = endpointOf(url);
  const readyTimeoutMs = positive("readyTimeoutMs", options.readyTimeoutMs ?? DEFAULT_READY_TIMEOUT_MS);
  const pollIntervalMs = positive("pollIntervalMs", options.pollIntervalMs ?? DEFAULT_POLL_INTERVAL_MS);
  // Fail on a token/Authorization clash now, not as an unexplained retry later.
  if (endpoint.transport === "ws") upgradeHeaders(options);
  const { readyTimeoutMs: _ready, pollIntervalMs: _poll, signal, ...clientOptions } = options;
  const deadline = performance.now() + readyTimeoutMs;
  let lastError: Error | undefined;
  for (;;) {
    signal?.throwIfAborted();
    const attempt = new Attempt(Math.max(1, Math.ceil(deadline - performance.now())), signal);
    let client: HudClient | undefined;
    try {
      const transport = await dialAttempt(endpoint, options, attempt);
      client = new HudClient(transport, { ...clientOptions, endpoint });
      // The deadline or an abort drops the connection, which ends the hello; the client's own
      // call path then needs no signal, timer or race of its own.
      attempt.onStop(() => transport.abort());
      await client.hello();
      attempt.dispose();
      return client;
    } catch (error) {
      attempt.dispose();
      client?.abort();
      if (signal?.aborted) throw signal.reason;
      if (attempt.timedOut) {
        lastError ??= new HudkitError("connect-timeout", "the attempt did not finish before the deadline");
      } else if (isNotReady(error)) {
        lastError = error as Error;
      } else {
        throw error;
      }
      const left = deadline - performance.now();
      if (left <= 0) {
        throw new HudkitError(
          "connect-timeout",
          `env at ${url} not ready after ${readyTimeoutMs / 1000} s: ${lastError.message}`,
          { cause: lastError },
        );
      }
      await sleep(Math.min(pollIntervalMs, left), signal);
    }
  }
}

/** One attempt's transport: TCP dials are ended through the attempt, WebSocket ones by its signal. */
async function dialAttempt(
  endpoint: ControlEndpoint,
  options: ConnectOptions,
  attempt: Attempt,
): Promise<ControlTransport> {
  if (endpoint.transport === "tcp") {
    const socket = await dialTcp(endpoint.host, endpoint.port, {
      cancelWith: (cancel) => attempt.onStop(cancel),
    });
    return new TcpControlTransport(socket, { maxFrameBytes: options.maxFrameBytes });
  }
  return dialControlTransport(endpoint, {
    headers: options.headers,
    token: options.token,
    maxFrameBytes: options.maxFrameBytes,
    ca: options.ca,
    signal: attempt.signal,
  });
}

/**
 * One connection attempt's end: the deadline, or the caller's signal aborting (with its
 * reason). Whatever step is under way registers how to stop it with {@link onStop}; an
 * `AbortSignal` is made only for a dialer that needs one (WebSocket), because a signal and its
 * listeners cost more than the rest of a loopback connect. One timer per attempt.
 */
class Attempt {
  readonly #timer: NodeJS.Timeout;
  readonly #outer: AbortSignal | undefined;
  #controller: AbortController | undefined;
  #onStop: ((reason: unknown) => void) | undefined;
  #stopped = false;
  #reason: unknown;
  #timedOut = false;

  constructor(timeoutMs: number, outer: AbortSignal | undefined) {
    this.#outer = outer;
    // Unref'd like AbortSignal.timeout's: an attempt's sockets keep the process alive, not this.
    this.#timer = setTimeout(() => {
      this.#timedOut = true;
      this.#stop(new DOMException("The operation was aborted due to timeout", "TimeoutError"));
    }, timeoutMs);
    this.#timer.unref();
    outer?.addEventListener("abort", this.#onOuterAbort, { once: true });
  }

  /** A signal that aborts when the attempt stops (made on first use). */
  get signal(): AbortSignal {
    if (this.#controller === undefined) {
      this.#controller = new AbortController();
      if (this.#stopped) this.#controller.abort(this.#reason);
    }
    return this.#controller.signal;
  }

  /** True once the deadline stopped the attempt. */
  get timedOut(): boolean {
    return this.#timedOut;
  }

  /** Sets how to end the step under way (replacing the previous step's); runs it now if stopped. */
  onStop(stop: (reason: unknown) => void): void {
    if (this.#stopped) stop(this.#reason);
    else this.#onStop = stop;
  }

  /** Stops the deadline timer and the caller's-signal listener. */
  dispose(): void {
    clearTimeout(this.#timer);
    this.#onStop = undefined;
    this.#outer?.removeEventListener("abort", this.#onOuterAbort);
  }

  #stop(reason: unknown): void {
    if (this.#stopped) return;
    this.#stopped = true;
    this.#reason = reason;
    this.#controller?.abort(reason);
    const stop = this.#onStop;
    this.#onStop = undefined;
    stop?.(reason);
  }

  #onOuterAbort = (): void => {
    this.#stop(this.#outer?.reason);
  };
}

/** The last URL connected to and its endpoint: clients usually dial one env again and again. */
let lastEndpoint: { url: string; endpoint: ControlEndpoint } | undefined;

/** {@link parseControlUrl}, remembered for the last URL (parsing a URL is a visible share of a connect). */
function endpointOf(url: string): ControlEndpoint {
  if (lastEndpoint?.url !== url) lastEndpoint = { url, endpoint: parseControlUrl(url) };
  return lastEndpoint.endpoint;
}

/**
 * Whether a failed attempt means "not ready yet" (the reference retries `OSError` and
 * `EOFError`): Node system errors (`ECONNREFUSED`, `ECONNRESET`, ...), EOF during `hello`, and
 * gateway statuses on a WebSocket upgrade.
 */
function isNotReady(error: unknown): boolean {
  if (error instanceof WebSocketUpgradeError) return GATEWAY_NOT_READY.has(error.status);
  if (HudkitError.isInstance(error)) {
    if (error.code === "connection-closed") return true;
    if (error.code === "connection-failed") return isSystemError(error.cause);
    return false;
  }
  return isSystemError(error);
}

/** `ECONNREFUSED`-style codes; Node's own `ERR_*` codes are programming errors, not readiness. */
function isSystemError(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const code: unknown = (error as NodeJS.ErrnoException).code;
  return typeof code === "string" && /^E[A-Z]+$/.test(code);
}

function positive(name: string, value: number): number {
  if (!Number.isFinite(value) || value <= 0) {
    throw new HudkitError(
      "bad-options",
      `${name} must be a positive finite number of milliseconds, got ${value}`,
    );
  }
  return value;
}

function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}
