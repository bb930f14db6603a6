export { stripCanary } from "./canary.js";
export {
  checkHarborPath,
  formatHarborCheck,
  type HarborCheckReport,
  type HarborTaskCheck,
} from "./harbor-check.js";
export { discoverHarborPath, type HarborPathLayout } from "./harbor-discovery.js";
export {
  formatKeyPath,
  HARBOR_FINDING_CODES,
  type HarborFinding,
  type HarborFindingCode,
  type HarborFindingSeverity,
} from "./harbor-finding.js";
export {
  type HarborLoadFailure,
  type HarborLoadOptions,
  type HarborLoadResult,
  type HarborPathFinding,
  loadHarborPath,
  loadHarborTask,
} from "./harbor-loader.js";
export { HARBOR_ENV, HARBOR_TASK_TEMPLATE, harborTaskToRow } from "./harbor-row.js";
export type {
  HarborEnvironmentRecipe,
  HarborStep,
  HarborStepPaths,
  HarborTask,
  HarborTaskPaths,
} from "./harbor-task.js";
export { harborTasksetSource } from "./harbor-taskset-source.js";
export type { HarborRunnerSupport } from "./runner-support.js";
export { type ParsedTaskToml, parseTaskToml } from "./task-toml.js";
export {
  DEFAULT_SCHEMA_VERSION,
  type HarborArtifact,
  type HarborEnvironmentConfig,
  type HarborStepConfig,
  type HarborTaskConfig,
  KNOWN_SCHEMA_VERSIONS,
} from "./task-toml-schema.js";
export type { HarborVerifierMode } from "./verifier-mode.js";
