export { buildContextFiles } from "./build-context.js";
export { containerLogTail } from "./container-logs.js";
export {
  BUNDLE_PATH,
  type BuildImageOptions,
  type BuiltImage,
  buildEnvironmentImage,
  followImageBuild,
} from "./docker-build.js";
export {
  checkDockerEngine,
  type DockerConnection,
  dockerClient,
  engineUnreachable,
  isUnreachable,
  statusOf,
} from "./docker-engine.js";
export { dockerPlugin as default, dockerPlugin } from "./docker-plugin.js";
export { type PrunedContainer, type PruneOptions, pruneDockerContainers } from "./docker-prune.js";
export {
  createDockerRuntime,
  DEFAULT_CONTROL_PORT,
  DEFAULT_READY_TIMEOUT_MS,
  type DockerRuntimeSettings,
  JOB_LABEL,
  RUN_LABEL,
  TASK_LABEL,
} from "./docker-runtime.js";
