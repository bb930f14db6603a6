import { dirname, join, resolve } from "node:path";
import { type Environment, HudkitError, loadEnvironment, type Task, taskOrigin } from "@hudkit/core";

/**
 * Where a task's environment comes from for an export.
 *
 * @example
 * ```ts
 * const { env, moduleFile, dockerfile } = (await resolveTaskEnvironments(tasks, {}))[0]!;
 * ```
 */
export interface TaskEnvironment {
  /** The live environment: the task is started on it here for its prompt, and asked for its solution. */
  env: Environment;
  /** The absolute module bundled into the image; serving it serves `env`. */
  moduleFile: string;
  /** The absolute Dockerfile whose base image the task uses. */
  dockerfile: string;
}

/**
 * The environment of each task, in order. With `envFile`, that module's environment (the one
 * named `task.env` when it exports several); otherwise the module the task was loaded from and
 * the environment whose template minted it, as `hud eval` runs it by default. A task with
 * neither (a row from a `.jsonl` file, say) is an error asking for `envFile`.
 *
 * @example
 * ```ts
 * const envs = await resolveTaskEnvironments(taskset.tasks, { envFile: "env.ts" });
 * ```
 */
export async function resolveTaskEnvironments(
  tasks: readonly Task[],
  options: { envFile?: string | undefined; dockerfile?: string | undefined },
): Promise<TaskEnvironment[]> {
  const loaded = new Map<string, Promise<Environment>>();
  const fromEnvFile = (envFile: string, name: string) => {
    let env = loaded.get(name);
    if (env === undefined) {
      env = loadEnvironment(envFile).catch((error: unknown) => {
        if (HudkitError.isInstance(error) && error.code === "env-ambiguous")
          return loadEnvironment(envFile, { name });
        throw error;
      });
      loaded.set(name, env);
    }
    return env;
  };
  const dockerfileFor = (moduleFile: string) =>
    resolve(options.dockerfile ?? join(dirname(moduleFile), "Dockerfile.hud"));

  const resolved: TaskEnvironment[] = [];
  for (const task of tasks) {
    if (options.envFile !== undefined) {
      const moduleFile = resolve(options.envFile);
      resolved.push({
        env: await fromEnvFile(moduleFile, task.env),
        moduleFile,
        dockerfile: dockerfileFor(moduleFile),
      });
      continue;
    }
    const origin = taskOrigin(task);
    if (origin?.environment === undefined || origin.file === undefined) {
      throw new HudkitError(
        "harbor-export-no-env",
        `task ${task.slug} (env ${task.env}) was not loaded from the module of its environment: pass the env module (envFile, hud harbor export --env-file env.ts)`,
      );
    }
    resolved.push({
      env: origin.environment,
      moduleFile: origin.file,
      dockerfile: dockerfileFor(origin.file),
    });
  }
  return resolved;
}
