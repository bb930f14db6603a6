import { HudkitError } from "../errors/hudkit-error.js";
import type { HudClient } from "../protocol/client.js";
import { connect } from "../protocol/client-connect.js";
import type { RuntimeProvider, Substrate } from "../runtime/provider.js";
import type { Task, VerifierTask } from "../task/task.js";
import { attempt, settleWithin, untilAborted, whenAborted } from "./abortable-wait.js";
import type { Agent } from "./agent.js";
import { describeError, RolloutStopped, seconds } from "./failure.js";
import { failedGrade, UNGRADED } from "./grade-record.js";
import { hexId } from "./hex-id.js";
import { toRecordable } from "./recordable-json.js";
import { checkAgent, checkProvider } from "./rollout-inputs.js";
import { validateRolloutTimeouts } from "./rollout-timeouts.js";
import { Run } from "./run.js";
import { RunState, recordableUrl } from "./run-state.js";
import { nowIso } from "./trace.js";
import { verifierPath } from "./verifier-path.js";

/**
 * How long a stopped rollout waits for its `tasks.cancel` reply: the reference's bound. The
 * cancel lets the env run its teardown hooks now instead of parking the task.
 *
 * @example
 * ```ts
 * console.log(`a timed-out rollout spends at most ${CANCEL_TIMEOUT_MS} ms cancelling`);
 * ```
 */
export const CANCEL_TIMEOUT_MS = 2_000;

/**
 * How long a rollout waits for its substrate to be torn down before recording a failure and
 * moving on (the teardown goes on in the background). Generous, because a cloud sandbox can take
 * tens of seconds to stop; bounded, because one stuck teardown must not hang a whole job.
 *
 * @example
 * ```ts
 * console.log(`teardown is awaited for up to ${TEARDOWN_TIMEOUT_MS / 1000} s`);
 * ```
 */
export const TEARDOWN_TIMEOUT_MS = 60_000;

/** A failed run keeps this much of the substrate's output (the end of it, where errors are). */
const MAX_LOG_CHARS = 16_384;
/** Reading logs is best effort; a provider that cannot answer quickly gets none recorded. */
const LOGS_TIMEOUT_MS = 5_000;
/** A clean close sends nothing and waits for nothing much; past this the socket is dropped. */
const CLOSE_TIMEOUT_MS = 2_000;

/**
 * Options of {@link rollout}.
 *
 * @example
 * ```ts
 * const options: RolloutOptions = { provider, rolloutTimeoutMs: 600_000, signal: controller.signal };
 * ```
 */
export interface RolloutOptions {
  /** Acquires the substrate (one per rollout) and releases it when disposed. */
  provider: RuntimeProvider;
  /** Default: a fresh id (a rollout always belongs to some job). */
  jobId?: string;
  /** Default: a fresh id. Rollouts of the same task in one job share it. */
  groupId?: string;
  /** Default 0. */
  groupIndex?: number;
  /** Default: a fresh id. Also the trace id. */
  runId?: string;
  /**
   * Bounds the whole rollout, provisioning and teardown included. When it expires the env is
   * sent `tasks.cancel`, the connection is dropped, the substrate is torn down, and the run is
   * an error `rollout timed out after <n>s` (a grade already obtained is kept).
   */
  rolloutTimeoutMs?: number;
  /** Interrupts the rollout: cancel, tear down, and return the run with status `cancelled`. */
  signal?: AbortSignal;
  /** Receives the provider's progress lines (image pulls, sandbox creation, ...). */
  log?: (line: string) => void;
}

