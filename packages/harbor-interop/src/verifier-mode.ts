import type { HarborEnvironmentConfig } from "./task-toml-schema.js";

/**
 * How a task (or step) is verified: in the agent's container, or in a container of its own.
 *
 * @example
 * ```ts
 * const mode: HarborVerifierMode = { mode: "shared" };
 * ```
 */
export type HarborVerifierMode =
  | { mode: "shared" }
  | { mode: "separate"; environment: HarborEnvironmentConfig };

interface VerifierModeFields {
  environment_mode?: "shared" | "separate" | undefined;
  environment?: HarborEnvironmentConfig | undefined;
}

/**
 * Harbor's verifier mode resolution (spec §1.3): no mode and no `[verifier.environment]` is
 * shared; an environment implies separate; separate without one verifies in a copy of the task's
 * `[environment]`. "shared" with an environment never gets here: the schema rejects it.
 *
 * @example
 * ```ts
 * resolveVerifierMode({ environment_mode: "separate" }, config.environment);
 * // { mode: "separate", environment: <a deep copy of config.environment> }
 * ```
 */
export function resolveVerifierMode(
  verifier: VerifierModeFields,
  taskEnvironment: HarborEnvironmentConfig,
): HarborVerifierMode {
  if (verifier.environment !== undefined) return { mode: "separate", environment: verifier.environment };
  if (verifier.environment_mode === "separate") {
    // A copy, so a runner that adjusts the verifier's environment leaves the agent's alone.
    return { mode: "separate", environment: structuredClone(taskEnvironment) };
  }
  return { mode: "shared" };
}
