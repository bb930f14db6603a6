export {
  API_KEY_VARIABLE,
  type DaytonaConnection,
  daytonaClient,
  daytonaError,
  isDaytonaAuthError,
} from "./daytona-client.js";
export { daytonaPlugin as default, daytonaPlugin, parseDaytonaSource } from "./daytona-plugin.js";
export { type DaytonaSandboxQuery, listDaytonaSandboxes, pruneDaytonaSandboxes } from "./daytona-prune.js";
export {
  createDaytonaRuntime,
  type DaytonaRuntimeSettings,
  type DaytonaSandboxParams,
  DEFAULT_CONTROL_PORT,
  DEFAULT_CREATE_TIMEOUT_MS,
  DEFAULT_READY_TIMEOUT_MS,
  PREVIEW_TOKEN_HEADER,
  SERVE_SESSION,
} from "./daytona-runtime.js";
export { shellCommand } from "./shell-command.js";
