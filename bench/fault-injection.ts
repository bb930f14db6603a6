/**
 * Fault-injection benchmark: 1000 rollouts through `runTasks` with faults injected, to show that
 * every rollout ends up as exactly one recorded run with the right phase, whatever fails, and
 * that nothing is left running. Prints runs recorded in runs.jsonl (must equal the rollouts),
 * errors by phase, how each fault was recorded, leftover processes (must be 0) and wall time.
 *
 *   cd bench && npx tsx fault-injection.ts [--rollouts 1000 --concurrency 32 --rollout-timeout-ms 5000]
 *
 * The faults, by rollout index i (i % 20), so the mix is exact and spread through the job:
 * - 0, 1 (10%) agent throws: the agent sets the right answer, then throws. Expected: still graded
 *   (reward 1, counted in job.reward), error `[agent loop] ...`.
 * - 2 (5%) env crash: the rollout gets its own env child process, whose template calls
 *   `process.exit(3)` when it is graded: the process dies mid-task, the connection drops.
 *   Expected: `[grading] env closed connection during 'tasks.grade'`, no verdict.
 * - 3 (5%) hang: the in-process env's template never yields a grade, so the rollout timeout
 *   expires; the engine drops the connection and releases the substrate.
 *   Expected: `[grading] rollout timed out after <n>s`, no verdict.
 * - 4 (5%) provider failure: `provider.acquire` rejects. Expected: `[provisioning] ...`.
 * - the rest: the in-process env (one server bound in this process, a fresh session per rollout),
 *   the right answer, reward 1.
 *
 * Needs the built package (`pnpm build` at the root). The crash env children run on the built
 * package (`dist/bin/serve-env.js`, plain node) when it exists, which keeps a spawn cheap;
 * otherwise they are this file again under tsx (`--serve-crash-env`). The output says which.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { setMaxListeners } from "node:events";
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath, pathToFileURL } from "node:url";
import {
  bind,
  Environment,
  type Run,
  type RuntimeProvider,
  readJob,
  runTasks,
  type Substrate,
} from "@hudkit/core";
import { z } from "zod";
import { printTable, writeResult } from "./bench-table.js";

const ENV_NAME = "bench-faults";
const HERE = fileURLToPath(import.meta.url);
const DIST = fileURLToPath(new URL("../packages/core/dist/", import.meta.url));

/** Exits with the parent: an env child must not outlive a killed bench. */
function exitWithParent(): void {
  process.stdin.on("end", () => process.exit(0));
  process.stdin.on("error", () => process.exit(0));
  process.stdin.resume();
}

if (process.argv.includes("--serve-crash-env")) {
  // Child mode (no built package): serve the crashing env from source.
  exitWithParent();
  const { serve } = await import("@hudkit/core");
  const env = new Environment({ name: ENV_NAME, version: "1.0.0" });
  env.template({ id: "echo", args: z.object({ tag: z.string(), fault: z.string() }) }, async function* () {
    yield "say anything";
    process.exit(3);
  });
  await serve(env, { port: 0 });
  process.exit(0);
}

const argValue = (flag: string, fallback: number) => {
  const index = process.argv.indexOf(flag);
  return index === -1 ? fallback : Number(process.argv[index + 1]);
};
const ROLLOUTS = argValue("--rollouts", 1000);
const CONCURRENCY = argValue("--concurrency", 32);
/** What a hang waits before it is timed out; every other rollout here takes milliseconds. */
const ROLLOUT_TIMEOUT_MS = argValue("--rollout-timeout-ms", 5_000);

type Fault = "none" | "agent-throws" | "env-crash" | "hang" | "provider-fails";
const FAULTS: Record<number, Fault> = {
  0: "agent-throws",
  1: "agent-throws",
  2: "env-crash",
  3: "hang",
  4: "provider-fails",
};
const faultOf = (i: number): Fault => FAULTS[i % 20] ?? "none";

/** What each fault must be recorded as. */
const EXPECTED: Record<Fault, (run: Run) => boolean> = {
  none: (run) => run.error === null && run.reward === 1,
  "agent-throws": (run) => run.error === "[agent loop] injected agent failure" && run.reward === 1,
  "env-crash": (run) => run.error === "[grading] env closed connection during 'tasks.grade'",
  hang: (run) => run.error === `[grading] rollout timed out after ${ROLLOUT_TIMEOUT_MS / 1000}s`,
  "provider-fails": (run) => run.error === "[provisioning] injected provider failure: no capacity",
};

