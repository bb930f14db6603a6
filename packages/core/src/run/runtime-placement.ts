import type { Environment } from "../environment/environment.js";
import { HudkitError } from "../errors/hudkit-error.js";
import { localRuntime } from "../runtime/local-runtime.js";
import type { LocalRuntime } from "../runtime/local-runtime-contract.js";
import type { AcquireContext, RuntimeProvider, Substrate } from "../runtime/provider.js";
import { type ResolveRuntimeOptions, resolveRuntime } from "../runtime/resolve-runtime.js";
import { checkRuntimeProvider } from "../runtime/runtime-shape.js";
import type { Task } from "../task/task.js";
import { taskOrigin } from "../task/task-origin.js";

/**
 * A provider chosen for one batch, and how to release what choosing it started. A provider the
 * caller passed in is theirs to close; one made here (local runtimes, resolved plugins) is closed
 * by `release`.
 */
export interface Placement extends AsyncDisposable {
  provider: RuntimeProvider;
}

/** What `runtime` may be in `Taskset.run`: a provider, or a spec such as `"docker:img"`. */
export type RuntimeChoice = RuntimeProvider | string;

/**
 * Turns `Taskset.run`'s `runtime` option into a provider for these tasks.
 *
 * - A provider object is used as is (and not closed here).
 * - `"local"`, or no runtime at all: each task runs where it came from. A task loaded from a
 *   module gets a fresh child process per rollout serving that module (`localRuntime(file)`,
 *   which finds the environment named by `task.env` among the module's exports and the
 *   environments of its exported tasks). A task minted in this process by a template runs on
 *   its live Environment in this process (`localRuntime(env)`). Anything else (a JSON row, say)
 *   has no known source and fails before anything runs, naming the task and what to pass.
 * - Any other string goes to {@link resolveRuntime} (`"docker:img"`, `"url:tcp://..."`, a plugin).
 *
 * @example
 * ```ts
 * await using placement = await placeRuntime("local", taskset.tasks);
 * await runTasks(taskset, agent, { provider: placement.provider });
 * ```
 */
export async function placeRuntime(
  runtime: RuntimeChoice | undefined,
  tasks: readonly Task[],
  options: ResolveRuntimeOptions = {},
): Promise<Placement> {
  if (runtime !== undefined && typeof runtime !== "string") {
    const provider = checkRuntimeProvider(runtime, "the runtime option");
    return { provider, [Symbol.asyncDispose]: async () => {} };
  }
  if (runtime === undefined || runtime === "local") return placeBySource(tasks);
  const provider = await resolveRuntime(runtime, options);
  return { provider, [Symbol.asyncDispose]: () => closeProvider(provider) };
}

/**
 * One local runtime per module file and per live environment, routed by each task's origin. A
 * row without an origin of its own (a verifier, or a copy) goes where the rows of its env go.
 */
function placeBySource(tasks: readonly Task[]): Placement {
  const rows = tasks.flatMap((task) =>
    task.verifier === undefined ? [task] : [task, task.verifier as Task],
  );
  const byEnv = new Map<string, string | Environment>();
  for (const row of rows) {
    const source = ownSource(row);
    if (source !== undefined && !byEnv.has(row.env)) byEnv.set(row.env, source);
  }
  const sourceOf = (row: Task) => ownSource(row) ?? byEnv.get(row.env);
  const unplaced = rows.filter((row) => sourceOf(row) === undefined);
  if (unplaced.length > 0) {
    const first = unplaced[0]!;
    const more = unplaced.length > 1 ? ` (and ${unplaced.length - 1} more)` : "";
    throw new HudkitError(
      "no-runtime",
      `no runtime for task ${first.slug} of env '${first.env}'${more}: it was neither loaded from a module nor minted by a template in this process, so there is no env to serve. Pass { runtime: "local:<env file>" }, "url:tcp://host:port", "docker:<image>" or a provider`,
    );
  }
  const runtimes = new Map<string | Environment, LocalRuntime>();
  const runtimeFor = (source: string | Environment): LocalRuntime => {
    let runtime = runtimes.get(source);
    if (runtime === undefined) {
      runtime = typeof source === "string" ? localRuntime(source) : localRuntime(source);
      runtimes.set(source, runtime);
    }
    return runtime;
  };
  const provider: RuntimeProvider = {
    specificationVersion: "runtime-v1",
    name: "local",
    acquire(task: Task, ctx: AcquireContext): Promise<Substrate> {
      const source = sourceOf(task);
      if (source === undefined) {
        return Promise.reject(new HudkitError("no-runtime", `no runtime for task ${task.slug}`));
      }
      return runtimeFor(source).acquire(task, ctx);
    },
  };
  return {
    provider,
    [Symbol.asyncDispose]: async () => {
      await Promise.all([...runtimes.values()].map((runtime) => runtime.close()));
    },
  };
}

function ownSource(task: Task): string | Environment | undefined {
  const origin = taskOrigin(task);
  return origin?.file ?? origin?.environment;
}

/** Closes a provider made here, if it owns anything (`close()` or `Symbol.asyncDispose`). */
async function closeProvider(provider: RuntimeProvider): Promise<void> {
  const owned = provider as Partial<AsyncDisposable> & { close?: () => Promise<void> };
  if (typeof owned.close === "function") await owned.close();
  else if (typeof owned[Symbol.asyncDispose] === "function") await owned[Symbol.asyncDispose]!();
}
