import { z } from "zod";
import { HudkitError } from "../errors/hudkit-error.js";
import type { HudClient } from "../protocol/client.js";
import { connect } from "../protocol/client-connect.js";
import type { Grade } from "../protocol/client-grade-frame.js";
import { attempt, settleWithin } from "../run/abortable-wait.js";
import { currentJob } from "../run/current-job.js";
import { describeError } from "../run/failure.js";
import { hexId } from "../run/hex-id.js";
import { CANCEL_TIMEOUT_MS, TEARDOWN_TIMEOUT_MS } from "../run/rollout.js";
import { Run } from "../run/run.js";
import { RunState, recordableUrl } from "../run/run-state.js";
import { type Placement, placeRuntime, type RuntimeChoice } from "../run/runtime-placement.js";
import { nowIso } from "../run/trace.js";
import type { Substrate } from "../runtime/provider.js";
import { openSshShell, type SshShell } from "../shell/ssh-shell-client.js";
import type { Task } from "../task/task.js";
import { type Action, ActionSchema, unsupportedActionMessage } from "./actions.js";
import type { Observation } from "./observation.js";

/** A clean close sends nothing and waits for nothing much; past this the socket is dropped. */
const CLOSE_TIMEOUT_MS = 2_000;
const SSH_PROTOCOL = "ssh/2";

/**
 * Options of {@link makeEnv}.
 *
 * @example
 * ```ts
 * const options: MakeEnvOptions = { runtime: "docker:letter-count:latest", signal: AbortSignal.timeout(120_000) };
 * ```
 */
export interface MakeEnvOptions {
  /** Where the env runs, as in `Taskset.run`: a provider, `"local"` (the default) or a spec. */
  runtime?: RuntimeChoice;
  /** Where `hud.config.*` is read and runtime plugins are resolved first. Default: the cwd. */
  projectDir?: string;
  /** Abandons provisioning and connecting. */
  signal?: AbortSignal;
  /** Receives the provider's progress lines. */
  log?: (line: string) => void;
}

/**
 * Options of one call on a {@link GymEnv}.
 *
 * @example
 * ```ts
 * await env.evaluate({ signal: AbortSignal.timeout(60_000) });
 * ```
 */
export interface GymCallOptions {
  signal?: AbortSignal;
}

/**
 * What {@link GymEnv.getUrls} returns: the control endpoint (credentials left out) and each
 * capability's URL routed through the local forwarder, by capability name.
 *
 * @example
 * ```ts
 * const { url, capabilities } = await env.getUrls();
 * console.log(url, capabilities.shell); // tcp://127.0.0.1:41234 ssh://agent@127.0.0.1:40111
 * ```
 */
export interface EnvUrls {
  url: string;
  capabilities: Record<string, string>;
}

/**
 * A gym-style handle on one task's environment (the older API's `Environment`), made by
 * {@link makeEnv}. Its run is recorded like any rollout's, and saved into the current job when
 * closed inside `job(...)`.
 *
 * @example
 * ```ts
 * await using env = await makeEnv(task);
 * const [observation] = await env.reset();
 * await env.step([{ type: "response", text: answer(observation.text) }]);
 * const { reward } = await env.evaluate();
 * ```
 */
export interface GymEnv extends AsyncDisposable {
  /** `tasks.start`: the prompt as `observation.text`, the rest of the start frame as `info`. */
  reset(options?: GymCallOptions): Promise<[Observation, Record<string, unknown>]>;
  /**
   * Applies `actions` in order and returns `[observation, reward, terminated, info]`; reward is
   * 0 and terminated false until {@link evaluate}. No actions returns the current observation.
   * An action that cannot be applied is reported in `info.error`, not thrown.
   */
  step(
    actions?: readonly Action[],
    options?: GymCallOptions,
  ): Promise<[Observation, number, boolean, Record<string, unknown>]>;
  /** `tasks.grade` with the answer of the last `response` action. Once graded, the grade stays. */
  evaluate(options?: GymCallOptions): Promise<Grade>;
  getUrls(): Promise<EnvUrls>;
  /**
   * Cancels a task started but not graded, tears the substrate down, and saves the run into
   * the current job, if any. Safe to call twice.
   */
  close(): Promise<void>;
  /** The run this handle records (trace, answer, grade). */
  readonly run: Run;
}

