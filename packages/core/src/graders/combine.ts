import { HudkitError } from "../errors/hudkit-error.js";
import { EvaluationResult, SubScore, type SubScoreInit } from "./evaluation-result.js";
import { type GraderOptions, graderLabel } from "./grader-options.js";
import { uniqueSubScoreNames } from "./subscore-names.js";

/** A subscore, or a grader still running (`bashGrader(...)`). */
export type CombineItem = SubScore | SubScoreInit | PromiseLike<SubScore | SubScoreInit>;

/** Options of {@link combine}. */
export interface CombineOptions {
  /** Names the combination in error messages and, when set, in the result's `info.name`. */
  name?: string;
}

// Sums of normalised weights land a few ulps off 0 or 1; only a real overshoot is worth noting.
const CLAMP_NOTE_EPSILON = 1e-9;

/**
 * Combines subscores into an `EvaluationResult`, the reference's `combine`. Promises run
 * concurrently and keep their positions. Each positive weight is divided by the sum of the
 * positive weights; negative weights (penalties) are kept as they are. Repeated names become
 * `name-1`, `name-2`, ... (see the reference's rule). `reward` is Σ value × weight.
 *
 * Unlike the reference, the reward is clamped to [0, 1], so a penalty cannot send a negative
 * score; when clamping changed it, `info.unclamped_reward` keeps the sum. An empty list, or one
 * without a positive weight, is a HudkitError (`empty-subscores`, `no-positive-weight`).
 *
 * @example
 * ```ts
 * yield await combine([
 *   bashGrader({ command: "npm test", cwd: "/workspace", weight: 0.6 }),
 *   exactMatch(answer, "42", { weight: 0.4 }),
 *   contains(answer, "rm -rf", { name: "dangerous", weight: -0.5 }),
 * ]);
 * ```
 */
export async function combine(
  items: readonly CombineItem[],
  options: CombineOptions = {},
): Promise<EvaluationResult> {
  const label = options.name === undefined ? "combine" : `combine '${options.name}'`;
  const subscores = (await Promise.all(items)).map((item, i) => toSubScore(label, item, i));
  if (subscores.length === 0) throw new HudkitError("empty-subscores", `${label}: no subscores to combine`);
  const positiveSum = subscores.reduce((sum, s) => (s.weight > 0 ? sum + s.weight : sum), 0);
  if (!(positiveSum > 0)) {
    throw new HudkitError("no-positive-weight", `${label}: at least one subscore needs a positive weight`);
  }
  const names = uniqueSubScoreNames(subscores.map((s) => s.name));
  const normalized = subscores.map((s, i) =>
    copySubScore(s, { name: names[i]!, weight: s.weight > 0 ? s.weight / positiveSum : s.weight }),
  );
  const sum = normalized.reduce((total, s) => total + s.value * s.weight, 0);
  const reward = Math.min(1, Math.max(0, sum));
  const info: Record<string, unknown> = {};
  if (options.name !== undefined) info.name = options.name;
  if (sum < -CLAMP_NOTE_EPSILON || sum > 1 + CLAMP_NOTE_EPSILON) info.unclamped_reward = sum;
  return new EvaluationResult({ reward, done: true, info, subscores: normalized });
}

/**
 * A subscore that passes when any input passes: value is the largest input value, the inputs
 * (renamed as {@link combine} does) are its children. Default name `"any"`, weight 1. An empty
 * list is a HudkitError `empty-subscores`.
 *
 * @example
 * ```ts
 * combineAny([exactMatch(answer, "Paris"), exactMatch(answer, "Paris, France")], { name: "city" });
 * ```
 */
export function combineAny(
  subscores: readonly (SubScore | SubScoreInit)[],
  options: GraderOptions = {},
): SubScore {
  return parentSubScore("any", subscores, options, (values) => Math.max(...values));
}

/**
 * A subscore that passes only when every input passes: value is the smallest input value, the
 * inputs (renamed as {@link combine} does) are its children. Default name `"all"`, weight 1. An
 * empty list is a HudkitError `empty-subscores`.
 *
 * @example
 * ```ts
 * combineAll([contains(answer, "red"), contains(answer, "blue")], { name: "colours", weight: 0.5 });
 * ```
 */
export function combineAll(
  subscores: readonly (SubScore | SubScoreInit)[],
  options: GraderOptions = {},
): SubScore {
  return parentSubScore("all", subscores, options, (values) => Math.min(...values));
}

function parentSubScore(
  defaultName: string,
  items: readonly (SubScore | SubScoreInit)[],
  options: GraderOptions,
  pick: (values: number[]) => number,
): SubScore {
  const { name, weight } = graderLabel(defaultName, options);
  const subscores = items.map((item, i) => toSubScore(`combine '${name}'`, item, i));
  if (subscores.length === 0) throw new HudkitError("empty-subscores", `combine '${name}': no subscores`);
  const names = uniqueSubScoreNames(subscores.map((s) => s.name));
  const children = subscores.map((s, i) => copySubScore(s, { name: names[i]! }));
  return new SubScore({ name, value: pick(children.map((c) => c.value)), weight, children });
}

// A SubScore from another copy of @hudkit/core fails `instanceof`, so a well-formed plain
// object is accepted too; SubScore's constructor re-checks the value.
function toSubScore(label: string, item: unknown, index: number): SubScore {
  if (item instanceof SubScore) return checkWeight(label, item);
  if (
    typeof item === "object" &&
    item !== null &&
    typeof (item as SubScoreInit).name === "string" &&
    typeof (item as SubScoreInit).value === "number"
  ) {
    return checkWeight(label, new SubScore(item as SubScoreInit));
  }
  const kind = item === null ? "null" : Array.isArray(item) ? "an array" : typeof item;
  throw new HudkitError(
    "invalid-subscore",
    `${label}: item ${index} is ${kind}, expected a SubScore or a promise of one`,
  );
}

function checkWeight(label: string, subscore: SubScore): SubScore {
  if (!Number.isFinite(subscore.weight)) {
    throw new HudkitError(
      "invalid-weight",
      `${label}: subscore '${subscore.name}' has weight ${subscore.weight}, expected a finite number`,
    );
  }
  return subscore;
}

function copySubScore(subscore: SubScore, changes: { name: string; weight?: number }): SubScore {
  return new SubScore({
    name: changes.name,
    value: subscore.value,
    weight: changes.weight ?? subscore.weight,
    children: subscore.children,
    info: subscore.info,
  });
}