// The in-process env: right answers score 1, a "hang" never yields its grade.
const releaseHangs = new AbortController();
setMaxListeners(0, releaseHangs.signal); // one listener per hung task, by design
const env = new Environment({ name: ENV_NAME, version: "1.0.0" });
const echo = env.template(
  { id: "echo", args: z.object({ tag: z.string(), fault: z.string() }) },
  async function* ({ tag, fault }) {
    const answer = yield `say ${tag}`;
    if (fault === "hang") {
      // Released when the bench ends: a server cannot cancel a task stuck inside tasks.grade.
      await new Promise((resolve) => releaseHangs.signal.addEventListener("abort", resolve, { once: true }));
    }
    yield answer === tag ? 1 : 0;
  },
);

/** How crash env children are started: the built package if there is one, else tsx on this file. */
function crashChildCommand(): { args: string[]; how: string } {
  const serveBin = join(DIST, "bin", "serve-env.js");
  if (existsSync(serveBin) && existsSync(join(DIST, "index.js"))) {
    const dir = mkdtempSync(join(tmpdir(), "hudkit-fault-env-"));
    const file = join(dir, "crash-env.mjs");
    writeFileSync(
      file,
      [
        `import { Environment, z } from ${JSON.stringify(pathToFileURL(join(DIST, "index.js")).href)};`,
        `process.stdin.on("end", () => process.exit(0)); process.stdin.on("error", () => process.exit(0)); process.stdin.resume();`,
        `export const env = new Environment({ name: ${JSON.stringify(ENV_NAME)}, version: "1.0.0" });`,
        `env.template({ id: "echo", args: z.object({ tag: z.string(), fault: z.string() }) }, async function* () {`,
        `  yield "say anything";`,
        `  process.exit(3);`,
        `});`,
        "",
      ].join("\n"),
    );
    return { args: [serveBin, file, "--port", "0"], how: "built package (node dist/bin/serve-env.js)" };
  }
  return { args: ["--import", "tsx", HERE, "--serve-crash-env"], how: "source under tsx (no built package)" };
}

/** Starts one crash env child and resolves its substrate once it announces its port. */
function startCrashChild(args: string[], pids: number[]): Promise<Substrate> {
  const child: ChildProcess = spawn(process.execPath, args, { stdio: ["pipe", "pipe", "pipe"] });
  if (child.pid !== undefined) pids.push(child.pid);
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  let stderr = "";
  child.stderr!.on("data", (chunk) => {
    stderr = (stderr + chunk).slice(-4_000);
  });
  child.stdin!.on("error", () => undefined);
  const stop = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), 2_000);
      await exited;
      clearTimeout(timer);
    }
  };
  return new Promise<Substrate>((resolve, reject) => {
    createInterface({ input: child.stdout! }).on("line", (line) => {
      if (!line.startsWith("HUD_SERVE_PORT=")) return;
      resolve({
        endpoint: { url: `tcp://127.0.0.1:${line.slice(15)}` },
        logs: async () => stderr,
        [Symbol.asyncDispose]: stop,
      });
    });
    void exited.then((code) =>
      reject(new Error(`crash env exited with code ${code} before serving: ${stderr.trim()}`)),
    );
  });
}

/**
 * Crash env children started before the job, at most `parallel` at a time: a spawn costs seconds
 * on a loaded machine, which is the runtime's start-up cost, not what this bench is about, and it
 * would otherwise eat into the rollout timeout.
 */
async function prestartCrashChildren(
  count: number,
  args: string[],
  pids: number[],
  parallel = 4,
): Promise<Substrate[]> {
  const ready: Substrate[] = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: parallel }, async () => {
      while (next < count) {
        next++;
        ready.push(await startCrashChild(args, pids));
      }
    }),
  );
  return ready;
}

/** Processes whose parent is this one (Linux `/proc`), zombies excluded, with their command. */
function childProcessesOfThisOne(): string[] {
  const found: string[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      if (Number(fields[1]) === process.pid && fields[0] !== "Z") {
        found.push(`${entry} ${readFileSync(`/proc/${entry}/cmdline`, "utf8").replaceAll("\0", " ").trim()}`);
      }
    } catch {
      // The process ended while we looked.
    }
  }
  return found;
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat[stat.lastIndexOf(")") + 2] !== "Z";
  } catch {
    return true;
  }
}

