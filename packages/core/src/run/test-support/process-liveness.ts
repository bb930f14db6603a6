import { readFileSync } from "node:fs";

/**
 * Whether a process is still running (signal 0 checks without signalling). A zombie, exited but
 * not yet reaped, counts as gone: it holds nothing but its pid, and an orphan's reaping is up to
 * init, not to us. A child of ours that exited but was not reaped still counts as running only
 * until Node reaps it, which happens before its `exit` event.
 */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
  return !isZombie(pid);
}

/** The pids still running after waiting up to `ms` for them to go. */
export async function survivors(pids: readonly number[], ms = 0): Promise<number[]> {
  const deadline = Date.now() + ms;
  for (;;) {
    const alive = pids.filter(isAlive);
    if (alive.length === 0 || Date.now() >= deadline) return alive;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Linux only (`/proc/<pid>/stat`'s state field); elsewhere no process is taken for a zombie. */
function isZombie(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // The command name is in parentheses and may contain spaces: the state follows the last ")".
    return stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3) === "Z";
  } catch {
    return false;
  }
}
