import type { Task } from "../task/task.js";
import type { Agent } from "./agent.js";
import { expandGroups } from "./group-expansion.js";
import type { Job } from "./job.js";
import { checkExecution, type ExecutionOptions, executePlan } from "./job-execution.js";
import { DEFAULT_JOBS_DIR } from "./job-store.js";
import { readJob } from "./read-job.js";

/**
 * Finishes a job that was interrupted or killed: reads it from `<jobsDir>/<jobId>/`, runs only
 * the (task slug, group index) pairs that have no recorded run (a run cut short by a crash or an
 * interruption was never recorded), appends them to the same files, and marks the job
 * `completed`. A task keeps the group id it already has in the job. `tasks` are the job's tasks
 * (its `runs.jsonl` keeps slugs and args, not environments or runtime configs).
 *
 * @example
 * ```ts
 * const job = await resumeJob(jobId, taskset, agent, { provider, maxConcurrent: 8 });
 * console.log(`${job.runs.length} runs, reward ${job.reward}`);
 * ```
 */
export async function resumeJob(
  jobId: string,
  tasks: Iterable<Task>,
  agent: Agent,
  options: ExecutionOptions,
): Promise<Job> {
  const list = [...tasks];
  checkExecution(list, agent, options);
  const job = await readJob(options.jobsDir ?? DEFAULT_JOBS_DIR, jobId);
  const recorded = new Set(job.runs.map((run) => pairKey(run.slug, run.groupIndex)));
  const groupIds = new Map(job.runs.map((run) => [run.slug, run.groupId]));
  const missing = expandGroups(list, job.group, groupIds).filter(
    (planned) => !recorded.has(pairKey(planned.task.slug, planned.groupIndex)),
  );
  return executePlan(job, missing, agent, options);
}

function pairKey(slug: string, groupIndex: number): string {
  return JSON.stringify([slug, groupIndex]);
}
