import { localRuntime } from "../../runtime/local-runtime.js";
import type { LocalRuntime } from "../../runtime/local-runtime-contract.js";
import type { AcquireContext, RuntimeProvider } from "../../runtime/provider.js";
import type { EnvProcess } from "../../runtime/spawned-env.js";
import type { Task } from "../../task/task.js";

/** Options of {@link localEnvsProvider}. */
export interface LocalEnvsProviderOptions {
  /** Called with each env child's pid as it starts (tests track them to prove none survive). */
  onSpawn?: (pid: number) => void;
  /** Between SIGTERM and SIGKILL at teardown. Default 2 000 ms: the faulty envs have no hooks. */
  graceMs?: number;
}

/** A provider that lists every env process it started. */
export interface LocalEnvsProvider extends RuntimeProvider {
  readonly pids: readonly number[];
  close(): Promise<void>;
}

/**
 * The real `localRuntime`, one per env file, routed by `task.env`: a fresh child process per
 * rollout, with the pid of each recorded.
 *
 * @example
 * ```ts
 * const provider = localEnvsProvider({ faulty: FAULTY_ENV, crasher: CRASHER_ENV });
 * const run = await rollout(task, agent, { provider });
 * await provider.close();
 * ```
 */
export function localEnvsProvider(
  envFiles: Record<string, string>,
  options: LocalEnvsProviderOptions = {},
): LocalEnvsProvider {
  const pids: number[] = [];
  const runtimes = new Map<string, LocalRuntime<EnvProcess>>();
  const runtimeFor = (envName: string): LocalRuntime<EnvProcess> => {
    const file = envFiles[envName];
    if (file === undefined) throw new Error(`no env file for env '${envName}'`);
    let runtime = runtimes.get(envName);
    if (runtime === undefined) {
      runtime = localRuntime(file, { graceMs: options.graceMs ?? 2_000 });
      runtimes.set(envName, runtime);
    }
    return runtime;
  };
  return {
    specificationVersion: "runtime-v1",
    name: "local",
    pids,
    async acquire(task: Task, ctx: AcquireContext) {
      const substrate = await runtimeFor(task.env).acquire(task, ctx);
      pids.push(substrate.pid);
      options.onSpawn?.(substrate.pid);
      return substrate;
    },
    async close() {
      await Promise.all([...runtimes.values()].map((runtime) => runtime.close()));
    },
  };
}
