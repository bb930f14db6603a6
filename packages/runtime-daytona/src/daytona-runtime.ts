import type {
  CreateSandboxBaseParams,
  CreateSandboxFromImageParams,
  CreateSandboxFromSnapshotParams,
  Daytona,
  Image,
  Resources,
  Sandbox,
} from "@daytonaio/sdk";
import type { AcquireContext, CloudRuntimeOverrides, RuntimeProvider, Substrate, Task } from "@hudkit/core";
import {
  cloudRuntimeOverrides,
  defaultServeCommand,
  HudkitError,
  millisToMinutes,
  millisToSeconds,
  OutputTail,
  raceAbort,
  resourceTags,
} from "@hudkit/core";
import { z } from "zod";
import {
  type DaytonaConnection,
  daytonaClient,
  daytonaError,
  isNotFound,
  PROVIDER,
} from "./daytona-client.js";
import { shellCommand } from "./shell-command.js";

/** The port an env image serves on (`hud serve` and `Dockerfile.hud` default). */
export const DEFAULT_CONTROL_PORT = 8765;
/** How long creating and starting a sandbox may take; Daytona's own default (60 s) is short for an image build. */
export const DEFAULT_CREATE_TIMEOUT_MS = 120_000;
/** How long the server may take to answer `hello` once the sandbox runs. */
export const DEFAULT_READY_TIMEOUT_MS = 300_000;
/** The sandbox session the environment server runs in; its command's output is `Substrate.logs()`. */
export const SERVE_SESSION = "hudkit-serve";
/** The header Daytona's preview proxy wants the sandbox's preview token in. */
export const PREVIEW_TOKEN_HEADER = "x-daytona-preview-token";

/** Create parameters the provider sets itself, so {@link DaytonaRuntimeSettings.sandboxParams} cannot. */
const OWNED_PARAMS = [
  "envVars",
  "labels",
  "public",
  "ephemeral",
  "autoStopInterval",
  "autoPauseInterval",
  "autoDeleteInterval",
  "snapshot",
  "image",
  "resources",
] as const;

/** Extra parameters of `daytona.create` (volumes, network allow lists, user, ...), the SDK's own type. */
export type DaytonaSandboxParams = Omit<CreateSandboxBaseParams, (typeof OWNED_PARAMS)[number]>;

/**
 * Settings of {@link createDaytonaRuntime}. Each sandbox is created from `snapshot` (a snapshot
 * already built in Daytona) or from `image` (a registry image reference, or the SDK's declarative
 * `Image`, which Daytona builds into a snapshot on first use); a task's `runtime_config.image`
 * takes precedence over both. Times are in milliseconds, converted to Daytona's seconds and
 * minutes here.
 */
export interface DaytonaRuntimeSettings extends DaytonaConnection {
  /** A Daytona snapshot with the env at `/env/env.mjs` (see the README). Not with `image`. */
  snapshot?: CreateSandboxFromSnapshotParams["snapshot"];
  /** An image reference (`ghcr.io/acme/letter-count:1`) or a declarative `Image`. Not with `snapshot`. */
  image?: CreateSandboxFromImageParams["image"];
  /** The port the server listens on and the preview link opens. Default {@link DEFAULT_CONTROL_PORT}. */
  port?: number;
  /** The server's command. Default: `node /env/env.mjs --host 0.0.0.0 --port <port>`. */
  command?: string[];
  /** Environment variables of every sandbox (and so of the server). */
  envVars?: CreateSandboxBaseParams["envVars"];
  /** Extra labels; `hudkit.job`, `hudkit.run` and `hudkit.task` are always set. */
  labels?: CreateSandboxBaseParams["labels"];
  /** CPU (whole cores), memory and disk (GiB), GPUs: only for sandboxes created from an image. */
  resources?: Resources;
  /** How long creating and starting a sandbox may take. Default {@link DEFAULT_CREATE_TIMEOUT_MS}. */
  createTimeoutMs?: number;
  /** Stop a sandbox idle this long (rounded up to minutes). Default 0: never, the rollout deletes it. */
  autoStopIntervalMs?: number;
  /** How long the server may take to answer `hello`. Default {@link DEFAULT_READY_TIMEOUT_MS}. */
  readyTimeoutMs?: number;
  /** Further `daytona.create` parameters, except those the provider owns (labels, env, lifecycle). */
  sandboxParams?: DaytonaSandboxParams;
}

