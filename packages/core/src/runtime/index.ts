export { raceAbort } from "./abort-race.js";
export type { CloudRuntimeOverrides, PrunedResource, PruneRequest } from "./cloud-support.js";
export {
  cloudRuntimeOverrides,
  defaultServeCommand,
  generateControlToken,
  JOB_TAG,
  millisToMinutes,
  millisToSeconds,
  ProviderAuthError,
  RUN_TAG,
  readCredentials,
  resourceTags,
  TASK_TAG,
  vendorError,
  wholeSecondMillis,
} from "./cloud-support.js";
export type { BundleEnvironmentOptions, EnvironmentBundle } from "./env-bundle.js";
export { bundleEnvironment, DEFAULT_BUNDLE_CACHE_DIR } from "./env-bundle.js";
export { envChildMain } from "./env-child-main.js";
export type { HudConfig, RuntimeRegistration } from "./hud-config.js";
export { HUD_CONFIG_FILES, loadHudConfig } from "./hud-config.js";
export type { InProcessRuntimeOptions, LocalRuntimeOptions } from "./local-runtime.js";
export { localRuntime } from "./local-runtime.js";
export type { LocalRuntime } from "./local-runtime-contract.js";
export { OutputTail } from "./output-tail.js";
export type { AcquireContext, Endpoint, RuntimePlugin, RuntimeProvider, Substrate } from "./provider.js";
export type { ResolveRuntimeOptions } from "./resolve-runtime.js";
export { resolveRuntime, resolveRuntimePlugin } from "./resolve-runtime.js";
export {
  checkRuntimePlugin,
  checkRuntimeProvider,
  isRuntimePlugin,
  isRuntimeProvider,
} from "./runtime-shape.js";
export type { RuntimeSpec } from "./runtime-spec.js";
export { pluginPackages, splitRuntimeSpec } from "./runtime-spec.js";
export type { EnvProcess } from "./spawned-env.js";
export type { UrlRuntimeOptions } from "./url-runtime.js";
export { urlRuntime } from "./url-runtime.js";
