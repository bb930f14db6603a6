import { HudkitError } from "../errors/hudkit-error.js";
import { SubScore } from "./evaluation-result.js";

/** What every grader accepts to label its {@link SubScore}. */
export interface GraderOptions {
  /** The subscore's name; each grader has its own default. */
  name?: string;
  /** The subscore's weight (default 1); a negative weight is a penalty in `combine`. */
  weight?: number;
}

/**
 * The name and weight a grader's SubScore gets. A weight that is not finite fails here, where
 * it was written, rather than as a NaN reward later; a slow grader checks before it starts.
 */
export function graderLabel(defaultName: string, options: GraderOptions): { name: string; weight: number } {
  const name = options.name ?? defaultName;
  const weight = options.weight ?? 1;
  if (!Number.isFinite(weight)) {
    throw new HudkitError(
      "invalid-weight",
      `grader '${name}': weight must be a finite number, got ${weight}`,
    );
  }
  return { name, weight };
}

/** Builds a grader's SubScore. */
export function gradedSubScore(
  defaultName: string,
  value: number,
  options: GraderOptions,
  info: Record<string, unknown>,
): SubScore {
  return new SubScore({ ...graderLabel(defaultName, options), value, info });
}
