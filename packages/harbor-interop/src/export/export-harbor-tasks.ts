import { readFile } from "node:fs/promises";
import { basename, isAbsolute, join, relative, resolve } from "node:path";
import { bundleEnvironment, type Environment, HudkitError, type Task, Taskset } from "@hudkit/core";
import { entrypointScript, solveScript, testScript } from "./container-scripts.js";
import { bundleTaskDriver } from "./driver-bundle.js";
import { type ExportHarborOptions, parseExportOptions } from "./export-options.js";
import { type DockerfileBase, exportedDockerfile, readDockerfileBase } from "./exported-dockerfile.js";
import { exportedInstruction } from "./exported-instruction.js";
import { exportedTaskToml } from "./exported-task-toml.js";
import { resolveTaskEnvironments, type TaskEnvironment } from "./task-environments.js";
import { harborFolderNames } from "./task-folder-name.js";
import { refuseFolderClashes, writeTaskFolder } from "./task-folder-writer.js";
import { type MaterializedTask, materializeTasks } from "./task-materialization.js";

/**
 * One task folder {@link exportHarborTasks} wrote.
 *
 * @example
 * ```ts
 * const task: ExportedHarborTask = { slug: "count_letter-1a2b3c4d", dir: "/abs/out/count_letter-1a2b3c4d", solution: true };
 * ```
 */
export interface ExportedHarborTask {
  /** The hudkit task's slug. */
  slug: string;
  /** The absolute task folder. */
  dir: string;
  /** Whether `solution/solve.sh` was written (the template declares a `solution`). */
  solution: boolean;
}

/**
 * What {@link exportHarborTasks} returns.
 *
 * @example
 * ```ts
 * const { written } = await exportHarborTasks({ source: "tasks.ts", outDir: "out" });
 * ```
 */
export interface ExportHarborResult {
  /** The folders written, in taskset order. */
  written: ExportedHarborTask[];
}

/**
 * Writes every task of a hudkit taskset as a Harbor task folder, `<outDir>/<slug>` (`/` and
 * other characters Harbor refuses become `-`), that Harbor runs with any agent:
 *
 * - `task.toml`: schema 1.4, `[task] name = "hudkit/<folder>"`, the hudkit task in `[metadata]`,
 *   explicit agent, verifier and build timeouts;
 * - `instruction.md`: the prompt, read by starting the task once here, plus where to write the
 *   final answer (`answerFile`);
 * - `environment/`: a Dockerfile on the env's base image (legacy builder syntax only) with
 *   `hudkit/`: the env bundled into `env.mjs` (no npm install in the image), the task driver
 *   `task.mjs`, and `entrypoint.sh`, which serves the env on `127.0.0.1:8765` and starts the task
 *   when the container starts;
 * - `tests/test.sh`: grades the answer file into `/logs/verifier/reward.txt`, and exits 1 with no
 *   reward file when grading fails (a Harbor error, never a 0);
 * - `solution/solve.sh`, when the template declares a `solution`: writes it to the answer file.
 *
 * Every folder name is checked first: an existing non-empty folder or two slugs with the same
 * folder are errors, and nothing is written. Each folder appears whole or not at all. No value
 * of the process environment is written. The task runs its setup twice (here for the prompt, in
 * the container for real), so the prompt must not depend on anything but the args.
 *
 * @example
 * ```ts
 * const { written } = await exportHarborTasks({
 *   source: "examples/letter-count/tasks.ts",
 *   outDir: "out/harbor",
 *   onLog: (line) => console.error(line),
 * });
 * for (const task of written) console.log(task.dir, task.solution ? "oracle ready" : "no solution");
 * ```
 */
