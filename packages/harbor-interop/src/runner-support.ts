import type { HarborFinding } from "./harbor-finding.js";
import type { HarborEnvironmentConfig } from "./task-toml-schema.js";

/**
 * What the runner the tasks are loaded for can do beyond a CPU-only Linux Docker engine without
 * compose (hudkit's `@hudkit/runtime-docker`). Each `false` or missing entry makes tasks that
 * need it fail at load time rather than mid-run (spec §5 item 21).
 *
 * @example
 * ```ts
 * const runner: HarborRunnerSupport = { gpu: true };
 * ```
 */
export interface HarborRunnerSupport {
  /** `os = "windows"` tasks (`.bat` scripts, `C:/` paths). */
  windows?: boolean;
  /** `gpus > 0`. */
  gpu?: boolean;
  /** `[environment.tpu]` (GKE only in Harbor). */
  tpu?: boolean;
  /** `environment/docker-compose.yaml` tasks. */
  compose?: boolean;
}

/**
 * The `unsupported-*` errors of one `[environment]`-shaped table for a runner: Windows, GPU
 * and TPU requests. `where` names the table in the messages.
 *
 * @example
 * ```ts
 * environmentRefusals({ ...config.environment, gpus: 2 }, "environment", {});
 * // [{ code: "unsupported-gpu", severity: "error", key: "environment.gpus", message: "..." }]
 * ```
 */
export function environmentRefusals(
  environment: HarborEnvironmentConfig,
  where: string,
  runner: HarborRunnerSupport,
): HarborFinding[] {
  const findings: HarborFinding[] = [];
  if (environment.os === "windows" && !runner.windows) {
    findings.push({
      code: "unsupported-os",
      severity: "error",
      file: "task.toml",
      key: `${where}.os`,
      message: `${where}.os = "windows": this runner runs Linux containers only`,
    });
  }
  if ((environment.gpus ?? 0) > 0 && !runner.gpu) {
    findings.push({
      code: "unsupported-gpu",
      severity: "error",
      file: "task.toml",
      key: `${where}.gpus`,
      message: `${where}.gpus = ${environment.gpus}: this runner has no GPUs (Harbor's Docker environment fails at start too)`,
    });
  }
  if (environment.tpu !== undefined && !runner.tpu) {
    findings.push({
      code: "unsupported-tpu",
      severity: "error",
      file: "task.toml",
      key: `${where}.tpu`,
      message: `${where}.tpu asks for a ${environment.tpu.type} TPU: this runner has none`,
    });
  }
  return findings;
}

/**
 * The `unsupported-compose` error for a task that ships `environment/docker-compose.yaml`, when
 * the runner cannot run compose projects; otherwise nothing.
 *
 * @example
 * ```ts
 * composeRefusal(true, {}); // [{ code: "unsupported-compose", ... }]
 * composeRefusal(true, { compose: true }); // []
 * ```
 */
export function composeRefusal(hasComposeFile: boolean, runner: HarborRunnerSupport): HarborFinding[] {
  if (!hasComposeFile || runner.compose) return [];
  return [
    {
      code: "unsupported-compose",
      severity: "error",
      file: "environment/docker-compose.yaml",
      message:
        "compose-based task: this runner starts one container per task and cannot run a compose project (sidecars, Harbor's compose variables)",
    },
  ];
}
