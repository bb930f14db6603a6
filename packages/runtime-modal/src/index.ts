export {
  DEFAULT_APP_NAME,
  IMAGE_ID_PREFIX,
  isModalAuthError,
  type ModalConnectionSettings,
} from "./modal-connection.js";
export { modalPlugin as default, modalPlugin } from "./modal-plugin.js";
export { type PruneModalOptions, pruneModalSandboxes } from "./modal-prune.js";
export {
  createModalRuntime,
  DEFAULT_CONTROL_PORT,
  DEFAULT_READY_TIMEOUT_MS,
  DEFAULT_SANDBOX_TIMEOUT_MS,
  type ModalRuntimeSettings,
} from "./modal-runtime.js";
