import { z } from "zod";
import { type Grade, gradeFromFrame } from "../protocol/client-grade-frame.js";

/**
 * The grade of a run that was never graded (the reference's `Grade()`): reward 0 and an empty
 * raw frame, which is what keeps an infrastructure failure out of `job.reward`.
 *
 * @example
 * ```ts
 * if (run.grade === UNGRADED) console.log("no verdict");
 * ```
 */
export const UNGRADED: Grade = Object.freeze({
  reward: 0,
  done: true,
  isError: false,
  raw: Object.freeze({}) as Record<string, unknown>,
  evaluation: Object.freeze({}) as Record<string, unknown>,
});

/**
 * The grade a run keeps when grading failed after the agent failed (spec §3.2): an error frame
 * that carries the answer and what went wrong, so a verifier can still see it.
 */
export function failedGrade(answer: unknown, detail: string): Grade {
  return gradeFromFrame({ score: 0, answer, content: detail, isError: true });
}

/** The zod schema of a grade in a run record: the derived fields for readers, and the frame. */
export const GradeRecordSchema = z.object({
  reward: z.number(),
  done: z.boolean(),
  content: z.string().optional(),
  info: z.record(z.string(), z.unknown()).optional(),
  isError: z.boolean(),
  raw: z.record(z.string(), z.unknown()),
});

/** The record form of a grade. */
export function gradeToRecord(grade: Grade): z.output<typeof GradeRecordSchema> {
  return {
    reward: grade.reward,
    done: grade.done,
    ...(grade.content !== undefined ? { content: grade.content } : {}),
    ...(grade.info !== undefined ? { info: grade.info } : {}),
    isError: grade.isError,
    raw: grade.raw,
  };
}

/** A recorded grade read back: the frame is the source of truth, as on the wire. */
export function gradeFromRecord(record: z.output<typeof GradeRecordSchema>): Grade {
  if (Object.keys(record.raw).length === 0) return UNGRADED;
  try {
    return gradeFromFrame(record.raw);
  } catch {
    // A frame without a numeric score never comes from the engine; keep what the record says.
    return { ...record, evaluation: record.raw };
  }
}
