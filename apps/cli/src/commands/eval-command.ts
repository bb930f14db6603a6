import { stat } from "node:fs/promises";
import type { Job, RunTasksOptions, RuntimeProvider, Task, Taskset } from "@hudkit/core";
import { z } from "zod";
import { type AgentModule, loadAgentModule } from "../agent-module.js";
import { CLI_DIR } from "../cli-dir.js";
import { EvalProgress } from "../eval-progress.js";
import { jobReport, jobReportLines, plural } from "../job-report.js";
import { commaList, jobId, parseOptions, secondsAsMs, wholeNumber } from "../option-parsing.js";
import { resumeCommandLine } from "../resume-command-line.js";
import { loadTasksetSource } from "../taskset-sources.js";
import { EXIT_INTERRUPTED, UsageError } from "../usage-error.js";

/** The CLI's own package directory: runtime plugins installed with `hud` resolve from here. */

/** `hud eval`'s options, as commander hands them over (strings), validated and converted. */
export const EvalOptionsSchema = z.object({
  agent: z.string().min(1, { error: "needs the path of an agent module" }),
  runtime: z.string().trim().min(1, { error: "needs a runtime, for example local or docker:<image>" }),
  group: wholeNumber(1).optional(),
  maxConcurrent: wholeNumber(1),
  rolloutTimeout: secondsAsMs().optional(),
  filter: commaList().optional(),
  jobsDir: z.string().min(1, { error: "needs a directory" }),
  json: z.boolean().default(false),
  resume: jobId().optional(),
  imageMap: z.array(z.string()).default([]),
  /** The global `--verbose`: also print the runtime provider's progress lines. */
  verbose: z.boolean().default(false),
});

/**
 * `hud eval <source> --agent <module>`: runs the agent on every task `--group` times through
 * `runTasks` (or finishes a job with `resumeJob`), reports progress, and prints the job's report.
 * Ctrl-C interrupts through the `signal` option: finished runs are kept and the way to resume is
 * printed. Resolves to the exit code: 0 when the job ran, 130 after Ctrl-C.
 */
export async function evalCommand(
  source: string,
  raw: Record<string, unknown>,
  args: string[],
): Promise<number> {
  const options = parseOptions(EvalOptionsSchema, raw);
  const core = await import("@hudkit/core");
  const taskset = await loadTaskset(source, options.filter);
  const { agent, name: agentName } = await loadAgent(options.agent);
  const resumed =
    options.resume === undefined ? undefined : await core.readJob(options.jobsDir, options.resume);
  if (resumed !== undefined && options.group !== undefined && options.group !== resumed.group) {
    throw new UsageError(
      `--group ${options.group} does not match job ${resumed.id}, which runs each task ${resumed.group} ${plural(resumed.group, "time")}: pass --group ${resumed.group} or leave it out`,
    );
  }
  const group = resumed?.group ?? options.group ?? 1;

  const out = options.json ? process.stderr : process.stdout;
  const interrupt = new AbortController();
  let interrupts = 0;
  const onSigint = (): void => {
    interrupts++;
    if (interrupts > 1) process.exit(EXIT_INTERRUPTED);
    interrupt.abort(new Error("interrupted (Ctrl-C)"));
    progress?.note(
      "interrupting: stopping the rollouts in flight, keeping every finished run (Ctrl-C again to quit now)",
    );
  };
  let progress: EvalProgress | undefined;
  process.on("SIGINT", onSigint);
  let job: Job;
  try {
    await using placement = await core
      .placeRuntime(await harborRuntimeFor(options, taskset.tasks), taskset.tasks, {
        projectDir: process.cwd(),
        cliDir: CLI_DIR,
      })
      .catch((error: unknown) => {
        // Core's message speaks to library users ({ runtime: ... }); say it in flags.
        if (!core.HudkitError.isInstance(error) || error.code !== "no-runtime") throw error;
        throw new UsageError(
          `no env to run the tasks of ${source} on: they were not loaded from a module, so pass --runtime local:<env file>, url:tcp://host:port or docker:<image>`,
          { cause: error },
        );
      });
    if (interrupt.signal.aborted) return EXIT_INTERRUPTED;
    progress = new EvalProgress({
      stream: out,
      total: taskset.size * group,
      recorded: resumed === undefined ? 0 : recordedRuns(resumed, taskset.tasks, group),
    });
    const execution: RunTasksOptions = {
      provider: progress.counting(placement.provider),
      maxConcurrent: options.maxConcurrent,
      jobsDir: options.jobsDir,
      taskset: taskset.name,
      agentName,
      signal: interrupt.signal,
      onRun: (run) => progress?.finished(run),
      ...(options.verbose
        ? { log: (line: string) => progress?.note(`${placement.provider.name}: ${line}`) }
        : {}),
      ...(options.rolloutTimeout === undefined ? {} : { rolloutTimeoutMs: options.rolloutTimeout }),
    };
    job =
      resumed === undefined
        ? await core.runTasks(taskset.tasks, agent, { ...execution, group })
        : await core.resumeJob(resumed.id, taskset.tasks, agent, execution);
  } finally {
    progress?.stop();
    process.off("SIGINT", onSigint);
  }

  const order = taskset.tasks.map((task) => task.slug);
  if (options.json) process.stdout.write(`${JSON.stringify(jobReport(job, order), null, 2)}\n`);
  else process.stdout.write(`${jobReportLines(job, order).join("\n")}\n`);
  if (job.status === "interrupted") {
    const { runs } = job.summary();
    process.stderr.write(
      `interrupted: ${runs} of ${taskset.size * group} runs recorded. Resume with: ${resumeCommandLine(args, job.id)}\n`,
    );
  }
  return interrupt.signal.aborted ? EXIT_INTERRUPTED : 0;
}

