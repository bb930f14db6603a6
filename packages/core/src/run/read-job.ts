import { type Job, jobEngine } from "./job.js";
import { JobStore, readJobFiles, readTrace } from "./job-store.js";
import { Run } from "./run.js";
import type { TraceRecord } from "./trace.js";

/**
 * Options of {@link readJob}.
 *
 * @example
 * ```ts
 * const options: ReadJobOptions = { traces: true };
 * ```
 */
export interface ReadJobOptions {
  /** Also load every run's trace file, so `run.trace.steps` is filled. Default false. */
  traces?: boolean;
}

/**
 * Reads a job back from `<jobsDir>/<id>/`: its `job.json` and every run recorded in
 * `runs.jsonl` (a torn last line, left by a crash, is ignored). Runs are read-only records; a job
 * read this way still accepts more runs (`resumeJob` does that). Throws `job-not-found` when
 * there is no such job and `corrupt-job` when a file does not parse.
 *
 * @example
 * ```ts
 * const job = await readJob(".hud/jobs", "9b2c0d6e8f1a4b7c9d3e5f60718293a4");
 * console.log(job.status, job.runs.length, job.reward);
 * ```
 */
export async function readJob(jobsDir: string, id: string, options: ReadJobOptions = {}): Promise<Job> {
  const { file, records } = await readJobFiles(jobsDir, id);
  const runs: Run[] = [];
  for (const record of records) {
    let trace: TraceRecord | undefined;
    // A missing trace (the process died between the two writes) leaves the run without steps.
    if (options.traces) trace = await readTrace(jobsDir, id, record.runId).catch(() => undefined);
    runs.push(Run.fromRecord(record, trace));
  }
  return jobEngine.restore(file, runs, await JobStore.open(jobsDir, id));
}
