import type { Task } from "./task.js";

/**
 * A reader for a taskset format core does not know (a Harbor dataset, say), passed to
 * `Taskset.fromFile` in `sources`. Core never imports such a reader; a package provides it and
 * the caller (the CLI, a script) passes it in. Loaders are asked in order, before the built-in
 * formats; the first that claims a path loads it.
 *
 * @example
 * ```ts
 * import { harborTasksetSource } from "@hudkit/harbor";
 * const taskset = await Taskset.fromFile("datasets/hello", { sources: [harborTasksetSource] });
 * ```
 */
export interface TasksetSourceLoader {
  /** Names the format in messages ("harbor"). */
  readonly name: string;
  /** Whether this loader reads `path` (absolute, existing). Cheap: a look at a few file names. */
  claims(path: string): Promise<boolean>;
  /**
   * The taskset at `path`: its name, its task rows in order (validated again by core), and
   * warnings for the user, such as parts of the source that were skipped and why.
   */
  load(path: string): Promise<{ name: string; tasks: Task[]; warnings?: string[] }>;
}
