import { HudkitError } from "../errors/hudkit-error.js";
import type { RuntimeProvider } from "../runtime/provider.js";
import type { Agent } from "./agent.js";

/**
 * Checks that `agent` is callable, so a wrong argument fails the call instead of failing every
 * rollout one by one.
 *
 * @example
 * ```ts
 * checkAgent(myAgent);
 * ```
 */
export function checkAgent(agent: Agent): void {
  if (typeof agent !== "function") {
    throw new HudkitError("bad-options", "agent must be a function: async (run) => { run.answer = ... }");
  }
}

/**
 * Checks a runtime provider's shape (an object with `acquire`); checked by shape rather than
 * class, so providers from plugins with their own copy of core are accepted.
 *
 * @example
 * ```ts
 * checkProvider(localRuntime("env.ts"));
 * ```
 */
export function checkProvider(provider: RuntimeProvider): void {
  if (typeof provider !== "object" || provider === null || typeof provider.acquire !== "function") {
    throw new HudkitError(
      "bad-options",
      "provider must be a runtime provider: { specificationVersion: 'runtime-v1', name, acquire(task, ctx) }",
    );
  }
}
