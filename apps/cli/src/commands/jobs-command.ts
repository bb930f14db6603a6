import { z } from "zod";
import { jobReport, jobReportLines } from "../job-report.js";
import { oneLine } from "../one-line.js";
import { jobId, parseOptions } from "../option-parsing.js";
import { formatTable } from "../text-table.js";

const JobsDirSchema = z.string().min(1, { error: "needs a directory" });

/** `hud jobs list`'s options. */
export const JobsListOptionsSchema = z.object({
  jobsDir: JobsDirSchema,
  json: z.boolean().default(false),
});

/** `hud jobs show`'s argument and options. */
export const JobsShowOptionsSchema = z.object({
  id: jobId(),
  jobsDir: JobsDirSchema,
  runs: z.boolean().default(false),
  json: z.boolean().default(false),
});

/** `hud jobs list`: every job of the jobs directory (newest first) through `listJobs`. */
export async function jobsListCommand(raw: Record<string, unknown>): Promise<number> {
  const options = parseOptions(JobsListOptionsSchema, raw);
  const { listJobs } = await import("@hudkit/core");
  const jobs = await listJobs(options.jobsDir);
  if (options.json) {
    process.stdout.write(`${JSON.stringify(jobs, null, 2)}\n`);
    return 0;
  }
  if (jobs.length === 0) {
    process.stdout.write(`no jobs in ${options.jobsDir} (\`hud eval\` writes them there)\n`);
    return 0;
  }
  const rows = jobs.map((job) => [
    job.id,
    job.status,
    String(job.summary.runs),
    job.summary.reward.toFixed(2),
    String(job.summary.errors),
    job.createdAt,
    job.name,
  ]);
  const table = formatTable(["id", "status", "runs", "reward", "errors", "created", "name"], rows);
  process.stdout.write(`${table.join("\n")}\n`);
  return 0;
}

/** `hud jobs show <id>`: one job read back through `readJob`; `--runs` lists its runs too. */
export async function jobsShowCommand(id: string, raw: Record<string, unknown>): Promise<number> {
  const options = parseOptions(JobsShowOptionsSchema, { ...raw, id }, ["id"]);
  const { readJob } = await import("@hudkit/core");
  const job = await readJob(options.jobsDir, options.id);
  if (options.json) {
    const report = options.runs
      ? { ...jobReport(job), runs: job.runs.map((run) => run.toJSON()) }
      : jobReport(job);
    process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
    return 0;
  }
  const file = job.toJSON();
  const lines = [
    ...jobReportLines(job),
    `name: ${file.name}`,
    `taskset: ${file.taskset ?? "-"}  agent: ${file.agent ?? "-"}  runtime: ${file.runtime ?? "-"}  group: ${file.group}`,
    `created: ${file.createdAt}  finished: ${file.finishedAt ?? "-"}`,
  ];
  if (job.status === "interrupted") {
    lines.push(`interrupted: finish it with the arguments of its first run plus --resume ${job.id}`);
  }
  if (options.runs) {
    const rows = job.runs.map((run) => [
      run.slug,
      `#${run.groupIndex}`,
      run.error === null ? `reward ${run.reward}` : `error ${oneLine(run.error, 100)}`,
      run.durationMs === null ? "-" : `${Math.round(run.durationMs)} ms`,
      run.runId,
    ]);
    lines.push("", ...formatTable(["task", "group", "outcome", "duration", "run"], rows));
  }
  process.stdout.write(`${lines.join("\n")}\n`);
  return 0;
}
