import { readdir, readFile } from "node:fs/promises";
import { setTimeout as sleep } from "node:timers/promises";

/** After SIGKILL the kernel needs a moment to tear a group down; past this we stop waiting. */
const KILL_SETTLE_MS = 2_000;
/** Polling starts fast (a served env usually exits within a few ms of SIGTERM) and backs off. */
const FIRST_POLL_MS = 5;
const MAX_POLL_MS = 50;

/**
 * Sends `signal` to every process of the group led by `pgid`. A group that is already gone is
 * not an error.
 *
 * @example
 * ```ts
 * signalGroup(child.pid, "SIGTERM");
 * ```
 */
export function signalGroup(pgid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pgid, signal);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ESRCH") throw error;
  }
}

/**
 * Whether any process of the group still runs. Zombies do not count: where PID 1 does not reap
 * orphans (some containers), a dead grandchild stays a zombie forever and `kill(-pgid, 0)` keeps
 * succeeding, so on Linux the group's members are read from `/proc`.
 *
 * @example
 * ```ts
 * if (await isGroupAlive(pid)) signalGroup(pid, "SIGKILL");
 * ```
 */
export async function isGroupAlive(pgid: number): Promise<boolean> {
  try {
    process.kill(-pgid, 0);
  } catch (error) {
    return (error as NodeJS.ErrnoException).code !== "ESRCH";
  }
  if (process.platform !== "linux") return true;
  const entries = await readdir("/proc").catch(() => undefined);
  if (entries === undefined) return true;
  const states = await Promise.all(
    entries.filter((name) => /^\d+$/.test(name)).map((pid) => processState(Number(pid))),
  );
  return states.some((state) => state !== undefined && state.pgrp === pgid && !/^[ZX]/.test(state.state));
}

/** One process's state letter and process group from `/proc/<pid>/stat`, if it still exists. */
export async function processState(pid: number): Promise<{ state: string; pgrp: number } | undefined> {
  const stat = await readFile(`/proc/${pid}/stat`, "utf8").catch(() => undefined);
  if (stat === undefined) return undefined;
  // The command name is in parentheses and may itself contain spaces and parentheses.
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return { state: fields[0] ?? "", pgrp: Number(fields[2]) };
}

/**
 * Stops a process group: SIGTERM to the whole group, up to `graceMs` for every member to exit
 * (shutdown hooks run), then SIGKILL to whatever is left. Resolves once the group is gone.
 *
 * @example
 * ```ts
 * await terminateGroup(child.pid, 5_000);
 * ```
 */
export async function terminateGroup(
  pgid: number,
  graceMs: number,
  leaderExited?: Promise<unknown>,
): Promise<void> {
  signalGroup(pgid, "SIGTERM");
  if (await waitForGroupExit(pgid, graceMs, leaderExited)) return;
  signalGroup(pgid, "SIGKILL");
  await waitForGroupExit(pgid, KILL_SETTLE_MS);
}

/**
 * Polls until the group is gone; false if it still runs after `timeoutMs`. While the leader (a
 * child of ours, whose exit we are told about) still runs, the group does too, so the costlier
 * member scan waits for its exit, which also cuts the current pause short.
 */
async function waitForGroupExit(
  pgid: number,
  timeoutMs: number,
  leaderExited?: Promise<unknown>,
): Promise<boolean> {
  const deadline = performance.now() + timeoutMs;
  let pause = FIRST_POLL_MS;
  let leaderRuns = leaderExited !== undefined;
  let wake = leaderExited?.then(() => {
    leaderRuns = false;
    wake = undefined;
  });
  for (;;) {
    if (!leaderRuns && !(await isGroupAlive(pgid))) return true;
    const left = deadline - performance.now();
    if (left <= 0) return false;
    const timer = new AbortController();
    const pauseOver = sleep(Math.min(pause, left), undefined, { signal: timer.signal }).catch(() => {});
    await (wake ? Promise.race([pauseOver, wake]) : pauseOver);
    timer.abort();
    pause = Math.min(pause * 2, MAX_POLL_MS);
  }
}
