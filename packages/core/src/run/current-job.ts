import { AsyncLocalStorage } from "node:async_hooks";
import type { Job } from "./job.js";

// The one sanctioned piece of ambient state: the older API's `job(...)` wrapper records every
// rollout and env handle made inside it without those calls taking the job as an argument.
const storage = new AsyncLocalStorage<Job>();

/**
 * The job of the enclosing `job(name)(fn)` call, or undefined outside one.
 *
 * @example
 * ```ts
 * const job = currentJob(); // inside job("nightly")(async () => { ... })
 * ```
 */
export function currentJob(): Job | undefined {
  return storage.getStore();
}

/**
 * Runs `fn` with `job` as the {@link currentJob} of everything it awaits.
 *
 * @example
 * ```ts
 * await withCurrentJob(job, () => taskset.run(agent));
 * ```
 */
export function withCurrentJob<T>(job: Job, fn: () => Promise<T>): Promise<T> {
  return storage.run(job, fn);
}
