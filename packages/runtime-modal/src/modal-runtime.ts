import type { AcquireContext, CloudRuntimeOverrides, RuntimeProvider, Substrate, Task } from "@hudkit/core";
import {
  cloudRuntimeOverrides,
  defaultServeCommand,
  generateControlToken,
  HudkitError,
  OutputTail,
  raceAbort,
  resourceTags,
  wholeSecondMillis,
} from "@hudkit/core";
import type { ModalClient, ModalClientParams, Sandbox, SandboxCreateParams } from "modal";
import { z } from "zod";
import {
  DEFAULT_APP_NAME,
  ModalConnection,
  modalError,
  parseImageRef,
  terminateSandbox,
} from "./modal-connection.js";

/** The port an env image serves on (`Dockerfile.hud`'s `CMD` default). */
export const DEFAULT_CONTROL_PORT = 8765;
/** A sandbox's lifetime when neither the settings nor the task set one: the reference's hour. */
export const DEFAULT_SANDBOX_TIMEOUT_MS = 3_600_000;
/**
 * How long the server may take to answer `hello`: the tunnel accepts as soon as the sandbox is
 * scheduled, while the image may still be starting.
 */
export const DEFAULT_READY_TIMEOUT_MS = 300_000;
/** Log entries read for a failed run's output tail (core keeps as many lines). */
const LOG_TAIL_ENTRIES = 50;
/** A log read is best effort: a failed run's report does not wait longer for it. */
const LOG_TAIL_TIMEOUT_MS = 10_000;

/**
 * Settings of {@link createModalRuntime}. The sandbox fields are the SDK's own
 * `SandboxCreateParams` and the credentials its `ModalClientParams`; every duration is in
 * milliseconds and is rounded up to whole seconds, which Modal demands.
 */
export interface ModalRuntimeSettings
  extends Pick<SandboxCreateParams, "cpu" | "memoryMiB" | "gpu" | "env" | "command" | "idleTimeoutMs">,
    Pick<ModalClientParams, "tokenId" | "tokenSecret" | "environment"> {
  /**
   * The env image: a registry reference Modal can pull (`images.fromRegistry`), or
   * `modal://<image-id>` for an image already on Modal (`images.fromId`). A task's
   * `runtime_config.image` takes precedence, read the same way.
   */
  image?: string;
  /** The Modal app the sandboxes are created in (created if missing). Default `"hud-envs"`. */
  app?: string;
  /** The port the server listens on, exposed through an encrypted (TLS) tunnel. Default 8765. */
  port?: number;
  /** The sandbox's entrypoint. Default `node /env/env.mjs --host 0.0.0.0 --port <port>`. */
  command?: SandboxCreateParams["command"];
  /**
   * The sandbox's whole lifetime, after which Modal kills it whatever happens here; a task's
   * `limits.run_timeout_s` takes precedence. Default one hour (Modal's own default is 5 minutes).
   */
  timeoutMs?: SandboxCreateParams["timeoutMs"];
  /** How long the server may take to answer `hello`; `limits.startup_timeout_s` takes precedence. */
  readyTimeoutMs?: number;
  /** Other `sandboxes.create` parameters (secrets, volumes, regions, workdir, ...), under ours. */
  sandbox?: SandboxCreateParams;
  /** A client to use (and leave open) instead of one created from the credentials. */
  client?: ModalClient;
}

const SettingsSchema = z.strictObject({
  image: z.string().min(1).optional(),
  app: z.string().min(1).optional(),
  port: z.int().min(1).max(65_535).optional(),
  command: z.array(z.string()).min(1).optional(),
  env: z.record(z.string(), z.string()).optional(),
  timeoutMs: z.number().positive().finite().optional(),
  idleTimeoutMs: z.number().positive().finite().optional(),
  cpu: z.number().positive().finite().optional(),
  memoryMiB: z.int().positive().optional(),
  gpu: z.string().min(1).optional(),
  readyTimeoutMs: z.number().positive().finite().optional(),
  tokenId: z.string().min(1).optional(),
  tokenSecret: z.string().min(1).optional(),
  environment: z.string().min(1).optional(),
  sandbox: z.record(z.string(), z.unknown()).optional(),
  client: z.custom<ModalClient>((value) => typeof value === "object" && value !== null).optional(),
});

