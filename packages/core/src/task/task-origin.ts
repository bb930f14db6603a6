import type { Environment } from "../environment/environment.js";
import type { Task } from "./task.js";

/**
 * Where a task came from, which is what lets `Taskset.run` pick a runtime by itself: the module
 * file it was loaded from (served by a child process per rollout), or the live Environment
 * whose template minted it (served in this process). Neither is part of the task's data.
 */
export interface TaskOrigin {
  /** The absolute path of the module that exported the task. */
  file?: string;
  /** The environment whose template minted the task. */
  environment?: Environment;
}

/** Shared by every copy of `@hudkit/core`, so a task minted by a plugin's copy keeps its origin. */
const ORIGIN = Symbol.for("hudkit.task.origin");

/**
 * Records a task's origin on the task itself, non-enumerable, so JSON, equality and copies made
 * with spread or `parseTask` never see it (a copy is new data with no origin). Merges with what
 * the task already records.
 *
 * @example
 * ```ts
 * setTaskOrigin(task, { file: "/abs/tasks.ts" });
 * taskOrigin(task)?.file; // "/abs/tasks.ts"
 * ```
 */
export function setTaskOrigin<T extends Task>(task: T, origin: TaskOrigin): T {
  const merged = { ...taskOrigin(task), ...origin };
  Object.defineProperty(task, ORIGIN, {
    value: merged,
    enumerable: false,
    configurable: true,
    writable: false,
  });
  return task;
}

/**
 * The origin recorded by {@link setTaskOrigin}, if any.
 *
 * @example
 * ```ts
 * const env = taskOrigin(countLetter({ word: "banana" }))?.environment; // the letters env
 * ```
 */
export function taskOrigin(task: Task): TaskOrigin | undefined {
  return (task as unknown as Record<symbol, TaskOrigin | undefined>)[ORIGIN];
}
