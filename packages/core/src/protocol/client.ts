import { HudkitError } from "../errors/hudkit-error.js";
import { findBinding } from "./client-binding-ref.js";
import { CallLock } from "./client-call-lock.js";
import { CapabilityForwarder } from "./client-capability-forwarder.js";
import type { ControlEndpoint } from "./client-endpoint.js";
import { type Grade, gradeFromFrame } from "./client-grade-frame.js";
import { Heartbeat } from "./client-heartbeat.js";
import { type ClientLogger, defaultClientLogger } from "./client-logger.js";
import { readReply } from "./client-reply.js";
import {
  type Binding,
  type Manifest,
  type PromptFrame,
  parseManifest,
  parsePromptFrame,
  parseTaskList,
  type TaskEntry,
} from "./client-result-schemas.js";
import { routedUrl } from "./client-routed-url.js";
import type { ControlTransport } from "./client-transport.js";
import { openTunnel } from "./client-tunnel-dial.js";
import { DEFAULT_MAX_FRAME_BYTES } from "./frame-reader.js";

/**
 * The reference client's heartbeat period: often enough to keep idle proxies and NATs from
 * reaping a control connection that waits on a long agent turn.
 *
 * @example
 * ```ts
 * await connect(url, { heartbeatMs: DEFAULT_HEARTBEAT_MS / 4 }); // behind an aggressive proxy
 * ```
 */
export const DEFAULT_HEARTBEAT_MS = 120_000;
/**
 * The reference's heartbeat reply limit; it starts once the call lock is held, not while queued
 * behind a long `tasks.grade`.
 *
 * @example
 * ```ts
 * await connect(url, { heartbeatReplyTimeoutMs: 2 * DEFAULT_HEARTBEAT_REPLY_TIMEOUT_MS });
 * ```
 */
export const DEFAULT_HEARTBEAT_REPLY_TIMEOUT_MS = 5_000;

/**
 * Options of a {@link HudClient}. Without `endpoint` no forwarders are started and
 * `binding(ref)` returns the raw substrate URLs (the reference's behaviour for a bare stream pair).
 *
 * @example
 * ```ts
 * const options: HudClientOptions = { endpoint: parseControlUrl(url), heartbeatMs: 0, logger: console };
 * ```
 */
export interface HudClientOptions {
  /** The control endpoint, dialled again for every capability stream. */
  endpoint?: ControlEndpoint;
  /** `HUD_CONTROL_TOKEN` of the env: sent in the first `hello` over TCP and in `tunnel.open`. */
  token?: string;
  /** Headers for WebSocket tunnel upgrades (and, in `connect`, the control upgrade). */
  headers?: Record<string, string>;
  /**
   * PEM certificate(s) to trust for `wss://` besides the system's, for a gateway behind a
   * private CA.
   */
  ca?: string;
  /** Heartbeat period; 0 disables it. Default {@link DEFAULT_HEARTBEAT_MS}. */
  heartbeatMs?: number;
  /** Default {@link DEFAULT_HEARTBEAT_REPLY_TIMEOUT_MS}. */
  heartbeatReplyTimeoutMs?: number;
  /** Largest frame sent or received (tunnel replies included). Default 16 MiB. */
  maxFrameBytes?: number;
  /** Receives warnings (refused tunnels, failed heartbeats). Default: `console.warn` with a `hudkit:` prefix. */
  logger?: ClientLogger;
}

/**
 * Per-call options. `timeoutMs` starts once the call holds the connection (not while it waits
 * behind another call). A timeout or an abort mid-call drops the connection, as the reference
 * does for any non-protocol failure: its reply would otherwise answer the next request.
 *
 * @example
 * ```ts
 * await client.grade({ answer }, { timeoutMs: 60_000, signal: AbortSignal.timeout(90_000) });
 * ```
 */
export interface CallOptions {
  timeoutMs?: number;
  signal?: AbortSignal;
}

/**
 * The `tasks.grade` params: the server reads `answer`; the whole object is sent as it is.
 *
 * @example
 * ```ts
 * const payload: GradePayload = { answer: "3" };
 * ```
 */
