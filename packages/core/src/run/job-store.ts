import {
  appendFile,
  mkdir,
  readdir,
  readFile,
  rename,
  rm,
  stat,
  truncate,
  writeFile,
} from "node:fs/promises";
import { join } from "node:path";
import { z } from "zod";
import { HudkitError } from "../errors/hudkit-error.js";
import { hexId } from "./hex-id.js";
import { type RunRecord, RunRecordSchema, traceFileOf } from "./run-record.js";
import { type TraceRecord, TraceRecordSchema } from "./trace.js";

/**
 * Where jobs are written unless told otherwise, relative to the working directory.
 *
 * @example
 * ```ts
 * const jobs = await listJobs(DEFAULT_JOBS_DIR);
 * ```
 */
export const DEFAULT_JOBS_DIR = ".hud/jobs";

/**
 * The zod schema of `job.json`: what the job is, how it was run, and where it stands. It is
 * rewritten whole (temp file + rename) when a run of the job starts and when it ends, so a
 * reader never sees half of it.
 *
 * @example
 * ```ts
 * const file = JobFileSchema.parse(JSON.parse(await readFile(".hud/jobs/<id>/job.json", "utf8")));
 * ```
 */
export const JobFileSchema = z.object({
  schema: z.literal("hudkit.job.v1"),
  id: z.string().min(1),
  name: z.string(),
  /** The taskset's name, when the tasks came from one. */
  taskset: z.string().nullable(),
  /** The agent's description (its function name unless given). */
  agent: z.string().nullable(),
  /** The runtime provider's name. */
  runtime: z.string().nullable(),
  group: z.number().int().positive(),
  maxConcurrent: z.number().int().positive().nullable(),
  rolloutTimeoutMs: z.number().positive().nullable(),
  /** What the job's creator attached (`createJob(name, { metadata })`); absent in older files. */
  metadata: z.record(z.string(), z.unknown()).nullable().optional(),
  createdAt: z.string(),
  finishedAt: z.string().nullable(),
  status: z.enum(["running", "completed", "interrupted"]),
  summary: z.object({
    runs: z.number().int().nonnegative(),
    reward: z.number(),
    errors: z.number().int().nonnegative(),
    errorsByPhase: z.record(z.string(), z.number().int().nonnegative()),
  }),
});

/**
 * The contents of `job.json`.
 *
 * @example
 * ```ts
 * for (const file of await listJobs(".hud/jobs")) console.log(file.id, file.name, file.summary.reward);
 * ```
 */
export type JobFile = z.output<typeof JobFileSchema>;

const JOB_ID = /^[A-Za-z0-9_-]+$/;

/**
 * The files of one job under `<jobsDir>/<job-id>/`: `job.json`, `runs.jsonl` (one line per
 * finished run, appended as each finishes) and `traces/<run-id>.json`. Writes are queued so that
 * lines never interleave; each run's trace is in place before its line is.
 *
 * @example
 * ```ts
 * const store = await JobStore.create(".hud/jobs", job.id);
 * await store.appendRun(run.toJSON(), run.trace.toJSON());
 * ```
 */
export class JobStore {
  /** The job's directory. */
  readonly dir: string;
  #queue: Promise<void> = Promise.resolve();
  /** Whether a torn last line (a crash mid-append) has been cut off before appending. */
  #tailChecked = false;

  private constructor(dir: string) {
    this.dir = dir;
  }

  /** Creates the directory of a new job. */
  static async create(jobsDir: string, jobId: string): Promise<JobStore> {
    const dir = jobDir(jobsDir, jobId);
    await mkdir(join(dir, "traces"), { recursive: true });
    const store = new JobStore(dir);
    store.#tailChecked = true;
    return store;
  }

  /** Opens an existing job's directory for more runs; `job-not-found` when there is none. */
  static async open(jobsDir: string, jobId: string): Promise<JobStore> {
    const dir = jobDir(jobsDir, jobId);
    const found = await stat(join(dir, "job.json")).catch(() => undefined);
    if (found === undefined) {
      throw new HudkitError("job-not-found", `no job ${jobId} in ${jobsDir} (no ${join(dir, "job.json")})`);
    }
    await mkdir(join(dir, "traces"), { recursive: true });
    return new JobStore(dir);
  }

  /** Rewrites `job.json` atomically. */
  writeJobFile(file: JobFile): Promise<void> {
    const text = checkedJson(JobFileSchema, file, "job.json", 2);
    return this.#enqueue(() => writeAtomically(join(this.dir, "job.json"), `${text}\n`));
  }

  /**
   * Records a finished run: its trace file, then its line in `runs.jsonl`, written with one
   * append of the complete line so that a crash leaves at most one torn last line. Trace files
   * are written side by side; only the appends are queued.
   */
  async appendRun(record: RunRecord, trace: TraceRecord): Promise<void> {
    // Validate what will be read back (the JSON text), not the object it came from.
    const line = `${checkedJson(RunRecordSchema, record, "run record")}\n`;
    const traceText = `${checkedJson(TraceRecordSchema, trace, "trace")}\n`;
    // No temp file and rename (they cost more than the write): a trace is written once, under a
    // fresh run id, before its run's line, so a trace torn by a crash belongs to a run that was
    // never recorded, and that run will be made again under another id.
    await writeFile(join(this.dir, traceFileOf(record.runId)), traceText, { flag: "wx" });
    await this.#enqueue(async () => {
      if (!this.#tailChecked) {
        await cutTornTail(join(this.dir, "runs.jsonl"));
        this.#tailChecked = true;
      }
      await appendFile(join(this.dir, "runs.jsonl"), line);
    });
  }

  #enqueue(write: () => Promise<void>): Promise<void> {
    const done = this.#queue.then(write);
    this.#queue = done.catch(() => undefined);
    return done;
  }
}

