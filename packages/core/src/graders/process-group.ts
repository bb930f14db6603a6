import { readdir, readFile } from "node:fs/promises";

const POLL_INTERVAL_MS = 50;
// SIGKILL cannot be ignored, but the kernel still takes a moment to tear the processes down.
const KILL_WAIT_MS = 1_000;

/**
 * True while a process of the group is still running. A zombie (dead, waiting for its parent
 * to reap it) does not count: orphans are reaped by PID 1, which in some containers takes
 * seconds (or never happens, when PID 1 is not an init), and waiting on them would add the
 * whole grace period to every grade. Zombies are told apart through /proc on Linux; elsewhere
 * any member counts. A member we may not signal counts as running.
 */
export async function isProcessGroupAlive(pgid: number): Promise<boolean> {
  if (signalGroup(pgid, 0) === "gone") return false;
  const running = await runningMembersFromProc(pgid);
  return running === null || running > 0;
}

/**
 * Ends a process group: SIGTERM, up to `graceMs` for it to exit, then SIGKILL. Resolves true
 * once no process of the group is running, false when some survive (a member we may not
 * signal).
 */
export async function killProcessGroup(pgid: number, graceMs: number): Promise<boolean> {
  if (!(await isProcessGroupAlive(pgid))) return true;
  const term = signalGroup(pgid, "SIGTERM");
  if (term === "gone") return true;
  if (term === "sent" && (await waitForGroupExit(pgid, graceMs))) return true;
  if (signalGroup(pgid, "SIGKILL") === "gone") return true;
  return waitForGroupExit(pgid, KILL_WAIT_MS);
}

function signalGroup(pgid: number, signal: NodeJS.Signals | 0): "sent" | "gone" | "denied" {
  // kill(-0) would signal our own group and kill(-1) every process we own: never let a bad
  // id through.
  if (!(Number.isInteger(pgid) && pgid > 1)) throw new RangeError(`not a process group id: ${pgid}`);
  try {
    process.kill(-pgid, signal);
    return "sent";
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "ESRCH" ? "gone" : "denied";
  }
}

async function waitForGroupExit(pgid: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (await isProcessGroupAlive(pgid)) {
    if (Date.now() >= deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, POLL_INTERVAL_MS));
  }
  return true;
}

/** How many members of the group are not zombies, or null without a readable /proc. */
async function runningMembersFromProc(pgid: number): Promise<number | null> {
  let entries: string[];
  try {
    entries = await readdir("/proc");
  } catch {
    return null;
  }
  const states = await Promise.all(
    entries.filter((name) => /^\d+$/.test(name)).map((pid) => processState(pid, pgid)),
  );
  return states.filter((state) => state !== null && !DEAD_STATES.has(state)).length;
}

// Z: zombie; X and x: dead, being torn down.
const DEAD_STATES = new Set(["Z", "X", "x"]);

/** The state letter of a process in the group, or null if it is not in it (or is gone). */
async function processState(pid: string, pgid: number): Promise<string | null> {
  let stat: string;
  try {
    stat = await readFile(`/proc/${pid}/stat`, "utf8");
  } catch {
    return null;
  }
  // "pid (comm) state ppid pgrp ...": comm may hold spaces and parentheses, so split after the
  // last ")".
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return Number(fields[2]) === pgid ? (fields[0] ?? null) : null;
}
