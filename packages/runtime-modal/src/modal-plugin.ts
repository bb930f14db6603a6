import type { PrunedResource, PruneRequest, RuntimePlugin, RuntimeProvider } from "@hudkit/core";
import { pruneModalSandboxes } from "./modal-prune.js";
import { createModalRuntime, type ModalRuntimeSettings } from "./modal-runtime.js";

/**
 * The plugin behind `--runtime modal:<image>`: a {@link createModalRuntime} provider for a
 * registry image reference, or for `modal://<image-id>`. Nothing is checked here: credentials
 * are read by the first rollout (or prune), so that a job's plan can be shown without them.
 * `hud modal prune [--job ID]` calls {@link pruneModalSandboxes}.
 *
 * @example
 * ```ts
 * const provider = await modalPlugin.create("ghcr.io/acme/letter-count:1", { cpu: 1 });
 * const removed = await modalPlugin.prune?.({ jobId: "9b2c0d6e8f1a4b7c9d3e5f60718293a4" });
 * ```
 */
export const modalPlugin: RuntimePlugin = {
  specificationVersion: "runtime-plugin-v1",
  name: "modal",
  create(arg: string, options: Record<string, unknown>): RuntimeProvider {
    const settings: ModalRuntimeSettings = { ...options, ...(arg ? { image: arg } : {}) };
    return createModalRuntime(settings);
  },
  prune(request: PruneRequest): Promise<PrunedResource[]> {
    return pruneModalSandboxes({
      ...(request.jobId !== undefined ? { jobId: request.jobId } : {}),
      ...(request.signal !== undefined ? { signal: request.signal } : {}),
    });
  },
};
