import { HudkitError } from "../errors/hudkit-error.js";
import type { Task } from "../task/task.js";

/**
 * Checks a rollout's time limits against each other before anything runs (spec §3.4) and
 * returns the agent phase's limit in milliseconds (`agent_config.timeout_seconds`), if any.
 * A contradiction is the user's to fix, so it throws `invalid-timeouts` instead of becoming a
 * failed run: the agent limit must be under the runtime's `limits.run_timeout_s` and under the
 * rollout timeout, and the actor's and verifier's `startup_timeout_s` and `run_timeout_s` must
 * be under the rollout timeout.
 *
 * @example
 * ```ts
 * validateRolloutTimeouts({ ...task, agent_config: { timeout_seconds: 300 } }, 120_000);
 * // throws: task count-1a2b: agent_config.timeout_seconds (300 s) must be under the rollout timeout (120 s)
 * ```
 */
export function validateRolloutTimeouts(
  task: Task,
  rolloutTimeoutMs: number | undefined,
): number | undefined {
  const where = `task ${task.slug}`;
  if (rolloutTimeoutMs !== undefined) checkRolloutTimeout(rolloutTimeoutMs);
  const agentSeconds = task.agent_config?.timeout_seconds ?? undefined;
  if (
    agentSeconds !== undefined &&
    !(typeof agentSeconds === "number" && agentSeconds > 0 && Number.isFinite(agentSeconds))
  ) {
    throw new HudkitError(
      "invalid-timeouts",
      `${where}: agent_config.timeout_seconds must be a positive number of seconds, got ${JSON.stringify(agentSeconds)}`,
    );
  }
  const actor = limitsOf(task.runtime_config, `${where}: runtime_config.limits`);
  if (agentSeconds !== undefined && actor.run !== undefined && agentSeconds >= actor.run) {
    throw new HudkitError(
      "invalid-timeouts",
      `${where}: agent_config.timeout_seconds (${agentSeconds} s) must be under runtime_config.limits.run_timeout_s (${actor.run} s)`,
    );
  }
  if (rolloutTimeoutMs !== undefined) {
    const rollout = rolloutTimeoutMs / 1000;
    if (agentSeconds !== undefined && agentSeconds >= rollout) {
      throw new HudkitError(
        "invalid-timeouts",
        `${where}: agent_config.timeout_seconds (${agentSeconds} s) must be under the rollout timeout (${rollout} s)`,
      );
    }
    const verifier = limitsOf(task.verifier?.runtime_config, `${where}: verifier.runtime_config.limits`);
    for (const [label, limits] of [
      ["runtime_config", actor],
      ["verifier.runtime_config", verifier],
    ] as const) {
      for (const [name, value] of [
        ["startup_timeout_s", limits.startup],
        ["run_timeout_s", limits.run],
      ] as const) {
        if (value !== undefined && value >= rollout) {
          throw new HudkitError(
            "invalid-timeouts",
            `${where}: ${label}.limits.${name} (${value} s) must be under the rollout timeout (${rollout} s)`,
          );
        }
      }
    }
  }
  return agentSeconds === undefined ? undefined : agentSeconds * 1000;
}

/**
 * Checks a rollout timeout given in milliseconds: a positive finite number.
 *
 * @example
 * ```ts
 * checkRolloutTimeout(0); // throws invalid-timeouts
 * ```
 */
export function checkRolloutTimeout(ms: number): void {
  if (typeof ms !== "number" || !Number.isFinite(ms) || ms <= 0) {
    throw new HudkitError(
      "invalid-timeouts",
      `rolloutTimeoutMs must be a positive number of milliseconds, got ${JSON.stringify(ms) ?? String(ms)}`,
    );
  }
}

interface Limits {
  startup: number | undefined;
  run: number | undefined;
}

/** `limits.startup_timeout_s` and `limits.run_timeout_s` of a runtime config (untyped JSON). */
function limitsOf(config: Record<string, unknown> | undefined, where: string): Limits {
  const limits = config?.limits;
  if (limits === undefined || limits === null) return { startup: undefined, run: undefined };
  if (typeof limits !== "object" || Array.isArray(limits)) {
    throw new HudkitError("invalid-timeouts", `${where} must be an object`);
  }
  const read = (name: string): number | undefined => {
    const value = (limits as Record<string, unknown>)[name];
    if (value === undefined || value === null) return undefined;
    if (typeof value !== "number" || !Number.isFinite(value) || value <= 0) {
      throw new HudkitError(
        "invalid-timeouts",
        `${where}.${name} must be a positive number, got ${JSON.stringify(value)}`,
      );
    }
    return value;
  };
  return { startup: read("startup_timeout_s"), run: read("run_timeout_s") };
}
