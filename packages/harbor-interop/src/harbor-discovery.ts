import { basename, dirname, join, resolve } from "node:path";
import { HudkitError } from "@hudkit/core";
import { childDirs, pathKind } from "./task-files.js";

/**
 * What a path holds: one task folder, or a dataset whose direct children are task folders.
 *
 * @example
 * ```ts
 * const layout: HarborPathLayout = await discoverHarborPath("datasets/hello");
 * layout.kind; // "dataset"
 * ```
 */
export interface HarborPathLayout {
  /** The absolute task or dataset folder. */
  root: string;
  kind: "task" | "dataset";
  /** Absolute folders that have a `task.toml` (each still to be validated). */
  taskDirs: string[];
  /** Absolute child folders of a dataset with no `task.toml`: reported, then skipped. */
  otherDirs: string[];
}

/**
 * Finds the task folders at a path. A folder with a `task.toml` (or the path of a `task.toml`)
 * is one task; otherwise its direct children with a `task.toml` are the dataset's tasks (Harbor
 * does not look deeper). Hidden children (`.git`, `.hud-adapt`, ...) are tool state, not
 * tasks, and are passed over. Throws a {@link HudkitError} `harbor-path-not-found` for a missing
 * path and `no-harbor-tasks` when there is no task at all.
 *
 * @example
 * ```ts
 * const { kind, taskDirs } = await discoverHarborPath("shared/harbor-samples");
 * // "dataset", [".../hello-multi-step-simple", ".../hello-user", ".../hello-workdir"]
 * ```
 */
export async function discoverHarborPath(path: string): Promise<HarborPathLayout> {
  const absolute = resolve(path);
  const kind = await pathKind(absolute);
  if (kind === "none") throw new HudkitError("harbor-path-not-found", `${path}: no such file or directory`);
  if (kind === "file") {
    if (basename(absolute) !== "task.toml") {
      throw new HudkitError(
        "no-harbor-tasks",
        `${path} is a file; pass a task folder, a dataset folder or a task.toml`,
      );
    }
    return { root: dirname(absolute), kind: "task", taskDirs: [dirname(absolute)], otherDirs: [] };
  }
  if ((await pathKind(join(absolute, "task.toml"))) === "file") {
    return { root: absolute, kind: "task", taskDirs: [absolute], otherDirs: [] };
  }
  const taskDirs: string[] = [];
  const otherDirs: string[] = [];
  for (const name of await childDirs(absolute)) {
    if (name.startsWith(".")) continue;
    const child = join(absolute, name);
    if ((await pathKind(join(child, "task.toml"))) === "file") taskDirs.push(child);
    else otherDirs.push(child);
  }
  if (taskDirs.length === 0) {
    throw new HudkitError(
      "no-harbor-tasks",
      `${path} is neither a Harbor task folder (task.toml and environment/) nor a dataset of task folders`,
    );
  }
  return { root: absolute, kind: "dataset", taskDirs, otherDirs };
}
