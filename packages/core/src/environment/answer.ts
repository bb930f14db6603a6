import type { z } from "zod";
import { laxValidate } from "./args-coercion.js";

/**
 * What a template declared with `returns` receives from `tasks.grade` (the reference's
 * `Answer[T]`): `content` is the answer validated against `returns`, or the answer unchanged when
 * it does not validate, so a grader must accept both; `raw` is the answer as text.
 *
 * @example
 * ```ts
 * const Point = z.object({ x: z.int(), y: z.int() });
 * const answer: Answer<z.infer<typeof Point>> = buildAnswer(Point, '{"x":3,"y":4}');
 * const point = Point.safeParse(answer.content); // success: content was validated
 * ```
 */
export interface Answer<T = unknown> {
  content: T | unknown;
  raw: string;
}

/**
 * Builds the {@link Answer} for `tasks.grade`'s `params.answer` (spec/protocol.md §1.12, §2.5).
 * Let A be the answer, or `""` when the key is missing:
 *
 * - a string A is parsed as JSON and the result validated pydantic-lax against `returns`; any
 *   other A is validated as it is. On success `content` is zod's output (extra keys of a plain
 *   object dropped, `"3"` made `3` for an integer); on failure (including text that is not JSON)
 *   `content` is A unchanged.
 * - `raw` is A when A is a string, else `JSON.stringify(A)`. This differs on purpose from the
 *   reference, which uses Python's `str()` (`{'x': 3, 'y': 4}`, `True`, `None`): JSON text is what a
 *   TypeScript grader can parse back. The conformance replay lists those lines as exemptions.
 *
 * @example
 * ```ts
 * const Point = z.object({ x: z.int(), y: z.int() });
 * buildAnswer(Point, '{"x":"3","y":4,"z":5}'); // { content: { x: 3, y: 4 }, raw: '{"x":"3","y":4,"z":5}' }
 * buildAnswer(Point, '{"x":3}');               // { content: '{"x":3}', raw: '{"x":3}' }
 * buildAnswer(Point, { x: 3, y: 4 });          // { content: { x: 3, y: 4 }, raw: '{"x":3,"y":4}' }
 * buildAnswer(Point, undefined);               // { content: "", raw: "" }
 * ```
 */
export function buildAnswer(returns: z.ZodType, answer: unknown): Answer {
  const given = answer === undefined ? "" : answer;
  return { content: validatedContent(returns, given), raw: rawText(given) };
}

function validatedContent(returns: z.ZodType, given: unknown): unknown {
  let value = given;
  if (typeof given === "string") {
    try {
      value = JSON.parse(given);
    } catch {
      return given;
    }
  }
  const result = laxValidate(returns, value);
  return result.ok ? result.value : given;
}

function rawText(given: unknown): string {
  if (typeof given === "string") return given;
  // JSON.stringify gives undefined for values JSON cannot hold (a function, say), which no wire
  // answer is; String() keeps the result a string for direct callers.
  return JSON.stringify(given) ?? String(given);
}
