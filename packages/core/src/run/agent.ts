import type { Run } from "./run.js";

/**
 * An agent: given a live {@link Run} (the task is started, the prompt is in), it works the task
 * and sets `run.answer`. It may throw; the run is still graded on whatever answer is set. It
 * must stop when `run.signal` aborts, and keep no per-run state outside the run, since one agent
 * drives many rollouts at once.
 *
 * @example
 * ```ts
 * const echo: Agent = async (run) => {
 *   run.answer = run.promptText.split(" ").at(-1);
 * };
 * ```
 */
export type Agent = (run: Run) => Promise<void>;
