// The rollout engine: Run, rollout, runTasks, Job and the job store.

export type { Agent } from "./agent.js";
export { UNGRADED } from "./grade-record.js";
export type { JobStartOptions, JobStatus, JobSummary } from "./job.js";
export { Job } from "./job.js";
export type { ExecutionOptions } from "./job-execution.js";
export type { JobFile } from "./job-store.js";
export { DEFAULT_JOBS_DIR, JobFileSchema, listJobs, readTrace } from "./job-store.js";
export type { Phase } from "./phase.js";
export { PHASES } from "./phase.js";
export type { ContentBlock, Prompt, PromptMessage } from "./prompt-messages.js";
export type { ReadJobOptions } from "./read-job.js";
export { readJob } from "./read-job.js";
export { resumeJob } from "./resume-job.js";
export type { RolloutOptions } from "./rollout.js";
export { CANCEL_TIMEOUT_MS, NEXT_STEP_KEY, rollout, TEARDOWN_TIMEOUT_MS } from "./rollout.js";
export { validateRolloutTimeouts } from "./rollout-timeouts.js";
export { Run } from "./run.js";
export type { RunRecord } from "./run-record.js";
export { RunRecordSchema } from "./run-record.js";
export type { RunTasksOptions } from "./run-tasks.js";
export { runTasks } from "./run-tasks.js";
export type { Placement, RuntimeChoice } from "./runtime-placement.js";
export { placeRuntime } from "./runtime-placement.js";
export type { TasksetRunOptions } from "./taskset-run.js";
export { runTaskset } from "./taskset-run.js";
export type { Step, StepInput, StepSource, StopReason, TaskCall, TraceRecord, TraceStatus } from "./trace.js";
export { STEP_SOURCES, STOP_REASONS, StepSchema, TRACE_STATUSES, Trace, TraceRecordSchema } from "./trace.js";