/** Agents built into `hud`, by the name `--agent` takes when no file of that name exists. */
const BUILTIN_AGENTS = ["oracle", "nop"] as const;

/** `--agent oracle` / `--agent nop` (Harbor's agents), else the agent module at that path. */
async function loadAgent(spec: string): Promise<AgentModule> {
  const builtin = BUILTIN_AGENTS.find((name) => name === spec);
  if (builtin !== undefined && !(await exists(spec))) {
    const harbor = await import("@hudkit/harbor");
    return { agent: builtin === "oracle" ? harbor.oracleAgent : harbor.nopAgent, name: builtin };
  }
  return loadAgentModule(spec);
}

async function exists(path: string): Promise<boolean> {
  return (await stat(path).catch(() => undefined)) !== undefined;
}

/**
 * The runtime for Harbor tasks: `--runtime harbor`, or the default `local` when every task came
 * from a Harbor folder (they have no module to serve them). Anything else is resolved by core.
 */
async function harborRuntimeFor(
  options: z.output<typeof EvalOptionsSchema>,
  tasks: readonly Task[],
): Promise<string | RuntimeProvider> {
  const harbor = await import("@hudkit/harbor");
  const allHarbor = tasks.length > 0 && tasks.every((task) => task.env === harbor.HARBOR_ENV);
  const wanted = options.runtime === "harbor" || (options.runtime === "local" && allHarbor);
  if (!wanted) {
    if (options.imageMap.length > 0)
      throw new UsageError("--image-map applies to Harbor tasks only (--runtime harbor)");
    return options.runtime;
  }
  try {
    return harbor.createHarborRuntime({ imageMap: harbor.parseImageMap(options.imageMap) });
  } catch (error) {
    throw new UsageError((error as Error).message, { cause: error });
  }
}

/** Loads the taskset and keeps the `--filter` slugs; a source without tasks is a usage error. */
async function loadTaskset(source: string, filter: readonly string[] | undefined): Promise<Taskset> {
  const taskset = await loadTasksetSource(source);
  if (taskset.size === 0) {
    throw new UsageError(
      `no tasks in ${source}: export tasks from the module (export const tasks = [template({...})]) or list them in the file`,
    );
  }
  if (filter === undefined) return taskset;
  for (const slug of filter) taskset.get(slug); // an unknown slug throws, suggesting close ones
  return taskset.filter(filter);
}

/** How many of the rollouts this eval plans (tasks × group) the job already recorded. */
function recordedRuns(job: Job, tasks: readonly Task[], group: number): number {
  const slugs = new Set(tasks.map((task) => task.slug));
  const pairs = new Set(
    job.runs
      .filter((run) => slugs.has(run.slug) && run.groupIndex < group)
      .map((run) => `${run.groupIndex} ${run.slug}`),
  );
  return pairs.size;
}
