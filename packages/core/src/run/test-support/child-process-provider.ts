import { type ChildProcess, spawn } from "node:child_process";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import type { RuntimeProvider, Substrate } from "../../runtime/provider.js";

const SERVE_CHILD = fileURLToPath(new URL("./serve-child.ts", import.meta.url));
/** packages/core, where `tsx` resolves for `node --import tsx`. */
const PACKAGE_DIR = fileURLToPath(new URL("../../..", import.meta.url));
/** Output kept for `logs()`: enough for a stack trace. */
const LOG_TAIL_CHARS = 8_192;
/** SIGTERM runs the env's shutdown hooks; past this it gets SIGKILL. */
const STOP_GRACE_MS = 2_000;

/** Options of {@link childProcessProvider}. */
export interface ChildProcessProviderOptions {
  /** The env file served for each env name a task can name. */
  envFiles: Record<string, string>;
  /** Called with each child's pid as it is spawned (tests track them to prove none survive). */
  onSpawn?: (pid: number) => void;
  /** Extra environment variables for the children. */
  env?: Record<string, string>;
}

/** A provider that also lists every pid it spawned, and can start children ahead of time. */
export interface ChildProcessProvider extends RuntimeProvider {
  readonly pids: readonly number[];
  /**
   * Starts `count` children for env `envName` now and hands them out first, so a rollout that
   * gets one does not spend its time budget on a spawn (seconds on a loaded machine).
   */
  warm(envName: string, count: number): Promise<void>;
  /** Stops warm children nobody acquired. */
  close(): Promise<void>;
}

/**
 * A minimal child-process runtime for tests (the real `localRuntime` lives in src/runtime/): one
 * `node --import tsx` child per acquisition serving the task's env file on an ephemeral port,
 * read from its `HUD_SERVE_PORT=` line. A child that exits before announcing fails the
 * acquisition with its output; disposal sends SIGTERM, then SIGKILL, and waits for the exit.
 *
 * @example
 * ```ts
 * const provider = childProcessProvider({ envFiles: { faulty: FAULTY_ENV } });
 * const run = await rollout(task, agent, { provider });
 * ```
 */
export function childProcessProvider(options: ChildProcessProviderOptions): ChildProcessProvider {
  const pids: number[] = [];
  const warmed = new Map<string, Substrate[]>();
  const fileOf = (envName: string): string => {
    const file = options.envFiles[envName];
    if (file === undefined) throw new Error(`no env file for env '${envName}'`);
    return file;
  };
  const start = (file: string, signal: AbortSignal): Promise<Substrate> =>
    startChild(file, signal, options, (pid) => {
      pids.push(pid);
      options.onSpawn?.(pid);
    });
  return {
    specificationVersion: "runtime-v1",
    name: "test-child-process",
    pids,
    async acquire(task, ctx) {
      const file = fileOf(task.env);
      ctx.signal.throwIfAborted();
      return warmed.get(task.env)?.shift() ?? start(file, ctx.signal);
    },
    async warm(envName, count) {
      const file = fileOf(envName);
      const ready = await Promise.all(
        Array.from({ length: count }, () => start(file, new AbortController().signal)),
      );
      warmed.set(envName, [...(warmed.get(envName) ?? []), ...ready]);
    },
    async close() {
      const idle = [...warmed.values()].flat();
      warmed.clear();
      await Promise.all(idle.map((substrate) => substrate[Symbol.asyncDispose]()));
    },
  };
}

async function startChild(
  file: string,
  signal: AbortSignal,
  options: ChildProcessProviderOptions,
  onSpawn: (pid: number) => void,
): Promise<Substrate> {
  const child = spawn(process.execPath, ["--import", "tsx", SERVE_CHILD, file, "--port", "0"], {
    cwd: PACKAGE_DIR,
    env: { ...process.env, ...options.env },
    stdio: ["pipe", "pipe", "pipe"],
  });
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  if (child.pid !== undefined) onSpawn(child.pid);
  let tail = "";
  const keep = (chunk: Buffer | string): void => {
    tail = (tail + chunk.toString()).slice(-LOG_TAIL_CHARS);
  };
  child.stderr!.on("data", keep);
  child.stdin!.on("error", () => undefined);
  const stop = async (): Promise<void> => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill("SIGTERM");
    const timer = setTimeout(() => child.kill("SIGKILL"), STOP_GRACE_MS);
    await exited;
    clearTimeout(timer);
  };
  try {
    const port = await announcedPort(child, exited, signal, keep, () => tail);
    return {
      endpoint: { url: `tcp://127.0.0.1:${port}`, readyTimeoutMs: 15_000 },
      logs: async () => tail,
      [Symbol.asyncDispose]: stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

function announcedPort(
  child: ChildProcess,
  exited: Promise<number | null>,
  signal: AbortSignal,
  keep: (line: string) => void,
  tail: () => string,
): Promise<number> {
  return new Promise<number>((resolve, reject) => {
    const lines = createInterface({ input: child.stdout! });
    const onAbort = (): void => reject(signal.reason);
    signal.addEventListener("abort", onAbort, { once: true });
    lines.on("line", (line) => {
      keep(`${line}\n`);
      if (line.startsWith("HUD_SERVE_PORT=")) {
        signal.removeEventListener("abort", onAbort);
        resolve(Number(line.slice("HUD_SERVE_PORT=".length)));
      }
    });
    void exited.then((code) => {
      signal.removeEventListener("abort", onAbort);
      reject(new Error(`env exited with code ${code} before serving: ${tail().trim() || "(no output)"}`));
    });
  });
}
