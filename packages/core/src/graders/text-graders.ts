import { HudkitError } from "../errors/hudkit-error.js";
import { answerText } from "./answer-text.js";
import type { SubScore } from "./evaluation-result.js";
import { firstNumber } from "./first-number.js";
import { type GraderOptions, gradedSubScore } from "./grader-options.js";
import { normalizeText } from "./normalize-text.js";

// Each grader returns a SubScore (value 0 or 1, F1 excepted) whose `info` holds what was
// actually compared as `{ expected, got }`, so a failed grade explains itself on the wire.

/** Options of {@link exactMatch}. */
export interface ExactMatchOptions extends GraderOptions {
  /** Compare {@link normalizeText} forms (default); when false, compare trimmed lowercase text. */
  normalize?: boolean;
}

/**
 * 1 when the answer equals `expected` after normalisation (or after trim and lowercase with
 * `normalize: false`). Default name `"exact_match"`.
 *
 * @example
 * ```ts
 * exactMatch("The answer is 42.", "answer is 42").value; // 1
 * exactMatch("Paris!", "paris", { normalize: false }).value; // 0
 * ```
 */
export function exactMatch(answer: unknown, expected: string, options: ExactMatchOptions = {}): SubScore {
  const prepare =
    (options.normalize ?? true) ? normalizeText : (t: unknown) => answerText(t).trim().toLowerCase();
  const got = prepare(answer);
  const want = prepare(expected);
  return gradedSubScore("exact_match", got === want ? 1 : 0, options, { expected: want, got });
}

/** Options of the substring graders. */
export interface ContainsOptions extends GraderOptions {
  /** Default false: both sides are lowercased first. */
  caseSensitive?: boolean;
}

/**
 * 1 when the answer contains `needle` (case-insensitive by default). Default name `"contains"`.
 *
 * @example
 * ```ts
 * contains("The capital is PARIS", "paris").value; // 1
 * ```
 */
export function contains(answer: unknown, needle: string, options: ContainsOptions = {}): SubScore {
  const { got, found } = findNeedles(answer, [needle], options);
  return gradedSubScore("contains", found.length === 1 ? 1 : 0, options, { expected: needle, got });
}

/**
 * 1 when the answer contains at least one of `needles`; an empty list gives 0, as the
 * reference's `any([])`. `info.matched` lists the needles found. Default name `"contains_any"`.
 *
 * @example
 * ```ts
 * containsAny("It is blue", ["red", "blue"]).value; // 1
 * ```
 */
export function containsAny(
  answer: unknown,
  needles: readonly string[],
  options: ContainsOptions = {},
): SubScore {
  const { got, found } = findNeedles(answer, needles, options);
  return gradedSubScore("contains_any", found.length > 0 ? 1 : 0, options, {
    expected: [...needles],
    got,
    matched: found,
  });
}

/**
 * 1 when the answer contains every one of `needles`; an empty list gives 1, as the reference's
 * `all([])`. `info.matched` lists the needles found. Default name `"contains_all"`.
 *
 * @example
 * ```ts
 * containsAll("red, green and blue", ["red", "blue"]).value; // 1
 * ```
 */
export function containsAll(
  answer: unknown,
  needles: readonly string[],
  options: ContainsOptions = {},
): SubScore {
  const { got, found } = findNeedles(answer, needles, options);
  return gradedSubScore("contains_all", found.length === needles.length ? 1 : 0, options, {
    expected: [...needles],
    got,
    matched: found,
  });
}

function findNeedles(
  answer: unknown,
  needles: readonly string[],
  options: ContainsOptions,
): { got: string; found: string[] } {
  const got = answerText(answer);
  const fold = options.caseSensitive ? (t: string) => t : (t: string) => t.toLowerCase();
  const haystack = fold(got);
  return { got, found: needles.filter((needle) => haystack.includes(fold(needle))) };
}

/** Options of {@link regexMatch}. */
export interface RegexMatchOptions extends GraderOptions {
  /** Flags for a string pattern, or to replace a RegExp's own flags. */
  flags?: string;
}

/**
 * 1 when `pattern` matches anywhere in the answer (a search, not a full match: anchor with
 * `^...$` for that). `info.match` is the matched text or null. Default name `"regex_match"`.
 * An invalid pattern or flags is a HudkitError `invalid-pattern`.
 *
 * @example
 * ```ts
 * regexMatch("Result: PASS", /\bpass\b/i).value; // 1
 * regexMatch("v1.2.3", "^v\\d+\\.\\d+", { name: "version" }).value; // 1
 * ```
 */
