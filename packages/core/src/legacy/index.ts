// The older HUD API (jobs, the `job` wrapper and a gym-style env handle) on the v6 machinery.

export type { Action } from "./actions.js";
export { ActionSchema, BashActionSchema, ResponseActionSchema } from "./actions.js";
export type { EnvUrls, GymCallOptions, GymEnv, MakeEnvOptions } from "./gym-env.js";
export { makeEnv } from "./gym-env.js";
export type { CreateJobOptions, LoadJobOptions } from "./jobs.js";
export { createJob, job, loadJob } from "./jobs.js";
export type { Observation, TaskResult } from "./observation.js";
export { ObservationSchema, TaskResultSchema } from "./observation.js";
