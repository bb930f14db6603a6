import type { Job, JobFile } from "@hudkit/core";
import { oneLine } from "./one-line.js";
import { formatTable } from "./text-table.js";

/**
 * One task's line in a job report. `reward` is the mean over the task's runs that have a verdict
 * (the job's own accounting: its errors are left out), null when none has.
 */
export interface TaskResult {
  slug: string;
  runs: number;
  reward: number | null;
  errors: number;
}

/**
 * What `hud eval --json` and `hud jobs show --json` print: `job.json` as the job store writes it,
 * plus the job's directory and the mean reward of each task.
 */
export type JobReport = JobFile & { dir: string; tasks: TaskResult[] };

/**
 * The job's results by task: in `order` (the taskset's) first, then any other task in the job.
 *
 * @example
 * ```ts
 * for (const { slug, reward } of taskResults(job)) console.log(slug, reward);
 * ```
 */
export function taskResults(job: Job, order: readonly string[] = []): TaskResult[] {
  const results = job.results;
  const errored = new Set(job.errors.map((run) => run.runId));
  const known = new Set(order);
  const slugs = [
    ...order.filter((slug) => results.has(slug)),
    ...[...results.keys()].filter((slug) => !known.has(slug)),
  ];
  return slugs.map((slug) => {
    const runs = results.get(slug) ?? [];
    const counted = runs.filter((run) => !errored.has(run.runId));
    const reward =
      counted.length === 0 ? null : counted.reduce((sum, run) => sum + run.reward, 0) / counted.length;
    return { slug, runs: runs.length, reward, errors: runs.length - counted.length };
  });
}

/** {@link JobReport} of a job. */
export function jobReport(job: Job, order: readonly string[] = []): JobReport {
  return { ...job.toJSON(), dir: job.dir, tasks: taskResults(job, order) };
}

/**
 * The human report of a job: a headline, mean reward per task, errors by phase (with the first
 * error of each), runs that failed yet were graded (an agent that threw: they count in the
 * reward, as the job counts them), and the job directory.
 *
 * @example
 * ```ts
 * for (const line of jobReportLines(job)) console.log(line);
 * ```
 */
export function jobReportLines(job: Job, order: readonly string[] = []): string[] {
  const rows = taskResults(job, order).map((task) => [
    task.slug,
    String(task.runs),
    task.reward === null ? "-" : task.reward.toFixed(2),
    String(task.errors),
  ]);
  const lines = [jobHeadline(job), ""];
  if (rows.length > 0) lines.push(...formatTable(["task", "runs", "reward", "errors"], rows), "");
  const byPhase = [...job.errorsByPhase()];
  if (byPhase.length === 0) {
    lines.push("errors: none");
  } else {
    lines.push("errors by phase:");
    for (const [phase, runs] of byPhase) {
      const first = runs[0]!;
      const example = first.error ?? first.grade.content ?? "graded as an error";
      lines.push(
        `  ${phase}: ${runs.length}  (e.g. ${first.slug} #${first.groupIndex}: ${oneLine(example)})`,
      );
    }
  }
  const errored = new Set(job.errors.map((run) => run.runId));
  const gradedFailures = new Map<string, number>();
  for (const run of job.runs) {
    if (run.error === null || errored.has(run.runId)) continue;
    const phase = run.errorPhase ?? "unknown phase";
    gradedFailures.set(phase, (gradedFailures.get(phase) ?? 0) + 1);
  }
  if (gradedFailures.size > 0) {
    const counts = [...gradedFailures].map(([phase, count]) => `${phase}: ${count}`).join(", ");
    lines.push(`failed but still graded (counted in the reward): ${counts}`);
  }
  lines.push(`job directory: ${job.dir}`);
  return lines;
}

/** `job <id> completed: reward 0.75 over 12 runs, 1 error`. */
export function jobHeadline(job: Job): string {
  const { runs, reward, errors } = job.summary();
  return `job ${job.id} ${job.status}: reward ${reward.toFixed(2)} over ${runs} ${plural(runs, "run")}, ${errors} ${plural(errors, "error")}`;
}

export function plural(count: number, noun: string): string {
  return count === 1 ? noun : `${noun}s`;
}
