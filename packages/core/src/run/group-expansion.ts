import type { Task } from "../task/task.js";
import { hexId } from "./hex-id.js";

/**
 * One rollout to run: a task and its place in the task's group.
 *
 * @example
 * ```ts
 * const planned: PlannedRollout = { task, groupId: hexId(), groupIndex: 0 };
 * ```
 */
export interface PlannedRollout {
  readonly task: Task;
  /** Shared by every rollout of this task in the job. */
  readonly groupId: string;
  /** 0 to `group - 1`. */
  readonly groupIndex: number;
}

/**
 * Expands tasks into rollouts task-major (spec §2 step 6): every task gets one group id and
 * `group` consecutive rollouts, so `[a, b]` with group 2 runs `a0 a1 b0 b1`. `groupIds` reuses the
 * group id a task already has in the job (when resuming).
 *
 * @example
 * ```ts
 * expandGroups([a, b], 2).map((p) => `${p.task.slug}#${p.groupIndex}`); // ["a#0", "a#1", "b#0", "b#1"]
 * ```
 */
export function expandGroups(
  tasks: readonly Task[],
  group: number,
  groupIds: ReadonlyMap<string, string> = new Map(),
): PlannedRollout[] {
  const planned: PlannedRollout[] = [];
  for (const task of tasks) {
    const groupId = groupIds.get(task.slug) ?? hexId();
    for (let groupIndex = 0; groupIndex < group; groupIndex++) planned.push({ task, groupId, groupIndex });
  }
  return planned;
}
