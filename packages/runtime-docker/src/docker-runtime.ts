import type { AcquireContext, RuntimeProvider, Substrate, Task } from "@hudkit/core";
import { HudkitError } from "@hudkit/core";
import type Docker from "dockerode";
import { z } from "zod";
import { containerLogTail } from "./container-logs.js";
import {
  type DockerConnection,
  dockerClient,
  engineUnreachable,
  imageMissing,
  isUnreachable,
  publishHost,
  statusOf,
} from "./docker-engine.js";

/** The port an env image serves on (`hud serve` and `Dockerfile.hud` default). */
export const DEFAULT_CONTROL_PORT = 8765;
/**
 * How long a container may take to answer `hello`: a container's Node start is slower than a
 * local child's, and an engine under load takes seconds to start one.
 */
export const DEFAULT_READY_TIMEOUT_MS = 120_000;
/** Labels on every container, so `hud docker prune` finds leftovers of a job, or of all jobs. */
export const JOB_LABEL = "hudkit.job";
export const RUN_LABEL = "hudkit.run";
export const TASK_LABEL = "hudkit.task";

/** Settings of {@link createDockerRuntime}. */
export interface DockerRuntimeSettings {
  /** The env image; a task's `runtime_config.image` takes precedence. */
  image?: string;
  /** The port the image serves the control channel on. Default {@link DEFAULT_CONTROL_PORT}. */
  port?: number;
  /** The engine: a dockerode client or its options. Default: `DOCKER_HOST`, else the unix socket. */
  docker?: DockerConnection;
  /** Environment variables for every container. */
  env?: Record<string, string>;
  /** The container's command, instead of the image's `CMD`. */
  command?: string[];
  /** Extra Docker `HostConfig` (network mode, mounts, ...), merged over what the provider sets. */
  hostConfig?: Docker.HostConfig;
  /** Extra labels for every container. */
  labels?: Record<string, string>;
  /** How long a container may take to answer `hello`. Default {@link DEFAULT_READY_TIMEOUT_MS}. */
  readyTimeoutMs?: number;
}

const SettingsSchema = z.strictObject({
  image: z.string().min(1).optional(),
  port: z.int().min(1).max(65_535).optional(),
  docker: z.unknown().optional(),
  env: z.record(z.string(), z.string()).optional(),
  command: z.array(z.string()).min(1).optional(),
  hostConfig: z.record(z.string(), z.unknown()).optional(),
  labels: z.record(z.string(), z.string()).optional(),
  readyTimeoutMs: z.number().positive().finite().optional(),
});

/** The part of a task's `runtime_config` this provider honours (spec §4.2). */
const RuntimeConfigSchema = z.object({
  image: z.string().min(1).optional(),
  compose: z.unknown().optional(),
  resources: z
    .object({
      cpu: z.number().positive().optional(),
      memory_mb: z.int().positive().optional(),
      storage_mb: z.int().positive().optional(),
      gpu: z.object({ type: z.unknown().optional(), count: z.int().min(1).default(1) }).nullish(),
      os: z.string().optional(),
      tpu: z.unknown().optional(),
    })
    .optional(),
  limits: z.object({ startup_timeout_s: z.int().positive().optional() }).passthrough().optional(),
});
type RuntimeConfig = z.output<typeof RuntimeConfigSchema>;

/**
 * A runtime provider that runs each rollout's environment in a fresh container of an image:
 * the control port published on an ephemeral host port, readiness left to the protocol
 * handshake (a published port accepts before the server listens), and the container
 * force-removed when the rollout ends, however it ends. A task's `runtime_config` can pick the
 * image and set `resources.cpu` and `resources.memory_mb` (container limits) and `gpu.count`.
 *
 * No I/O happens here: the engine is first contacted by the first acquisition.
 *
 * @example
 * ```ts
 * import { createDockerRuntime } from "@hudkit/runtime-docker";
 *
 * const runtime = createDockerRuntime({ image: "letter-count:latest", env: { LOG_LEVEL: "debug" } });
 * const job = await taskset.run(agent, { runtime, maxConcurrent: 4 });
 * ```
 */
export function createDockerRuntime(settings: DockerRuntimeSettings = {}): RuntimeProvider {
  const parsed = SettingsSchema.safeParse(settings);
  if (!parsed.success) {
    throw new HudkitError("invalid-options", `createDockerRuntime: ${z.prettifyError(parsed.error)}`);
  }
  const port = settings.port ?? DEFAULT_CONTROL_PORT;
  let docker: Docker | undefined;
  return {
    specificationVersion: "runtime-v1",
    name: "docker",
    async acquire(task: Task, ctx: AcquireContext): Promise<Substrate> {
      docker ??= dockerClient(settings.docker);
      return startContainer(docker, settings, port, task, ctx);
    },
  };
}

