import { setMaxListeners } from "node:events";
import { HudkitError } from "../errors/hudkit-error.js";
import type { RuntimeProvider } from "../runtime/provider.js";
import type { Task } from "../task/task.js";
import type { Agent } from "./agent.js";
import { describeError } from "./failure.js";
import type { PlannedRollout } from "./group-expansion.js";
import { type Job, jobEngine } from "./job.js";
import { rollout } from "./rollout.js";
import { checkAgent, checkProvider } from "./rollout-inputs.js";
import { runPool } from "./rollout-pool.js";
import { checkRolloutTimeout, validateRolloutTimeouts } from "./rollout-timeouts.js";
import type { Run } from "./run.js";

/**
 * What every way of running a batch takes (`runTasks`, `resumeJob`).
 *
 * @example
 * ```ts
 * const options: ExecutionOptions = { provider, maxConcurrent: 8, rolloutTimeoutMs: 600_000 };
 * ```
 */
export interface ExecutionOptions {
  /** Acquires one fresh substrate per rollout. */
  provider: RuntimeProvider;
  /** At most this many rollouts at once; a whole number, at least 1. Default: no limit. */
  maxConcurrent?: number;
  /** Bounds each rollout, teardown included (see `rollout`). */
  rolloutTimeoutMs?: number;
  /**
   * Interrupts the batch: nothing new starts, rollouts in flight are cancelled and torn down,
   * and the job is returned with status `interrupted`, every finished run kept.
   */
  signal?: AbortSignal;
  /** Where jobs are written. Default `.hud/jobs`. */
  jobsDir?: string;
  /** The taskset's name, for `job.json` and the default job name. */
  taskset?: string;
  /** How `job.json` describes the agent. Default: the agent function's name. */
  agentName?: string;
  /** Called with each finished run, once it is written. A throw is logged, not fatal. */
  onRun?: (run: Run) => void | Promise<void>;
  /** Receives the provider's progress lines. */
  log?: (line: string) => void;
}

/** Validates what is common to runTasks and resumeJob, before anything runs. */
export function checkExecution(tasks: readonly Task[], agent: Agent, options: ExecutionOptions): void {
  checkAgent(agent);
  if (typeof options !== "object" || options === null) {
    throw new HudkitError("bad-options", "options are required: { provider, ... }");
  }
  checkProvider(options.provider);
  const { maxConcurrent, rolloutTimeoutMs } = options;
  if (maxConcurrent !== undefined && !(Number.isInteger(maxConcurrent) && maxConcurrent >= 1)) {
    throw new HudkitError(
      "bad-options",
      `maxConcurrent must be a whole number of rollouts, at least 1, got ${String(maxConcurrent)}; leave it out for no limit`,
    );
  }
  if (rolloutTimeoutMs !== undefined) checkRolloutTimeout(rolloutTimeoutMs);
  const seen = new Set<string>();
  const duplicates = new Set<string>();
  for (const task of tasks) {
    if (seen.has(task.slug)) duplicates.add(task.slug);
    seen.add(task.slug);
  }
  if (duplicates.size > 0) {
    throw new HudkitError(
      "duplicate-slugs",
      `duplicate task slugs: ${[...duplicates].sort().join(", ")}; every task of a job needs its own slug`,
    );
  }
  // Spec §2 step 5: a contradiction in any task fails the whole call before anything runs.
  for (const task of tasks) validateRolloutTimeouts(task, rolloutTimeoutMs);
}

/**
 * Runs planned rollouts into a job: at most `maxConcurrent` at once, each finished run written
 * as soon as it finishes. An interrupted rollout is not a finished run: it is not written, so a
 * resume runs it again. A failure to write stops the batch and is thrown once the rollouts in
 * flight have ended.
 */
export async function executePlan(
  job: Job,
  plan: readonly PlannedRollout[],
  agent: Agent,
  options: ExecutionOptions,
): Promise<Job> {
  const { provider, rolloutTimeoutMs, signal, onRun, log } = options;
  await jobEngine.begin(job, {
    ...(options.taskset === undefined ? {} : { taskset: options.taskset }),
    agent: options.agentName ?? (agent.name || "anonymous agent"),
    runtime: typeof provider.name === "string" ? provider.name : null,
    maxConcurrent: options.maxConcurrent ?? null,
    rolloutTimeoutMs: rolloutTimeoutMs ?? null,
  });
  // One signal for every rollout of the batch: the caller's interruption or a store failure.
  const stop = new AbortController();
  // Every rollout in flight listens to it (and stops listening when it ends): not a leak.
  setMaxListeners(0, stop.signal);
  const interrupt = (): void => stop.abort(signal?.reason);
  signal?.addEventListener("abort", interrupt, { once: true });
  if (signal?.aborted) interrupt();
  let written = 0;
  let storeFailure: { error: unknown } | undefined;
  try {
    await runPool(plan, options.maxConcurrent ?? plan.length, stop.signal, async (planned) => {
      const run = await rollout(planned.task, agent, {
        provider,
        jobId: job.id,
        groupId: planned.groupId,
        groupIndex: planned.groupIndex,
        signal: stop.signal,
        ...(rolloutTimeoutMs === undefined ? {} : { rolloutTimeoutMs }),
        ...(log === undefined ? {} : { log }),
      });
      if (run.trace.status === "cancelled") return;
      try {
        await job.add(run);
        written++;
      } catch (error) {
        storeFailure ??= { error };
        stop.abort(error);
        return;
      }
      await notify(onRun, run);
    });
  } finally {
    signal?.removeEventListener("abort", interrupt);
    const status = written === plan.length && storeFailure === undefined ? "completed" : "interrupted";
    await jobEngine.end(job, status).catch((error: unknown) => {
      storeFailure ??= { error };
    });
  }
  if (storeFailure !== undefined) {
    throw new HudkitError(
      "job-store-failed",
      `could not write job ${job.id} to ${job.dir}: ${describeError(storeFailure.error)}`,
      { cause: storeFailure.error },
    );
  }
  return job;
}

async function notify(onRun: ExecutionOptions["onRun"], run: Run): Promise<void> {
  if (onRun === undefined) return;
  try {
    await onRun(run);
  } catch (error) {
    // The run is already written; a failing progress callback must not lose the rest.
    console.warn(`hudkit: onRun threw for run ${run.runId}: ${describeError(error)}`);
  }
}