/**
 * The older API's `gym.make(task)`: acquires a substrate for `task` on `runtime`, connects to
 * its env, and returns a {@link GymEnv}. Everything acquired is released if connecting fails.
 *
 * @example
 * ```ts
 * await using env = await makeEnv(countLetter({ word: "strawberry", letter: "r" }));
 * const [observation] = await env.reset();
 * const [, , , info] = await env.step([{ type: "bash", command: "ls" }]); // needs ssh/2
 * ```
 */
export async function makeEnv(task: Task, options: MakeEnvOptions = {}): Promise<GymEnv> {
  options.signal?.throwIfAborted();
  const job = currentJob();
  const placement = await placeRuntime(
    options.runtime,
    [task],
    options.projectDir === undefined ? {} : { projectDir: options.projectDir },
  );
  const provider = placement.provider;
  const state = new RunState({
    task,
    runId: hexId(),
    jobId: job?.id ?? hexId(),
    groupId: hexId(),
    groupIndex: 0,
    runtime: typeof provider.name === "string" ? provider.name : null,
  });
  let substrate: Substrate | undefined;
  try {
    const { jobId, runId } = state.identity;
    const signal = options.signal ?? new AbortController().signal;
    substrate = await provider.acquire(task, { signal, log: options.log ?? ignore, jobId, runId });
    const { url, headers, token, readyTimeoutMs, ca } = substrate.endpoint;
    state.endpoint = recordableUrl(url);
    state.enter("connecting");
    const client = await connect(url, {
      ...(headers === undefined ? {} : { headers: { ...headers } }),
      ...(token === undefined ? {} : { token }),
      ...(ca === undefined ? {} : { ca }),
      ...(readyTimeoutMs === undefined ? {} : { readyTimeoutMs }),
      signal,
    });
    return new GymEnvHandle({ state, client, substrate, placement, saveTo: job });
  } catch (error) {
    if (substrate !== undefined) await release(substrate);
    await placement[Symbol.asyncDispose]();
    throw error;
  }
}

interface HandleParts {
  state: RunState;
  client: HudClient;
  substrate: Substrate;
  placement: Placement;
  saveTo: { add(run: Run): Promise<void> } | undefined;
}

class GymEnvHandle implements GymEnv {
  readonly run: Run;
  readonly #parts: HandleParts;
  #observation: Observation = {};
  #started = false;
  #grade: Grade | undefined;
  #shell: Promise<SshShell> | undefined;
  #closing: Promise<void> | undefined;

  constructor(parts: HandleParts) {
    this.#parts = parts;
    this.run = new Run(parts.state);
  }

  async reset(options: GymCallOptions = {}): Promise<[Observation, Record<string, unknown>]> {
    this.#checkOpen("reset");
    const { state, client } = this.#parts;
    const { id, args } = state.identity.task;
    state.enter("starting task");
    const startedAt = nowIso();
    const frame = await client.start(id, args, options);
    state.bindTask(client, frame, startedAt);
    state.enter("agent loop");
    this.#started = true;
    this.#grade = undefined;
    this.#observation = { text: this.run.promptText };
    const { prompt: _prompt, ...info } = frame;
    return [this.#observation, info];
  }

  async step(
    actions?: readonly Action[],
    options: GymCallOptions = {},
  ): Promise<[Observation, number, boolean, Record<string, unknown>]> {
    this.#checkOpen("step");
    const info: Record<string, unknown> = {};
    if (actions !== undefined && actions.length > 0) {
      const parsed = z.array(ActionSchema).safeParse(actions);
      if (!parsed.success) {
        throw new HudkitError("bad-action", `not valid actions: ${z.prettifyError(parsed.error)}`);
      }
      for (const action of parsed.data) {
        const error = await this.#apply(action, info, options);
        if (error !== undefined) {
          info.error ??= error;
          this.run.record({ source: "system", error, action });
        }
      }
    }
    const grade = this.#grade;
    return [this.#observation, grade?.reward ?? 0, grade !== undefined, info];
  }

  /** Applies one action; returns why it could not be applied, if it could not. */
  async #apply(
    action: Action,
    info: Record<string, unknown>,
    options: GymCallOptions,
  ): Promise<string | undefined> {
    const { state } = this.#parts;
    if (action.type === "response" && typeof action.text === "string") {
      state.answer = action.text;
      this.run.record({ source: "agent", content: action.text, action });
      return undefined;
    }
    if (action.type === "bash" && typeof action.command === "string") {
      const shell = await this.#sshShell();
      if (typeof shell === "string") return shell;
      try {
        const timeoutMs = typeof action.timeoutMs === "number" ? action.timeoutMs : undefined;
        const result = await shell.exec(action.command, {
          ...(options.signal === undefined ? {} : { signal: options.signal }),
          ...(timeoutMs === undefined ? {} : { timeoutMs }),
        });
        this.#observation = { text: result.stdout + result.stderr };
        Object.assign(info, result);
        this.run.record({ source: "tool", action, content: result.stdout, ...result });
        return undefined;
      } catch (error) {
        return `bash \`${action.command}\` failed: ${describeError(error)}`;
      }
    }
    return unsupportedActionMessage(action.type);
  }

  /** The shell over the env's ssh/2 capability, opened once; a message when there is none. */
  async #sshShell(): Promise<SshShell | string> {
    const { client, state } = this.#parts;
    const binding = client.bindings().find((candidate) => candidate.protocol === SSH_PROTOCOL);
    if (binding === undefined) {
      const available = client
        .bindings()
        .map((candidate) => `${candidate.name} (${candidate.protocol})`)
        .join(", ");
      return `action 'bash' needs an ${SSH_PROTOCOL} capability, and env '${state.identity.task.env}' publishes none (available: ${available === "" ? "<none>" : available})`;
    }
    this.#shell ??= openSshShell(binding);
    try {
      return await this.#shell;
    } catch (error) {
      this.#shell = undefined;
      return `cannot open the ${SSH_PROTOCOL} capability '${binding.name}': ${describeError(error)}`;
    }
  }

