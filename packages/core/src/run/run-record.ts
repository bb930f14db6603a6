import { z } from "zod";
import { GradeRecordSchema } from "./grade-record.js";
import { PhaseSchema } from "./phase.js";
import { STOP_REASONS, TRACE_STATUSES } from "./trace.js";

/**
 * The zod schema of one line of `runs.jsonl`: what a finished run was, without its steps
 * (those are in `trace`, the run's trace file relative to the job directory).
 *
 * @example
 * ```ts
 * const record = RunRecordSchema.parse(JSON.parse(line));
 * console.log(record.slug, record.groupIndex, record.reward, record.error ?? "ok");
 * ```
 */
export const RunRecordSchema = z.object({
  schema: z.literal("hudkit.run.v1"),
  runId: z.string().min(1),
  jobId: z.string().min(1),
  groupId: z.string().min(1),
  groupIndex: z.number().int().nonnegative(),
  slug: z.string(),
  env: z.string(),
  taskId: z.string(),
  args: z.record(z.string(), z.unknown()),
  status: z.enum(TRACE_STATUSES),
  stopReason: z.enum(STOP_REASONS).nullable(),
  /** The furthest phase reached; `finished` when the run went through grading. */
  phase: PhaseSchema,
  /** The first failure, `[<phase>] <what happened>`. */
  error: z.string().nullable(),
  errorPhase: PhaseSchema.nullable(),
  reward: z.number(),
  grade: GradeRecordSchema,
  prompt: z.union([z.string(), z.array(z.unknown()), z.null()]),
  /** Absent when the agent never set one. */
  answer: z.unknown().optional(),
  /** The runtime provider's name. */
  runtime: z.string().nullable(),
  /** The control URL the run was served on, without credentials. */
  endpoint: z.string().nullable(),
  /** The tail of the substrate's output, kept for failed runs. */
  logs: z.string().nullable(),
  startedAt: z.string(),
  finishedAt: z.string(),
  durationMs: z.number().nonnegative(),
  trace: z.string(),
});

/**
 * One line of `runs.jsonl`.
 *
 * @example
 * ```ts
 * const record: RunRecord = run.toJSON();
 * ```
 */
export type RunRecord = z.output<typeof RunRecordSchema>;

/**
 * Where a run's trace file lives, relative to its job directory.
 *
 * @example
 * ```ts
 * traceFileOf("0f3a..."); // "traces/0f3a....json"
 * ```
 */
export function traceFileOf(runId: string): string {
  return `traces/${runId}.json`;
}
