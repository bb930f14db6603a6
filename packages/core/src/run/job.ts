import { dirname } from "node:path";
import { HudkitError } from "../errors/hudkit-error.js";
import { hexId } from "./hex-id.js";
import { DEFAULT_JOBS_DIR, type JobFile, JobStore, readJobFiles, readTrace } from "./job-store.js";
import { PHASES, type Phase } from "./phase.js";
import { Run } from "./run.js";
import { nowIso } from "./trace.js";

/**
 * Where a job stands: `running` while a `runTasks` call works on it, `completed` when that call
 * ran everything it planned, `interrupted` when it was stopped first (the finished runs are kept).
 *
 * @example
 * ```ts
 * if (job.status === "interrupted") console.log(`resume with: hud eval --resume ${job.id}`);
 * ```
 */
export type JobStatus = "running" | "completed" | "interrupted";

/**
 * Options of {@link Job.start}.
 *
 * @example
 * ```ts
 * const options: JobStartOptions = { name: "nightly letters", group: 3 };
 * ```
 */
export interface JobStartOptions {
  name: string;
  /** How many rollouts per task a `runTasks` call makes by default. Default 1. */
  group?: number;
  /** Default {@link DEFAULT_JOBS_DIR}. */
  jobsDir?: string;
  /** The taskset's name, recorded in `job.json`. */
  taskset?: string;
  /** Free-form JSON recorded in `job.json` (the older API's `createJob(name, { metadata })`). */
  metadata?: Record<string, unknown>;
}

/**
 * What `job.json` says about a job's runs (see {@link Job.reward} and {@link Job.errors}).
 *
 * @example
 * ```ts
 * const { runs, reward, errors, errorsByPhase } = job.summary();
 * ```
 */
export interface JobSummary {
  runs: number;
  reward: number;
  errors: number;
  errorsByPhase: Record<string, number>;
}

/** How a run of the job was made, for `job.json`. */
export interface JobRunSettings {
  taskset?: string | null;
  agent: string | null;
  runtime: string | null;
  maxConcurrent: number | null;
  rolloutTimeoutMs: number | null;
}

/** Engine-only operations on a job (not exported from the package). */
export interface JobEngine {
  begin(job: Job, settings: JobRunSettings): Promise<void>;
  end(job: Job, status: "completed" | "interrupted"): Promise<void>;
  restore(file: JobFile, runs: Run[], store: JobStore): Job;
}

/** Filled in by the `Job` class's static block, which alone can reach its private state. */
export const jobEngine = {} as JobEngine;

/**
 * A set of runs written to `<jobsDir>/<job-id>/` as they finish (spec §3.6), with the reference's
 * accounting: {@link reward} averages the runs that have a verdict, {@link errors} lists the rest.
 * Passing a job to several `runTasks` calls accumulates into it.
 *
 * @example
 * ```ts
 * const job = await Job.start({ name: "ablation", group: 2 });
 * await runTasks(tasksA, agentA, { provider, job });
 * await runTasks(tasksB, agentB, { provider, job });
 * console.log(job.reward, job.errors.length, Object.fromEntries(job.errorsByPhase()));
 * ```
 */
export class Job {
  /** 32 hex digits. */
  readonly id: string;
  readonly name: string;
  /** ISO-8601 UTC. */
  readonly createdAt: string;
  /** The job's directory: `job.json`, `runs.jsonl`, `traces/`. */
  readonly dir: string;
  readonly group: number;
  /** What the job's creator attached; null when nothing was. */
  readonly metadata: Record<string, unknown> | null;
  readonly #store: JobStore;
  readonly #runs: Run[] = [];
  #status: JobStatus = "running";
  #finishedAt: string | null = null;
  #settings: JobRunSettings & { taskset: string | null };

  static {
    jobEngine.begin = (job, settings) => job.#begin(settings);
    jobEngine.end = (job, status) => job.#end(status);
    jobEngine.restore = (file, runs, store) => {
      const job = new Job(file, store);
      job.#runs.push(...runs);
      job.#status = file.status;
      job.#finishedAt = file.finishedAt;
      return job;
    };
  }

