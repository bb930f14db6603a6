import { z } from "zod";
import { type Environment, isEnvironment } from "../environment/environment.js";
import { loadEnvironment } from "../environment/load-environment.js";
import { HudkitError } from "../errors/hudkit-error.js";
import { createEnvProcessRuntime } from "./env-process-runtime.js";
import { createInProcessRuntime } from "./in-process-runtime.js";
import type { LocalRuntime } from "./local-runtime-contract.js";
import { parseOptions } from "./parse-options.js";
import type { EnvProcess } from "./spawned-env.js";

/** The reference's `ready_timeout` for local envs: generous, as initialize hooks may install things. */
const DEFAULT_READY_TIMEOUT_MS = 120_000;
/** Time for shutdown hooks after SIGTERM before the group is killed; the reference allows 10 s. */
const DEFAULT_GRACE_MS = 5_000;
/** A bound on idle processes: past a few per core, more only cost memory. */
const MAX_PREWARM = 16;

/** Options of {@link localRuntime} for an env file served by a child process per rollout. */
export interface LocalRuntimeOptions {
  /** Which environment to serve when the file exports several: export name or `env.name`. Default: the only one, else the one named by `task.env`. */
  name?: string;
  /** How long the child may take to print `HUD_SERVE_PORT=`. Default 120 000 ms. */
  readyTimeoutMs?: number;
  /** Between SIGTERM and SIGKILL of the child's process group at teardown. Default 5 000 ms. */
  graceMs?: number;
  /** Extra `node` flags, e.g. `["--max-old-space-size=4096"]`. */
  nodeArgs?: string[];
  /** Extra environment variables for the child, on top of this process's. */
  env?: Record<string, string>;
  /** Where bundles are cached. Default `<os tmp>/hudkit-bundles`. */
  cacheDir?: string;
  /** Packages to load from their install instead of bundling (native addons always are). */
  external?: string[];
  /**
   * Children kept started ahead of the rollouts that will take them, per served env. Each still
   * serves exactly one rollout; starting the next one while the current rollout runs takes the
   * start-up off the rollout's path. Default 1. Use 0 when an env's initialize claims what only
   * one process may hold at a time (a fixed port, a lock file), or is too heavy to run idle.
   */
  prewarm?: number;
  /** Serve the file in this process instead (loaded once, shared by all rollouts). */
  inProcess?: false;
}

/** Options of {@link localRuntime} for serving in this process. */
export interface InProcessRuntimeOptions {
  /** Serve in this process: one shared server, one session per rollout. */
  inProcess: true;
  /** For a file: which environment to serve when it exports several. */
  name?: string;
}

const ChildOptionsSchema = z.strictObject({
  name: z.string().min(1).optional(),
  readyTimeoutMs: z.number().positive().finite().default(DEFAULT_READY_TIMEOUT_MS),
  graceMs: z.number().nonnegative().finite().default(DEFAULT_GRACE_MS),
  nodeArgs: z.array(z.string()).default([]),
  env: z.record(z.string(), z.string()).default({}),
  cacheDir: z.string().min(1).optional(),
  external: z.array(z.string().min(1)).default([]),
  prewarm: z.number().int().min(0).max(MAX_PREWARM).default(1),
  inProcess: z.literal(false).optional(),
});

const InProcessOptionsSchema = z.strictObject({
  inProcess: z.literal(true).optional(),
  name: z.string().min(1).optional(),
});

/**
 * Runs environments on this machine, the reference's `LocalRuntime`/`SubprocessRuntime`.
 *
 * - `localRuntime(path)`: a fresh child `node` process per rollout, in its own process group,
 *   serving the env file from a bundle (built once with esbuild, cached by the hash of its input
 *   files, so plain `node` starts it without a TypeScript loader, and compiled from a V8 code
 *   cache written by the first child). Its cwd is the file's folder.
 *   The next rollout's child is started while the current one runs (`prewarm`), so it is
 *   already serving when asked for; an idle one never keeps this process from exiting.
 *   Teardown sends SIGTERM to the whole group, waits `graceMs`, then SIGKILLs it; children are
 *   also killed when this process exits, gets SIGINT/SIGTERM, or dies.
 * - `localRuntime(env, { inProcess: true })` (or `localRuntime(path, { inProcess: true })`): one
 *   server in this process, bound on the first rollout and shared; every rollout has its own
 *   session, so rollouts run concurrently. The env's hooks share this process's event loop.
 *
 * @example
 * ```ts
 * await using runtime = localRuntime("examples/letter-count/env.ts", { graceMs: 2_000 });
 * await using substrate = await runtime.acquire(task, { signal, log: console.log, jobId, runId });
 * const client = await connect(substrate.endpoint.url);
 * ```
 */
export function localRuntime(source: string, options?: LocalRuntimeOptions): LocalRuntime<EnvProcess>;
export function localRuntime(source: string, options: InProcessRuntimeOptions): LocalRuntime;
export function localRuntime(env: Environment, options?: InProcessRuntimeOptions): LocalRuntime;
export function localRuntime(
  source: string | Environment,
  options: LocalRuntimeOptions | InProcessRuntimeOptions = {},
): LocalRuntime {
  if (isEnvironment(source)) {
    const { name } = parseOptions("localRuntime", InProcessOptionsSchema, options);
    if (name !== undefined) {
      throw new HudkitError(
        "bad-options",
        "localRuntime: 'name' selects an env in a file; pass the Environment itself",
      );
    }
    return createInProcessRuntime(async () => source, source.name);
  }
  if (typeof source !== "string" || source === "") {
    throw new HudkitError("bad-options", "localRuntime needs an env file path or an Environment");
  }
  if (options.inProcess === true) {
    const { name } = parseOptions("localRuntime", InProcessOptionsSchema, options);
    return createInProcessRuntime(() => loadEnvironment(source, { name }), source);
  }
  const settings = parseOptions("localRuntime", ChildOptionsSchema, options);
  return createEnvProcessRuntime({
    source,
    name: settings.name,
    readyTimeoutMs: settings.readyTimeoutMs,
    graceMs: settings.graceMs,
    nodeArgs: settings.nodeArgs,
    env: settings.env,
    cacheDir: settings.cacheDir,
    external: settings.external,
    prewarm: settings.prewarm,
  });
}