const ResourcesSchema = z.strictObject({
  cpu: z.int().positive().optional(),
  gpu: z.int().min(0).optional(),
  gpuType: z.union([z.string(), z.array(z.string())]).optional(),
  memory: z.int().positive().optional(),
  disk: z.int().positive().optional(),
});

const SettingsSchema = z.strictObject({
  snapshot: z.string().min(1).optional(),
  image: z
    .union([
      z.string().min(1),
      z.custom<Image>(
        (value) => typeof value === "object" && value !== null,
        "expected an image reference or an Image",
      ),
    ])
    .optional(),
  port: z.int().min(1).max(65_535).optional(),
  command: z.array(z.string()).min(1).optional(),
  envVars: z.record(z.string(), z.string()).optional(),
  labels: z.record(z.string(), z.string()).optional(),
  resources: ResourcesSchema.optional(),
  createTimeoutMs: z.number().min(0).finite().optional(),
  autoStopIntervalMs: z.number().min(0).finite().optional(),
  readyTimeoutMs: z.number().positive().finite().optional(),
  sandboxParams: z.record(z.string(), z.unknown()).optional(),
  daytona: z
    .custom<Daytona>(
      (value) => typeof (value as { create?: unknown } | null)?.create === "function",
      "expected a Daytona client",
    )
    .optional(),
  apiKey: z.string().min(1).optional(),
  apiUrl: z.string().min(1).optional(),
  target: z.string().min(1).optional(),
});

/** Where one sandbox comes from. */
type Source = { snapshot: string } | { image: string | Image };

/**
 * A runtime provider that runs each rollout's environment in a fresh Daytona sandbox: created
 * private and ephemeral from a snapshot or an image, tagged with the job, run and task, the server
 * started in a session, and reached over `wss://` through Daytona's preview proxy with the
 * sandbox's preview token. The sandbox is deleted when the rollout ends, however it ends, and
 * also when acquisition fails or is aborted part-way.
 *
 * No I/O happens here: the SDK is loaded, credentials read and the client built (once) by the
 * first acquisition.
 *
 * @example
 * ```ts
 * import { createDaytonaRuntime } from "@hudkit/runtime-daytona";
 *
 * const runtime = createDaytonaRuntime({ snapshot: "letter-count", envVars: { LOG_LEVEL: "debug" } });
 * const job = await taskset.run(agent, { runtime, maxConcurrent: 8 });
 * ```
 */
export function createDaytonaRuntime(settings: DaytonaRuntimeSettings = {}): RuntimeProvider {
  checkSettings(settings);
  const port = settings.port ?? DEFAULT_CONTROL_PORT;
  let client: Promise<Daytona> | undefined;
  const connect = (): Promise<Daytona> => {
    client ??= daytonaClient(settings).catch((error: unknown) => {
      // Not cached: a missing key set after the first failure is picked up by the next rollout.
      client = undefined;
      throw error;
    });
    return client;
  };
  return {
    specificationVersion: "runtime-v1",
    name: PROVIDER,
    async acquire(task: Task, ctx: AcquireContext): Promise<Substrate> {
      const overrides = cloudRuntimeOverrides(task, PROVIDER);
      const source = sourceFor(settings, overrides, task);
      const resources = resourcesFor(settings, overrides, task, source);
      ctx.signal.throwIfAborted();
      const daytona = await connect();
      ctx.signal.throwIfAborted();
      const params: CreateSandboxBaseParams = {
        ...settings.sandboxParams,
        envVars: { ...settings.envVars },
        labels: { ...settings.labels, ...resourceTags(task, ctx) },
        public: false,
        ephemeral: true,
        autoStopInterval: millisToMinutes(settings.autoStopIntervalMs ?? 0),
        ...(overrides.lifetimeMs !== undefined ? { ttlMinutes: millisToMinutes(overrides.lifetimeMs) } : {}),
      };
      const timeout = millisToSeconds(settings.createTimeoutMs ?? DEFAULT_CREATE_TIMEOUT_MS);
      const sandbox = await createSandbox(
        daytona,
        () =>
          "snapshot" in source
            ? daytona.create({ ...params, snapshot: source.snapshot }, { timeout })
            : daytona.create(
                { ...params, image: source.image, ...(resources ? { resources } : {}) },
                { timeout, onSnapshotCreateLogs: (chunk) => ctx.log(`daytona build: ${chunk}`) },
              ),
        describeSource(source),
        task,
        ctx,
      );
      ctx.log(`daytona sandbox ${sandbox.id} from ${describeSource(source)}`);
      return startServer(sandbox, settings, port, overrides, ctx);
    },
  };
}