/**
 * Runs one task with one agent on a fresh substrate and returns the {@link Run}: provision,
 * connect, `tasks.start`, the agent, `tasks.grade`, then the verifier if the task has one, then
 * teardown. It never throws for a failure of the rollout itself: every failure becomes a run
 * with `status: "error"` and `error: "[<phase>] <what happened>"` (spec §3.2). Only a mistake in
 * the call (a bad agent or provider, contradictory timeouts) throws a `HudkitError`.
 *
 * - The agent throwing, timing out (`agent_config.timeout_seconds`) or losing its connection
 *   still gets the run graded, best effort; a grade that works counts.
 * - Grading failing after a successful agent leaves the run ungraded (reward 0, out of
 *   `job.reward`).
 * - The rollout timeout and `signal` stop whatever is running, send `tasks.cancel` (2 s bound),
 *   drop the connection and tear down; an interrupted run has status `cancelled`.
 * - The substrate is always released, and the rollout waits for it (up to
 *   {@link TEARDOWN_TIMEOUT_MS}), so nothing outlives the returned run.
 * - A verifier on the same env runs on the same client, graded on the actor's whole grade
 *   frame; a verifier that needs its own substrate is not supported yet (an error run).
 *
 * @example
 * ```ts
 * const run = await rollout(task, agent, { provider, rolloutTimeoutMs: 300_000 });
 * console.log(run.reward, run.error ?? "ok", run.trace.steps.length);
 * ```
 */
export async function rollout(task: Task, agent: Agent, options: RolloutOptions): Promise<Run> {
  checkAgent(agent);
  checkProvider(options.provider);
  const agentTimeoutMs = validateRolloutTimeouts(task, options.rolloutTimeoutMs);
  const state = new RunState({
    task,
    runId: options.runId ?? hexId(),
    jobId: options.jobId ?? hexId(),
    groupId: options.groupId ?? hexId(),
    groupIndex: options.groupIndex ?? 0,
    runtime: typeof options.provider.name === "string" ? options.provider.name : null,
  });
  return new Rollout(task, agent, state, options, agentTimeoutMs).run();
}

/**
 * The grade-frame key by which an env asks the engine for another round of a multi-step task:
 * a non-empty string naming the next step. Python HUD peers never send it.
 *
 * @example
 * ```ts
 * yield { score: 1, info: { step: "create-file" }, [NEXT_STEP_KEY]: "append-content" };
 * ```
 */
export const NEXT_STEP_KEY = "next_step";

function nextStepOf(raw: Record<string, unknown>): string | undefined {
  const next = raw[NEXT_STEP_KEY];
  return typeof next === "string" && next !== "" ? next : undefined;
}

type AgentOutcome =
  | { kind: "returned" }
  | { kind: "threw"; error: unknown }
  | { kind: "timed out" }
  | { kind: "lost"; reason: unknown }
  | { kind: "stopped" };

/** One rollout in progress: the driver (the main line) and the stop handler share this state. */
class Rollout {
  readonly #task: Task;
  readonly #agent: Agent;
  readonly #state: RunState;
  readonly #run: Run;
  readonly #options: RolloutOptions;
  readonly #agentTimeoutMs: number | undefined;
  /** Aborts whatever the driver awaits (acquire, connect, calls, the agent wait). */
  readonly #hardStop = new AbortController();
  #client: HudClient | undefined;
  /** True while the engine's own `tasks.start` / `tasks.grade` is on the wire. */
  #engineCallInFlight = false;
  #stop: RolloutStopped | undefined;
  #halting: Promise<void> = Promise.resolve();
  /** An acquisition given up on when interrupted, until it has settled and been released. */
  #abandoned: Promise<void> = Promise.resolve();
  #done = false;

  constructor(task: Task, agent: Agent, state: RunState, options: RolloutOptions, agentTimeoutMs?: number) {
    this.#task = task;
    this.#agent = agent;
    this.#state = state;
    this.#run = new Run(state);
    this.#options = options;
    this.#agentTimeoutMs = agentTimeoutMs;
  }

