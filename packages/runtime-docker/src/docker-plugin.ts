import type { RuntimePlugin, RuntimeProvider } from "@hudkit/core";
import { checkDockerEngine, dockerClient } from "./docker-engine.js";
import { createDockerRuntime, type DockerRuntimeSettings } from "./docker-runtime.js";

/**
 * The plugin behind `--runtime docker:<image>`: a {@link createDockerRuntime} provider for the
 * image, after checking that the engine answers and has the image, so that a missing engine or
 * image is one error before the job starts rather than a failed rollout per task.
 *
 * @example
 * ```ts
 * const provider = await dockerPlugin.create("letter-count:latest", {});
 * ```
 */
export const dockerPlugin: RuntimePlugin = {
  specificationVersion: "runtime-plugin-v1",
  name: "docker",
  async create(arg: string, options: Record<string, unknown>): Promise<RuntimeProvider> {
    const settings: DockerRuntimeSettings = { ...options, ...(arg ? { image: arg } : {}) };
    const docker = dockerClient(settings.docker);
    await checkDockerEngine(docker, settings.image);
    return createDockerRuntime({ ...settings, docker });
  },
};
