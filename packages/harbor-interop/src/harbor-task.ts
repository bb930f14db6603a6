import type { HarborStepConfig, HarborTaskConfig } from "./task-toml-schema.js";
import type { HarborVerifierMode } from "./verifier-mode.js";

/**
 * How the task's main image comes to be, in Harbor's precedence (spec §5 item 14): a prebuilt
 * `[environment].docker_image`, else `environment/Dockerfile`, else
 * `environment/docker-compose.yaml`.
 *
 * @example
 * ```ts
 * const recipe: HarborEnvironmentRecipe = "dockerfile";
 * ```
 */
export type HarborEnvironmentRecipe = "docker-image" | "dockerfile" | "compose";

/**
 * Absolute paths of a task's files. Optional ones are set only when they exist.
 *
 * @example
 * ```ts
 * const script = task.paths.testScript; // "/data/tasks/hello/tests/test.sh"
 * ```
 */
export interface HarborTaskPaths {
  dir: string;
  config: string;
  /** `instruction.md`; for a multi-step task it exists only if the (ignored) root file does. */
  instruction?: string;
  environment: string;
  dockerfile?: string;
  /** `environment/docker-compose.yaml`, the one name Harbor reads as a compose file. */
  composeFile?: string;
  tests: string;
  /** `tests/test.sh` (`test.bat` on Windows). */
  testScript?: string;
  solution?: string;
  /** `solution/solve.sh` (`solve.bat` on Windows). */
  solveScript?: string;
  /** `trajectory.json`: prior context seeded before the agent runs (Harbor 0.22). */
  trajectory?: string;
}

/**
 * Absolute paths of one step's files under `steps/<name>/`.
 *
 * @example
 * ```ts
 * const setup = step.paths.setupScript; // ".../steps/create-file/workdir/setup.sh"
 * ```
 */
export interface HarborStepPaths {
  dir: string;
  instruction: string;
  tests?: string;
  testScript?: string;
  solution?: string;
  solveScript?: string;
  /** `workdir/`, uploaded into the task's workdir before the step. */
  workdir?: string;
  /** `workdir/setup.sh`, run before the step's agent; a non-zero exit ends the trial. */
  setupScript?: string;
}

/**
 * One step of a multi-step task, in `[[steps]]` order.
 *
 * @example
 * ```ts
 * for (const step of task.steps) console.log(step.name, step.instruction);
 * ```
 */
export interface HarborStep {
  name: string;
  /** `steps/<name>/instruction.md`, canary-stripped. */
  instruction: string;
  config: HarborStepConfig;
  /** The step's `[steps.agent].timeout_sec`, else the task's; undefined = no timeout. */
  agentTimeoutSec: number | undefined;
  /**
   * The step's `[steps.verifier].timeout_sec`, else 600: Harbor does not fall back to the task's
   * value here, whatever its docs say (spec §1.3, §5 item 24). We match Harbor.
   */
  verifierTimeoutSec: number;
  verifier: HarborVerifierMode;
  paths: HarborStepPaths;
}

/**
 * A loaded Harbor task folder.
 *
 * @example
 * ```ts
 * const { task } = await loadHarborTask("tasks/hello-user");
 * task.name; // "harbor/hello-user"
 * task.instruction; // the canary-stripped instruction.md
 * ```
 */
export interface HarborTask {
  /** `[task].name` if set, else the folder name. */
  name: string;
  /** The part of the name after `/`. */
  shortName: string;
  /** The absolute task folder. */
  dir: string;
  /** The folder name of the dataset the task was loaded from; Harbor's trial `source`. */
  dataset?: string;
  schemaVersion: string;
  config: HarborTaskConfig;
  /** The canary-stripped `instruction.md`; `""` for a multi-step task, as in Harbor. */
  instruction: string;
  multiStep: boolean;
  /** Empty for a single-step task. */
  steps: HarborStep[];
  recipe: HarborEnvironmentRecipe;
  verifier: HarborVerifierMode;
  paths: HarborTaskPaths;
}
