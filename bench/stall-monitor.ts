/**
 * Watches for the machine itself stopping: a separate idle process ticks every 5 ms and reports
 * gaps over 100 ms. Its event loop does nothing else, so a gap means no CPU was given to the VM
 * (or the process), not that the benchmark was busy. Reported beside figures to show how much
 * of a run was lost to stalls.
 */
import { spawn } from "node:child_process";

const WATCHER = `
let last = performance.now();
setInterval(() => {
  const now = performance.now();
  if (now - last > 100) process.stdout.write(Math.round(now - last) + "\\n");
  last = now;
}, 5);
`;

/** Stalls seen since {@link startStallMonitor}. */
export interface StallReport {
  stalls: number;
  stalledMs: number;
  wallMs: number;
}

/**
 * Starts the watcher; `stop()` ends it and returns what it saw.
 *
 * @example
 * ```ts
 * const monitor = startStallMonitor();
 * // ... measure ...
 * const { stalls, stalledMs } = await monitor.stop();
 * ```
 */
export function startStallMonitor(): { stop(): Promise<StallReport> } {
  const started = performance.now();
  const child = spawn(process.execPath, ["-e", WATCHER], { stdio: ["ignore", "pipe", "ignore"] });
  const gaps: number[] = [];
  let buffered = "";
  child.stdout.setEncoding("utf8");
  child.stdout.on("data", (chunk: string) => {
    buffered += chunk;
    const lines = buffered.split("\n");
    buffered = lines.pop() ?? "";
    for (const line of lines) gaps.push(Number(line));
  });
  return {
    async stop() {
      const exited = new Promise((resolve) => child.once("exit", resolve));
      child.kill("SIGTERM");
      await exited;
      return {
        stalls: gaps.length,
        stalledMs: gaps.reduce((sum, g) => sum + g, 0),
        wallMs: performance.now() - started,
      };
    },
  };
}
