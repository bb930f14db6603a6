import { readFile } from "node:fs/promises";
import { setTimeout as sleep } from "node:timers/promises";
import type { HudClient, TaskEntry } from "@hudkit/core";
import { z } from "zod";
import { oneLine } from "../one-line.js";
import { parseOptions, secondsAsMs } from "../option-parsing.js";
import { formatTable } from "../text-table.js";
import { UsageError } from "../usage-error.js";

/** JSON-RPC's "invalid request", what an env answers for a session that is not parked. */
const INVALID_REQUEST = -32_600;
const ARGS_EXAMPLE = `--args '{"word":"banana","letter":"a"}'`;
const HEADER_EXAMPLE = "--header Authorization='Bearer <token>'";

/** `--header K=V` (repeatable) into a header record; the first `=` splits name from value. */
function headers() {
  return z
    .array(z.string().regex(/^[^=\s]+=/, { error: `must be K=V, for example ${HEADER_EXAMPLE}` }))
    .transform((pairs) => {
      const record: Record<string, string> = {};
      for (const pair of pairs) {
        const at = pair.indexOf("=");
        record[pair.slice(0, at)] = pair.slice(at + 1);
      }
      return record;
    });
}

/** What every `hud task` subcommand needs to reach an env. */
const ConnectionSchema = z.object({
  url: z.string().trim().min(1, { error: "needs the env's control URL, for example tcp://127.0.0.1:8765" }),
  header: headers().default({}),
  readyTimeout: secondsAsMs(),
});

/** `hud task list`'s options. */
export const TaskListOptionsSchema = ConnectionSchema.extend({ json: z.boolean().default(false) });

/** `hud task start`'s argument and options. */
export const TaskStartOptionsSchema = ConnectionSchema.extend({
  taskId: z.string().trim().min(1, { error: "needs a task id (see `hud task list`)" }),
  args: z
    .string()
    .transform((text, context): unknown => {
      try {
        return JSON.parse(text);
      } catch (error) {
        context.addIssue({
          code: "custom",
          message: `is not valid JSON (${(error as Error).message}): pass a JSON object, for example ${ARGS_EXAMPLE}`,
        });
        return z.NEVER;
      }
    })
    .pipe(
      z.record(z.string(), z.unknown(), {
        error: `must be a JSON object of the task's args, for example ${ARGS_EXAMPLE}`,
      }),
    )
    .default({}),
  json: z.boolean().default(false),
});

/** `hud task grade`'s options: exactly one of `--answer` and `--answer-file`. */
export const TaskGradeOptionsSchema = ConnectionSchema.extend({
  answer: z.string().optional(),
  answerFile: z.string().min(1, { error: "needs a file path" }).optional(),
  session: z.string().trim().min(1, { error: "needs a session id (printed by `hud task start`)" }).optional(),
  json: z.boolean().default(false),
}).refine((options) => (options.answer === undefined) !== (options.answerFile === undefined), {
  error: (issue) => {
    const both = (issue.input as { answer?: unknown }).answer !== undefined;
    return both
      ? "pass the answer with --answer TEXT or --answer-file FILE, not both"
      : "pass the answer with --answer TEXT or --answer-file FILE";
  },
});

/** `hud task list --url <url>`: the env's task templates, through `connect` and `listTasks`. */
export async function taskListCommand(raw: Record<string, unknown>): Promise<number> {
  const options = parseOptions(TaskListOptionsSchema, raw);
  const tasks = await withClient(options, (client) => refused("tasks.list", client.listTasks()));
  if (options.json) {
    process.stdout.write(`${JSON.stringify({ tasks }, null, 2)}\n`);
    return 0;
  }
  if (tasks.length === 0) {
    process.stdout.write(`the env at ${options.url} serves no tasks\n`);
    return 0;
  }
  const rows = tasks.map((task) => [task.id, oneLine(task.description, 60), argsSummary(task)]);
  process.stdout.write(`${formatTable(["id", "description", "args"], rows).join("\n")}\n`);
  return 0;
}

/**
 * `hud task start <task-id> --url <url>`: starts the task, prints its prompt (the session id on
 * stderr), and disconnects without `bye`, so the env parks the session for `hud task grade`.
 */
export async function taskStartCommand(taskId: string, raw: Record<string, unknown>): Promise<number> {
  const options = parseOptions(TaskStartOptionsSchema, { ...raw, taskId }, ["taskId"]);
  const { sessionId, frame } = await withClient(options, async (client) => {
    const frame = await refused("tasks.start", client.start(options.taskId, options.args));
    return { sessionId: client.manifest.sessionId, frame };
  });
  if (options.json) {
    const result = { session_id: sessionId, prompt: frame.prompt, bindings: frame.bindings ?? {} };
    process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
    return 0;
  }
  const prompt = typeof frame.prompt === "string" ? frame.prompt : JSON.stringify(frame.prompt, null, 2);
  process.stdout.write(`${prompt}\n`);
  process.stderr.write(`session ${sessionId}\n`);
  return 0;
}

/**
 * `hud task grade --url <url> --answer <text>`: grades the parked session. With `--session` it
 * resumes that session (`hello {session_id}`) first; without, the env adopts its one parked
 * session (blind adoption, spec §1.7).
 */
