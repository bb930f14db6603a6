import type { PrunedResource, PruneRequest, RuntimePlugin, RuntimeProvider } from "@hudkit/core";
import { pruneE2bSandboxes } from "./e2b-prune.js";
import { createE2bRuntime, type E2bRuntimeSettings } from "./e2b-runtime.js";
import { e2bApiKey } from "./e2b-support.js";

/**
 * The plugin behind `--runtime e2b:<template>` (the template may carry a tag:
 * `e2b:letter-count:v1`): a {@link createE2bRuntime} provider for the template. A missing
 * `E2B_API_KEY` is one error here, before the job starts, rather than a failed rollout per task.
 * `hud e2b prune [--job ID]` calls its `prune`.
 *
 * @example
 * ```ts
 * const provider = await e2bPlugin.create("letter-count:v1", {});
 * const killed = await e2bPlugin.prune?.({ jobId: "9b2c0d6e8f1a4b7c9d3e5f60718293a4" });
 * ```
 */
export const e2bPlugin: RuntimePlugin = {
  specificationVersion: "runtime-plugin-v1",
  name: "e2b",
  create(arg: string, options: Record<string, unknown>): RuntimeProvider {
    const settings: E2bRuntimeSettings = { ...options, ...(arg ? { template: arg } : {}) };
    const provider = createE2bRuntime(settings);
    e2bApiKey(settings.apiKey);
    return provider;
  },
  prune(request: PruneRequest): Promise<PrunedResource[]> {
    return pruneE2bSandboxes({
      ...(request.jobId !== undefined ? { jobId: request.jobId } : {}),
      ...(request.signal ? { signal: request.signal } : {}),
    });
  },
};
