import type { AcquireContext, CloudRuntimeOverrides, RuntimeProvider, Substrate, Task } from "@hudkit/core";
import {
  cloudRuntimeOverrides,
  defaultServeCommand,
  generateControlToken,
  HudkitError,
  OutputTail,
  resourceTags,
  vendorError,
} from "@hudkit/core";
import { CommandExitError, type CommandHandle, Sandbox, type SandboxOpts } from "e2b";
import { z } from "zod";
import { e2bApiKey, isE2bAuthError, isSandboxGone, shellCommand } from "./e2b-support.js";

/** The port an env image serves on (`hud serve` and `Dockerfile.hud` default). */
export const DEFAULT_CONTROL_PORT = 8765;
/**
 * A sandbox's lifetime: long enough for a slow agent's rollout, and the most E2B's Hobby tier
 * allows. The rollout's end kills the sandbox long before; this bounds what a killed process
 * leaves running (and billed).
 */
export const DEFAULT_SANDBOX_TIMEOUT_MS = 60 * 60_000;
/** How long the server may take to answer `hello`: a cold template start plus Node's start. */
export const DEFAULT_READY_TIMEOUT_MS = 300_000;
/** The header E2B's proxy demands when the sandbox's public traffic is restricted. */
export const TRAFFIC_TOKEN_HEADER = "e2b-traffic-access-token";

/**
 * The `Sandbox.create` options a runtime passes on: the E2B SDK's own `SandboxOpts` (network,
 * lifecycle, metadata, API key, domain, ...), less the per-call `signal`, which the provider owns.
 */
export type E2bSandboxOptions = Omit<SandboxOpts, "signal">;

/**
 * Settings of {@link createE2bRuntime}: the SDK's `Sandbox.create` options plus how to start and
 * reach the env server. Every duration is in milliseconds.
 */
export interface E2bRuntimeSettings extends E2bSandboxOptions {
  /** The template (`name[:tag]` or id) built from the env's `Dockerfile.hud`; a task's `runtime_config.image` takes precedence. */
  template?: string;
  /** The sandbox's lifetime in ms (E2B kills it then). Default {@link DEFAULT_SANDBOX_TIMEOUT_MS}; a task's `limits.run_timeout_s` takes precedence. */
  timeoutMs?: number;
  /** Environment variables for the sandbox and the server. */
  envs?: Record<string, string>;
  /** The port the server listens on. Default {@link DEFAULT_CONTROL_PORT}. */
  port?: number;
  /** The server's command. Default `node /env/env.mjs --host 0.0.0.0 --port <port>` (the `Dockerfile.hud` CMD). */
  command?: string[];
  /** How long the server may take to answer `hello`, in ms. Default {@link DEFAULT_READY_TIMEOUT_MS}. */
  readyTimeoutMs?: number;
}

const anything = z.unknown().optional();
/**
 * Every key of the settings, the SDK's options included: `satisfies` checks the list against the
 * SDK's type at compile time, so the strict check refuses typos and nothing the SDK accepts.
 */
const settingsShape = {
  template: z.string().min(1).optional(),
  timeoutMs: z.int().positive().optional(),
  envs: z.record(z.string(), z.string()).optional(),
  metadata: z.record(z.string(), z.string()).optional(),
  port: z.int().min(1).max(65_535).optional(),
  command: z.array(z.string()).min(1).optional(),
  readyTimeoutMs: z.number().positive().finite().optional(),
  apiKey: z.string().min(1).optional(),
  domain: z.string().min(1).optional(),
  requestTimeoutMs: z.number().nonnegative().finite().optional(),
  validateApiKey: anything,
  apiUrl: anything,
  sandboxUrl: anything,
  debug: anything,
  retries: anything,
  logger: anything,
  headers: anything,
  proxy: anything,
  apiHeaders: anything,
  secure: anything,
  allowInternetAccess: anything,
  mcp: anything,
  network: anything,
  iam: anything,
  volumeMounts: anything,
  lifecycle: anything,
} satisfies { [Key in keyof Required<E2bRuntimeSettings>]: z.ZodType };
const SettingsSchema = z.strictObject(settingsShape);

