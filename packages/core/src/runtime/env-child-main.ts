import { type Environment, isEnvironment } from "../environment/environment.js";
import { HudkitError } from "../errors/hudkit-error.js";
import { serve } from "../protocol/serve.js";
import type { Task } from "../task/task.js";
import { taskOrigin } from "../task/task-origin.js";

/** What the parent passes on the child's command line. */
interface ChildArgs {
  /** The `name` option: an export name or `env.name`. */
  name?: string;
  /** The rollout's `task.env`, to pick among several environments when no name was given. */
  taskEnv?: string;
  /** Stop serving and kill the own process group when stdin ends (the parent died). */
  exitWithStdin: boolean;
  /** Where to listen: loopback by default; `--host 0.0.0.0` in a container. */
  host: string;
  /** The port; 0 (any free one) by default, the image's fixed port in a container. */
  port: number;
}

function parseChildArgs(argv: readonly string[]): ChildArgs {
  const args: ChildArgs = { exitWithStdin: false, host: "127.0.0.1", port: 0 };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    if (flag === "--name") args.name = argv[++i];
    else if (flag === "--host") args.host = argv[++i] ?? args.host;
    else if (flag === "--port") args.port = portNumber(argv[++i]);
    else if (flag === "--task-env") args.taskEnv = argv[++i];
    else if (flag === "--exit-with-stdin") args.exitWithStdin = true;
  }
  return args;
}

function portNumber(text: string | undefined): number {
  const port = Number(text);
  if (text === undefined || !Number.isInteger(port) || port < 0 || port > 65_535) {
    throw new HudkitError("usage", `--port must be a port number from 0 to 65535 (got ${text ?? "nothing"})`);
  }
  return port;
}

/**
 * Picks the environment to serve among the modules' exports, as `loadEnvironment` does: the one
 * exported `Environment`, or the one whose export name or `env.name` is `name`. With several and
 * no name, the rollout's `task.env` chooses.
 */
export function pickEnvironment(
  modules: ReadonlyArray<Record<string, unknown>>,
  source: string,
  args: { name?: string; taskEnv?: string },
): Environment {
  const found: Array<{ exportName: string; env: Environment }> = [];
  const add = (exportName: string, env: Environment) => {
    if (!found.some((f) => f.env === env)) found.push({ exportName, env });
  };
  for (const module of modules) {
    for (const [exportName, value] of Object.entries(module)) {
      if (isEnvironment(value)) add(exportName, value);
    }
  }
  // A tasks module need not export its environment: the tasks its templates minted know it.
  for (const module of modules) {
    for (const [exportName, value] of Object.entries(module)) {
      for (const task of exportedTasks(value)) {
        const env = taskOrigin(task)?.environment;
        if (env !== undefined) add(exportName, env);
      }
    }
  }
  const named = (name: string) => found.filter((f) => f.exportName === name || f.env.name === name);
  let matches = args.name !== undefined ? named(args.name) : found;
  if (args.name === undefined && matches.length > 1 && args.taskEnv !== undefined)
    matches = named(args.taskEnv);
  if (matches.length === 1) return matches[0]!.env;
  const names = found.map((f) => `${f.exportName} (${f.env.name})`).join(", ") || "none";
  if (matches.length === 0) {
    const what = args.name !== undefined ? `no Environment named '${args.name}'` : "no Environment";
    throw new HudkitError("env-not-found", `${what} found in ${source} (exported: ${names})`);
  }
  throw new HudkitError(
    "env-ambiguous",
    `multiple Environments in ${source}: ${names}; select one with localRuntime(path, { name })`,
  );
}

/** The tasks an export holds: itself, an array's items, or a Taskset's tasks. */
function exportedTasks(value: unknown): Task[] {
  if (typeof value !== "object" || value === null) return [];
  if (Array.isArray(value)) return value.filter(isTaskObject);
  // A Taskset by its marker (as `Taskset.isInstance` does), without loading the class.
  if ((value as Record<symbol, unknown>)[Symbol.for("hudkit.taskset")] === true) {
    return [...(value as { tasks: readonly Task[] }).tasks];
  }
  return isTaskObject(value) ? [value] : [];
}

function isTaskObject(value: unknown): value is Task {
  return typeof value === "object" && value !== null && typeof (value as Task).env === "string";
}

/**
 * The main of a `localRuntime` child process, bundled with the env file: picks the environment
 * from the imported modules, serves it on `127.0.0.1:0` or the `--host`/`--port` given (printing
 * `HUD_SERVE_PORT=<port>`), and
 * exits once SIGTERM has stopped it. With `--exit-with-stdin` it also stops when the parent's
 * stdin pipe closes, which is how a SIGKILLed parent still takes its env children down.
 *
 * @example
 * ```ts
 * // the generated bundle entry:
 * import * as m0 from "/abs/env.ts";
 * await envChildMain([m0], "/abs/env.ts");
 * ```
 */
export async function envChildMain(
  modules: ReadonlyArray<Record<string, unknown>>,
  source: string,
  argv: readonly string[] = process.argv.slice(2),
): Promise<never> {
  try {
    const args = parseChildArgs(argv);
    const env = pickEnvironment(modules, source, args);
    const parentGone = new AbortController();
    if (args.exitWithStdin) {
      const stop = () => parentGone.abort();
      process.stdin.once("end", stop).once("error", stop).resume();
    }
    await serve(env, { host: args.host, port: args.port, signal: parentGone.signal });
    // Shutdown hooks have run; now take down whatever the env left behind in our group. We
    // lead the group: the parent spawned us detached.
    if (parentGone.signal.aborted) process.kill(-process.pid, "SIGKILL");
    process.exit(0);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    process.stderr.write(`hudkit-serve-env: ${message}\n`);
    if (process.env.HUDKIT_VERBOSE && error instanceof Error) process.stderr.write(`${error.stack}\n`);
    process.exit(HudkitError.isInstance(error) ? 2 : 1);
  }
}