export async function exportHarborTasks(options: ExportHarborOptions): Promise<ExportHarborResult> {
  const settings = parseExportOptions(options);
  const log = settings.onLog ?? (() => {});
  const signal = settings.signal;
  const taskset = await Taskset.fromFile(settings.source, { onWarning: log });
  const tasks = taskset.tasks;
  if (tasks.length === 0) {
    throw new HudkitError(
      "harbor-export-empty",
      `${settings.source} holds no task: there is nothing to export`,
    );
  }
  const folders = harborFolderNames(tasks.map((task) => task.slug));
  const outDir = resolve(settings.outDir);
  await refuseFolderClashes(outDir, folders);

  const environments = await resolveTaskEnvironments(tasks, settings);
  signal?.throwIfAborted();
  const driver = await bundleTaskDriver();
  const envBundles = await bundleModules(environments, log);
  const bases = await readBases(environments);
  signal?.throwIfAborted();
  const materialized = await materializeAll(tasks, environments, signal, log);

  const written: ExportedHarborTask[] = [];
  for (const [index, task] of tasks.entries()) {
    signal?.throwIfAborted();
    const folder = folders[index]!;
    const environment = environments[index]!;
    const { prompt, solution } = materialized[index]!;
    const dir = join(outDir, folder);
    await writeTaskFolder(dir, [
      {
        path: "task.toml",
        contents: exportedTaskToml({
          folder,
          slug: task.slug,
          env: task.env,
          taskId: task.id,
          args: task.args,
          agentTimeoutSec: settings.agentTimeoutSec,
          verifierTimeoutSec: settings.verifierTimeoutSec,
        }),
      },
      { path: "instruction.md", contents: exportedInstruction(prompt, settings.answerFile) },
      {
        path: "environment/Dockerfile",
        contents: exportedDockerfile({
          base: bases.get(environment.dockerfile)!,
          answerFile: settings.answerFile,
          source: basename(environment.dockerfile),
        }),
      },
      { path: "environment/hudkit/env.mjs", contents: envBundles.get(environment.moduleFile)! },
      { path: "environment/hudkit/task.mjs", contents: driver },
      {
        path: "environment/hudkit/entrypoint.sh",
        contents: entrypointScript({ envName: task.env, taskId: task.id, args: task.args }),
        executable: true,
      },
      { path: "tests/test.sh", contents: testScript(settings.answerFile), executable: true },
      ...(solution === undefined
        ? []
        : [
            {
              path: "solution/solve.sh",
              contents: solveScript(solution, settings.answerFile),
              executable: true,
            },
          ]),
    ]);
    written.push({ slug: task.slug, dir, solution: solution !== undefined });
  }
  return { written };
}

/** Each env module bundled once (core's cache makes an unchanged one instant), by module file. */
async function bundleModules(
  environments: readonly TaskEnvironment[],
  log: (line: string) => void,
): Promise<Map<string, Uint8Array>> {
  const bundles = new Map<string, Uint8Array>();
  for (const { moduleFile } of environments) {
    if (bundles.has(moduleFile)) continue;
    const bundle = await bundleEnvironment(moduleFile);
    log(`bundled ${displayPath(moduleFile)} (${bundle.inputs} input files)`);
    bundles.set(moduleFile, await readFile(bundle.file));
  }
  return bundles;
}

async function readBases(environments: readonly TaskEnvironment[]): Promise<Map<string, DockerfileBase>> {
  const bases = new Map<string, DockerfileBase>();
  for (const { dockerfile } of environments) {
    if (!bases.has(dockerfile)) bases.set(dockerfile, await readDockerfileBase(dockerfile));
  }
  return bases;
}

/** The prompt and solution of every task, in order, each env served once for all its tasks. */
async function materializeAll(
  tasks: readonly Task[],
  environments: readonly TaskEnvironment[],
  signal: AbortSignal | undefined,
  log: (line: string) => void,
): Promise<MaterializedTask[]> {
  const byEnv = new Map<Environment, number[]>();
  for (const [index, { env }] of environments.entries()) {
    byEnv.set(env, [...(byEnv.get(env) ?? []), index]);
  }
  const results: MaterializedTask[] = new Array(tasks.length);
  for (const [env, indexes] of byEnv) {
    const done = await materializeTasks(
      env,
      indexes.map((index) => tasks[index]!),
      { signal },
    );
    for (const [position, index] of indexes.entries()) results[index] = done[position]!;
    log(
      `started ${indexes.length} task${indexes.length === 1 ? "" : "s"} of env ${env.name} for their prompts`,
    );
  }
  return results;
}

/** Relative to the current directory when below it, else absolute: short and unambiguous. */
function displayPath(path: string): string {
  const relativePath = relative(process.cwd(), path);
  return relativePath === "" || relativePath.startsWith("..") || isAbsolute(relativePath)
    ? path
    : relativePath;
}
