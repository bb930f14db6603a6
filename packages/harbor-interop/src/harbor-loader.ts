import { basename, resolve } from "node:path";
import { HudkitError } from "@hudkit/core";
import { discoverHarborPath } from "./harbor-discovery.js";
import type { HarborFinding } from "./harbor-finding.js";
import type { HarborTask } from "./harbor-task.js";
import type { HarborRunnerSupport } from "./runner-support.js";
import { type HarborTaskInspection, inspectTaskDir } from "./task-inspection.js";

/**
 * Options of {@link loadHarborPath}, {@link loadHarborTask} and `checkHarborPath`.
 *
 * @example
 * ```ts
 * const options: HarborLoadOptions = { runner: { gpu: true } };
 * ```
 */
export interface HarborLoadOptions {
  /** What the target runner supports beyond CPU-only Linux containers; default: nothing more. */
  runner?: HarborRunnerSupport;
}

/**
 * A task folder that did not load, with every error that stopped it.
 *
 * @example
 * ```ts
 * const failure: HarborLoadFailure = result.failures[0]!;
 * console.log(`${failure.path}: ${failure.message}`);
 * ```
 */
export interface HarborLoadFailure {
  /** The absolute folder. */
  path: string;
  /** `[task].name` when the config could be read, else the folder name. */
  name: string;
  /** The error findings (at least one). */
  reasons: HarborFinding[];
  /** The reasons on one line: `code: message; code: message`. */
  message: string;
}

/**
 * A warning about a task that loaded (or a finding of `checkHarborPath`), with where it is.
 *
 * @example
 * ```ts
 * for (const w of result.warnings) console.warn(`${w.name}: ${w.code} ${w.message}`);
 * ```
 */
export interface HarborPathFinding extends HarborFinding {
  /** The absolute task folder. */
  path: string;
  /** The task's name (or its folder name when the config could not be read). */
  name: string;
}

/**
 * What {@link loadHarborPath} returns.
 *
 * @example
 * ```ts
 * const { tasks, failures, warnings } = await loadHarborPath("datasets/hello");
 * ```
 */
export interface HarborLoadResult {
  /** The absolute task or dataset folder. */
  root: string;
  kind: "task" | "dataset";
  /** The tasks that loaded, in folder-name order. */
  tasks: HarborTask[];
  /** The folders that did not, each with its reasons; Harbor would skip these silently. */
  failures: HarborLoadFailure[];
  /** Warnings about the tasks that loaded. */
  warnings: HarborPathFinding[];
}

/**
 * Every task folder at `path` inspected, plus an inspection with a `not-a-task-dir` error for
 * each dataset child without a `task.toml`. A task whose name an earlier task (in folder-name
 * order) already has gets a `duplicate-task-name` error, since names become row slugs.
 *
 * @example
 * ```ts
 * const { kind, inspections } = await inspectHarborPath("datasets/hello", {});
 * ```
 */
export async function inspectHarborPath(
  path: string,
  options: HarborLoadOptions,
): Promise<{ root: string; kind: "task" | "dataset"; inspections: HarborTaskInspection[] }> {
  const layout = await discoverHarborPath(path);
  const dataset = layout.kind === "dataset" ? basename(layout.root) : undefined;
  const inspections: HarborTaskInspection[] = [];
  for (const dir of layout.taskDirs)
    inspections.push(await inspectTaskDir(dir, options.runner ?? {}, dataset));
  for (const dir of layout.otherDirs) {
    inspections.push({
      dir,
      name: basename(dir),
      findings: [
        {
          code: "not-a-task-dir",
          severity: "error",
          file: "task.toml",
          message: "no task.toml: not a Harbor task folder, skipped",
        },
      ],
    });
  }
  inspections.sort((a, b) => (a.dir < b.dir ? -1 : a.dir > b.dir ? 1 : 0));
  const owners = new Map<string, string>();
  for (const inspection of inspections) {
    if (inspection.task === undefined) continue;
    const owner = owners.get(inspection.name);
    if (owner === undefined) {
      owners.set(inspection.name, inspection.dir);
      continue;
    }
    inspection.findings.push({
      code: "duplicate-task-name",
      severity: "error",
      message: `the task name "${inspection.name}" is already used by ${basename(owner)}/; task names must be unique in a dataset`,
    });
    delete inspection.task;
  }
  return { root: layout.root, kind: layout.kind, inspections };
}

function describe(findings: readonly HarborFinding[]): string {
  return findings.map((finding) => `${finding.code}: ${finding.message}`).join("; ");
}

/**
 * Loads a Harbor task folder or a dataset folder (whose direct children are task folders).
 * Invalid children are skipped, each reported in `failures` with its reasons, never silently;
 * Windows, GPU, TPU and compose tasks are failures unless `options.runner` supports them.
 * Throws a {@link HudkitError} only when the path is missing or holds no task at all.
 *
 * @example
 * ```ts
 * const { tasks, failures, warnings } = await loadHarborPath("shared/harbor-samples");
 * for (const f of failures) console.error(`skipped ${f.path}: ${f.message}`);
 * const rows = tasks.map(harborTaskToRow);
 * ```
 */
export async function loadHarborPath(
  path: string,
  options: HarborLoadOptions = {},
): Promise<HarborLoadResult> {
  const { root, kind, inspections } = await inspectHarborPath(path, options);
  const result: HarborLoadResult = { root, kind, tasks: [], failures: [], warnings: [] };
  for (const inspection of inspections) {
    const { dir, name, task, findings } = inspection;
    if (task !== undefined) {
      result.tasks.push(task);
      for (const finding of findings) result.warnings.push({ path: dir, name, ...finding });
      continue;
    }
    const reasons = findings.filter((finding) => finding.severity === "error");
    result.failures.push({ path: dir, name, reasons, message: describe(reasons) });
  }
  return result;
}

/**
 * Loads one Harbor task folder. Throws a {@link HudkitError} `invalid-harbor-task` listing every
 * error (one per line) when it does not load; use `checkHarborPath` to get them as data.
 *
 * @example
 * ```ts
 * const { task, warnings } = await loadHarborTask("shared/harbor-samples/hello-user");
 * task.name; // "harbor/hello-user"
 * task.config.agent.user; // "agent"
 * ```
 */
export async function loadHarborTask(
  dir: string,
  options: HarborLoadOptions = {},
): Promise<{ task: HarborTask; warnings: HarborFinding[] }> {
  const inspection = await inspectTaskDir(resolve(dir), options.runner ?? {});
  if (inspection.task !== undefined) return { task: inspection.task, warnings: inspection.findings };
  const errors = inspection.findings.filter((finding) => finding.severity === "error");
  throw new HudkitError(
    "invalid-harbor-task",
    `${dir} is not a loadable Harbor task:\n${errors.map((f) => `  ${f.code}: ${f.message}`).join("\n")}`,
  );
}
