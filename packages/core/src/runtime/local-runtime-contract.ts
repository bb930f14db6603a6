import type { Task } from "../task/task.js";
import type { AcquireContext, RuntimeProvider, Substrate } from "./provider.js";

/**
 * A {@link RuntimeProvider} that runs envs on this machine and owns what it started: `close()`
 * (or `await using`) tears down whatever it still runs, the live child processes or the shared
 * in-process server. Acquiring after `close()` is a `runtime-closed` error.
 *
 * @example
 * ```ts
 * await using runtime = localRuntime("env.ts");
 * const substrate = await runtime.acquire(task, ctx); // an EnvProcess: substrate.pid
 * ```
 */
export interface LocalRuntime<S extends Substrate = Substrate> extends RuntimeProvider, AsyncDisposable {
  acquire(task: Task, ctx: AcquireContext): Promise<S>;
  close(): Promise<void>;
}
