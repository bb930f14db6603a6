import { readdir, readFile } from "node:fs/promises";
import { setTimeout as sleep } from "node:timers/promises";
import { fileURLToPath } from "node:url";
import type { Task } from "../task/task.js";
import { processState } from "./group-termination.js";
import type { AcquireContext } from "./provider.js";

/** A fixture's absolute path, from the `fixtures/` folder beside this file. */
export function fixture(path: string): string {
  return fileURLToPath(new URL(`./fixtures/${path}`, import.meta.url));
}

/** A task for the `runtime-basic` fixture env. */
export const ECHO_TASK: Task = { env: "runtime-basic", id: "echo", args: { tag: "t1" }, slug: "echo-t1" };

/** An acquire context whose log lines are collected in `lines`. */
export function testContext(signal: AbortSignal = new AbortController().signal): AcquireContext & {
  lines: string[];
} {
  const lines: string[] = [];
  return { signal, log: (line) => lines.push(line), jobId: "job-test", runId: "run-test", lines };
}

/**
 * True once `pid` no longer runs. A zombie counts as gone: on machines whose PID 1 never reaps
 * orphans, a killed grandchild stays a zombie and `kill(pid, 0)` keeps succeeding.
 */
export async function isGone(pid: number): Promise<boolean> {
  try {
    process.kill(pid, 0);
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "ESRCH";
  }
  const state = await processState(pid);
  return state === undefined || /^[ZX]/.test(state.state);
}

/** Polls `check` until it holds, failing after `timeoutMs`. */
export async function eventually(check: () => Promise<boolean> | boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!(await check())) {
    if (performance.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await sleep(20);
  }
}

/** The `GRANDCHILD_PID=` the `env-basic` fixture prints. */
export function grandchildPid(logs: string): number {
  const match = /GRANDCHILD_PID=(\d+)/.exec(logs);
  if (!match) throw new Error(`no GRANDCHILD_PID in:\n${logs}`);
  return Number(match[1]);
}

/** Live (non-zombie) processes whose command line contains `text`, e.g. a bundle cache dir. */
export async function processesRunning(text: string): Promise<number[]> {
  const pids = (await readdir("/proc")).filter((name) => /^\d+$/.test(name)).map(Number);
  const matches = await Promise.all(
    pids.map(async (pid) => {
      const cmdline = await readFile(`/proc/${pid}/cmdline`, "utf8").catch(() => "");
      return cmdline.includes(text) && !(await isGone(pid)) ? pid : undefined;
    }),
  );
  return matches.filter((pid) => pid !== undefined && pid !== process.pid) as number[];
}
