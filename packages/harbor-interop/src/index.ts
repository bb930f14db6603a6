export { nopAgent } from "./agents/nop-agent.js";
export { oracleAgent } from "./agents/oracle-agent.js";
export { stripCanary } from "./canary.js";
export type {
  ContainerAccess,
  ContainerProcess,
  ExecCaptureOptions,
  ExecOptions,
  ExecResult,
  SpawnOptions,
  TtySize,
} from "./container/container-access.js";
export { createDockerContainerAccess } from "./container/docker-container-access.js";
export {
  DEFAULT_AGENT_TIMEOUT_SEC,
  DEFAULT_ANSWER_FILE,
  DEFAULT_VERIFIER_TIMEOUT_SEC,
  type ExportedHarborTask,
  type ExportHarborOptions,
  type ExportHarborResult,
  exportHarborTasks,
  harborFolderName,
  runTaskDriver,
  TASK_DRIVER_PORT,
  type TaskDriverIo,
} from "./export/index.js";
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
export { type ImageMap, mapImage, parseImageMap, rewriteDockerfile } from "./run/dockerfile-rewrite.js";
export { type HarborEnvironmentOptions, harborEnvironment } from "./run/harbor-environment.js";
export { ensureHarborImage, type HarborImage, type HarborImageOptions } from "./run/harbor-image.js";
export { createHarborRuntime, type HarborRuntimeSettings } from "./run/harbor-runtime.js";
export type { HarborRunnerSupport } from "./runner-support.js";
export * from "./shell/index.js";
export { type ParsedTaskToml, parseTaskToml } from "./task-toml.js";
export type { HealthcheckConfig } from "./task-toml-schema.js";
export {
  DEFAULT_SCHEMA_VERSION,
  type HarborArtifact,
  type HarborEnvironmentConfig,
  type HarborStepConfig,
  type HarborTaskConfig,
  KNOWN_SCHEMA_VERSIONS,
} from "./task-toml-schema.js";
export type { HarborVerifierMode } from "./verifier-mode.js";
export * from "./verify/index.js";
