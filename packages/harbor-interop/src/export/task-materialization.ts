import { randomBytes } from "node:crypto";
import { bind, connect, type Environment, HudkitError, type Task } from "@hudkit/core";

/** A served env in this process answers at once; this only bounds a wedged initialize hook. */
const READY_TIMEOUT_MS = 60_000;

/**
 * What an export needs from running a task once: its prompt and its reference answer.
 *
 * @example
 * ```ts
 * const { prompt, solution } = (await materializeTasks(env, [task]))[0]!;
 * ```
 */
export interface MaterializedTask {
  /** The prompt as `tasks.start` returns it: usually a string, else chat turns or null. */
  prompt: unknown;
  /** The template's reference answer as answer-file text, when it declares a `solution`. */
  solution?: string;
}

/**
 * Starts each task once on `env`, served in this process on a loopback port, to read its prompt
 * (then cancels it, so teardown hooks run), and asks the env for its solution. The server is
 * closed before this returns. Its token is random and never leaves this process, so the
 * caller's `HUD_CONTROL_TOKEN` is neither needed nor read.
 *
 * @example
 * ```ts
 * const [first] = await materializeTasks(env, taskset.tasks);
 * console.log(first!.prompt); // "How many 'r's are in 'strawberry'? ..."
 * ```
 */
export async function materializeTasks(
  env: Environment,
  tasks: readonly Task[],
  options: { signal?: AbortSignal | undefined } = {},
): Promise<MaterializedTask[]> {
  const token = randomBytes(16).toString("hex");
  const server = await bind(env, { host: "127.0.0.1", port: 0, controlToken: token });
  try {
    const materialized: MaterializedTask[] = [];
    for (const task of tasks) {
      options.signal?.throwIfAborted();
      const prompt = await startedPrompt(server.url, token, task, options.signal);
      const solution = await solutionText(env, task);
      materialized.push(solution === undefined ? { prompt } : { prompt, solution });
    }
    return materialized;
  } finally {
    await server.close();
  }
}

async function startedPrompt(url: string, token: string, task: Task, signal: AbortSignal | undefined) {
  const client = await connect(url, {
    token,
    readyTimeoutMs: READY_TIMEOUT_MS,
    heartbeatMs: 0,
    ...(signal ? { signal } : {}),
  });
  try {
    const frame = await client.start(task.id, task.args).catch((error: unknown) => {
      throw new HudkitError(
        "harbor-export-start-failed",
        `starting task ${task.slug} (${task.id}) to read its prompt failed: ${(error as Error).message}`,
        { cause: error },
      );
    });
    await client.cancel();
    await client.bye();
    return frame.prompt;
  } finally {
    await client.close();
  }
}

async function solutionText(env: Environment, task: Task): Promise<string | undefined> {
  const solution = await env.solutionFor(task.id, task.args);
  if (solution === undefined) return undefined;
  if (typeof solution === "string") return solution;
  const json = JSON.stringify(solution);
  if (json === undefined) {
    throw new HudkitError(
      "harbor-export-solution",
      `the solution of task ${task.slug} is a ${typeof solution}: return the answer as a string or a JSON value`,
    );
  }
  return json;
}