export type GradePayload = { answer?: unknown } & Record<string, unknown>;

/**
 * A connection to an env's control channel: the reference `HudClient` (spec §4.2), plus `bye`,
 * WebSocket transport and bearer tokens. Use {@link connect} to get one that is ready.
 *
 * - Calls are serialised: one request in flight per connection, ids counting up from 1.
 * - An error frame rejects with `RpcError(code, message)` and leaves the connection usable.
 *   Everything else that goes wrong mid-call (EOF, a reset, a timeout, an abort, a reply with
 *   the wrong id, a garbled frame) drops the connection and marks the client *broken*: that
 *   call and every later call reject with the error that broke it, and {@link signal} aborts
 *   with it.
 * - The heartbeat (every `heartbeatMs`, `hello {"session_id": <own id>}`) queues behind calls
 *   and never overlaps one. An error frame to it logs a warning and stops heartbeating; a
 *   timeout or transport failure breaks the client. TypeScript has no `async with` body to
 *   cancel, so code that must stop at once listens to {@link signal}.
 * - After each `hello`, every binding gets a loopback forwarder; {@link binding} returns the
 *   routed URL.
 * - Frames up to `maxFrameBytes` (16 MiB) are sent and accepted. A Python HUD peer only takes
 *   lines under 64 KiB, so keep prompts, answers and grade frames smaller when one is involved.
 *
 * @example
 * ```ts
 * await using client = await connect("tcp://127.0.0.1:8765");
 * const { prompt } = await client.start("count_letter", { word: "banana" });
 * const grade = await client.grade({ answer: "3" });
 * console.log(prompt, grade.reward);
 * ```
 */
export class HudClient implements AsyncDisposable {
  readonly #transport: ControlTransport;
  readonly #options: HudClientOptions;
  readonly #logger: ClientLogger;
  readonly #maxFrameBytes: number;
  readonly #lock = new CallLock();
  readonly #heartbeat: Heartbeat;
  /** Made on the first read of {@link signal}: most clients never look, and a signal costs. */
  #lifetime: AbortController | undefined;
  /** Routed URL per binding name; made by the first `hello` that has bindings (most envs have none). */
  #routes: Map<string, string> | undefined;
  #forwarders: CapabilityForwarder[] = [];
  #lastId = 0;
  #manifest: Manifest | undefined;
  /** The error that broke the client; for a close, made only when something asks for it. */
  #broken: Error | undefined;
  /** Closed (by `close()` or `abort()`) before anything broke it. */
  #closed = false;
  #closing: Promise<void> | undefined;

  constructor(transport: ControlTransport, options: HudClientOptions = {}) {
    this.#transport = transport;
    this.#options = options;
    this.#logger = options.logger ?? defaultClientLogger;
    this.#maxFrameBytes = options.maxFrameBytes ?? DEFAULT_MAX_FRAME_BYTES;
    this.#heartbeat = new Heartbeat(options.heartbeatMs ?? DEFAULT_HEARTBEAT_MS, () => this.#beat());
  }

  /** Aborted when the client breaks or is closed; the reason is the error (`client-closed` on close). */
  get signal(): AbortSignal {
    if (this.#lifetime === undefined) {
      this.#lifetime = new AbortController();
      if (this.#unusable) this.#lifetime.abort(this.#failure());
    }
    return this.#lifetime.signal;
  }

  /** The last `hello` result, with raw substrate URLs. Throws `no-manifest` before the first `hello`. */
  get manifest(): Manifest {
    if (this.#manifest === undefined) {
      throw new HudkitError("no-manifest", "call hello() before reading the manifest");
    }
    return this.#manifest;
  }

  /**
   * Sends `hello`, optionally resuming the parked session `sessionId` (spec §1.7), and routes
   * the bindings again: the previous forwarders are closed first, so a re-hello does not leak
   * them (spec §6.9).
   */
  hello(sessionId?: string, options: CallOptions = {}): Promise<Manifest> {
    // Every connect sends one: the uncontended case skips the body closure, as `call` does.
    if (options.signal === undefined && !this.#unusable) {
      const release = this.#lock.tryAcquire();
      if (release !== undefined) return this.#helloAndRelease(sessionId, options, release);
    }
    return this.#locked(options, () => this.#helloLocked(sessionId, options));
  }

  async #helloAndRelease(
    sessionId: string | undefined,
    options: CallOptions,
    release: () => void,
  ): Promise<Manifest> {
    try {
      return await this.#helloLocked(sessionId, options);
    } finally {
      release();
    }
  }

