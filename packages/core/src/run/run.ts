import { HudkitError } from "../errors/hudkit-error.js";
import type { HudClient } from "../protocol/client.js";
import type { Grade } from "../protocol/client-grade-frame.js";
import type { Task } from "../task/task.js";
import type { Phase } from "./phase.js";
import { type Prompt, type PromptMessage, promptMessages, promptText } from "./prompt-messages.js";
import type { RunRecord } from "./run-record.js";
import { RunState } from "./run-state.js";
import type { Step, StepInput, Trace, TraceRecord } from "./trace.js";

/**
 * One rollout of one task: what the agent sees while it works, and what is recorded after.
 * The agent reads {@link prompt} (or {@link promptText}), drives the env through {@link client},
 * records its steps with {@link record}, sets {@link answer}, and stops when {@link signal}
 * aborts. Everything else is filled in by the engine.
 *
 * @example
 * ```ts
 * const agent: Agent = async (run) => {
 *   const reply = await llm(run.promptText, { signal: run.signal });
 *   run.record({ source: "agent", content: reply });
 *   run.answer = reply.trim();
 * };
 * ```
 */
export class Run {
  readonly #state: RunState;

  /** Runs are made by `rollout()` (or read back with {@link Run.fromRecord}). */
  constructor(state: RunState) {
    this.#state = state;
  }

  /** A finished run read back from its `runs.jsonl` line (and trace file, when given). */
  static fromRecord(record: RunRecord, trace?: TraceRecord): Run {
    return new Run(RunState.fromRecord(record, trace));
  }

  /** The task row this run executes. */
  get task(): Task {
    return this.#state.identity.task;
  }

  /** The template id: what an agent branches on. */
  get taskId(): string {
    return this.#state.identity.task.id;
  }

  get args(): Record<string, unknown> {
    return this.#state.identity.task.args;
  }

  get slug(): string {
    return this.#state.identity.task.slug;
  }

  /** The prompt `tasks.start` returned; `null` before the task started or when there is none. */
  get prompt(): Prompt {
    return this.#state.prompt;
  }

  /** The prompt as user/assistant messages. */
  get promptMessages(): PromptMessage[] {
    return promptMessages(this.#state.prompt);
  }

  /** The prompt's text blocks joined with blank lines. */
  get promptText(): string {
    return promptText(this.promptMessages);
  }

  /**
   * The whole `tasks.start` reply of the current round, keys beyond `prompt` and `bindings`
   * included (a Harbor multi-step task names its step there: `{ harbor_step: "create-file" }`).
   *
   * @example
   * ```ts
   * const step = run.startFrame.harbor_step; // "create-file"
   * ```
   */
  get startFrame(): Readonly<Record<string, unknown>> {
    return this.#state.startFrame;
  }

  /**
   * Which round of a multi-step task the agent is in: 1 for the first (and only, for most
   * tasks), 2 after the env's grade asked for a next step, and so on.
   *
   * @example
   * ```ts
   * if (run.round > 1) console.log("continuing in the same environment");
   * ```
   */
  get round(): number {
    return this.#state.rounds;
  }

  /** Per-episode capability data from the start frame (`bindings`), by capability name. */
  get bindings(): Readonly<Record<string, Record<string, unknown>>> {
    return this.#state.bindings;
  }

  /**
   * The live client (`client.binding("ssh")`, `client.listTasks()`, ...). It exists only while
   * the task is running: reading it on a run that failed before its task started, or after the
   * run ended, throws `no-client` saying which.
   */
  get client(): HudClient {
    const state = this.#state;
    if (state.client !== undefined) return state.client;
    if (state.error !== null) {
      throw new HudkitError("no-client", `run ${state.identity.runId} has no live client: ${state.error}`);
    }
    const when = state.finishedAt === null ? "its task has not started yet" : "the run is over";
    throw new HudkitError("no-client", `run ${state.identity.runId} has no live client: ${when}`);
  }

  /** What the agent answers; sent to the env as `{answer}` when grading. */
  get answer(): unknown {
    return this.#state.answer;
  }

  set answer(value: unknown) {
    this.#state.answer = value;
  }

  /** Appends a step to the trace (numbered and stamped) and returns it. */
  record(step: StepInput): Step {
    return this.#state.trace.record(step);
  }

  /**
   * Aborted when the agent must stop: its own timeout (`agent_config.timeout_seconds`), the
   * rollout timeout, an interruption, or the end of the run. Pass it to every call that waits.
   */
  get signal(): AbortSignal {
    return this.#state.agentAbort.signal;
  }

  get trace(): Trace {
    return this.#state.trace;
  }

  /** The verdict; reward 0 with an empty `raw` frame until (or unless) the run is graded. */
  get grade(): Grade {
    return this.#state.grade;
  }

  get reward(): number {
    return this.#state.grade.reward;
  }

  /** The furthest phase reached; `finished` once the run went all the way through grading. */
  get phase(): Phase {
    return this.#state.reached;
  }

  /** The first failure, `[<phase>] <what happened>`, or null. */
  get error(): string | null {
    return this.#state.error;
  }

  /** The phase of {@link error}. */
  get errorPhase(): Phase | null {
    return this.#state.errorPhase;
  }

  /** The tail of the substrate's output, captured when the run failed. */
  get logs(): string | null {
    return this.#state.logs;
  }

  get runId(): string {
    return this.#state.identity.runId;
  }

  get jobId(): string {
    return this.#state.identity.jobId;
  }

  /** Shared by the `group` rollouts of one task in one job. */
  get groupId(): string {
    return this.#state.identity.groupId;
  }

  /** Which of the task's `group` rollouts this is, from 0. */
  get groupIndex(): number {
    return this.#state.identity.groupIndex;
  }

  /** The runtime provider's name. */
  get runtime(): string | null {
    return this.#state.identity.runtime;
  }

  /** The control URL the run was served on (credentials left out). */
  get endpoint(): string | null {
    return this.#state.endpoint;
  }

  /** ISO-8601 UTC. */
  get startedAt(): string {
    return this.#state.startedAt;
  }

  /** ISO-8601 UTC; null while the run is in progress. */
  get finishedAt(): string | null {
    return this.#state.finishedAt;
  }

  /** Wall time from start to finish, teardown included; null while in progress. */
  get durationMs(): number | null {
    return this.#state.durationMs;
  }

  /** The record written to `runs.jsonl` (see `RunRecordSchema`). */
  toJSON(): RunRecord {
    return this.#state.toRecord();
  }
}
