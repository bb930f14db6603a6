import type { Agent } from "@hudkit/core";

/**
 * Harbor's `nop` agent: does nothing and answers nothing. A sound task scores 0 with it, which
 * is how a task's verifier is checked for false positives (spec §4).
 *
 * @example
 * ```ts
 * const job = await taskset.run(nopAgent, { runtime: createHarborRuntime() });
 * console.log(job.reward); // 0
 * ```
 */
export const nopAgent: Agent = async () => {};
