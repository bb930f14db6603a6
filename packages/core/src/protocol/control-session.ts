import { timingSafeEqual } from "node:crypto";
import type { Environment } from "../environment/environment.js";
import { GradeShapeError } from "../environment/grade-frame.js";
import { TaskRunner } from "../environment/task-runner.js";
import type { FrameChannel } from "./frame-channel.js";
import { FrameTooLargeError } from "./frame-reader.js";
import { type ParsedFrame, parseFrame, type RequestFrame } from "./parse-frame.js";
import { pyRepr } from "./python-repr.js";
import { isPlainObject, isPythonFalsy, pyStr, readParams } from "./python-values.js";
import { RpcCode, RpcError } from "./rpc-error.js";
import type { SessionTable } from "./session-table.js";
import { taskListJson } from "./task-list-json.js";

/** What every connection of one bound server shares. */
export interface ServerState {
  readonly env: Environment;
  readonly sessions: SessionTable;
  /** When set, every connection must prove it knows this token (hudkit superset). */
  readonly controlToken: string | undefined;
  readonly maxFrameBytes: number;
}

type Result = Record<string, unknown>;

/**
 * One control session: answers JSON-RPC frames strictly in order (spec §1.4-1.7). The session id
 * is minted when the session begins, so `hello` is optional.
 */
export class ControlSession {
  readonly #state: ServerState;
  readonly #channel: FrameChannel;
  #id: string;
  #authenticated: boolean;

  constructor(state: ServerState, channel: FrameChannel, options: { preAuthenticated?: boolean } = {}) {
    this.#state = state;
    this.#channel = channel;
    this.#id = state.sessions.open();
    this.#authenticated = state.controlToken === undefined || options.preAuthenticated === true;
  }

  get sessionId(): string {
    return this.#id;
  }

  /**
   * Serves frames until EOF or `bye`. The first frame may already have been read and parsed
   * (a TCP connection's first frame is parsed to tell a control session from a tunnel).
   */
  async run(firstFrame?: ParsedFrame): Promise<void> {
    const channel = this.#channel;
    try {
      let parsed = firstFrame;
      for (;;) {
        if (parsed === undefined) {
          // Read inline, not through a helper: an async layer per frame is a promise per frame.
          let frame: Buffer | string | null;
          try {
            frame = await channel.read();
          } catch (error) {
            this.#readFailed(error);
            return;
          }
          if (frame === null) return;
          parsed = parseFrame(frame);
        }
        // hello and tasks.list answer at once; only the methods that wait are awaited.
        const handled = this.#handle(parsed);
        const keepOpen = typeof handled === "boolean" ? handled : await handled;
        if (!keepOpen) return;
        parsed = undefined;
      }
    } finally {
      // Disconnecting parks the session's task: nothing is cancelled (spec §1.7 rule 1).
      this.#state.sessions.live.delete(this.#id);
      // The peer's EOF ends our side too (sockets are half-open capable for tunnels).
      channel.close();
    }
  }