/**
 * A runtime provider that runs each rollout's environment in a fresh E2B sandbox created from a
 * template: the env server is started in it as a background command, and reached over `wss://`
 * through E2B's proxy with a fresh per-rollout `HUD_CONTROL_TOKEN` (sandbox URLs are public by
 * default). The sandbox is tagged with the job, run and task, and killed when the rollout ends,
 * however it ends. A task's `runtime_config` can pick the template (`image`) and the lifetime
 * (`limits.run_timeout_s`); CPU and memory belong to the template on E2B, so asking for them is
 * an error.
 *
 * No I/O happens here, and `E2B_API_KEY` is read by the first acquisition, not now.
 *
 * @example
 * ```ts
 * import { createE2bRuntime } from "@hudkit/runtime-e2b";
 *
 * const runtime = createE2bRuntime({ template: "letter-count:v1", timeoutMs: 30 * 60_000 });
 * const job = await taskset.run(agent, { runtime, maxConcurrent: 8 });
 * ```
 */
export function createE2bRuntime(settings: E2bRuntimeSettings = {}): RuntimeProvider {
  const parsed = SettingsSchema.safeParse(settings);
  if (!parsed.success) {
    throw new HudkitError("invalid-options", `createE2bRuntime: ${z.prettifyError(parsed.error)}`);
  }
  return {
    specificationVersion: "runtime-v1",
    name: "e2b",
    acquire: (task, ctx) => startSandbox(settings, task, ctx),
  };
}

async function startSandbox(
  settings: E2bRuntimeSettings,
  task: Task,
  ctx: AcquireContext,
): Promise<Substrate> {
  const overrides = cloudRuntimeOverrides(task, "e2b");
  refuseUnsupported(task, overrides);
  const template = overrides.image ?? settings.template;
  if (template === undefined) {
    throw new HudkitError(
      "e2b-no-template",
      `no template for task ${task.slug}: pass one (--runtime e2b:<template>) or set runtime_config.image on the task`,
    );
  }
  const { port = DEFAULT_CONTROL_PORT, command, readyTimeoutMs, template: _, ...sandboxOptions } = settings;
  const apiKey = e2bApiKey(settings.apiKey);
  ctx.signal.throwIfAborted();
  let sandbox: Sandbox;
  try {
    // No `signal`: aborting the request could leave a sandbox E2B created but never named to
    // us, billed until its timeout. A create takes about a second; the abort is checked after.
    sandbox = await Sandbox.create(template, {
      ...sandboxOptions,
      apiKey,
      timeoutMs: overrides.lifetimeMs ?? settings.timeoutMs ?? DEFAULT_SANDBOX_TIMEOUT_MS,
      envs: settings.envs ?? {},
      metadata: { ...settings.metadata, ...resourceTags(task, ctx) },
    });
  } catch (error) {
    throw vendorError("e2b", `creating a sandbox from ${template}`, error, isE2bAuthError);
  }
  const id = sandbox.sandboxId;
  const tail = new OutputTail();
  let server: CommandHandle | undefined;
  let disposed: Promise<void> | undefined;
  const dispose = () => {
    disposed ??= stopSandbox(sandbox, server);
    return disposed;
  };
  try {
    ctx.signal.throwIfAborted();
    ctx.log(`e2b sandbox ${id} from ${template}`);
    const token = generateControlToken();
    const line = shellCommand(command ?? defaultServeCommand(port));
    try {
      server = await sandbox.commands.run(line, {
        background: true,
        // Required: `timeoutMs` defaults to 60 s even for background commands, and when it runs
        // out the SDK drops the process's stream and envd kills the server mid-rollout.
        timeoutMs: 0,
        envs: { ...settings.envs, HUD_CONTROL_TOKEN: token },
        onStdout: tail.writer(),
        onStderr: tail.writer(),
      });
    } catch (error) {
      throw vendorError("e2b", `starting the server in sandbox ${id}`, error, isE2bAuthError);
    }
    noteExit(server, tail, () => disposed !== undefined);
    ctx.signal.throwIfAborted();
    ctx.log(`e2b sandbox ${id}: started ${line}`);
    const trafficToken = sandbox.trafficAccessToken;
    return {
      endpoint: {
        url: `wss://${sandbox.getHost(port)}`,
        ...(trafficToken ? { headers: { [TRAFFIC_TOKEN_HEADER]: trafficToken } } : {}),
        token,
        readyTimeoutMs: overrides.startupTimeoutMs ?? readyTimeoutMs ?? DEFAULT_READY_TIMEOUT_MS,
      },
      logs: async () => tail.text(),
      [Symbol.asyncDispose]: dispose,
    };
  } catch (error) {
    await dispose().catch((killError: unknown) => {
      const reason = killError instanceof Error ? killError.message : String(killError);
      ctx.log(
        `e2b sandbox ${id} could not be killed (${reason}): \`hud e2b prune --job ${ctx.jobId}\` removes it`,
      );
    });
    throw error;
  }
}