function checkSettings(settings: DaytonaRuntimeSettings): void {
  const parsed = SettingsSchema.safeParse(settings);
  const problems = parsed.success ? [] : [z.prettifyError(parsed.error)];
  if (settings.snapshot !== undefined && settings.image !== undefined) {
    problems.push("pass `snapshot` or `image`, not both");
  }
  if (settings.snapshot !== undefined && settings.resources !== undefined) {
    problems.push(
      "`resources` apply only to sandboxes created from an image: a snapshot's sandboxes get the resources the snapshot was built with",
    );
  }
  const owned = OWNED_PARAMS.filter(
    (key) => settings.sandboxParams !== undefined && key in settings.sandboxParams,
  );
  if (owned.length > 0) {
    problems.push(
      `sandboxParams cannot set ${owned.join(", ")}: the provider owns them (envVars, labels, snapshot, image and resources are settings of their own)`,
    );
  }
  if (problems.length > 0) {
    throw new HudkitError("invalid-options", `createDaytonaRuntime: ${problems.join("\n")}`);
  }
}

function sourceFor(settings: DaytonaRuntimeSettings, overrides: CloudRuntimeOverrides, task: Task): Source {
  if (overrides.image !== undefined) return { image: overrides.image };
  if (settings.image !== undefined) return { image: settings.image };
  if (settings.snapshot !== undefined) return { snapshot: settings.snapshot };
  throw new HudkitError(
    "daytona-no-source",
    `no snapshot or image for task ${task.slug}: pass one (--runtime daytona:<snapshot-or-image>) or set runtime_config.image on the task`,
  );
}

function describeSource(source: Source): string {
  if ("snapshot" in source) return `snapshot ${source.snapshot}`;
  return typeof source.image === "string" ? `image ${source.image}` : "a declarative image";
}

/** The sandbox's resources: the settings', then the task's `runtime_config.resources` in Daytona's units. */
function resourcesFor(
  settings: DaytonaRuntimeSettings,
  overrides: CloudRuntimeOverrides,
  task: Task,
  source: Source,
): Resources | undefined {
  const fromTask: Resources = {};
  const asked: string[] = [];
  if (overrides.cpu !== undefined) {
    if (!Number.isInteger(overrides.cpu)) {
      throw new HudkitError(
        "unsupported-runtime-config",
        `task ${task.slug} asks for resources.cpu ${overrides.cpu}, but Daytona allocates whole CPUs`,
      );
    }
    fromTask.cpu = overrides.cpu;
    asked.push("resources.cpu");
  }
  if (overrides.memoryMiB !== undefined) {
    fromTask.memory = Math.ceil(overrides.memoryMiB / 1024);
    asked.push("resources.memory_mb");
  }
  if (overrides.diskMiB !== undefined) {
    fromTask.disk = Math.ceil(overrides.diskMiB / 1024);
    asked.push("resources.storage_mb");
  }
  if (overrides.gpu !== undefined) {
    fromTask.gpu = overrides.gpu.count;
    if (overrides.gpu.type !== undefined) fromTask.gpuType = overrides.gpu.type as Resources["gpuType"];
    asked.push("resources.gpu");
  }
  if ("snapshot" in source) {
    if (asked.length === 0) return undefined;
    throw new HudkitError(
      "unsupported-runtime-config",
      `task ${task.slug} asks for ${asked.join(", ")}, but its Daytona sandbox comes from snapshot ${source.snapshot}, which fixes its resources when built: create from an image (runtime_config.image) or build the snapshot with them`,
    );
  }
  const resources = { ...settings.resources, ...fromTask };
  return Object.keys(resources).length > 0 ? resources : undefined;
}

/**
 * Creates the sandbox. `daytona.create` cannot be cancelled, so on abort this waits for it and
 * deletes what it made before rejecting; a create that failed after the API accepted it (a start
 * timeout, a build error) leaves a sandbox too, found by this rollout's tags and deleted.
 */