  /** Answers a failed read: an error reply for an oversized frame, else the connection drops. */
  #readFailed(error: unknown): void {
    if (error instanceof FrameTooLargeError) {
      this.#channel.write(errorFrame(null, RpcCode.invalidRequest, frameTooLargeMessage(error.limit)));
      this.#channel.close();
    } else {
      this.#channel.destroy();
    }
  }

  /** Handles one frame; false (or a promise of false) when the connection must close. */
  #handle(parsed: ParsedFrame): boolean | Promise<boolean> {
    if (!parsed.ok) {
      this.#channel.write(errorFrame(null, parsed.code, parsed.message));
      return true;
    }
    let request = parsed.request;
    if (!this.#authenticated) {
      const accepted = this.#authenticate(request);
      if (!accepted) return false;
      request = accepted;
    }
    let dispatched: Result | string | Promise<Result>;
    try {
      dispatched = this.#dispatch(request);
    } catch (error) {
      return this.#replyError(request, error);
    }
    if (dispatched instanceof Promise) {
      return dispatched.then(
        (result) => this.#reply(request, result),
        (error: unknown) => this.#replyError(request, error),
      );
    }
    return this.#reply(request, dispatched);
  }

  /** Sends a method's result (unless the request was a notification); false after `bye`. */
  #reply(request: RequestFrame, result: Result | string): boolean {
    if (request.hasId) {
      this.#channel.write(
        typeof result === "string"
          ? `{"jsonrpc":"2.0","id":${JSON.stringify(request.id)},"result":${result}}`
          : { jsonrpc: "2.0", id: request.id, result },
      );
    }
    if (request.method !== "bye") return true;
    this.#channel.close();
    return false;
  }

  /** Sends the error a method threw; the connection stays open. */
  #replyError(request: RequestFrame, error: unknown): boolean {
    if (request.hasId) this.#channel.write(errorFrame(request.id, ...rpcErrorOf(error)));
    return true;
  }

  /** The request with its token removed, or undefined after refusing the connection. */
  #authenticate(request: RequestFrame): RequestFrame | undefined {
    const params = isPlainObject(request.params) ? request.params : {};
    if (request.method === "hello" && tokenMatches(params.auth, this.#state.controlToken)) {
      this.#authenticated = true;
      return { ...request, params: withoutAuth(params) };
    }
    const message =
      params.auth === undefined
        ? 'unauthorized: this server requires a token; start with hello {"auth": "<HUD_CONTROL_TOKEN>"}'
        : "unauthorized: wrong token";
    this.#channel.write(errorFrame(request.hasId ? request.id : null, RpcCode.unauthorized, message));
    this.#channel.close();
    return undefined;
  }

  /**
   * The method's result: an object, its JSON text when that is kept serialised, or a promise of
   * an object for the methods that wait. Throws (or rejects) with the error to answer.
   */
  #dispatch(request: RequestFrame): Result | string | Promise<Result> {
    switch (request.method) {
      case "hello":
        return this.#hello(readParams(request.params));
      case "tasks.list":
        return taskListJson(this.#state.env);
      case "tasks.start":
        return this.#start(readParams(request.params));
      case "tasks.grade":
        return this.#grade(request.params);
      case "tasks.cancel":
        return this.#cancelOwn().then(() => ({ cancelled: true }));
      case "bye":
        return this.#cancelOwn().then(() => ({ goodbye: true }));
      default:
        throw new RpcError(RpcCode.methodNotFound, `method not found: ${methodText(request.method)}`);
    }
  }

  #hello(params: Record<string, unknown>): Result {
    const wanted = params.session_id;
    if (wanted !== undefined && wanted !== null && wanted !== this.#id) {
      const { sessions } = this.#state;
      if (typeof wanted !== "string") {
        throw new RpcError(RpcCode.invalidParams, "hello: 'session_id' must be a string");
      }
      if (sessions.live.has(wanted)) {
        throw new RpcError(RpcCode.invalidRequest, `session ${pyRepr(wanted)} has a live connection`);
      }
      if (!sessions.runners.has(wanted)) {
        throw new RpcError(RpcCode.invalidRequest, `unknown session: ${pyRepr(wanted)}`);
      }
      // Take over the parked session; a task this connection had under its old id is now parked.
      sessions.live.delete(this.#id);
      this.#id = wanted;
      sessions.live.add(wanted);
    }
    const { env } = this.#state;
    return {
      session_id: this.#id,
      env: { name: env.name, version: env.version },
      bindings: env.capabilities.map((c) => c.toManifest()),
    };
  }

  async #start(params: Record<string, unknown>): Promise<Result> {
    const id = params.id;
    if (typeof id !== "string")
      throw new RpcError(RpcCode.invalidParams, "tasks.start: 'id' must be a string");
    const args = isPythonFalsy(params.args) ? {} : params.args;
    if (!isPlainObject(args))
      throw new RpcError(RpcCode.invalidParams, "tasks.start: 'args' must be an object");
    // The reference cancels the session's task before the lookup, so a failed start destroys it.
    const own = this.#state.sessions.take(this.#id);
    if (own !== undefined) await own.cancel();
    const template = this.#state.env.templates.get(id);
    if (!template) throw new RpcError(RpcCode.invalidParams, `unknown task: ${pyRepr(id)}`);
    const { runner, firstYield } = await TaskRunner.start(this.#state.env, template, args, this.#id);
    this.#state.sessions.runners.set(this.#id, runner);
    return TaskRunner.promptFrame(firstYield);
  }

  async #grade(rawParams: unknown): Promise<Result> {
    const runner = this.#takeRunnerToGrade();
    let payload: Record<string, unknown>;
    try {
      payload = readParams(rawParams);
    } catch (error) {
      await runner.cancel(); // any grade error consumes the task, as the reference
      throw error;
    }
    return runner.grade(payload);
  }

  #takeRunnerToGrade(): TaskRunner {
    const { sessions } = this.#state;
    const own = sessions.take(this.#id);
    if (own) return own;
    const parked = sessions.parked();
    if (parked.length === 0) throw new RpcError(RpcCode.invalidRequest, "no task in progress");
    if (parked.length > 1) {
      throw new RpcError(
        RpcCode.invalidRequest,
        `${parked.length} parked sessions (${parked.join(", ")}); resume one by sending hello with its session_id`,
      );
    }
    return sessions.take(parked[0]!)!;
  }

  async #cancelOwn(): Promise<void> {
    await this.#state.sessions.take(this.#id)?.cancel();
  }
}

/** `{jsonrpc, id, error}`. */
export function errorFrame(id: unknown, code: number, message: string): object {
  return { jsonrpc: "2.0", id, error: { code, message } };
}

export function frameTooLargeMessage(limit: number): string {
  return `frame too large: the limit is ${limit} bytes (raise maxFrameBytes on the server to accept more)`;
}

/** The code and message to send for an error thrown while handling a method. */
export function rpcErrorOf(error: unknown): [number, string] {
  if (error instanceof RpcError) return [error.rpcCode, error.rpcMessage];
  if (error instanceof GradeShapeError) return [RpcCode.serverError, error.message];
  if (error instanceof Error) return [RpcCode.serverError, error.message];
  return [RpcCode.serverError, String(error)];
}

function methodText(method: unknown): string {
  if (method === undefined) return "";
  return typeof method === "string" ? method : pyStr(method);
}

/** Constant-time comparison, so a token cannot be guessed byte by byte from timings. */
export function tokenMatches(given: unknown, expected: string | undefined): boolean {
  if (expected === undefined) return true;
  if (typeof given !== "string") return false;
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

function withoutAuth(params: Record<string, unknown>): Record<string, unknown> {
  const { auth: _auth, ...rest } = params;
  return rest;
}
