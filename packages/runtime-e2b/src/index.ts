export { e2bPlugin as default, e2bPlugin } from "./e2b-plugin.js";
export { type E2bPruneOptions, pruneE2bSandboxes } from "./e2b-prune.js";
export {
  createE2bRuntime,
  DEFAULT_CONTROL_PORT,
  DEFAULT_READY_TIMEOUT_MS,
  DEFAULT_SANDBOX_TIMEOUT_MS,
  type E2bRuntimeSettings,
  type E2bSandboxOptions,
  TRAFFIC_TOKEN_HEADER,
} from "./e2b-runtime.js";
export { API_KEY_VARIABLE, shellCommand } from "./e2b-support.js";
