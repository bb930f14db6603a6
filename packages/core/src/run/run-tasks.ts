import { HudkitError } from "../errors/hudkit-error.js";
import type { Task } from "../task/task.js";
import type { Agent } from "./agent.js";
import { currentJob } from "./current-job.js";
import { expandGroups } from "./group-expansion.js";
import { Job } from "./job.js";
import { checkExecution, type ExecutionOptions, executePlan } from "./job-execution.js";

/**
 * Options of {@link runTasks}.
 *
 * @example
 * ```ts
 * const options: RunTasksOptions = { provider, group: 3, maxConcurrent: 8, signal: controller.signal };
 * ```
 */
export interface RunTasksOptions extends ExecutionOptions {
  /** Rollouts per task; a whole number, at least 1. Default: the job's group, else 1. */
  group?: number;
  /**
   * Accumulate into this job (see `Job.start`) instead of starting a new one. Default: the job
   * of the enclosing `job(name)(fn)` call, if any.
   */
  job?: Job;
  /** The new job's name. Default: the task id for one task, else `<taskset> (<n> tasks)`, plus `(<group> times)`. */
  name?: string;
}

/**
 * Runs every task `group` times with `agent` (spec §2, `Taskset.run`) and returns the job. The
 * options are checked first (`maxConcurrent`, `group`, every task's timeouts, duplicate slugs),
 * so a mistake fails before anything runs. Then each task gets one group id and `group`
 * consecutive rollouts (task-major), at most `maxConcurrent` at once, each on its own substrate.
 *
 * The job is written as it runs to `<jobsDir>/<job-id>/`: `job.json` at the start and the end,
 * a `runs.jsonl` line and a trace file as each run finishes. When `signal` aborts, nothing new
 * starts, rollouts in flight are cancelled and torn down, and the job comes back `interrupted`
 * with every finished run (`resumeJob` runs the rest). Rollout failures never throw: they are
 * runs with an error and a phase.
 *
 * @example
 * ```ts
 * const controller = new AbortController();
 * process.once("SIGINT", () => controller.abort());
 * const job = await runTasks(tasks, agent, { provider, group: 3, maxConcurrent: 8, signal: controller.signal });
 * console.log(job.status, job.reward, job.errors.length);
 * ```
 */
export async function runTasks(tasks: Iterable<Task>, agent: Agent, options: RunTasksOptions): Promise<Job> {
  const list = [...tasks];
  checkExecution(list, agent, options);
  const group = options.group ?? options.job?.group ?? 1;
  if (!Number.isInteger(group) || group < 1) {
    throw new HudkitError(
      "bad-options",
      `group must be a whole number of rollouts per task, at least 1, got ${String(options.group)}`,
    );
  }
  const job =
    options.job ??
    currentJob() ??
    (await Job.start({
      name: options.name ?? defaultJobName(list, group, options.taskset),
      group,
      ...(options.jobsDir === undefined ? {} : { jobsDir: options.jobsDir }),
      ...(options.taskset === undefined ? {} : { taskset: options.taskset }),
    }));
  return executePlan(job, expandGroups(list, group), agent, options);
}

/** The reference's `_job_name`. */
function defaultJobName(tasks: readonly Task[], group: number, taskset: string | undefined): string {
  const base = tasks.length === 1 ? tasks[0]!.id : `${taskset ?? "taskset"} (${tasks.length} tasks)`;
  return group > 1 ? `${base} (${group} times)` : base;
}