export async function taskGradeCommand(raw: Record<string, unknown>): Promise<number> {
  const options = parseOptions(TaskGradeOptionsSchema, raw);
  const answer = options.answer ?? (await readAnswer(options.answerFile!));
  const grade = await withClient(options, async (client) => {
    const deadline = Date.now() + options.readyTimeout;
    if (options.session !== undefined) {
      const session = options.session;
      await untilParked(deadline, () => refused("hello", client.hello(session)));
    }
    return untilParked(deadline, () => refused("tasks.grade", client.grade({ answer })));
  });
  if (options.json) {
    const { evaluation: _evaluation, ...result } = grade;
    process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
    return 0;
  }
  const lines = [`reward ${grade.reward}`];
  if (grade.isError) lines.push("error: the grader reported an error");
  if (grade.content !== undefined) lines.push(`content: ${oneLine(grade.content)}`);
  if (grade.subscores !== undefined) lines.push(`subscores: ${JSON.stringify(grade.subscores)}`);
  if (grade.info !== undefined) lines.push(`info: ${JSON.stringify(grade.info)}`);
  process.stdout.write(`${lines.join("\n")}\n`);
  return 0;
}

/** Pause between attempts while a just-finished `hud task start` is still disconnecting. */
const PARK_POLL_MS = 100;

/**
 * Runs `attempt` until it gets past the env's "not parked yet" refusals, or `deadline`. The
 * `hud task start` before us has exited, but the env may not have seen its connection close:
 * until it does, the session is live, not parked ("no task in progress", or "has a live
 * connection" for `--session`). Says once on stderr that it is waiting.
 */
async function untilParked<T>(deadline: number, attempt: () => Promise<T>): Promise<T> {
  for (let waited = false; ; waited = true) {
    try {
      return await attempt();
    } catch (error) {
      if (!notParkedYet(error) || Date.now() + PARK_POLL_MS > deadline) throw error;
      if (!waited)
        process.stderr.write("waiting for the started session to be parked (its connection is still open)\n");
      await sleep(PARK_POLL_MS);
    }
  }
}

function notParkedYet(error: unknown): boolean {
  const rpc = (error as { cause?: { rpcCode?: unknown; rpcMessage?: unknown } }).cause;
  return (
    error instanceof UsageError &&
    rpc?.rpcCode === INVALID_REQUEST &&
    typeof rpc.rpcMessage === "string" &&
    /^no task in progress$|has a live connection$/.test(rpc.rpcMessage)
  );
}

/** Connects (bounded by `--ready-timeout`), runs `body`, and closes without `bye`. */
async function withClient<T>(
  options: z.output<typeof ConnectionSchema>,
  body: (client: HudClient) => Promise<T>,
): Promise<T> {
  const core = await import("@hudkit/core");
  let client: HudClient;
  try {
    client = await core.connect(options.url, {
      headers: options.header,
      readyTimeoutMs: options.readyTimeout,
    });
  } catch (error) {
    if (core.HudkitError.isInstance(error) && error.code === "connect-timeout") {
      throw new UsageError(
        `${error.message}: check --url and that the env is serving (hud serve), or wait longer with --ready-timeout <seconds>`,
        { cause: error },
      );
    }
    if (error instanceof core.RpcError) throw refusal("hello", error);
    throw error;
  }
  try {
    return await body(client);
  } finally {
    // close(), never bye(): a started task stays parked for a later `hud task grade`.
    await client.close();
  }
}

/** The env's error frame for `method` as a usage error carrying the server's message. */
async function refused<T>(method: string, call: Promise<T>): Promise<T> {
  const { RpcError } = await import("@hudkit/core");
  try {
    return await call;
  } catch (error) {
    throw error instanceof RpcError ? refusal(method, error) : error;
  }
}

function refusal(method: string, error: { rpcCode: number; rpcMessage: string }): UsageError {
  return new UsageError(`the env refused ${method} (error ${error.rpcCode}): ${error.rpcMessage}`, {
    cause: error,
  });
}

/** The answer file's text, one trailing newline dropped (what `echo 3 > answer.txt` adds). */
async function readAnswer(path: string): Promise<string> {
  try {
    return (await readFile(path, "utf8")).replace(/\r?\n$/, "");
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
    throw new UsageError(`cannot read --answer-file ${path} (${reason}): check the path`, { cause: error });
  }
}

/** A template's args JSON Schema in one line: `word?: string = "strawberry", letter: string`. */
export function argsSummary(task: TaskEntry): string {
  const schema = task.args;
  const properties = schema.properties;
  if (typeof properties !== "object" || properties === null) return "-";
  const required = new Set(Array.isArray(schema.required) ? schema.required : []);
  const entries = Object.entries(properties as Record<string, Record<string, unknown>>);
  if (entries.length === 0) return "-";
  return entries
    .map(([name, property]) => {
      const type = Array.isArray(property.type)
        ? property.type.join("|")
        : typeof property.type === "string"
          ? property.type
          : "any";
      const optional = required.has(name) ? "" : "?";
      const fallback = property.default === undefined ? "" : ` = ${JSON.stringify(property.default)}`;
      return `${name}${optional}: ${type}${fallback}`;
    })
    .join(", ");
}
