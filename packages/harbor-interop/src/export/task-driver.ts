import { readFile } from "node:fs/promises";
import { setTimeout as sleep } from "node:timers/promises";
import { parseArgs } from "node:util";
import { connect, type HudClient, RpcError, z } from "@hudkit/core";

/** The port an exported image serves its env on, loopback only (the reference exporter's). */
export const TASK_DRIVER_PORT = 8765;
/** Where the driver finds the env unless `--url` says otherwise. */
const DEFAULT_URL = `tcp://127.0.0.1:${TASK_DRIVER_PORT}`;
/** The entrypoint waits for the env to listen first, so this only bounds a wedged env. */
const READY_TIMEOUT_MS = 30_000;
/** JSON-RPC's "invalid request": what the env answers while a session is not parked yet. */
const INVALID_REQUEST = -32_600;
/** How long `grade` waits for a just-closed `start` connection to be seen as gone. */
const PARK_WAIT_MS = 5_000;
const PARK_POLL_MS = 100;

const JsonObjectText = z
  .string()
  .transform((text, context): unknown => {
    try {
      return JSON.parse(text);
    } catch (error) {
      context.addIssue({ code: "custom", message: `is not JSON (${(error as Error).message})` });
      return z.NEVER;
    }
  })
  .pipe(z.record(z.string(), z.unknown(), { error: "must be a JSON object" }));

const DriverCommandSchema = z.discriminatedUnion("command", [
  z.object({
    command: z.literal("start"),
    task: z.string().min(1, { error: "needs --task <template id>" }),
    args: JsonObjectText.default({}),
    url: z.string().default(DEFAULT_URL),
  }),
  z.object({
    command: z.literal("grade"),
    answerFile: z.string().min(1, { error: "needs --answer-file <path>" }),
    url: z.string().default(DEFAULT_URL),
  }),
]);
type DriverCommand = z.output<typeof DriverCommandSchema>;

/**
 * Where the driver writes: the reward on `stdout`, everything else on `stderr`.
 *
 * @example
 * ```ts
 * const io: TaskDriverIo = { stdout: (t) => out.push(t), stderr: (t) => err.push(t) };
 * ```
 */
export interface TaskDriverIo {
  stdout(text: string): void;
  stderr(text: string): void;
}

const processIo: TaskDriverIo = {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
};

/**
 * The task driver of an exported Harbor task (`environment/hudkit/task.mjs` in the image):
 *
 * - `start --task <id> --args <json>` starts the task on the env and disconnects without `bye`,
 *   so the env parks the session until it is graded;
 * - `grade --answer-file <path>` grades the env's one parked session with the file's text (one
 *   trailing newline dropped; a missing file is an empty answer, which the agent earned) and
 *   prints the reward alone on stdout, for `tests/test.sh` to put in `reward.txt`.
 *
 * Both reach the env at `tcp://127.0.0.1:8765` unless `--url` is given. Any failure, a grade the
 * env marks `isError` included, is one line on stderr and exit code 1.
 *
 * @example
 * ```ts
 * process.exit(await runTaskDriver(["grade", "--answer-file", "/workspace/answer.txt"]));
 * ```
 */
export async function runTaskDriver(argv: readonly string[], io: TaskDriverIo = processIo): Promise<number> {
  try {
    const command = parseDriverArgs(argv);
    if (command.command === "start") await startTask(command, io);
    else await gradeTask(command, io);
    return 0;
  } catch (error) {
    io.stderr(`hudkit task driver: ${(error as Error).message ?? String(error)}\n`);
    return 1;
  }
}

function parseDriverArgs(argv: readonly string[]): DriverCommand {
  const [command, ...rest] = argv;
  const { values } = parseArgs({
    args: rest,
    options: {
      task: { type: "string" },
      args: { type: "string" },
      "answer-file": { type: "string" },
      url: { type: "string" },
    },
    strict: true,
    allowPositionals: false,
  });
  const parsed = DriverCommandSchema.safeParse({ command, ...values, answerFile: values["answer-file"] });
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const where = issue.path.length > 0 ? `--${String(issue.path[0])} ` : "";
    throw new Error(
      `usage: start --task <id> --args <json> | grade --answer-file <path>: ${where}${issue.message}`,
    );
  }
  return parsed.data;
}

async function startTask(
  command: Extract<DriverCommand, { command: "start" }>,
  io: TaskDriverIo,
): Promise<void> {
  await withClient(command.url, async (client) => {
    await client.start(command.task, command.args);
    io.stderr(
      `hudkit: started ${command.task} (session ${client.manifest.sessionId}); tests/test.sh grades it\n`,
    );
  });
}

async function gradeTask(
  command: Extract<DriverCommand, { command: "grade" }>,
  io: TaskDriverIo,
): Promise<void> {
  const answer = await readAnswer(command.answerFile, io);
  const grade = await withClient(command.url, (client) => untilParked(() => client.grade({ answer })));
  if (grade.isError) {
    const content = grade.content === undefined ? "" : `: ${grade.content}`;
    throw new Error(`the env's grader reported an error (reward ${grade.reward})${content}`);
  }
  io.stdout(`${grade.reward}\n`);
}

/** Connects, runs `body`, and closes without `bye`: a started task stays parked. */
async function withClient<T>(url: string, body: (client: HudClient) => Promise<T>): Promise<T> {
  const client = await connect(url, {
    readyTimeoutMs: READY_TIMEOUT_MS,
    // Read in the container at run time (the env requires it when it is set there), never exported.
    token: process.env.HUD_CONTROL_TOKEN || undefined,
    heartbeatMs: 0,
  });
  try {
    return await body(client);
  } finally {
    await client.close();
  }
}

/** Retries while the env still sees the `start` connection as live ("no task in progress"). */
async function untilParked<T>(attempt: () => Promise<T>): Promise<T> {
  const deadline = Date.now() + PARK_WAIT_MS;
  for (;;) {
    try {
      return await attempt();
    } catch (error) {
      const notParkedYet =
        error instanceof RpcError &&
        error.rpcCode === INVALID_REQUEST &&
        error.rpcMessage === "no task in progress";
      if (!notParkedYet || Date.now() + PARK_POLL_MS > deadline) throw error;
      await sleep(PARK_POLL_MS);
    }
  }
}

async function readAnswer(file: string, io: TaskDriverIo): Promise<string> {
  try {
    return (await readFile(file, "utf8")).replace(/\r?\n$/, "");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
    io.stderr(`hudkit: no answer file at ${file}; grading an empty answer\n`);
    return "";
  }
}
