import { signalGroup, terminateGroup } from "./group-termination.js";

/**
 * The process groups of env children alive in this process right now, with their grace periods.
 *
 * Module-private and per-process on purpose: it exists only so the parent's `exit`, SIGINT and
 * SIGTERM can kill them. Each child runs detached in its own group, so the terminal's Ctrl-C
 * never reaches it, and without this hook an interrupted parent would leave it serving forever.
 */
const liveGroups = new Map<number, number>();

const SIGNALS = ["SIGINT", "SIGTERM"] as const;
let interrupted = false;

/**
 * Registers a spawned child's process group until the returned function is called. While any
 * group is registered, the parent kills them all on `exit` (SIGKILL, the only thing an exit
 * handler can do synchronously) and on SIGINT/SIGTERM (SIGTERM, grace, SIGKILL). After a signal,
 * if no other listener handles it, the signal is raised again with its default action, so
 * Ctrl-C still ends the program; an application with its own handler decides when to exit. A
 * second signal during the grace period kills at once.
 *
 * @example
 * ```ts
 * const untrack = trackLiveGroup(child.pid, 5_000);
 * try { await use(child) } finally { await terminateGroup(child.pid, 5_000); untrack(); }
 * ```
 */
export function trackLiveGroup(pgid: number, graceMs: number): () => void {
  if (liveGroups.size === 0) installHooks();
  liveGroups.set(pgid, graceMs);
  return () => {
    if (!liveGroups.delete(pgid)) return;
    if (liveGroups.size === 0 && !interrupted) removeHooks();
  };
}

function installHooks(): void {
  process.on("exit", killAllNow);
  for (const signal of SIGNALS) process.on(signal, onSignal);
}

function removeHooks(): void {
  process.off("exit", killAllNow);
  for (const signal of SIGNALS) process.off(signal, onSignal);
}

function killAllNow(): void {
  for (const pgid of liveGroups.keys()) signalGroup(pgid, "SIGKILL");
  liveGroups.clear();
}

function onSignal(signal: NodeJS.Signals): void {
  if (interrupted) {
    killAllNow();
    if (process.listenerCount(signal) === 1) reraise(signal);
    return;
  }
  interrupted = true;
  // Counted now: by the time the groups are down, our own listener is no longer attached.
  const othersHandleIt = process.listenerCount(signal) > 1;
  const groups = [...liveGroups];
  void Promise.allSettled(groups.map(([pgid, graceMs]) => terminateGroup(pgid, graceMs))).then(() => {
    for (const [pgid] of groups) liveGroups.delete(pgid);
    interrupted = false;
    if (liveGroups.size === 0) removeHooks();
    if (!othersHandleIt) reraise(signal);
  });
}

/** Ends the process the way the signal would have without any listener. */
function reraise(signal: NodeJS.Signals): void {
  removeHooks();
  process.kill(process.pid, signal);
}
