import { isEvaluationResult } from "../graders/evaluation-result.js";
import { pyRepr, pyReprList } from "../protocol/python-repr.js";
import { compareCodePoints, isPlainObject, pythonTypeName } from "../protocol/python-values.js";
import { toJsonSafe } from "./json-safe.js";

/** A grading error: sent as `-32000` with this message, as the reference does. */
export class GradeShapeError extends Error {
  override name = "GradeShapeError";
}

const NOT_A_GRADE =
  "yield a number, an object with a numeric .reward, or a dict containing a numeric 'score'";

/**
 * The `tasks.grade` result for a template's second yield (spec §1.12): numbers and booleans
 * become `{score: float}`; a plain object with a numeric (or boolean) `score` is sent as it is;
 * an `EvaluationResult` as its fields with `score` last; any other object with a numeric
 * `reward` as `{score: reward}`. Anything else is a {@link GradeShapeError}.
 *
 * hudkit differs on purpose in one place: JSON cannot carry NaN or Infinity, so a non-finite
 * score is an error instead of an invalid line.
 */
export function toGradeFrame(templateId: string, secondYield: unknown): Record<string, unknown> {
  const value = secondYield;
  if (typeof value === "boolean") return { score: value ? 1 : 0 };
  if (typeof value === "number") return { score: finite(templateId, value) };
  if (typeof value === "bigint") return { score: finite(templateId, Number(value)) };
  if (isEvaluationResult(value)) {
    finite(templateId, value.reward);
    return toJsonSafe(value.toGradeFrame()) as Record<string, unknown>;
  }
  if (isPlainObject(value)) {
    const score = value.score;
    if (typeof score === "number") finite(templateId, score);
    else if (typeof score !== "boolean") {
      const keys = pyReprList(Object.keys(value).sort(compareCodePoints));
      throw new GradeShapeError(
        `task ${pyRepr(templateId)} graded with a dict missing a numeric 'score' (keys: ${keys})`,
      );
    }
    return toJsonSafe(value) as Record<string, unknown>;
  }
  if (typeof value === "object" && value !== null && !Array.isArray(value)) {
    const reward = (value as { reward?: unknown }).reward;
    if (typeof reward === "number") return { score: finite(templateId, reward) };
  }
  throw new GradeShapeError(`task graded with ${pythonTypeName(value)}: ${NOT_A_GRADE}`);
}

function finite(templateId: string, score: number): number {
  if (!Number.isFinite(score)) {
    throw new GradeShapeError(
      `task ${pyRepr(templateId)} graded with a non-finite score (${score}): scores must be finite numbers`,
    );
  }
  return score;
}