/**
 * Reads a job's `job.json` and the records of `runs.jsonl`. A torn last line (the process died
 * mid-append) is ignored; a bad line anywhere else is `corrupt-job`.
 *
 * @example
 * ```ts
 * const { file, records } = await readJobFiles(".hud/jobs", id);
 * ```
 */
export async function readJobFiles(
  jobsDir: string,
  jobId: string,
): Promise<{ file: JobFile; records: RunRecord[] }> {
  const dir = jobDir(jobsDir, jobId);
  const jobPath = join(dir, "job.json");
  const jobText = await readFile(jobPath, "utf8").catch((error: NodeJS.ErrnoException) => {
    if (error.code === "ENOENT") throw new HudkitError("job-not-found", `no job ${jobId} in ${jobsDir}`);
    throw error;
  });
  const file = parseWith(JobFileSchema, jobText, jobPath);
  const runsPath = join(dir, "runs.jsonl");
  const runsText = await readFile(runsPath, "utf8").catch((error: NodeJS.ErrnoException) => {
    if (error.code === "ENOENT") return "";
    throw error;
  });
  return { file, records: parseRunLines(runsText, runsPath) };
}

/**
 * Reads one run's trace file.
 *
 * @example
 * ```ts
 * const trace = await readTrace(".hud/jobs", run.jobId, run.runId);
 * console.log(trace.steps.length);
 * ```
 */
export async function readTrace(jobsDir: string, jobId: string, runId: string): Promise<TraceRecord> {
  if (!JOB_ID.test(runId))
    throw new HudkitError("bad-run-id", `run id ${JSON.stringify(runId)} is not a run id`);
  const path = join(jobDir(jobsDir, jobId), traceFileOf(runId));
  return parseWith(TraceRecordSchema, await readFile(path, "utf8"), path);
}

/**
 * The records in the text of a `runs.jsonl`. Only newline-terminated lines count: every record
 * is appended together with its newline, so an unterminated tail is a write cut short.
 *
 * @example
 * ```ts
 * parseRunLines(text, "runs.jsonl").length;
 * ```
 */
export function parseRunLines(text: string, where: string): RunRecord[] {
  const lines = text.split("\n");
  lines.pop(); // after the last newline: "" or a torn line
  const records: RunRecord[] = [];
  lines.forEach((line, index) => {
    if (line.trim() === "") return;
    records.push(parseWith(RunRecordSchema, line, `${where}:${index + 1}`));
  });
  return records;
}

/**
 * Every job in `jobsDir`, newest first (an absent directory has none). Directories without a
 * readable `job.json` are not jobs and are skipped.
 *
 * @example
 * ```ts
 * const [latest] = await listJobs(".hud/jobs");
 * ```
 */
export async function listJobs(jobsDir: string = DEFAULT_JOBS_DIR): Promise<JobFile[]> {
  const entries = await readdir(jobsDir, { withFileTypes: true }).catch((error: NodeJS.ErrnoException) => {
    if (error.code === "ENOENT") return [];
    throw error;
  });
  const files: JobFile[] = [];
  for (const entry of entries) {
    if (!entry.isDirectory() || !JOB_ID.test(entry.name)) continue;
    const text = await readFile(join(jobsDir, entry.name, "job.json"), "utf8").catch(() => undefined);
    if (text === undefined) continue;
    const parsed = safeJson(text);
    const file = JobFileSchema.safeParse(parsed);
    if (file.success) files.push(file.data);
  }
  return files.sort((a, b) => (a.createdAt < b.createdAt ? 1 : a.createdAt > b.createdAt ? -1 : 0));
}

function jobDir(jobsDir: string, jobId: string): string {
  // The id becomes a path: refuse anything that could leave jobsDir.
  if (!JOB_ID.test(jobId)) {
    throw new HudkitError(
      "bad-job-id",
      `job id ${JSON.stringify(jobId)} is not a job id (letters, digits, - and _)`,
    );
  }
  return join(jobsDir, jobId);
}

async function writeAtomically(path: string, text: string): Promise<void> {
  const temp = `${path}.${process.pid}.${hexId().slice(0, 8)}.tmp`;
  try {
    await writeFile(temp, text);
    await rename(temp, path);
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
}

/** Cuts an unterminated last line, so the next append starts on a line of its own. */
async function cutTornTail(path: string): Promise<void> {
  const text = await readFile(path).catch((error: NodeJS.ErrnoException) => {
    if (error.code === "ENOENT") return undefined;
    throw error;
  });
  if (text === undefined || text.length === 0 || text[text.length - 1] === 0x0a) return;
  await truncate(path, text.lastIndexOf(0x0a) + 1);
}

function parseWith<T>(schema: z.ZodType<T>, text: string, where: string): T {
  const value = safeJson(text);
  if (value === undefined) throw new HudkitError("corrupt-job", `${where}: not valid JSON`);
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const issues = parsed.error.issues
    .map((issue) => `${issue.path.join(".") || "(root)"}: ${issue.message}`)
    .join("; ");
  throw new HudkitError("corrupt-job", `${where}: ${issues}`);
}

/** The JSON text of `value`, checked by parsing it back the way a reader will. */
function checkedJson<T>(schema: z.ZodType<T>, value: T, what: string, indent?: number): string {
  const text = JSON.stringify(value, null, indent);
  const parsed = schema.safeParse(JSON.parse(text));
  if (!parsed.success) {
    const issues = parsed.error.issues.map(
      (issue) => `${issue.path.join(".") || "(root)"}: ${issue.message}`,
    );
    throw new HudkitError("bad-record", `refusing to write an invalid ${what}: ${issues.join("; ")}`);
  }
  return text;
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
