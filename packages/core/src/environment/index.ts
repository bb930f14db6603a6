export { Capability } from "./capability.js";
export type { EnvironmentLogger, EnvironmentOptions } from "./environment.js";
export { Environment, isEnvironment } from "./environment.js";
export type { LoadEnvironmentOptions } from "./load-environment.js";
export { loadEnvironment } from "./load-environment.js";
export { TaskRunner } from "./task-runner.js";
export type {
  Answer,
  ManifestEntry,
  MintedTask,
  TaskContext,
  TemplateBody,
  TemplateFactory,
  TemplateSolution,
  TemplateSpec,
} from "./template.js";
export { Template } from "./template.js";