  async run(): Promise<Run> {
    const { signal, rolloutTimeoutMs } = this.#options;
    const interrupt = (): void => this.#requestStop("interrupted");
    const timer =
      rolloutTimeoutMs === undefined
        ? undefined
        : setTimeout(() => this.#requestStop("timeout"), rolloutTimeoutMs);
    signal?.addEventListener("abort", interrupt, { once: true });
    try {
      if (signal?.aborted) interrupt();
      await this.#drive();
      await this.#halting;
      await this.#abandoned;
    } finally {
      this.#done = true;
      clearTimeout(timer);
      signal?.removeEventListener("abort", interrupt);
    }
    this.#state.finish(this.#stop?.kind === "interrupted");
    return this.#run;
  }

  /** The main line. Never throws: failures are recorded on the run as they happen. */
  async #drive(): Promise<void> {
    const state = this.#state;
    try {
      this.#checkpoint();
      if (verifierPath(this.#task) === "separate") {
        state.fail("verifying", separateVerifierMessage(this.#task, this.#task.verifier!));
        return;
      }
      state.enter("provisioning");
      const substrate = await this.#acquire();
      await using _teardown = this.#teardown(substrate);
      try {
        await this.#session(substrate);
        state.enter("finished");
      } catch (error) {
        this.#fail(error);
      }
      // Read while the substrate is still up; a timeout counts as a failure, an interruption not.
      if (state.failed) state.logs = await logsOf(substrate);
    } catch (error) {
      this.#fail(error);
    }
  }

  async #acquire(): Promise<Substrate> {
    const { provider, log } = this.#options;
    const { jobId, runId } = this.#state.identity;
    const acquiring = attempt(() =>
      provider.acquire(this.#task, { signal: this.#hardStop.signal, log: log ?? ignore, jobId, runId }),
    );
    // A provider that ignores the signal and delivers later still gets its substrate released.
    let lateRelease: Promise<void> | undefined;
    let substrate: Substrate;
    try {
      substrate = await untilAborted(acquiring, this.#hardStop.signal, (late) => {
        lateRelease = release(late);
      });
    } catch (error) {
      // Interrupted (Ctrl-C): the process is likely to exit once the job ends, so the run is not
      // finished until the abandoned acquisition has settled and anything it made is released
      // (a container created as the signal fired, say). Bounded like any teardown.
      if (this.#stop?.kind === "interrupted") {
        const settled = acquiring.then(
          () => lateRelease,
          () => undefined,
        );
        this.#abandoned = settleWithin(settled, TEARDOWN_TIMEOUT_MS).then(() => undefined);
      }
      throw error;
    }
    checkSubstrate(substrate, provider.name);
    return substrate;
  }

  /** Releases the substrate when the driver leaves its scope, bounded and never throwing. */
  #teardown(substrate: Substrate): AsyncDisposable {
    return {
      [Symbol.asyncDispose]: async () => {
        this.#state.enter("cleanup");
        const outcome = await settleWithin(
          attempt(() => substrate[Symbol.asyncDispose]()),
          TEARDOWN_TIMEOUT_MS,
        );
        if (outcome.status === "rejected") {
          this.#state.fail("cleanup", `substrate teardown failed: ${describeError(outcome.error)}`);
        } else if (outcome.status === "timeout") {
          this.#state.fail(
            "cleanup",
            `substrate teardown did not finish within ${seconds(TEARDOWN_TIMEOUT_MS)}; it goes on in the background`,
          );
        }
      },
    };
  }

  async #session(substrate: Substrate): Promise<void> {
    const state = this.#state;
    const { url, headers, token, readyTimeoutMs, ca } = substrate.endpoint;
    state.endpoint = recordableUrl(url);
    this.#checkpoint();
    state.enter("connecting");
    const client = await connect(url, {
      ...(headers === undefined ? {} : { headers: { ...headers } }),
      ...(token === undefined ? {} : { token }),
      ...(ca === undefined ? {} : { ca }),
      ...(readyTimeoutMs === undefined ? {} : { readyTimeoutMs }),
      signal: this.#hardStop.signal,
    });
    this.#client = client;
    try {
      await this.#startTask(client);
      let agentFailed = await this.#runAgent(client);
      const verifier = this.#task.verifier;
      // With a verifier the actor's grade is only its input, so grading it is always best effort.
      await this.#grade(client, agentFailed || verifier != null);
      // A multi-step task (hudkit superset): a grade naming a `next_step` asks for another
      // start / agent / grade round on the same session; the last grade is the run's.
      while (!agentFailed && verifier == null && nextStepOf(this.#state.grade.raw) !== undefined) {
        await this.#startTask(client);
        agentFailed = await this.#runAgent(client);
        await this.#grade(client, agentFailed);
      }
      if (verifier != null) await this.#verify(client, verifier);
    } finally {
      this.#client = undefined;
      state.client = undefined;
      if (this.#stop !== undefined) {
        await this.#halting; // let the stop handler's tasks.cancel through before dropping the socket
        client.abort();
      } else {
        const closed = await settleWithin(client.close(), CLOSE_TIMEOUT_MS);
        if (closed.status !== "fulfilled") client.abort();
      }
    }
  }