  async evaluate(options: GymCallOptions = {}): Promise<Grade> {
    this.#checkOpen("evaluate");
    if (this.#grade !== undefined) return this.#grade;
    if (!this.#started) {
      throw new HudkitError("not-started", "evaluate() needs a started task: call reset() first");
    }
    const { state, client } = this.#parts;
    state.enter("grading");
    const answer = state.answer === undefined ? null : state.answer;
    state.trace.content = answer;
    const payload = { answer };
    const startedAt = nowIso();
    const grade = await client.grade(payload, options);
    state.grade = grade;
    state.recordEvaluate(state.identity.task.id, payload, grade, startedAt);
    state.enter("finished");
    this.#grade = grade;
    return grade;
  }

  async getUrls(): Promise<EnvUrls> {
    this.#checkOpen("getUrls");
    const { client, substrate } = this.#parts;
    const capabilities: Record<string, string> = {};
    for (const binding of client.bindings()) capabilities[binding.name] = binding.url;
    return { url: recordableUrl(substrate.endpoint.url), capabilities };
  }

  close(): Promise<void> {
    this.#closing ??= this.#close();
    return this.#closing;
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  async #close(): Promise<void> {
    const { state, client, substrate, placement, saveTo } = this.#parts;
    const cancelled = this.#grade === undefined;
    try {
      if (cancelled && this.#started) {
        // Lets the env run its teardown hooks now instead of parking the task.
        const outcome = await settleWithin(
          client.cancel({ signal: AbortSignal.timeout(CANCEL_TIMEOUT_MS) }),
          CANCEL_TIMEOUT_MS + 100,
        );
        const how = outcome.status === "fulfilled" ? "cancelled" : "could not be cancelled";
        state.trace.record({ source: "system", content: `closed before evaluate(): the task ${how}` });
      }
    } finally {
      state.enter("cleanup");
      const shell = this.#shell;
      this.#shell = undefined;
      if (shell !== undefined) await shell.then((open) => open.close()).catch(() => undefined);
      const closed = await settleWithin(client.close(), CLOSE_TIMEOUT_MS);
      if (closed.status !== "fulfilled") client.abort();
      const teardown = await release(substrate);
      if (teardown !== undefined) state.fail("cleanup", teardown);
      await placement[Symbol.asyncDispose]();
      state.finish(cancelled);
    }
    if (saveTo !== undefined) await saveTo.add(this.run);
  }

  #checkOpen(method: string): void {
    if (this.#closing !== undefined) {
      throw new HudkitError("env-closed", `${method}() on a closed env: makeEnv() a new one`);
    }
  }
}

/** Tears a substrate down, bounded; returns what went wrong, if anything. */
async function release(substrate: Substrate): Promise<string | undefined> {
  const outcome = await settleWithin(
    attempt(() => substrate[Symbol.asyncDispose]()),
    TEARDOWN_TIMEOUT_MS,
  );
  if (outcome.status === "rejected") return `substrate teardown failed: ${describeError(outcome.error)}`;
  if (outcome.status === "timeout") return "substrate teardown did not finish in time";
  return undefined;
}

function ignore(): void {}