/**
 * A runtime provider that runs each rollout's environment in a fresh Modal sandbox of an image.
 * The sandbox's entrypoint is the env server, started with a per-rollout `HUD_CONTROL_TOKEN`;
 * its port is exposed through an encrypted tunnel (TLS, never a raw public TCP port) and the
 * endpoint is that tunnel's `wss://` URL with the token, which core sends as
 * `Authorization: Bearer` on the upgrade. Readiness is core's handshake with retry. Every sandbox
 * is tagged with the job, run and task, and terminated when the rollout ends, however it ends.
 *
 * A task's `runtime_config` can pick the image and set `resources.cpu`, `memory_mb`, `gpu`
 * (one type), `limits.startup_timeout_s` and `limits.run_timeout_s`.
 *
 * No I/O happens here: credentials are checked, and the Modal client created, by the first
 * acquisition. The client is closed again whenever no acquisition is live.
 *
 * @example
 * ```ts
 * import { createModalRuntime } from "@hudkit/runtime-modal";
 *
 * const runtime = createModalRuntime({ image: "ghcr.io/acme/letter-count:1", cpu: 1, memoryMiB: 1024 });
 * const job = await taskset.run(agent, { runtime, maxConcurrent: 8 });
 * ```
 */
export function createModalRuntime(settings: ModalRuntimeSettings = {}): RuntimeProvider {
  const parsed = SettingsSchema.safeParse(settings);
  if (!parsed.success) {
    throw new HudkitError("invalid-options", `createModalRuntime: ${z.prettifyError(parsed.error)}`);
  }
  if (settings.image !== undefined) parseImageRef(settings.image);
  const connection = new ModalConnection(settings, settings.app ?? DEFAULT_APP_NAME);
  return {
    specificationVersion: "runtime-v1",
    name: "modal",
    async acquire(task: Task, ctx: AcquireContext): Promise<Substrate> {
      const overrides = cloudRuntimeOverrides(task, "modal");
      refuseUnsupported(task, overrides);
      const image = overrides.image ?? settings.image;
      if (image === undefined) {
        throw new HudkitError(
          "modal-no-image",
          `no image for task ${task.slug}: pass one (--runtime modal:<image>) or set runtime_config.image on the task`,
        );
      }
      parseImageRef(image);
      ctx.signal.throwIfAborted();
      const client = await connection.open();
      try {
        return await startSandbox(client, connection, settings, { task, ctx, image, overrides });
      } catch (error) {
        connection.release();
        throw error;
      }
    },
  };
}

interface Rollout {
  task: Task;
  ctx: AcquireContext;
  image: string;
  overrides: CloudRuntimeOverrides;
}

