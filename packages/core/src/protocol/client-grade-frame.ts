import { z } from "zod";
import { jsonObjectOf } from "./client-json-object.js";
import { RpcCode, RpcError } from "./rpc-error.js";

/**
 * A graded run, read from the `tasks.grade` result the way the reference `Grade.from_dict` reads
 * it (spec §1.12).
 *
 * @example
 * ```ts
 * const grade = await client.grade({ answer: "3" });
 * if (!grade.isError) console.log(`reward ${grade.reward}`, grade.info);
 * ```
 */
export interface Grade {
  /** The frame's `score`. */
  readonly reward: number;
  /** `done`, read with Python truthiness; `true` when absent. */
  readonly done: boolean;
  /** `content`, kept only when it is a string. */
  readonly content?: string;
  /** `info`, kept only when it is an object. */
  readonly info?: Record<string, unknown>;
  /** `isError`, read with Python truthiness; `false` when absent. */
  readonly isError: boolean;
  /** `subscores`, as sent, when it is a list. */
  readonly subscores?: readonly unknown[];
  /** The whole frame, unchanged. */
  readonly raw: Record<string, unknown>;
  /** `raw` with `info` stripped from every subscore and child (what a run records). */
  readonly evaluation: Record<string, unknown>;
}

/**
 * Only `score` is required, and it must be a JSON number: `true` is rejected like the
 * reference client does (spec §6.15), even though a Python server may send it.
 */
const gradeFrameSchema = z.looseObject({ score: z.number() });

/**
 * Reads a `tasks.grade` result. A missing, non-numeric or boolean `score` is
 * `RpcError(-32603, "tasks.grade: result must include a numeric 'score'")`.
 *
 * @example
 * ```ts
 * gradeFromFrame({ score: 0.5, info: { detail: "partial credit" } });
 * // { reward: 0.5, done: true, info: { detail: "partial credit" }, isError: false, raw: {...}, evaluation: {...} }
 * gradeFromFrame({ score: true }); // throws RpcError -32603
 * ```
 */
export function gradeFromFrame(frame: Record<string, unknown>): Grade {
  if (!hasNumericScore(frame) && !gradeFrameSchema.safeParse(frame).success) {
    throw new RpcError(RpcCode.internalError, "tasks.grade: result must include a numeric 'score'");
  }
  const info = jsonObjectOf(frame.info);
  const raw = { ...frame };
  return {
    reward: frame.score as number,
    done: "done" in frame ? pythonTruthy(frame.done) : true,
    ...(typeof frame.content === "string" ? { content: frame.content } : {}),
    // A copy, so `info` and `raw.info` are distinct objects.
    ...(info !== undefined ? { info: { ...info } } : {}),
    isError: pythonTruthy(frame.isError),
    ...(Array.isArray(frame.subscores) ? { subscores: frame.subscores } : {}),
    raw,
    evaluation: withoutSubscoreInfo(raw),
  };
}

/** The schema's rule by hand, sparing each grade a zod parse: an object with a finite number `score`. */
function hasNumericScore(frame: unknown): boolean {
  if (typeof frame !== "object" || frame === null || Array.isArray(frame)) return false;
  const score = (frame as { score?: unknown }).score;
  return typeof score === "number" && Number.isFinite(score);
}

/** `bool(x)` for JSON values, so `"done": 0` or `"isError": []` read as Python reads them. */
function pythonTruthy(value: unknown): boolean {
  if (value === undefined || value === null) return false;
  if (typeof value === "boolean") return value;
  if (typeof value === "number") return value !== 0;
  if (typeof value === "string") return value.length > 0;
  if (Array.isArray(value)) return value.length > 0;
  return Object.keys(value).length > 0;
}

function withoutSubscoreInfo(frame: Record<string, unknown>): Record<string, unknown> {
  if (!Array.isArray(frame.subscores)) return { ...frame };
  return { ...frame, subscores: frame.subscores.map(summarizeSubscore) };
}

function summarizeSubscore(node: unknown): unknown {
  const parsed = jsonObjectOf(node);
  if (parsed === undefined) return node;
  const { info: _info, ...summary } = parsed;
  if (Array.isArray(summary.children)) summary.children = summary.children.map(summarizeSubscore);
  return summary;
}