export function regexMatch(
  answer: unknown,
  pattern: RegExp | string,
  options: RegexMatchOptions = {},
): SubScore {
  const regex = compilePattern(pattern, options.flags);
  const got = answerText(answer);
  // A fresh RegExp each call, so a caller's /g or /y pattern never carries lastIndex over.
  const match = regex.exec(got);
  return gradedSubScore("regex_match", match ? 1 : 0, options, {
    expected: regex.toString(),
    got,
    match: match ? match[0] : null,
  });
}

function compilePattern(pattern: RegExp | string, flags: string | undefined): RegExp {
  const source = typeof pattern === "string" ? pattern : pattern.source;
  const chosenFlags = flags ?? (typeof pattern === "string" ? "" : pattern.flags);
  try {
    return new RegExp(source, chosenFlags);
  } catch (error) {
    throw new HudkitError("invalid-pattern", `regexMatch: ${(error as Error).message}`, { cause: error });
  }
}

/** Options of {@link numericMatch}. */
export interface NumericMatchOptions extends GraderOptions {
  /** Largest absolute difference accepted (default 0). */
  tolerance?: number;
  /** Also accept a difference up to `relative × |expected|` (0.01 is 1 %). */
  relative?: number;
}

/**
 * 1 when the first number in the answer is within `tolerance` of `expected`, or within
 * `relative × |expected|` when `relative` is set. The first number, as the reference, but read
 * as people write it: "1,000" is 1000 and "1.5e3" is 1500 (the reference reads 1 for both),
 * ".5" is 0.5, and a hyphen after a word is not a minus ("covid-19" is 19). A comma between
 * groups of three digits is always a thousands separator, so "100,200" is 100200; decimal commas
 * are not understood. `info` is `{ expected, got, matched }`, `got` null when no number was found.
 *
 * @example
 * ```ts
 * numericMatch("About 1,000 people", 1000).value; // 1
 * numericMatch("6.02e23", 6e23, { relative: 0.01 }).value; // 1
 * ```
 */
export function numericMatch(answer: unknown, expected: number, options: NumericMatchOptions = {}): SubScore {
  const tolerance = options.tolerance ?? 0;
  checkNonNegative("tolerance", tolerance);
  if (options.relative !== undefined) checkNonNegative("relative", options.relative);
  if (!Number.isFinite(expected)) {
    throw new HudkitError(
      "invalid-expected",
      `numericMatch: expected must be a finite number, got ${expected}`,
    );
  }
  const found = firstNumber(answerText(answer));
  const difference = found ? Math.abs(found.value - expected) : Number.POSITIVE_INFINITY;
  const allowed = Math.max(tolerance, (options.relative ?? 0) * Math.abs(expected));
  return gradedSubScore("numeric_match", difference <= allowed ? 1 : 0, options, {
    expected,
    got: found ? found.value : null,
    matched: found ? found.text : null,
  });
}

function checkNonNegative(option: string, value: number): void {
  if (!(Number.isFinite(value) && value >= 0)) {
    throw new HudkitError(
      "invalid-tolerance",
      `numericMatch: ${option} must be a finite number >= 0, got ${value}`,
    );
  }
}

/**
 * Token F1 between the answer and `reference` over {@link normalizeText} tokens, counting
 * repeated tokens as a multiset; 0 when either side has no tokens. `info` adds `precision` and
 * `recall`. Default name `"f1_score"`.
 *
 * @example
 * ```ts
 * f1Score("The capital is Paris, France", "Paris").value; // 0.4
 * ```
 */
export function f1Score(answer: unknown, reference: string, options: GraderOptions = {}): SubScore {
  const got = normalizeText(answer);
  const expected = normalizeText(reference);
  const predicted = tokens(got);
  const wanted = tokens(expected);
  const remaining = new Map<string, number>();
  for (const token of wanted) remaining.set(token, (remaining.get(token) ?? 0) + 1);
  let common = 0;
  for (const token of predicted) {
    const left = remaining.get(token) ?? 0;
    if (left > 0) {
      remaining.set(token, left - 1);
      common++;
    }
  }
  const precision = predicted.length ? common / predicted.length : 0;
  const recall = wanted.length ? common / wanted.length : 0;
  // min(1, ...) guards SubScore's range check against a last-bit rounding error.
  const f1 = common === 0 ? 0 : Math.min(1, (2 * precision * recall) / (precision + recall));
  return gradedSubScore("f1_score", f1, options, { expected, got, precision, recall });
}

function tokens(normalized: string): string[] {
  return normalized === "" ? [] : normalized.split(" ");
}
