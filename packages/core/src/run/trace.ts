import { z } from "zod";
import { HudkitError } from "../errors/hudkit-error.js";
import type { PromptMessage } from "./prompt-messages.js";
import { toRecordable } from "./recordable-json.js";

/**
 * Who produced a step (spec §8).
 *
 * @example
 * ```ts
 * const agentSteps = run.trace.steps.filter((step) => step.source === STEP_SOURCES[1]);
 * ```
 */
export const STEP_SOURCES = ["user", "agent", "tool", "task", "subagent", "system"] as const;
/**
 * How a trace ended.
 *
 * @example
 * ```ts
 * for (const status of TRACE_STATUSES) console.log(status, job.runs.filter((r) => r.trace.status === status).length);
 * ```
 */
export const TRACE_STATUSES = ["completed", "error", "cancelled"] as const;
/**
 * Why the agent stopped, when it did not simply finish (`done`).
 *
 * @example
 * ```ts
 * console.log(`stop reasons: ${STOP_REASONS.join(", ")}`);
 * ```
 */
export const STOP_REASONS = ["done", "max_steps", "length", "timeout", "malformed_tool_call"] as const;

/**
 * One of {@link STEP_SOURCES}.
 *
 * @example
 * ```ts
 * const source: StepSource = "agent";
 * ```
 */
export type StepSource = (typeof STEP_SOURCES)[number];
/**
 * One of {@link TRACE_STATUSES}.
 *
 * @example
 * ```ts
 * if (run.trace.status === ("cancelled" satisfies TraceStatus)) console.log("interrupted");
 * ```
 */
export type TraceStatus = (typeof TRACE_STATUSES)[number];
/**
 * One of {@link STOP_REASONS}.
 *
 * @example
 * ```ts
 * run.trace.stopReason = "max_steps" satisfies StopReason;
 * ```
 */
export type StopReason = (typeof STOP_REASONS)[number];

/**
 * A `tasks.start` (`setup`) or `tasks.grade` (`evaluate`) exchange, as a trace step records it.
 *
 * @example
 * ```ts
 * const call: TaskCall = { phase: "evaluate", name: "count", arguments: { answer: "3" }, result: { score: 1 } };
 * ```
 */
export interface TaskCall {
  readonly phase: "setup" | "evaluate";
  readonly name: string;
  readonly arguments: unknown;
  readonly result: unknown;
}

/**
 * One recorded step. Steps are numbered from 1 in recording order; `endedAt` is when it was
 * recorded and `startedAt` (when the caller gave it) when its work began, both ISO-8601 UTC.
 * Agent steps add their own fields (`content`, `toolCalls`, `usage`, ...), kept as JSON.
 *
 * @example
 * ```ts
 * const step: Step = { stepId: 3, source: "agent", content: "3", endedAt: "2025-01-01T00:00:00.000Z" };
 * ```
 */
export interface Step {
  readonly stepId: number;
  readonly source: StepSource;
  readonly messages?: readonly PromptMessage[];
  readonly taskCall?: TaskCall;
  readonly error?: string;
  readonly startedAt?: string;
  readonly endedAt: string;
  readonly extra?: Record<string, unknown>;
  readonly [field: string]: unknown;
}

/**
 * What `run.record(step)` takes: a step without its number; `endedAt` defaults to now.
 *
 * @example
 * ```ts
 * run.record({ source: "agent", content: reply, startedAt, usage: { prompt_tokens: 812 } });
 * ```
 */
export type StepInput = Omit<Step, "stepId" | "endedAt"> & { readonly endedAt?: string };

const TaskCallSchema = z.object({
  phase: z.enum(["setup", "evaluate"]),
  name: z.string(),
  arguments: z.unknown(),
  result: z.unknown(),
});

/**
 * The zod schema of a recorded {@link Step} (extra agent fields are kept).
 *
 * @example
 * ```ts
 * const step = StepSchema.parse({ stepId: 1, source: "agent", endedAt: new Date().toISOString(), content: "hi" });
 * ```
 */
export const StepSchema = z.looseObject({
  stepId: z.number().int().positive(),
  source: z.enum(STEP_SOURCES),
  // Lenient on purpose: agents record their own message shapes; only the engine's are PromptMessages.
  messages: z.array(z.looseObject({ role: z.string() })).optional(),
  taskCall: TaskCallSchema.optional(),
  error: z.string().optional(),
  startedAt: z.string().optional(),
  endedAt: z.string(),
  extra: z.record(z.string(), z.unknown()).optional(),
});

/**
 * The zod schema of a trace file, `traces/<run-id>.json`.
 *
 * @example
 * ```ts
 * const trace = TraceRecordSchema.parse(JSON.parse(await readFile(path, "utf8")));
 * ```
 */
