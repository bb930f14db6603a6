import type { HudClient } from "../protocol/client.js";
import type { Grade } from "../protocol/client-grade-frame.js";
import type { PromptFrame } from "../protocol/client-result-schemas.js";
import type { Task } from "../task/task.js";
import { phaseError } from "./failure.js";
import { gradeFromRecord, gradeToRecord, UNGRADED } from "./grade-record.js";
import type { Phase } from "./phase.js";
import { type Prompt, promptMessages, toPrompt } from "./prompt-messages.js";
import { toRecordable } from "./recordable-json.js";
import { type RunRecord, traceFileOf } from "./run-record.js";
import { nowIso, Trace, type TraceRecord } from "./trace.js";

/** Who a rollout is: its task and the ids that place it in a job. */
export interface RunIdentity {
  readonly task: Task;
  readonly runId: string;
  readonly jobId: string;
  readonly groupId: string;
  readonly groupIndex: number;
  /** The runtime provider's name. */
  readonly runtime: string | null;
}

/**
 * The engine's side of one run: everything the rollout writes as it goes. The agent sees it
 * through a read-mostly `Run`, so it cannot rewrite its own grade or phase.
 */
export class RunState {
  readonly identity: RunIdentity;
  readonly trace: Trace;
  /** Aborted on agent timeout, rollout timeout, interruption, and when the run ends. */
  readonly agentAbort = new AbortController();
  prompt: Prompt = null;
  bindings: Record<string, Record<string, unknown>> = {};
  /** The latest `tasks.start` reply, extra keys included. */
  startFrame: Record<string, unknown> = {};
  /** How many `tasks.start` rounds the task has had (more than one for a multi-step task). */
  rounds = 0;
  answer: unknown = undefined;
  grade: Grade = UNGRADED;
  /** The live client, only while the task is started and not yet torn down. */
  client: HudClient | undefined;
  endpoint: string | null = null;
  logs: string | null = null;
  error: string | null = null;
  errorPhase: Phase | null = null;
  /** The phase the rollout is in now (cleanup included). */
  current: Phase = "provisioning";
  /** The furthest phase of the main line reached; `finished` once it went all the way. */
  reached: Phase = "provisioning";
  startedAt: string = nowIso();
  finishedAt: string | null = null;
  durationMs: number | null = null;
  readonly #startedAtMs = performance.now();

  constructor(identity: RunIdentity, trace: Trace = new Trace(identity.runId)) {
    this.identity = identity;
    this.trace = trace;
  }

  get failed(): boolean {
    return this.error !== null;
  }

  enter(phase: Phase): void {
    this.current = phase;
    if (phase !== "cleanup") this.reached = phase;
  }

  /** Records a failure as a system step; the first one becomes the run's `error`. */
  fail(phase: Phase, message: string): void {
    const text = phaseError(phase, message);
    this.trace.record({ source: "system", error: text });
    if (this.error === null) {
      this.error = text;
      this.errorPhase = phase;
    }
  }

  /** `tasks.start` answered: the task is live and the agent may use the client. */
  bindTask(client: HudClient, frame: PromptFrame, startedAt: string): void {
    const { task } = this.identity;
    this.client = client;
    this.startFrame = { ...frame };
    this.rounds += 1;
    this.answer = undefined;
    this.prompt = toPrompt(frame.prompt);
    this.bindings = frame.bindings ?? {};
    this.recordSetup(task.id, task.args, frame, startedAt);
    if (this.prompt !== null) this.trace.record({ source: "user", messages: promptMessages(this.prompt) });
  }

  recordSetup(name: string, args: unknown, frame: unknown, startedAt: string): void {
    this.trace.record({
      source: "task",
      taskCall: { phase: "setup", name, arguments: args, result: frame },
      startedAt,
    });
  }

  recordEvaluate(name: string, payload: unknown, grade: Grade, startedAt: string): void {
    this.trace.record({
      source: "task",
      taskCall: { phase: "evaluate", name, arguments: payload, result: grade.raw },
      startedAt,
      ...(grade.isError ? { error: grade.content ?? "the grade is an error" } : {}),
    });
  }

  /** Seals the run: final status, timings; the agent's signal is aborted so leftovers stop. */
  finish(cancelled: boolean): void {
    const trace = this.trace;
    if (cancelled) trace.status = "cancelled";
    else if (this.failed || trace.status === "error") trace.status = "error";
    else trace.status = "completed";
    this.client = undefined;
    this.finishedAt = nowIso();
    this.durationMs = Math.max(0, performance.now() - this.#startedAtMs);
    if (!this.agentAbort.signal.aborted) this.agentAbort.abort(new Error("the run is over"));
  }

  toRecord(): RunRecord {
    const { task, runId, jobId, groupId, groupIndex, runtime } = this.identity;
    return {
      schema: "hudkit.run.v1",
      runId,
      jobId,
      groupId,
      groupIndex,
      slug: task.slug,
      env: task.env,
      taskId: task.id,
      args: task.args,
      status: this.trace.status ?? "error",
      stopReason: this.trace.stopReason,
      phase: this.reached,
      error: this.error,
      errorPhase: this.errorPhase,
      reward: this.grade.reward,
      grade: gradeToRecord(this.grade),
      prompt: toRecordable(this.prompt) as RunRecord["prompt"],
      answer: toRecordable(this.answer),
      runtime,
      endpoint: this.endpoint,
      logs: this.logs,
      startedAt: this.startedAt,
      finishedAt: this.finishedAt ?? nowIso(),
      durationMs: this.durationMs ?? 0,
      trace: traceFileOf(runId),
    };
  }

  /** A finished run read back from its record (and its trace file, when loaded). */
  static fromRecord(record: RunRecord, trace?: TraceRecord): RunState {
    const task: Task = { env: record.env, id: record.taskId, args: record.args, slug: record.slug };
    const identity: RunIdentity = {
      task,
      runId: record.runId,
      jobId: record.jobId,
      groupId: record.groupId,
      groupIndex: record.groupIndex,
      runtime: record.runtime,
    };
    const state = new RunState(identity, trace === undefined ? undefined : Trace.fromRecord(trace));
    state.trace.status = record.status;
    state.trace.stopReason = record.stopReason;
    state.prompt = record.prompt;
    state.answer = record.answer;
    state.grade = gradeFromRecord(record.grade);
    state.endpoint = record.endpoint;
    state.logs = record.logs;
    state.error = record.error;
    state.errorPhase = record.errorPhase;
    state.current = record.phase;
    state.reached = record.phase;
    state.startedAt = record.startedAt;
    state.finishedAt = record.finishedAt;
    state.durationMs = record.durationMs;
    if (!state.agentAbort.signal.aborted) state.agentAbort.abort(new Error("the run is over"));
    return state;
  }
}

/**
 * A control URL as it may be written down: credentials and query strings left out.
 *
 * @example
 * ```ts
 * recordableUrl("wss://user:secret@sandbox.example/?token=x"); // "wss://sandbox.example/"
 * ```
 */
export function recordableUrl(url: string): string {
  try {
    const parsed = new URL(url);
    parsed.username = "";
    parsed.password = "";
    parsed.search = "";
    return parsed.toString();
  } catch {
    return url.replace(/\/\/[^@/]*@/, "//").replace(/\?.*$/, "");
  }
}