  /** `hello` itself; the caller holds the lock. */
  async #helloLocked(sessionId: string | undefined, options: CallOptions): Promise<Manifest> {
    const params: Record<string, unknown> = {};
    if (sessionId !== undefined) params.session_id = sessionId;
    // A token-protected hudkit server authenticates a TCP connection by its first frame.
    const token = this.#options.token;
    if (token !== undefined && this.#transport.kind === "tcp" && this.#lastId === 0) params.auth = token;
    const manifest = parseManifest(await this.#exchange("hello", params, options));
    this.#manifest = manifest;
    // Nothing to route and nothing to close (the usual env): skip the forwarder bookkeeping.
    if (manifest.bindings.length > 0 || this.#forwarders.length > 0) await this.#route(manifest.bindings);
    else this.#routes?.clear();
    this.#heartbeat.start();
    return manifest;
  }

  /** `tasks.list`: every task the env serves, in registration order. */
  async listTasks(options: CallOptions = {}): Promise<TaskEntry[]> {
    return parseTaskList(await this.call("tasks.list", {}, options));
  }

  /** `tasks.start`: starts task `id` (replacing this session's task) and returns its prompt frame. */
  async start(id: string, args?: Record<string, unknown>, options: CallOptions = {}): Promise<PromptFrame> {
    return parsePromptFrame(await this.call("tasks.start", { id, args: args ?? {} }, options));
  }

  /** `tasks.grade`: sends the answer, returns the validated grade (see {@link gradeFromFrame}). */
  async grade(payload: GradePayload = {}, options: CallOptions = {}): Promise<Grade> {
    return gradeFromFrame(await this.call("tasks.grade", payload, options));
  }

  /** `tasks.cancel`: cancels this session's task, if any (teardown hooks run on the env). */
  async cancel(options: CallOptions = {}): Promise<void> {
    await this.call("tasks.cancel", {}, options);
  }

  /**
   * `bye` (hudkit addition; the reference client never sends it): cancels this session's task
   * so it is not parked, then closes the client. Use `close()` to leave the task parked.
   */
  async bye(options: CallOptions = {}): Promise<void> {
    try {
      await this.call("bye", {}, options);
    } finally {
      await this.close();
    }
  }

  /** One raw JSON-RPC call, for methods this class does not wrap. Resolves with the result object. */
  call(
    method: string,
    params: Record<string, unknown> = {},
    options: CallOptions = {},
  ): Promise<Record<string, unknown>> {
    // The usual call (no signal, lock free): no body closure and no extra async layer.
    if (options.signal === undefined && !this.#unusable) {
      const release = this.#lock.tryAcquire();
      if (release !== undefined) return this.#exchangeAndRelease(method, params, options, release);
    }
    return this.#locked(options, () => this.#exchange(method, params, options));
  }

  /** {@link #exchange} for a caller that took the lock already; releases it when done. */
  async #exchangeAndRelease(
    method: string,
    params: Record<string, unknown>,
    options: CallOptions,
    release: () => void,
  ): Promise<Record<string, unknown>> {
    try {
      return await this.#exchange(method, params, options);
    } finally {
      release();
    }
  }

  /**
   * The binding `ref` names (a capability name, a full protocol, or a protocol family), with its
   * URL routed through the local forwarder: `ssh://agent@10.0.0.5:2222` becomes
   * `ssh://agent@127.0.0.1:<port>` (spec §4.3).
   */
  binding(ref: string): Binding {
    if (this.#manifest === undefined) {
      throw new HudkitError("no-manifest", "call hello() before accessing bindings");
    }
    return this.#routed(findBinding(this.#manifest.bindings, ref));
  }

  /** Every binding, routed like {@link binding}. */
  bindings(): Binding[] {
    if (this.#manifest === undefined) {
      throw new HudkitError("no-manifest", "call hello() before accessing bindings");
    }
    return this.#manifest.bindings.map((binding) => this.#routed(binding));
  }

  /**
   * Closes forwarders and their open streams, then the connection. Never sends `bye`, so the
   * env parks this session's task for a later connection (the reference behaviour). Safe to
   * call more than once.
   */
  close(): Promise<void> {
    this.#closing ??= this.#shutDown();
    return this.#closing;
  }

  /** Drops the connection, forwarders and streams at once, without waiting for anything. */
  abort(): void {
    this.#closing ??= Promise.resolve();
    this.#markClosed();
    void this.#closeForwarders();
    this.#transport.abort();
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  async #shutDown(): Promise<void> {
    const wasBroken = this.#broken !== undefined;
    this.#markClosed();
    try {
      if (this.#forwarders.length > 0) await this.#closeForwarders();
    } finally {
      if (wasBroken) this.#transport.abort();
      else await this.#transport.close();
    }
  }

  #markClosed(): void {
    this.#heartbeat.stop();
    if (!this.#unusable) {
      this.#closed = true;
      if (this.#lifetime !== undefined) this.#lifetime.abort(this.#failure());
    }
  }

  /** Broken or closed: every call rejects with {@link #failure}. */
  get #unusable(): boolean {
    return this.#broken !== undefined || this.#closed;
  }

  /**
   * The error calls reject with once the client is unusable. A close's `client-closed` error is
   * made on first use (an Error's stack trace is costly, and most closed clients are dropped).
   */
  #failure(): Error {
    this.#broken ??= new HudkitError("client-closed", "the HudClient is closed");
    return this.#broken;
  }

