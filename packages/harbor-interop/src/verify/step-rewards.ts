/**
 * How a multi-step task's reward is made from its steps' rewards:
 * `[task].multi_step_reward_strategy`, `"mean"` when unset (spec §1.7).
 *
 * @example
 * ```ts
 * const strategy: StepRewardStrategy = task.config.multi_step_reward_strategy ?? "mean";
 * ```
 */
export type StepRewardStrategy = "mean" | "final";

/**
 * Whether a step's rewards clear its `min_reward` gate (spec §5 item 36), so that the next
 * step runs. A number gates the `reward` key; a table gates each of its keys (all must pass).
 * A key the rewards lack, or no rewards at all (`null`: the verifier failed), fails the gate,
 * as Harbor reads a missing value as -inf. No gate (`undefined`) always passes; so does an
 * empty table, which gates nothing. A reward equal to its threshold passes.
 *
 * @example
 * ```ts
 * passesMinReward(0.5, { reward: 0.5 }); // true
 * passesMinReward({ tests: 1, lint: 0.8 }, { tests: 1, lint: 0.5 }); // false
 * passesMinReward(0, null); // false
 * passesMinReward(undefined, null); // true: no gate (the step's own error stops the task)
 * ```
 */
export function passesMinReward(
  minReward: number | Record<string, number> | undefined,
  rewards: Record<string, number> | null,
): boolean {
  if (minReward === undefined) return true;
  const gates = typeof minReward === "number" ? { reward: minReward } : minReward;
  return Object.entries(gates).every(([key, threshold]) => rewardOf(rewards, key) >= threshold);
}

function rewardOf(rewards: Record<string, number> | null, key: string): number {
  if (rewards === null || !Object.hasOwn(rewards, key)) return Number.NEGATIVE_INFINITY;
  return rewards[key]!;
}

/**
 * The trial reward of a multi-step task from its executed steps, in order (spec §5 item 37):
 *
 * - `"final"`: the last executed step's rewards as they are, `null` included (a copy);
 * - `"mean"`: per key, the mean over the steps that have rewards, a key a step lacks counting
 *   as 0 for that step; steps with `null` rewards are left out of the denominator.
 *
 * `null` when there is nothing to aggregate: no steps, no step with rewards, or no keys.
 *
 * @example
 * ```ts
 * const steps = [{ rewards: { reward: 1, style: 1 } }, { rewards: null }, { rewards: { reward: 0 } }];
 * aggregateStepRewards("mean", steps); // { reward: 0.5, style: 0.5 }
 * aggregateStepRewards("final", steps); // { reward: 0 }
 * ```
 */
export function aggregateStepRewards(
  strategy: StepRewardStrategy,
  steps: ReadonlyArray<{ rewards: Record<string, number> | null }>,
): Record<string, number> | null {
  if (strategy === "final") {
    const last = steps.at(-1)?.rewards ?? null;
    return last === null ? null : { ...last };
  }
  const scored = steps.flatMap((step) => (step.rewards === null ? [] : [step.rewards]));
  const sums = new Map<string, number>();
  for (const rewards of scored) {
    for (const [key, value] of Object.entries(rewards)) sums.set(key, (sums.get(key) ?? 0) + value);
  }
  if (sums.size === 0) return null;
  const mean: Record<string, number> = {};
  for (const [key, sum] of sums) mean[key] = sum / scored.length;
  return mean;
}
