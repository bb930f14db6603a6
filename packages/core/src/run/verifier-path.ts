import type { Task } from "../task/task.js";

/**
 * How a task's verifier runs (spec §3.3): `shared` when it is a template of the same env with no
 * launch requirements of its own, so it runs on the actor's client right after the actor is
 * graded; `separate` when it needs its own substrate; `none` without a verifier.
 *
 * @example
 * ```ts
 * verifierPath({ ...task, verifier: { ...check, env: task.env } }); // "shared"
 * ```
 */
export function verifierPath(task: Task): "none" | "shared" | "separate" {
  const verifier = task.verifier;
  if (verifier === undefined || verifier === null) return "none";
  return verifier.env === task.env && verifier.runtime_config == null ? "shared" : "separate";
}