  async #locked<T>(options: CallOptions, body: () => Promise<T>): Promise<T> {
    if (this.#unusable) throw this.#failure();
    // An uncontended call takes the lock at once; an already aborted signal still rejects first.
    const release =
      (options.signal === undefined ? this.#lock.tryAcquire() : undefined) ??
      (await this.#lock.acquire(options.signal));
    try {
      if (this.#unusable) throw this.#failure();
      return await body();
    } finally {
      release();
    }
  }

  /** One request and its reply; the caller holds the lock. */
  async #exchange(
    method: string,
    params: Record<string, unknown>,
    options: CallOptions,
  ): Promise<Record<string, unknown>> {
    const id = ++this.#lastId;
    const frame = JSON.stringify({ jsonrpc: "2.0", id, method, params });
    // A UTF-16 code unit is at most 3 UTF-8 bytes: only a frame that could be too big is measured.
    const size = frame.length * 3 <= this.#maxFrameBytes ? frame.length : Buffer.byteLength(frame);
    if (size > this.#maxFrameBytes) {
      throw new HudkitError(
        "frame-too-large",
        `the '${method}' request is ${size} bytes, over the ${this.#maxFrameBytes}-byte frame limit`,
      );
    }
    let text: string;
    if (options.timeoutMs === undefined && options.signal === undefined) {
      // Nothing to race (the usual call): no timer, listener or Promise.race, no extra async layer.
      let line: string | null;
      try {
        await this.#transport.send(frame);
        line = await this.#transport.receive();
      } catch (error) {
        throw this.#break(asTransportError(method, error));
      }
      if (line === null) throw this.#closedDuring(method);
      text = line;
    } else {
      text = await this.#racedRoundTrip(method, frame, options);
    }
    const outcome = readReply(method, id, text);
    if (outcome.ok) return outcome.result;
    if (outcome.abortTransport) this.#break(outcome.error);
    throw outcome.error;
  }

  /** One request and its reply line, given up on at the timeout or when the signal aborts. */
  async #racedRoundTrip(method: string, frame: string, options: CallOptions): Promise<string> {
    const { timeoutMs, signal } = options;
    const exchange = this.#transport.send(frame).then(() => this.#transport.receive());
    const racers: Promise<string | null>[] = [exchange];
    const cleanups: (() => void)[] = [];
    if (timeoutMs !== undefined) {
      racers.push(
        new Promise<never>((_, reject) => {
          const timer = setTimeout(
            () =>
              reject(
                new HudkitError("reply-timeout", `env did not reply to '${method}' within ${timeoutMs} ms`),
              ),
            timeoutMs,
          );
          cleanups.push(() => clearTimeout(timer));
        }),
      );
    }
    if (signal !== undefined) {
      racers.push(
        new Promise<never>((_, reject) => {
          if (signal.aborted) return reject(signal.reason);
          const onAbort = (): void => reject(signal.reason);
          signal.addEventListener("abort", onAbort, { once: true });
          cleanups.push(() => signal.removeEventListener("abort", onAbort));
        }),
      );
    }
    let text: string | null;
    try {
      text = await Promise.race(racers);
    } catch (error) {
      // The abandoned exchange settles (and is ignored) once the transport is dropped below.
      exchange.catch(() => {});
      if (signal?.aborted && error === signal.reason) {
        this.#break(
          new HudkitError("call-aborted", `'${method}' was aborted mid-call, so the connection was dropped`, {
            cause: error,
          }),
        );
        throw error;
      }
      throw this.#break(asTransportError(method, error));
    } finally {
      for (const cleanup of cleanups) cleanup();
    }
    if (text === null) throw this.#closedDuring(method);
    return text;
  }

