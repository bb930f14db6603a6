import { z } from "zod";

/**
 * The phases of a rollout, in order. A failure is reported with the phase it happened in
 * (`[provisioning] ...`), and `run.phase` is the furthest one reached (`finished` once the run
 * went all the way through grading, whatever happened on the way).
 *
 * @example
 * ```ts
 * if (run.phase !== "finished") console.log(`stopped during ${run.phase}`);
 * ```
 */
export const PHASES = [
  "provisioning",
  "connecting",
  "starting task",
  "agent loop",
  "grading",
  "verifying",
  "cleanup",
  "finished",
] as const;

/**
 * One of {@link PHASES}.
 *
 * @example
 * ```ts
 * const phase: Phase = "agent loop";
 * ```
 */
export type Phase = (typeof PHASES)[number];

/** The zod schema of a {@link Phase}, for records read back from disk. */
export const PhaseSchema = z.enum(PHASES);