  async #startTask(client: HudClient): Promise<void> {
    this.#checkpoint();
    this.#state.enter("starting task");
    const { id, args } = this.#task;
    const startedAt = nowIso();
    const frame = await this.#engineCall(() => client.start(id, args, { signal: this.#hardStop.signal }));
    this.#state.bindTask(client, frame, startedAt);
  }

  /** Runs the agent under its time limit; true when it failed (threw, timed out, lost the env). */
  async #runAgent(client: HudClient): Promise<boolean> {
    this.#checkpoint();
    const state = this.#state;
    state.enter("agent loop");
    const limitMs = this.#agentTimeoutMs;
    const deadline = new AbortController();
    const timer = limitMs === undefined ? undefined : setTimeout(() => deadline.abort(), limitMs);
    let outcome: AgentOutcome;
    try {
      // The agent is raced, not trusted: one that ignores run.signal is left behind, not awaited.
      outcome = await Promise.race([
        attempt(() => this.#agent(this.#run)).then(
          (): AgentOutcome => ({ kind: "returned" }),
          (error: unknown): AgentOutcome => ({ kind: "threw", error }),
        ),
        whenAborted(deadline.signal).then((): AgentOutcome => ({ kind: "timed out" })),
        whenAborted(client.signal).then((reason): AgentOutcome => ({ kind: "lost", reason })),
        whenAborted(this.#hardStop.signal).then((): AgentOutcome => ({ kind: "stopped" })),
      ]);
    } finally {
      clearTimeout(timer);
    }
    // An agent that failed because the rollout was stopped: the stop is what happened.
    this.#checkpoint();
    switch (outcome.kind) {
      case "returned":
        return false;
      case "timed out": {
        const text = `agent timed out after ${seconds(limitMs!)}`;
        state.agentAbort.abort(new HudkitError("agent-timeout", text));
        state.trace.stopReason = "timeout";
        state.fail("agent loop", text);
        return true;
      }
      case "threw":
        state.fail("agent loop", describeError(outcome.error));
        return true;
      case "lost":
        state.agentAbort.abort(outcome.reason);
        state.fail("agent loop", `lost the connection to the env: ${describeError(outcome.reason)}`);
        return true;
      case "stopped":
        throw this.#stop;
    }
  }

  async #grade(client: HudClient, bestEffort: boolean): Promise<void> {
    this.#checkpoint();
    const state = this.#state;
    state.enter("grading");
    const answer = state.answer === undefined ? null : state.answer;
    state.trace.content = answer;
    const payload = { answer };
    const startedAt = nowIso();
    try {
      const grade = await this.#engineCall(() => client.grade(payload, { signal: this.#hardStop.signal }));
      state.grade = grade;
      state.recordEvaluate(this.#task.id, payload, grade, startedAt);
    } catch (error) {
      this.#checkpoint();
      if (!bestEffort) throw error;
      // Spec §3.2: after a failed agent, a failed grade is an error frame carrying the answer.
      const detail = describeError(error);
      state.grade = failedGrade(toRecordable(answer), detail);
      state.recordEvaluate(this.#task.id, payload, state.grade, startedAt);
      state.fail("grading", detail);
    }
  }

  /** The shared verifier path (spec §3.3): same client, graded on the actor's whole grade frame. */
  async #verify(client: HudClient, verifier: VerifierTask): Promise<void> {
    this.#checkpoint();
    const state = this.#state;
    state.enter("verifying");
    const actorResult = state.grade.raw;
    // Only the verifier's grade counts; if verifying fails, the run has none.
    state.grade = UNGRADED;
    const setupAt = nowIso();
    const signal = this.#hardStop.signal;
    const frame = await this.#engineCall(() => client.start(verifier.id, verifier.args, { signal }));
    state.recordSetup(verifier.id, verifier.args, frame, setupAt);
    this.#checkpoint();
    const payload = { answer: actorResult };
    const gradeAt = nowIso();
    const grade = await this.#engineCall(() => client.grade(payload, { signal }));
    state.grade = grade;
    state.recordEvaluate(verifier.id, payload, grade, gradeAt);
  }

  async #engineCall<T>(call: () => Promise<T>): Promise<T> {
    this.#engineCallInFlight = true;
    try {
      return await call();
    } finally {
      this.#engineCallInFlight = false;
    }
  }

  /** A rollout timeout or an interruption; the first one wins. */
  #requestStop(kind: "timeout" | "interrupted"): void {
    if (this.#stop !== undefined || this.#done) return;
    const state = this.#state;
    const phase = state.current;
    const limit = seconds(this.#options.rolloutTimeoutMs ?? 0);
    if (phase === "cleanup" || phase === "finished") {
      // The run is over and its substrate is being released: there is nothing left to stop,
      // and a grade already obtained stands (the reference keeps it too).
      if (kind === "timeout") {
        state.trace.stopReason = "timeout";
        state.fail("cleanup", `rollout timed out after ${limit}`);
      }
      return;
    }
    const during = `during ${phase}`;
    if (kind === "timeout") {
      this.#stop = new RolloutStopped("timeout", `rollout timed out after ${limit} ${during}`);
      state.trace.stopReason = "timeout";
      state.fail(phase, `rollout timed out after ${limit}`);
    } else {
      this.#stop = new RolloutStopped("interrupted", `rollout interrupted ${during}`);
      state.trace.record({ source: "system", error: `[${phase}] rollout interrupted` });
    }
    this.#halting = this.#halt(this.#stop);
  }

  async #halt(stop: RolloutStopped): Promise<void> {
    this.#state.agentAbort.abort(stop);
    const client = this.#client;
    if (client !== undefined && !this.#engineCallInFlight) {
      // Ask the env to end the task now (its teardown hooks run) rather than park it. Skipped
      // while the engine's own start/grade is on the wire: the server reads frames in order, so
      // the cancel could only arrive after the very call it is meant to end.
      await settleWithin(
        client.cancel({ signal: AbortSignal.timeout(CANCEL_TIMEOUT_MS) }),
        CANCEL_TIMEOUT_MS + 100,
      );
    }
    client?.abort();
    this.#hardStop.abort(stop);
  }

  #checkpoint(): void {
    if (this.#stop !== undefined) throw this.#stop;
  }

  #fail(error: unknown): void {
    // Once stopped, errors are the echo of the stop (aborted calls, dropped sockets).
    if (this.#stop !== undefined) return;
    this.#state.fail(this.#state.current, describeError(error));
  }
}