/** CPU and memory are fixed when an E2B template is built; a GPU, compose or TPU E2B has not. */
function refuseUnsupported(task: Task, overrides: CloudRuntimeOverrides): void {
  const templateFields = [
    overrides.cpu !== undefined && "resources.cpu",
    overrides.memoryMiB !== undefined && "resources.memory_mb",
  ].filter((field): field is string => typeof field === "string");
  if (templateFields.length > 0) {
    throw new HudkitError(
      "unsupported-runtime-config",
      `task ${task.slug} asks for ${templateFields.join(" and ")}, which on E2B is a property of the template, not of a sandbox: build a template with that size (cpuCount, memoryMB of Template.build) and name it in runtime_config.image`,
    );
  }
  const config = task.runtime_config ?? {};
  const resources = (config.resources ?? {}) as Record<string, unknown>;
  const unsupported = [
    overrides.gpu !== undefined && "resources.gpu",
    resources.tpu != null && "resources.tpu",
    typeof resources.os === "string" && resources.os !== "linux" && `resources.os ${resources.os}`,
    config.compose != null && "compose",
  ].filter((field): field is string => typeof field === "string");
  if (unsupported.length > 0) {
    throw new HudkitError(
      "unsupported-runtime-config",
      `task ${task.slug} asks for ${unsupported.join(", ")}, which the e2b runtime does not support`,
    );
  }
}

/** Puts the server's exit into the log tail, so a server that dies early says so in `logs()`. */
function noteExit(server: CommandHandle, tail: OutputTail, disposed: () => boolean): void {
  const note = tail.writer();
  server.wait().then(
    (result) => note(`[e2b: the server exited with code ${result.exitCode}]\n`),
    (error: unknown) => {
      // Killing the sandbox ends the stream with an error: expected, not worth a line.
      if (disposed()) return;
      if (error instanceof CommandExitError) note(`[e2b: the server exited with code ${error.exitCode}]\n`);
      else
        note(`[e2b: lost the server's output: ${error instanceof Error ? error.message : String(error)}]\n`);
    },
  );
}

async function stopSandbox(sandbox: Sandbox, server: CommandHandle | undefined): Promise<void> {
  // Stop listening first, so the output stream is closed by us rather than left to break.
  await server?.disconnect().catch(() => {});
  try {
    // `false` means the sandbox was already gone: nothing left to clean up.
    await sandbox.kill();
  } catch (error) {
    if (isSandboxGone(error)) return;
    throw vendorError("e2b", `killing sandbox ${sandbox.sandboxId}`, error, isE2bAuthError);
  }
}