const server = await bind(env, { port: 0 });
const crashPids: number[] = [];
const crashChild = crashChildCommand();
const crashes = Array.from({ length: ROLLOUTS }, (_, i) => faultOf(i)).filter(
  (f) => f === "env-crash",
).length;
const prestartBegan = performance.now();
const warmCrashEnvs = await prestartCrashChildren(crashes, crashChild.args, crashPids);
const prestartSeconds = (performance.now() - prestartBegan) / 1000;
const provider: RuntimeProvider = {
  specificationVersion: "runtime-v1",
  name: "bench-faults",
  async acquire(task) {
    const fault = task.args.fault as Fault;
    if (fault === "provider-fails") throw new Error("injected provider failure: no capacity");
    if (fault === "env-crash") return warmCrashEnvs.pop() ?? startCrashChild(crashChild.args, crashPids);
    return { endpoint: { url: server.url }, [Symbol.asyncDispose]: async () => {} };
  },
};
const agent = async function faultInjectingAgent(run: Run): Promise<void> {
  run.answer = run.promptText.split(" ").at(-1);
  if (run.args.fault === "agent-throws") throw new Error("injected agent failure");
};

const tasks = Array.from({ length: ROLLOUTS }, (_, i) => echo({ tag: `t${i}`, fault: faultOf(i) }));
const jobsDir = mkdtempSync(join(tmpdir(), "hudkit-fault-jobs-"));
const started = performance.now();
const job = await runTasks(tasks, agent, {
  provider,
  maxConcurrent: CONCURRENCY,
  rolloutTimeoutMs: ROLLOUT_TIMEOUT_MS,
  jobsDir,
  name: "fault injection",
});
const wallSeconds = (performance.now() - started) / 1000;
releaseHangs.abort();
await server.close();

const runsText = readFileSync(join(job.dir, "runs.jsonl"), "utf8");
const linesRecorded = runsText.split("\n").filter((line) => line.trim() !== "").length;
const readBack = await readJob(jobsDir, job.id);
// tsx's esbuild service (it compiles this very script) is tooling, not something the engine started.
const children = childProcessesOfThisOne().filter((child) => !/esbuild(\.exe)? --service/.test(child));
const leftover = [
  ...children,
  ...crashPids.filter((pid) => isRunning(pid) && !children.some((c) => c.startsWith(`${pid} `))).map(String),
];

const byFault = new Map<Fault, { rollouts: number; asExpected: number }>();
for (const run of job.runs) {
  const fault = run.args.fault as Fault;
  const row = byFault.get(fault) ?? { rollouts: 0, asExpected: 0 };
  row.rollouts++;
  if (EXPECTED[fault](run)) row.asExpected++;
  byFault.set(fault, row);
}
const faultRows = (["none", "agent-throws", "env-crash", "hang", "provider-fails"] as Fault[]).map(
  (fault) => ({
    fault,
    rollouts: byFault.get(fault)?.rollouts ?? 0,
    "recorded as expected": byFault.get(fault)?.asExpected ?? 0,
  }),
);
const summary = job.summary();
const phaseRows = Object.entries(summary.errorsByPhase).map(([phase, count]) => ({ phase, errors: count }));
const totals = [
  { metric: "rollouts planned", value: ROLLOUTS },
  { metric: "runs in job.runs", value: job.runs.length },
  { metric: "lines in runs.jsonl", value: linesRecorded },
  { metric: "runs read back (readJob)", value: readBack.runs.length },
  { metric: "job status", value: job.status },
  { metric: "job.reward (runs with a verdict)", value: job.reward },
  { metric: "job.errors", value: summary.errors },
  { metric: "crash env children spawned", value: crashPids.length },
  { metric: "their pre-start, before the job (s)", value: prestartSeconds },
  { metric: "leftover processes", value: leftover.length },
  { metric: "wall time (s)", value: wallSeconds },
  { metric: "rollouts/s", value: ROLLOUTS / wallSeconds },
];

console.log(
  `engine: @hudkit/core (built); crash envs: ${crashChild.how}; concurrency ${CONCURRENCY}, rollout timeout ${ROLLOUT_TIMEOUT_MS / 1000}s`,
);
printTable("fault injection: totals", totals);
printTable("how each fault was recorded", faultRows);
printTable("errors by phase (job.errorsByPhase)", phaseRows);
const ok =
  linesRecorded === ROLLOUTS &&
  readBack.runs.length === ROLLOUTS &&
  leftover.length === 0 &&
  faultRows.every((row) => row.rollouts === row["recorded as expected"]);
console.log(`\n${ok ? "OK" : "FAILED"}: every rollout recorded once as expected, no process left`);
console.log(
  `wrote ${writeResult("fault-injection", {
    rollouts: ROLLOUTS,
    concurrency: CONCURRENCY,
    rolloutTimeoutMs: ROLLOUT_TIMEOUT_MS,
    crashEnvs: crashChild.how,
    totals,
    faults: faultRows,
    errorsByPhase: summary.errorsByPhase,
    leftover,
  })}`,
);
process.exit(ok ? 0 : 1);