async function startSandbox(
  client: ModalClient,
  connection: ModalConnection,
  settings: ModalRuntimeSettings,
  { task, ctx, image, overrides }: Rollout,
): Promise<Substrate> {
  const port = settings.port ?? DEFAULT_CONTROL_PORT;
  const [app, modalImage] = await Promise.all([connection.app(client), connection.image(client, image)]);
  ctx.signal.throwIfAborted();
  const token = generateControlToken();
  const gpu = gpuOf(overrides) ?? settings.gpu;
  const cpu = overrides.cpu ?? settings.cpu;
  const memoryMiB = overrides.memoryMiB ?? settings.memoryMiB;
  const params: SandboxCreateParams = {
    ...settings.sandbox,
    command: settings.command ?? defaultServeCommand(port),
    encryptedPorts: [port],
    env: { ...settings.sandbox?.env, ...settings.env, HUD_CONTROL_TOKEN: token },
    timeoutMs: wholeSecondMillis(overrides.lifetimeMs ?? settings.timeoutMs ?? DEFAULT_SANDBOX_TIMEOUT_MS),
    ...(settings.idleTimeoutMs !== undefined
      ? { idleTimeoutMs: wholeSecondMillis(settings.idleTimeoutMs) }
      : {}),
    ...(cpu !== undefined ? { cpu } : {}),
    ...(memoryMiB !== undefined ? { memoryMiB } : {}),
    ...(gpu !== undefined ? { gpu } : {}),
    tags: { ...settings.sandbox?.tags, ...resourceTags(task, ctx) },
  };
  ctx.log(`modal: creating a sandbox from ${image} in app ${settings.app ?? DEFAULT_APP_NAME}`);
  ctx.signal.throwIfAborted();
  let sandbox: Sandbox;
  try {
    // The SDK takes no abort signal: an abort during creation is acted on once the sandbox
    // exists, so that it can be terminated rather than left running until its timeout.
    sandbox = await client.sandboxes.create(app, modalImage, params);
  } catch (error) {
    throw modalError(`creating a sandbox from ${image}`, error);
  }
  try {
    ctx.log(`modal sandbox ${sandbox.sandboxId} from ${image}`);
    ctx.signal.throwIfAborted();
    const tunnels = await raceAbort(sandbox.tunnels(), ctx.signal).catch((error: unknown) => {
      throw ctx.signal.aborted
        ? error
        : modalError(`opening the tunnel of sandbox ${sandbox.sandboxId}`, error);
    });
    const tunnel = tunnels[port];
    if (tunnel === undefined) {
      throw new HudkitError(
        "modal-no-tunnel",
        `modal sandbox ${sandbox.sandboxId} has no tunnel for port ${port}`,
      );
    }
    let disposed: Promise<void> | undefined;
    return {
      endpoint: {
        url: tunnel.url.replace(/^https:/, "wss:"),
        token,
        readyTimeoutMs: overrides.startupTimeoutMs ?? settings.readyTimeoutMs ?? DEFAULT_READY_TIMEOUT_MS,
      },
      logs: () => sandboxLogTail(sandbox),
      [Symbol.asyncDispose]() {
        disposed ??= terminateSandbox(sandbox).finally(() => connection.release());
        return disposed;
      },
    };
  } catch (error) {
    await terminateSandbox(sandbox).catch((cleanup: unknown) => {
      ctx.log(`modal sandbox ${sandbox.sandboxId} may still be running: ${String(cleanup)}`);
    });
    throw error;
  }
}

/** The Modal GPU string `<type>[:count]` for a task's `resources.gpu` (any type when unnamed). */
function gpuOf(overrides: CloudRuntimeOverrides): string | undefined {
  if (overrides.gpu === undefined) return undefined;
  const { type, count } = overrides.gpu;
  const name = (Array.isArray(type) ? type[0] : type) ?? "any";
  return count === 1 ? name : `${name}:${count}`;
}

function refuseUnsupported(task: Task, overrides: CloudRuntimeOverrides): void {
  const config = task.runtime_config ?? {};
  const resources = (config.resources ?? {}) as Record<string, unknown>;
  const unsupported = [
    config.compose != null && "compose",
    resources.tpu != null && "resources.tpu",
    Array.isArray(overrides.gpu?.type) && overrides.gpu.type.length > 1 && "several resources.gpu.type",
    typeof resources.os === "string" && resources.os !== "linux" && `resources.os ${resources.os}`,
  ].filter((field): field is string => typeof field === "string");
  if (unsupported.length > 0) {
    throw new HudkitError(
      "unsupported-runtime-config",
      `task ${task.slug} asks for ${unsupported.join(", ")}, which the modal runtime does not support`,
    );
  }
}

/**
 * The last lines of the sandbox entrypoint's output, from Modal's persisted logs: a one-shot
 * read rather than following the live stdout stream, which would hold a gRPC stream open for
 * the sandbox's whole life. Best effort: an unreadable log is an empty tail.
 */
async function sandboxLogTail(sandbox: Sandbox): Promise<string> {
  const tail = new OutputTail();
  const writers = new Map<string, (chunk: string) => void>();
  const read = async () => {
    for await (const entry of sandbox.logs.tail({ entries: LOG_TAIL_ENTRIES })) {
      let write = writers.get(entry.source);
      if (write === undefined) {
        write = tail.writer();
        writers.set(entry.source, write);
      }
      write(entry.message.endsWith("\n") ? entry.message : `${entry.message}\n`);
    }
  };
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, LOG_TAIL_TIMEOUT_MS);
    timer.unref();
  });
  await Promise.race([read(), deadline])
    .catch(() => {})
    .finally(() => clearTimeout(timer));
  tail.flush();
  return tail.text();
}
