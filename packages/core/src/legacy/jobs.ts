import { resolve } from "node:path";
import { HudkitError } from "../errors/hudkit-error.js";
import { withCurrentJob } from "../run/current-job.js";
import { Job, jobEngine } from "../run/job.js";
import { DEFAULT_JOBS_DIR } from "../run/job-store.js";
import { readJob } from "../run/read-job.js";

/**
 * Options of {@link createJob} and {@link job}.
 *
 * @example
 * ```ts
 * const options: CreateJobOptions = { metadata: { model: "gpt-5" }, jobsDir: ".hud/jobs" };
 * ```
 */
export interface CreateJobOptions {
  /** Free-form JSON recorded in `job.json`. */
  metadata?: Record<string, unknown>;
  /** Default {@link DEFAULT_JOBS_DIR}. */
  jobsDir?: string;
}

/**
 * Options of {@link loadJob}.
 *
 * @example
 * ```ts
 * const options: LoadJobOptions = { jobsDir: "/tmp/jobs" };
 * ```
 */
export interface LoadJobOptions {
  /** Default {@link DEFAULT_JOBS_DIR}. */
  jobsDir?: string;
}

/**
 * The older API's `create_job`: a new job in the local job store, status `running`. It is the
 * same {@link Job} that `Taskset.run` and `hud eval` write, so `hud jobs list` shows it.
 *
 * @example
 * ```ts
 * const job = await createJob("nightly", { metadata: { model: "gpt-5" } });
 * await taskset.run(agent, { job });
 * ```
 */
export function createJob(name: string, options: CreateJobOptions = {}): Promise<Job> {
  return Job.start({
    name,
    ...(options.metadata === undefined ? {} : { metadata: options.metadata }),
    ...(options.jobsDir === undefined ? {} : { jobsDir: options.jobsDir }),
  });
}

/**
 * The older API's `load_job`: reads any job back from the store, `hud eval`'s included. An
 * unknown id is a `job-not-found` error saying where it looked.
 *
 * @example
 * ```ts
 * const job = await loadJob("9b2c0d6e8f1a4b7c9d3e5f60718293a4");
 * for (const run of await job.loadTrajectories()) console.log(run.slug, run.reward);
 * ```
 */
export async function loadJob(id: string, options: LoadJobOptions = {}): Promise<Job> {
  const jobsDir = options.jobsDir ?? DEFAULT_JOBS_DIR;
  try {
    return await readJob(jobsDir, id);
  } catch (error) {
    if (HudkitError.isInstance(error) && error.code === "job-not-found") {
      const where = resolve(jobsDir, id, "job.json");
      throw new HudkitError(
        "job-not-found",
        `no job ${id}: looked for ${where} (jobs directory ${resolve(jobsDir)}); pass { jobsDir } if the job was written elsewhere`,
        { cause: error },
      );
    }
    throw error;
  }
}

/**
 * The older API's `@job` decorator as a higher-order function: the wrapped function runs inside
 * a new job, and every rollout (`taskset.run`, `runTasks`) and `makeEnv` handle it makes is
 * recorded under that job. Each call of the wrapper makes its own job, `completed` when the
 * function returns and `interrupted` when it throws.
 *
 * @example
 * ```ts
 * const evaluate = job("nightly", { metadata: { model: "gpt-5" } })(async (agent: Agent) => {
 *   await taskset.run(agent);
 *   await using env = await makeEnv(task);
 * });
 * await evaluate(myAgent);
 * ```
 */
export function job(
  name: string,
  options: CreateJobOptions = {},
): <Args extends unknown[], T>(fn: (...args: Args) => Promise<T>) => (...args: Args) => Promise<T> {
  return (fn) =>
    async (...args) => {
      const created = await createJob(name, options);
      let status: "completed" | "interrupted" = "interrupted";
      try {
        const result = await withCurrentJob(created, () => fn(...args));
        status = "completed";
        return result;
      } finally {
        await jobEngine.end(created, status);
      }
    };
}
