import { stat } from "node:fs/promises";
import { dirname, resolve } from "node:path";
import { HudkitError } from "../errors/hudkit-error.js";
import type { Task } from "../task/task.js";
import { raceAbort } from "./abort-race.js";
import { bundleEnvironmentWith, InputHashMemo, type LaunchableBundle } from "./env-bundle.js";
import type { LocalRuntime } from "./local-runtime-contract.js";
import type { AcquireContext } from "./provider.js";
import { type EnvProcess, type SpawnedEnv, spawnEnvProcess } from "./spawned-env.js";
import { WarmChildren } from "./warm-children.js";

/** Settings of {@link createEnvProcessRuntime}, defaults already applied. */
export interface EnvProcessRuntimeSettings {
  readonly source: string;
  readonly name: string | undefined;
  readonly readyTimeoutMs: number;
  readonly graceMs: number;
  readonly nodeArgs: readonly string[];
  readonly env: Readonly<Record<string, string>>;
  readonly cacheDir: string | undefined;
  readonly external: readonly string[];
  /** Children kept started ahead per bundle and served env; 0 starts each on demand. */
  readonly prewarm: number;
}

/**
 * One fresh `node` child per rollout, serving the env from a cached esbuild bundle (see
 * `bundleEnvironment`), CommonJS where the env allows so that children compile it from a V8 code
 * cache (see `code-cache-launcher.ts`). Concurrent acquisitions share one bundling pass; each
 * later acquisition re-checks the inputs' hashes, so an edited env is rebuilt between rollouts. Up to `prewarm`
 * children per bundle and served env are started ahead (see {@link WarmChildren}); a rebuilt
 * bundle stops those of the old one.
 *
 * @example
 * ```ts
 * const runtime = createEnvProcessRuntime({ source: "env.ts", readyTimeoutMs: 120_000, ... });
 * await using substrate = await runtime.acquire(task, ctx);
 * ```
 */
export function createEnvProcessRuntime(settings: EnvProcessRuntimeSettings): LocalRuntime<EnvProcess> {
  const live = new Set<EnvProcess>();
  const warm = new WarmChildren(settings.prewarm);
  let bundling: Promise<LaunchableBundle> | undefined;
  const hashes = new InputHashMemo();
  let closed = false;

  const bundle = (ctx: AcquireContext): Promise<LaunchableBundle> => {
    bundling ??= (async () => {
      const started = performance.now();
      try {
        const result = await bundleEnvironmentWith(
          settings.source,
          { cacheDir: settings.cacheDir, external: settings.external, codeCache: true },
          hashes,
        );
        if (result.built) {
          const ms = Math.round(performance.now() - started);
          ctx.log(`bundled ${settings.source} (${result.inputs} files) in ${ms} ms`);
        }
        return result;
      } finally {
        bundling = undefined;
      }
    })();
    return bundling;
  };

  const close = async () => {
    closed = true;
    await Promise.allSettled([
      warm.close(),
      ...[...live].map((substrate) => substrate[Symbol.asyncDispose]()),
    ]);
  };

  return {
    specificationVersion: "runtime-v1",
    name: "local",
    async acquire(task: Task, ctx: AcquireContext): Promise<EnvProcess> {
      if (closed) throw closedError(settings.source);
      ctx.signal.throwIfAborted();
      const { file, launcher } = await raceAbort(bundle(ctx), ctx.signal);
      const info = await stat(settings.source);
      const args = [
        ...(launcher !== undefined ? [launcher] : []),
        file,
        "--exit-with-stdin",
        "--task-env",
        task.env,
      ];
      if (settings.name !== undefined) args.push("--name", settings.name);
      const start = (signal: AbortSignal, background: boolean): Promise<SpawnedEnv> =>
        spawnEnvProcess({
          source: settings.source,
          args,
          nodeArgs: settings.nodeArgs,
          // Relative paths in the env mean what they meant beside its source.
          cwd: info.isDirectory() ? resolve(settings.source) : dirname(resolve(settings.source)),
          env: { ...process.env, ...settings.env },
          readyTimeoutMs: settings.readyTimeoutMs,
          graceMs: settings.graceMs,
          signal,
          background,
        });
      // The bundle's file name is its content hash: a new name means the env was edited.
      const key = `${task.env}\0${file}`;
      void warm.discard((other) => other.endsWith(`\0${file}`));
      const child = (await warm.take(key, ctx.signal)) ?? (await start(ctx.signal, false));
      live.add(child);
      if (settings.prewarm > 0 && !closed) warm.refill(key, (signal) => start(signal, true));
      if (closed) {
        await child[Symbol.asyncDispose]();
        throw closedError(settings.source);
      }
      return {
        endpoint: child.endpoint,
        pid: child.pid,
        logs: () => child.logs(),
        async [Symbol.asyncDispose]() {
          try {
            await child[Symbol.asyncDispose]();
          } finally {
            live.delete(child);
          }
        },
      };
    },
    close,
    [Symbol.asyncDispose]: close,
  };
}

function closedError(source: string): HudkitError {
  return new HudkitError("runtime-closed", `the localRuntime for ${source} was closed: create a new one`);
}
