import { spawn } from "node:child_process";
import { CappedOutput } from "./capped-output.js";
import { killProcessGroup } from "./process-group.js";

/** What {@link runProcessGroup} needs besides the program. */
export interface ProcessGroupRunOptions {
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  timeoutMs: number;
  signal?: AbortSignal;
  /** Per stream; see {@link CappedOutput}. */
  outputCapBytes: number;
  /** Time between SIGTERM and SIGKILL. */
  killGraceMs: number;
}

/** How a run ended. `stopped` says why hudkit ended it early, if it did. */
export type ProcessGroupOutcome =
  | { started: false; error: NodeJS.ErrnoException }
  | {
      started: true;
      exitCode: number | null;
      exitSignal: NodeJS.Signals | null;
      stopped: "timeout" | "abort" | null;
      stdout: string;
      stderr: string;
    };

// Once the group is gone every pipe writer is gone, so the rest of the output is already in
// the pipe; only a process that escaped the group (setsid) can hold it open longer.
const DRAIN_WAIT_MS = 500;

/**
 * Runs a program as the leader of a new process group and waits for the leader. Whatever way
 * it ends (exit, timeout, abort) the whole group is then ended (SIGTERM, `killGraceMs`,
 * SIGKILL), so background children (`sleep 30 &`) do not outlive the run. stdin is closed:
 * the server's own stdin may be the protocol channel.
 */
export async function runProcessGroup(
  file: string,
  args: readonly string[],
  options: ProcessGroupRunOptions,
): Promise<ProcessGroupOutcome> {
  let child: ReturnType<typeof spawn>;
  try {
    child = spawn(file, args, {
      cwd: options.cwd,
      env: options.env,
      detached: true,
      stdio: ["ignore", "pipe", "pipe"],
    });
  } catch (error) {
    return { started: false, error: error as NodeJS.ErrnoException };
  }
  const startError = await new Promise<NodeJS.ErrnoException | null>((resolve) => {
    child.once("spawn", () => resolve(null));
    child.once("error", resolve);
  });
  if (startError) return { started: false, error: startError };
  // Later 'error' events (a failed kill) must not crash the process; the outcome says enough.
  child.on("error", () => {});

  const pgid = child.pid!;
  const stdout = new CappedOutput(options.outputCapBytes);
  const stderr = new CappedOutput(options.outputCapBytes);
  child.stdout!.on("data", (chunk: Buffer) => stdout.push(chunk));
  child.stderr!.on("data", (chunk: Buffer) => stderr.push(chunk));
  const closed = new Promise<void>((resolve) => child.once("close", () => resolve()));

  let leaderExited = false;
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once("exit", (code, signal) => {
      leaderExited = true;
      resolve({ code, signal });
    }),
  );
  let stopped: "timeout" | "abort" | null = null;
  let timer: NodeJS.Timeout | undefined;
  let onAbort: (() => void) | undefined;
  const stopRequested = new Promise<void>((resolve) => {
    const stop = (reason: "timeout" | "abort") => {
      if (!leaderExited) stopped ??= reason;
      resolve();
    };
    timer = setTimeout(() => stop("timeout"), options.timeoutMs);
    onAbort = () => stop("abort");
    if (options.signal?.aborted) onAbort();
    else options.signal?.addEventListener("abort", onAbort, { once: true });
  });

  try {
    await Promise.race([exited, stopRequested]);
  } finally {
    clearTimeout(timer);
    if (onAbort) options.signal?.removeEventListener("abort", onAbort);
  }
  await killProcessGroup(pgid, options.killGraceMs);
  // Only a leader that changed its user could survive the group's SIGKILL; never wait on it.
  if (!leaderExited) child.kill("SIGKILL");
  const exit = await exited;
  let drainTimer: NodeJS.Timeout | undefined;
  await Promise.race([closed, new Promise((resolve) => (drainTimer = setTimeout(resolve, DRAIN_WAIT_MS)))]);
  clearTimeout(drainTimer);
  child.stdout!.destroy();
  child.stderr!.destroy();
  return {
    started: true,
    exitCode: exit.code,
    exitSignal: exit.signal,
    stopped,
    stdout: stdout.text(),
    stderr: stderr.text(),
  };
}
