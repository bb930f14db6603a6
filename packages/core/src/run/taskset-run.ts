import type { Task } from "../task/task.js";
import type { Agent } from "./agent.js";
import type { Job } from "./job.js";
import { type RunTasksOptions, runTasks } from "./run-tasks.js";
import { placeRuntime, type RuntimeChoice } from "./runtime-placement.js";

/**
 * Options of `Taskset.run` and a minted task's `run`: those of `runTasks`, with `runtime` in
 * place of `provider`.
 *
 * @example
 * ```ts
 * const options: TasksetRunOptions = { runtime: "docker:my-env:latest", group: 3, maxConcurrent: 8 };
 * ```
 */
export interface TasksetRunOptions extends Omit<RunTasksOptions, "provider" | "taskset"> {
  /**
   * Where rollouts run: a provider, `"local"` (the default: each task's own module in a child
   * process per rollout, or its live Environment in this process), or a spec resolved by
   * `resolveRuntime` (`"docker:img"`, `"url:tcp://127.0.0.1:8765"`, a plugin).
   */
  runtime?: RuntimeChoice;
  /** Where `hud.config.*` is read and runtime plugins are resolved first. Default: the cwd. */
  projectDir?: string;
}

/**
 * Runs tasks as the taskset `name` (spec §2 `Taskset.run`): places a runtime, runs every task
 * `group` times into a job (see `runTasks`), and closes whatever runtime it started itself,
 * on every path. An empty list needs no runtime and gives a job with no runs.
 *
 * @example
 * ```ts
 * const job = await runTaskset("letters", tasks, agent, { group: 2, maxConcurrent: 4 });
 * ```
 */
export async function runTaskset(
  name: string,
  tasks: readonly Task[],
  agent: Agent,
  options: TasksetRunOptions = {},
): Promise<Job> {
  const { runtime, projectDir, ...rest } = options;
  await using placement =
    tasks.length === 0 && runtime === undefined
      ? { provider: EMPTY_PROVIDER, [Symbol.asyncDispose]: async () => {} }
      : await placeRuntime(runtime, tasks, projectDir === undefined ? {} : { projectDir });
  // Awaited here, not returned as a promise: the placement must outlive the rollouts.
  return await runTasks(tasks, agent, { ...rest, taskset: name, provider: placement.provider });
}

/** Never asked for anything: there is nothing to run. */
const EMPTY_PROVIDER = {
  specificationVersion: "runtime-v1" as const,
  name: "none",
  acquire: () => Promise.reject(new Error("no tasks to run")),
};