  private constructor(
    file: Pick<JobFile, "id" | "name" | "createdAt" | "group"> & Partial<JobFile>,
    store: JobStore,
  ) {
    this.id = file.id;
    this.name = file.name;
    this.createdAt = file.createdAt;
    this.group = file.group;
    this.metadata = file.metadata ?? null;
    this.dir = store.dir;
    this.#store = store;
    this.#settings = {
      taskset: file.taskset ?? null,
      agent: file.agent ?? null,
      runtime: file.runtime ?? null,
      maxConcurrent: file.maxConcurrent ?? null,
      rolloutTimeoutMs: file.rolloutTimeoutMs ?? null,
    };
  }

  /**
   * Creates a job and its directory (`Job.start` in the reference). Runs are added by passing it
   * as `job` to `runTasks`, or one by one with {@link add}.
   */
  static async start(options: JobStartOptions): Promise<Job> {
    const group = options.group ?? 1;
    if (!Number.isInteger(group) || group < 1) {
      throw new HudkitError(
        "bad-options",
        `group must be a whole number of rollouts per task, at least 1, got ${group}`,
      );
    }
    const id = hexId();
    const store = await JobStore.create(options.jobsDir ?? DEFAULT_JOBS_DIR, id);
    const job = new Job(
      {
        id,
        name: options.name,
        createdAt: nowIso(),
        group,
        taskset: options.taskset ?? null,
        metadata: options.metadata ?? null,
      },
      store,
    );
    await store.writeJobFile(job.toJSON());
    return job;
  }

  get status(): JobStatus {
    return this.#status;
  }

  /** When the last `runTasks` call on the job ended; null while running. */
  get finishedAt(): string | null {
    return this.#finishedAt;
  }

  /** Every finished run, in the order they finished. */
  get runs(): readonly Run[] {
    return this.#runs;
  }

  /**
   * The mean reward over the runs that have a verdict: not graded as an error, and either
   * carrying a grade frame or not errored. A run that errored but was still graded counts; an
   * infrastructure failure with no verdict is left out rather than counted as 0. 0 with none.
   */
  get reward(): number {
    const counted = this.#runs.filter(hasVerdict);
    if (counted.length === 0) return 0;
    return counted.reduce((sum, run) => sum + run.reward, 0) / counted.length;
  }

  /** The runs left out of {@link reward}: graded as errors, or errored with no grade frame. */
  get errors(): Run[] {
    return this.#runs.filter((run) => !hasVerdict(run));
  }

  /**
   * {@link errors} by the phase they failed in, in phase order. A run the env itself graded as
   * an error (`isError` in the grade frame) counts under `grading`.
   */
  errorsByPhase(): Map<Phase, Run[]> {
    const byPhase = new Map<Phase, Run[]>();
    for (const run of this.errors) {
      const phase = run.errorPhase ?? "grading";
      const runs = byPhase.get(phase) ?? [];
      runs.push(run);
      byPhase.set(phase, runs);
    }
    return new Map(PHASES.filter((phase) => byPhase.has(phase)).map((phase) => [phase, byPhase.get(phase)!]));
  }

  /** The runs by task slug, in run order. */
  get results(): Map<string, Run[]> {
    const results = new Map<string, Run[]>();
    for (const run of this.#runs) {
      const runs = results.get(run.slug) ?? [];
      runs.push(run);
      results.set(run.slug, runs);
    }
    return results;
  }

  summary(): JobSummary {
    const errorsByPhase: Record<string, number> = {};
    for (const [phase, runs] of this.errorsByPhase()) errorsByPhase[phase] = runs.length;
    return { runs: this.#runs.length, reward: this.reward, errors: this.errors.length, errorsByPhase };
  }

  /**
   * Adds a finished run: its trace file and its `runs.jsonl` line are written, then it joins
   * {@link runs}. For runs made with `rollout(task, agent, { jobId: job.id, ... })`.
   */
  async add(run: Run): Promise<void> {
    if (run.finishedAt === null) {
      throw new HudkitError(
        "run-not-finished",
        `run ${run.runId} is still in progress; add it once rollout() returned`,
      );
    }
    if (run.jobId !== this.id) {
      throw new HudkitError(
        "wrong-job",
        `run ${run.runId} belongs to job ${run.jobId}, not ${this.id}; pass jobId: job.id to rollout()`,
      );
    }
    await this.#store.appendRun(run.toJSON(), run.trace.toJSON());
    this.#runs.push(run);
  }

  /**
   * Every run recorded in the job's directory, read back with its trace (steps, prompt, answer,
   * reward, timings): the older API's `job.load_trajectories()`. Read from disk, not from
   * {@link runs}, so it also sees runs another process or handle added.
   *
   * @example
   * ```ts
   * for (const run of await job.loadTrajectories()) console.log(run.answer, run.reward, run.trace.steps.length);
   * ```
   */
  async loadTrajectories(): Promise<Run[]> {
    const jobsDir = dirname(this.dir);
    const { records } = await readJobFiles(jobsDir, this.id);
    return Promise.all(
      records.map(async (record) => {
        // A missing trace (the process died between the two writes) leaves the run without steps.
        const trace = await readTrace(jobsDir, this.id, record.runId).catch(() => undefined);
        return Run.fromRecord(record, trace);
      }),
    );
  }

  /** The contents of `job.json`. */
  toJSON(): JobFile {
    return {
      schema: "hudkit.job.v1",
      id: this.id,
      name: this.name,
      taskset: this.#settings.taskset,
      agent: this.#settings.agent,
      runtime: this.#settings.runtime,
      group: this.group,
      maxConcurrent: this.#settings.maxConcurrent,
      rolloutTimeoutMs: this.#settings.rolloutTimeoutMs,
      metadata: this.metadata,
      createdAt: this.createdAt,
      finishedAt: this.#finishedAt,
      status: this.#status,
      summary: this.summary(),
    };
  }

  async #begin(settings: JobRunSettings): Promise<void> {
    this.#settings = { ...settings, taskset: settings.taskset ?? this.#settings.taskset };
    this.#status = "running";
    this.#finishedAt = null;
    await this.#store.writeJobFile(this.toJSON());
  }

  async #end(status: "completed" | "interrupted"): Promise<void> {
    this.#status = status;
    this.#finishedAt = nowIso();
    await this.#store.writeJobFile(this.toJSON());
  }
}

/** Spec §3.6: `not grade.is_error and (grade.raw or not trace.is_error)`. */
function hasVerdict(run: Run): boolean {
  return !run.grade.isError && (Object.keys(run.grade.raw).length > 0 || run.trace.status !== "error");
}
