export { defaultSlug, slugWithDigits } from "./default-slug.js";
export { pythonCanonicalJson } from "./python-json.js";
export {
  type ComparedField,
  planSync,
  type SyncPlan,
  type SyncUpdate,
  syncPlanSummary,
} from "./sync-plan.js";
export {
  type AgentConfig,
  createTask,
  parseTask,
  type Task,
  type TaskInput,
  TaskSchema,
  type VerifierTask,
} from "./task.js";
export { type TaskOrigin, taskOrigin } from "./task-origin.js";
export { Taskset, type TasksetOptions } from "./taskset.js";
export type { TasksetSourceLoader } from "./taskset-source-loader.js";
