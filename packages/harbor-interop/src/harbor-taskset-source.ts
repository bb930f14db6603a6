import { basename } from "node:path";
import type { TasksetSourceLoader } from "@hudkit/core";
import { discoverHarborPath } from "./harbor-discovery.js";
import { loadHarborPath } from "./harbor-loader.js";
import { harborTaskToRow } from "./harbor-row.js";

/**
 * Lets `Taskset.fromFile` (and so `hud tasks list`, `hud eval`) read Harbor folders: it claims a
 * task folder (one with a `task.toml`) or a dataset folder (direct children with one), and loads
 * each task as a row ({@link harborTaskToRow}). Folders that do not load are skipped, each with
 * a warning that gives the reason; warnings about loaded tasks are passed on too.
 *
 * @example
 * ```ts
 * import { Taskset } from "@hudkit/core";
 * import { harborTasksetSource } from "@hudkit/harbor";
 *
 * const taskset = await Taskset.fromFile("datasets/hello", { sources: [harborTasksetSource] });
 * ```
 */
export const harborTasksetSource: TasksetSourceLoader = {
  name: "harbor",
  async claims(path: string): Promise<boolean> {
    try {
      return (await discoverHarborPath(path)).taskDirs.length > 0;
    } catch {
      return false;
    }
  },
  async load(path: string) {
    const result = await loadHarborPath(path);
    const warnings = [
      ...result.failures.map((failure) => `skipped Harbor task ${failure.name}: ${failure.message}`),
      ...result.warnings.map((warning) => `Harbor task ${warning.name}: ${warning.code}: ${warning.message}`),
    ];
    return { name: basename(result.root), tasks: result.tasks.map(harborTaskToRow), warnings };
  },
};