export const TraceRecordSchema = z.object({
  schema: z.literal("hudkit.trace.v1"),
  traceId: z.string().min(1),
  status: z.enum(TRACE_STATUSES).nullable(),
  stopReason: z.enum(STOP_REASONS).nullable(),
  content: z.unknown().optional(),
  extra: z.record(z.string(), z.unknown()),
  steps: z.array(StepSchema),
});

/**
 * A trace file's contents.
 *
 * @example
 * ```ts
 * const trace = TraceRecordSchema.parse(JSON.parse(readFileSync(path, "utf8"))) satisfies TraceRecord;
 * ```
 */
export type TraceRecord = z.output<typeof TraceRecordSchema>;

/**
 * The current time as the traces write it: ISO-8601 in UTC with a `Z`.
 *
 * @example
 * ```ts
 * const startedAt = nowIso();
 * ```
 */
export function nowIso(): string {
  return new Date().toISOString();
}

/**
 * What happened in one rollout, step by step (spec §8): task setup (the start frame), the user
 * prompt, the agent's steps, the evaluation (the grade frame), and system steps for errors.
 * An agent may set `stopReason` (and `status: "error"`); the engine sets the final status.
 *
 * @example
 * ```ts
 * run.trace.stopReason = "max_steps";
 * for (const step of run.trace.steps) console.log(step.stepId, step.source, step.error ?? "");
 * ```
 */
export class Trace {
  /** The run id: one trace per run. */
  readonly traceId: string;
  status: TraceStatus | null = null;
  #stopReason: StopReason | null = null;
  /** The answer that was graded. */
  content: unknown = undefined;
  /** Free-form metadata. */
  readonly extra: Record<string, unknown> = {};
  readonly #steps: Step[] = [];

  constructor(traceId: string) {
    this.traceId = traceId;
  }

  /** Why the agent stopped; an agent sets it (`max_steps`, ...), the engine sets `timeout`. */
  get stopReason(): StopReason | null {
    return this.#stopReason;
  }

  set stopReason(value: StopReason | null) {
    if (value !== null && !(STOP_REASONS as readonly unknown[]).includes(value)) {
      throw new HudkitError(
        "invalid-stop-reason",
        `stopReason must be one of ${STOP_REASONS.join(", ")} or null, got ${JSON.stringify(value)}`,
      );
    }
    this.#stopReason = value;
  }

  /** The steps in recording order. */
  get steps(): readonly Step[] {
    return this.#steps;
  }

  /** True when the status is `error`. */
  get isError(): boolean {
    return this.status === "error";
  }

  /** The newest step error, if any. */
  get error(): string | undefined {
    for (let i = this.#steps.length - 1; i >= 0; i--) {
      const error = this.#steps[i]!.error;
      if (error !== undefined) return error;
    }
    return undefined;
  }

  /**
   * Appends a step (numbered, stamped, copied as JSON) and returns it. An unknown `source` is a
   * `invalid-step` error, so a typo in an agent fails loudly instead of writing a bad trace.
   */
  record(input: StepInput): Step {
    if (!(STEP_SOURCES as readonly unknown[]).includes(input.source)) {
      throw new HudkitError(
        "invalid-step",
        `step source must be one of ${STEP_SOURCES.join(", ")}, got ${JSON.stringify(input.source)}`,
      );
    }
    const copied = toRecordable(input) as Record<string, unknown>;
    const step = { ...copied, stepId: this.#steps.length + 1, endedAt: copied.endedAt ?? nowIso() };
    // Checked here, where the agent can see the error, rather than when the job is written.
    const checked = StepSchema.safeParse(step);
    if (!checked.success) {
      const issues = checked.error.issues.map(
        (issue) => `${issue.path.join(".") || "(root)"}: ${issue.message}`,
      );
      throw new HudkitError("invalid-step", `not a valid step: ${issues.join("; ")}`);
    }
    this.#steps.push(step as Step);
    return step as Step;
  }

  toJSON(): TraceRecord {
    return {
      schema: "hudkit.trace.v1",
      traceId: this.traceId,
      status: this.status,
      stopReason: this.stopReason,
      content: toRecordable(this.content),
      extra: toRecordable(this.extra) as Record<string, unknown>,
      steps: [...this.#steps] as TraceRecord["steps"],
    };
  }

  /** A trace read back from its file. */
  static fromRecord(record: TraceRecord): Trace {
    const trace = new Trace(record.traceId);
    trace.status = record.status;
    trace.stopReason = record.stopReason;
    trace.content = record.content;
    Object.assign(trace.extra, record.extra);
    for (const step of record.steps) trace.#steps.push({ ...step, stepId: trace.#steps.length + 1 } as Step);
    return trace;
  }
}