async function startContainer(
  docker: Docker,
  settings: DockerRuntimeSettings,
  port: number,
  task: Task,
  ctx: AcquireContext,
): Promise<Substrate> {
  const config = runtimeConfig(task);
  const image = config.image ?? settings.image;
  if (image === undefined) {
    throw new HudkitError(
      "docker-no-image",
      `no image for task ${task.slug}: pass one (--runtime docker:<image>) or set runtime_config.image on the task`,
    );
  }
  ctx.signal.throwIfAborted();
  const controlPort = `${port}/tcp`;
  let container: Docker.Container;
  try {
    container = await docker.createContainer({
      Image: image,
      ...(settings.command ? { Cmd: settings.command } : {}),
      Env: Object.entries(settings.env ?? {}).map(([key, value]) => `${key}=${value}`),
      Labels: {
        ...settings.labels,
        [JOB_LABEL]: ctx.jobId,
        [RUN_LABEL]: ctx.runId,
        [TASK_LABEL]: task.slug,
      },
      ExposedPorts: { [controlPort]: {} },
      HostConfig: {
        ...limitsOf(config),
        ...settings.hostConfig,
        // Port 0 on the host: the engine picks a free one; loopback unless the engine is remote.
        PortBindings: { [controlPort]: [{ HostIp: hostIpFor(docker), HostPort: "" }] },
      },
    });
  } catch (error) {
    if (isUnreachable(error)) throw engineUnreachable(docker, error);
    if (statusOf(error) === 404) throw imageMissing(image, error);
    throw error;
  }
  const remove = () => removeContainer(container);
  try {
    ctx.signal.throwIfAborted();
    ctx.log(`container ${container.id.slice(0, 12)} of ${image}`);
    await container.start();
    ctx.signal.throwIfAborted();
    const hostPort = await publishedPort(container, controlPort);
    const startupS = config.limits?.startup_timeout_s;
    return {
      endpoint: {
        url: `tcp://${publishHost(docker)}:${hostPort}`,
        readyTimeoutMs:
          startupS !== undefined ? startupS * 1_000 : (settings.readyTimeoutMs ?? DEFAULT_READY_TIMEOUT_MS),
      },
      logs: () => containerLogTail(container),
      [Symbol.asyncDispose]: remove,
    };
  } catch (error) {
    await remove();
    throw error;
  }
}

function runtimeConfig(task: Task): RuntimeConfig {
  const parsed = RuntimeConfigSchema.safeParse(task.runtime_config ?? {});
  if (!parsed.success) {
    throw new HudkitError(
      "invalid-runtime-config",
      `task ${task.slug} has a runtime_config the docker runtime cannot read: ${z.prettifyError(parsed.error)}`,
    );
  }
  const config = parsed.data;
  const unsupported = [
    config.compose !== undefined && "compose",
    config.resources?.tpu !== undefined && "resources.tpu",
    config.resources?.gpu?.type != null && "resources.gpu.type",
    config.resources?.os !== undefined &&
      config.resources.os !== "linux" &&
      `resources.os ${config.resources.os}`,
  ].filter((field): field is string => typeof field === "string");
  if (unsupported.length > 0) {
    throw new HudkitError(
      "unsupported-runtime-config",
      `task ${task.slug} asks for ${unsupported.join(", ")}, which the docker runtime does not support`,
    );
  }
  return config;
}

/** Container limits from `runtime_config.resources`; `storage_mb` is best effort and ignored. */
function limitsOf(config: RuntimeConfig): Docker.HostConfig {
  const resources = config.resources ?? {};
  const limits: Docker.HostConfig = {};
  if (resources.cpu !== undefined) limits.NanoCpus = Math.round(resources.cpu * 1e9);
  if (resources.memory_mb !== undefined) limits.Memory = resources.memory_mb * 1024 * 1024;
  if (resources.gpu != null) {
    limits.DeviceRequests = [{ Driver: "", Count: resources.gpu.count, Capabilities: [["gpu"]] }];
  }
  return limits;
}

function hostIpFor(docker: Docker): string {
  // A remote engine must publish where this machine can reach it.
  return publishHost(docker) === "127.0.0.1" ? "127.0.0.1" : "0.0.0.0";
}

/** The host port the engine bound, or an error with the log tail if the container died first. */
async function publishedPort(container: Docker.Container, controlPort: string): Promise<number> {
  const info = await container.inspect();
  const binding = info.NetworkSettings.Ports?.[controlPort]?.[0]?.HostPort;
  if (info.State.Running && binding) return Number(binding);
  const tail = await containerLogTail(container).catch(() => "");
  throw new HudkitError(
    "env-exited",
    `container ${container.id.slice(0, 12)} exited with code ${info.State.ExitCode} before serving${tail ? `:\n${tail}` : ""}`,
  );
}

async function removeContainer(container: Docker.Container): Promise<void> {
  try {
    await container.remove({ force: true, v: true });
  } catch (error) {
    // Gone already (removed by prune, or by the engine): nothing left to clean up.
    if (statusOf(error) !== 404 && statusOf(error) !== 409) throw error;
  }
}
