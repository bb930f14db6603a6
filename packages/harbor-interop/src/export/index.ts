export {
  type ExportedHarborTask,
  type ExportHarborResult,
  exportHarborTasks,
} from "./export-harbor-tasks.js";
export {
  DEFAULT_AGENT_TIMEOUT_SEC,
  DEFAULT_ANSWER_FILE,
  DEFAULT_VERIFIER_TIMEOUT_SEC,
  type ExportHarborOptions,
} from "./export-options.js";
export { runTaskDriver, TASK_DRIVER_PORT, type TaskDriverIo } from "./task-driver.js";
export { harborFolderName } from "./task-folder-name.js";