  /** Breaks the client with `connection-closed`: EOF came where a reply was due. */
  #closedDuring(method: string): Error {
    return this.#break(new HudkitError("connection-closed", `env closed connection during '${method}'`));
  }

  /** Drops the connection; the first error wins and is what every later call rejects with. */
  #break(error: Error): Error {
    if (!this.#unusable) {
      this.#broken = error;
      this.#heartbeat.stop();
      this.#lifetime?.abort(error);
      void this.#closeForwarders();
    }
    this.#transport.abort();
    return this.#failure();
  }

  async #beat(): Promise<boolean> {
    const release = await this.#lock.acquire();
    try {
      if (this.#unusable) return false;
      const params = this.#manifest === undefined ? {} : { session_id: this.#manifest.sessionId };
      await this.#exchange("hello", params, {
        timeoutMs: this.#options.heartbeatReplyTimeoutMs ?? DEFAULT_HEARTBEAT_REPLY_TIMEOUT_MS,
      });
      return true;
    } catch (error) {
      // An error frame leaves the session usable (spec §4.1); anything else has broken the client.
      if (this.#closing === undefined) this.#logger.warn(`control heartbeat failed: ${describe(error)}`);
      return false;
    } finally {
      release();
    }
  }

  async #route(bindings: readonly Binding[]): Promise<void> {
    this.#routes ??= new Map();
    const routes = this.#routes;
    routes.clear();
    await this.#closeForwarders();
    const endpoint = this.#options.endpoint;
    if (endpoint === undefined) return;
    const { headers, token, maxFrameBytes, ca } = this.#options;
    for (const binding of bindings) {
      const forwarder = await CapabilityForwarder.start({
        capability: binding.name,
        logger: this.#logger,
        openTunnel: (signal) =>
          openTunnel(endpoint, binding.name, { headers, token, maxFrameBytes, ca, signal }),
      });
      if (this.#unusable) {
        // Closed or broken while listening: this forwarder would outlive the client.
        await forwarder.close();
        return;
      }
      this.#forwarders.push(forwarder);
      routes.set(binding.name, routedUrl(binding.url, forwarder.port));
    }
  }

  async #closeForwarders(): Promise<void> {
    const forwarders = this.#forwarders;
    this.#forwarders = [];
    await Promise.all(forwarders.map((forwarder) => forwarder.close()));
  }

  #routed(binding: Binding): Binding {
    const url = this.#routes?.get(binding.name);
    return url === undefined ? binding : { ...binding, url };
  }
}

/** A failure below the protocol, as an error that names the call it interrupted. */
function asTransportError(method: string, error: unknown): Error {
  if (HudkitError.isInstance(error)) return error;
  return new HudkitError(
    "connection-failed",
    `connection to env failed during '${method}': ${describe(error)}`,
    {
      cause: error,
    },
  );
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