async function createSandbox(
  daytona: Daytona,
  create: () => Promise<Sandbox>,
  what: string,
  task: Task,
  ctx: AcquireContext,
): Promise<Sandbox> {
  // Called at once (an abort from here on finds the create under way), its throws made rejections.
  const creation = (async () => create())();
  ctx.log(`daytona: creating a sandbox from ${what}`);
  try {
    return await raceAbort(creation, ctx.signal);
  } catch (error) {
    const made = await creation.catch(() => undefined);
    if (made !== undefined) await deleteQuietly(made, ctx);
    else await deleteTagged(daytona, task, ctx);
    if (ctx.signal.aborted) throw ctx.signal.reason;
    throw daytonaError(`creating a sandbox from ${what}`, error);
  }
}

async function startServer(
  sandbox: Sandbox,
  settings: DaytonaRuntimeSettings,
  port: number,
  overrides: CloudRuntimeOverrides,
  ctx: AcquireContext,
): Promise<Substrate> {
  const call = async <T>(action: string, work: () => Promise<T>): Promise<T> => {
    try {
      return await raceAbort((async () => work())(), ctx.signal);
    } catch (error) {
      if (ctx.signal.aborted) throw ctx.signal.reason;
      throw daytonaError(`${action} in sandbox ${sandbox.id}`, error);
    }
  };
  try {
    ctx.signal.throwIfAborted();
    const command = shellCommand(settings.command ?? defaultServeCommand(port));
    await call("opening a session", () => sandbox.process.createSession(SERVE_SESSION));
    const { cmdId } = await call("starting the environment server", () =>
      sandbox.process.executeSessionCommand(SERVE_SESSION, { command, runAsync: true }),
    );
    ctx.log(`daytona sandbox ${sandbox.id}: started ${command}`);
    const preview = await call(`opening port ${port}`, () => sandbox.getPreviewLink(port));
    let disposal: Promise<void> | undefined;
    return {
      endpoint: {
        // The preview URL is https://<port>-<id>.<proxy domain>: the proxy carries WebSockets too.
        url: preview.url.replace(/^http/, "ws"),
        ...(preview.token ? { headers: { [PREVIEW_TOKEN_HEADER]: preview.token } } : {}),
        readyTimeoutMs: overrides.startupTimeoutMs ?? settings.readyTimeoutMs ?? DEFAULT_READY_TIMEOUT_MS,
      },
      logs: () => serverOutput(sandbox, cmdId),
      [Symbol.asyncDispose]() {
        // The first call reports a failure; a second one has nothing more to do.
        if (disposal !== undefined) return disposal.catch(() => {});
        disposal = deleteSandbox(sandbox);
        return disposal;
      },
    };
  } catch (error) {
    await deleteQuietly(sandbox, ctx);
    throw error;
  }
}

/** The last lines the server printed, for a failed run's report. */
async function serverOutput(sandbox: Sandbox, cmdId: string): Promise<string> {
  try {
    const output = await sandbox.process.getSessionCommandLogs(SERVE_SESSION, cmdId);
    const tail = new OutputTail();
    tail.writer()(output.output ?? `${output.stdout ?? ""}${output.stderr ?? ""}`);
    tail.flush();
    return tail.text();
  } catch (error) {
    return `(daytona: could not read the server's output: ${error instanceof Error ? error.message : String(error)})`;
  }
}

async function deleteSandbox(sandbox: Sandbox): Promise<void> {
  try {
    await sandbox.delete();
  } catch (error) {
    // Gone already (pruned, or deleted by Daytona): nothing left to pay for.
    if (!isNotFound(error)) throw daytonaError(`deleting sandbox ${sandbox.id}`, error);
  }
}

/** Cleanup on a failure path: the failure is what the caller must see, so a failed delete is only logged. */
async function deleteQuietly(sandbox: Sandbox, ctx: AcquireContext): Promise<void> {
  try {
    await deleteSandbox(sandbox);
  } catch (error) {
    ctx.log(
      `daytona: could not delete sandbox ${sandbox.id} (${error instanceof Error ? error.message : String(error)}); \`hud daytona prune --job ${ctx.jobId}\` removes it`,
    );
  }
}

async function deleteTagged(daytona: Daytona, task: Task, ctx: AcquireContext): Promise<void> {
  try {
    const left: Sandbox[] = [];
    for await (const sandbox of daytona.list({ labels: resourceTags(task, ctx) })) left.push(sandbox);
    for (const sandbox of left) await deleteQuietly(sandbox, ctx);
  } catch {
    // Listing failed too (the API is down, the key refused): prune finds the sandbox later.
  }
}