function checkSubstrate(substrate: Substrate, providerName: string): void {
  const shape = substrate as Partial<Substrate> | null | undefined;
  const disposable = typeof shape?.[Symbol.asyncDispose] === "function";
  if (typeof shape?.endpoint?.url === "string" && disposable) return;
  if (disposable) void release(substrate);
  throw new HudkitError(
    "bad-substrate",
    `runtime provider '${providerName}' returned ${disposable ? "no endpoint url" : "a substrate that cannot be released"}: acquire() must resolve to { endpoint: { url }, [Symbol.asyncDispose]() }`,
  );
}

async function release(substrate: Substrate): Promise<void> {
  await settleWithin(
    attempt(() => substrate[Symbol.asyncDispose]()),
    TEARDOWN_TIMEOUT_MS,
  );
}

async function logsOf(substrate: Substrate): Promise<string | null> {
  if (typeof substrate.logs !== "function") return null;
  const outcome = await settleWithin(
    attempt(() => substrate.logs!()),
    LOGS_TIMEOUT_MS,
  );
  if (outcome.status !== "fulfilled" || typeof outcome.value !== "string") return null;
  return outcome.value.length > MAX_LOG_CHARS ? outcome.value.slice(-MAX_LOG_CHARS) : outcome.value;
}

function separateVerifierMessage(task: Task, verifier: VerifierTask): string {
  const why =
    verifier.env !== task.env
      ? `runs on env '${verifier.env}', not the task's env '${task.env}'`
      : "has its own runtime_config";
  return `the verifier '${verifier.id}' ${why}, so it needs a separate substrate, which is not supported yet; use a verifier template of env '${task.env}' without runtime_config`;
}

function ignore(): void {}
