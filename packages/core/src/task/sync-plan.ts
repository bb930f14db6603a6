import { pythonCanonicalJson } from "./python-json.js";
import type { Task } from "./task.js";
import type { Taskset } from "./taskset.js";

/** The fields of a task that a sync compares, in the order a change is reported. */
const COMPARED_FIELDS = [
  "env",
  "id",
  "args",
  "validation",
  "agent_config",
  "columns",
  "runtime_config",
  "verifier",
] as const;

/** A field of {@link Task} that {@link planSync} compares. */
export type ComparedField = (typeof COMPARED_FIELDS)[number];

/** A task present on both sides whose content differs. */
export interface SyncUpdate {
  slug: string;
  local: Task;
  remote: Task;
  /** The fields that differ, e.g. `["args"]`. */
  changed: ComparedField[];
}

/**
 * What it takes to make a remote taskset match a local one, matched by slug (spec §7's
 * `SyncPlan`). Nothing is ever planned for deletion: `remoteOnly` is reported, not removed.
 */
export interface SyncPlan {
  /** The remote's name, else the local one's: the taskset an upload would target. */
  tasksetName: string;
  /** Local tasks with no remote task of the same slug, in local order. */
  toCreate: Task[];
  /** Tasks on both sides whose content differs, in local order. */
  toUpdate: SyncUpdate[];
  /** Tasks on both sides with the same content, in local order. */
  unchanged: Task[];
  /** Remote tasks with no local task of the same slug, in remote order. */
  remoteOnly: Task[];
}

/**
 * Compares two tasksets slug by slug: which local tasks a sync would create or update, which
 * are already in place, and which exist only remotely.
 *
 * Two tasks are the same when every field but the slug has the same canonical JSON (keys
 * sorted; an absent field and `null` are the same, `{}` is not). Unlike the reference, whose
 * signature leaves the env name out, a task moved to another env is an update.
 *
 * @example
 * ```ts
 * const plan = planSync(await Taskset.fromFile("tasks.ts"), await Taskset.fromFile("remote.jsonl"));
 * syncPlanSummary(plan); // ["Sync plan for 'remote'", "  Create: 1", ...]
 * ```
 */
export function planSync(local: Taskset, remote: Taskset): SyncPlan {
  const remaining = new Map<string, Task>();
  for (const task of remote) remaining.set(task.slug, task);
  const plan: SyncPlan = {
    tasksetName: remote.name || local.name,
    toCreate: [],
    toUpdate: [],
    unchanged: [],
    remoteOnly: [],
  };
  for (const task of local) {
    const match = remaining.get(task.slug);
    if (match === undefined) {
      plan.toCreate.push(task);
      continue;
    }
    remaining.delete(task.slug);
    const changed = changedFields(task, match);
    if (changed.length === 0) plan.unchanged.push(task);
    else plan.toUpdate.push({ slug: task.slug, local: task, remote: match, changed });
  }
  plan.remoteOnly = [...remaining.values()];
  return plan;
}

/**
 * The reference's summary lines: `Sync plan for '<name>'`, then the count of each kind.
 *
 * @example
 * ```ts
 * console.log(syncPlanSummary(planSync(local, remote)).join("\n"));
 * ```
 */
export function syncPlanSummary(plan: SyncPlan): string[] {
  return [
    `Sync plan for '${plan.tasksetName}'`,
    `  Create: ${plan.toCreate.length}`,
    `  Update: ${plan.toUpdate.length}`,
    `  Unchanged: ${plan.unchanged.length}`,
    `  Remote-only: ${plan.remoteOnly.length}`,
  ];
}

function changedFields(local: Task, remote: Task): ComparedField[] {
  return COMPARED_FIELDS.filter((field) => fieldJson(local, field) !== fieldJson(remote, field));
}

function fieldJson(task: Task, field: ComparedField): string {
  const value = task[field];
  return value == null ? "null" : pythonCanonicalJson(value);
}
