/**
 * LocalRuntime benchmark: wall time per rollout with a fresh child process per rollout (acquire,
 * connect, start, grade, dispose) on trivial-env.ts, at concurrency 1 and 2, beside a bare
 * `node -e ""` spawn-and-exit measured in the same run (rounds alternate). Target: ratio <= 2.
 * The one-off esbuild bundling happens in the warm-up and is reported on its own.
 *
 * Each round of the hudkit sides is a small job: a new runtime, its rollouts, then `close()`,
 * all timed. So the default side pays for its first child, started on demand, and for the one it
 * started ahead and never used, as a job does. The `prewarm 0` side starts every child on demand.
 *
 *   cd bench && npx tsx local-runtime.ts [--rollouts 40]
 *
 * Needs the built package (`pnpm build` at the root).
 */
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import {
  bundleEnvironment,
  connect,
  type EnvProcess,
  type LocalRuntime,
  localRuntime,
  type Task,
} from "@hudkit/core";
import { printTable, quantile, writeResult } from "./bench-table.js";

const argValue = (flag: string, fallback: number) => {
  const index = process.argv.indexOf(flag);
  return index === -1 ? fallback : Number(process.argv[index + 1]);
};
const ROLLOUTS = argValue("--rollouts", 40);
const CONCURRENCIES = [1, 2];
/** Rounds alternate between the two so drift in machine speed hits both alike. */
const ROUNDS = 4;
const ENV_FILE = fileURLToPath(new URL("./trivial-env.ts", import.meta.url));
const TASK: Task = { env: "bench", id: "echo", args: { tag: "t" }, slug: "echo" };

const cacheDir = mkdtempSync(join(tmpdir(), "hudkit-bench-bundles-"));
const ctx = { signal: new AbortController().signal, log: () => {}, jobId: "bench", runId: "bench" };

interface Phases {
  acquire: number;
  rollout: number;
  dispose: number;
}

/** One rollout on a fresh child; returns how long each phase took. */
async function hudkitRollout(runtime: LocalRuntime<EnvProcess>, i: number): Promise<Phases> {
  const t0 = performance.now();
  const substrate = await runtime.acquire(TASK, ctx);
  const t1 = performance.now();
  try {
    const client = await connect(substrate.endpoint.url, { heartbeatMs: 0, pollIntervalMs: 20 });
    try {
      await client.start("echo", { tag: `t${i}` });
      const grade = await client.grade({ answer: `t${i}` });
      if (grade.reward !== 1) throw new Error(`rollout ${i} scored ${grade.reward}`);
    } finally {
      await client.close();
    }
  } catch (error) {
    await substrate[Symbol.asyncDispose]();
    throw error;
  }
  const t2 = performance.now();
  await substrate[Symbol.asyncDispose]();
  const t3 = performance.now();
  return { acquire: t1 - t0, rollout: t2 - t1, dispose: t3 - t2 };
}

function bareSpawn(): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["-e", ""], { stdio: "ignore" });
    child.once("error", reject);
    child.once("exit", () => resolve());
  });
}

/** Runs `count` jobs at `concurrency`; returns the total wall time and each job's latency. */
async function timed(count: number, concurrency: number, job: (i: number) => Promise<unknown>) {
  const latencies: number[] = [];
  let next = 0;
  const start = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < count) {
        const i = next++;
        const t = performance.now();
        await job(i);
        latencies.push(performance.now() - t);
      }
    }),
  );
  return { wall: performance.now() - start, latencies };
}

const bundleStart = performance.now();
const bundle = await bundleEnvironment(ENV_FILE, { cacheDir });
const bundleMs = performance.now() - bundleStart;
const bundleKiB = statSync(bundle.file).size / 1024;

/** A job of `count` rollouts at `concurrency` on a new runtime, closed at the end. */
async function hudkitJob(count: number, concurrency: number, prewarm: number, phases?: Phases[]) {
  const runtime = localRuntime(ENV_FILE, { cacheDir, prewarm });
  try {
    return await timed(count, concurrency, async (i) => {
      const p = await hudkitRollout(runtime, i);
      phases?.push(p);
    });
  } finally {
    await runtime.close();
  }
}

type Side = "bare" | "hudkit" | "prewarm 0";
const SIDES: readonly Side[] = ["bare", "hudkit", "prewarm 0"];
const perRound = Math.ceil(ROLLOUTS / ROUNDS);
const wall: Record<Side, Record<number, number>> = { bare: {}, hudkit: {}, "prewarm 0": {} };
const latencies: Record<Side, Record<number, number[]>> = { bare: {}, hudkit: {}, "prewarm 0": {} };
const phases: Record<"hudkit" | "prewarm 0", Phases[]> = { hudkit: [], "prewarm 0": [] };

/** Times one round of a side; a hudkit side's wall time includes closing its runtime. */
const runSide = async (side: Side, c: number) => {
  const start = performance.now();
  const result =
    side === "bare"
      ? await timed(perRound, c, () => bareSpawn())
      : await hudkitJob(perRound, c, side === "hudkit" ? 1 : 0, c === 1 ? phases[side] : undefined);
  wall[side][c] = (wall[side][c] ?? 0) + (performance.now() - start);
  latencies[side][c] = [...(latencies[side][c] ?? []), ...result.latencies];
};

try {
  await hudkitJob(3, 1, 1);
  await hudkitJob(3, 1, 0);
  for (let i = 0; i < 3; i++) await bareSpawn();
  for (let round = 0; round < ROUNDS; round++) {
    for (const c of CONCURRENCIES) {
      // Rotated each round, so no side always follows the same one.
      for (let k = 0; k < SIDES.length; k++) await runSide(SIDES[(round + k) % SIDES.length]!, c);
    }
  }
} finally {
  rmSync(cacheDir, { recursive: true, force: true });
}

const rows: Array<Record<string, string | number>> = [];
for (const c of CONCURRENCIES) {
  const count = ROUNDS * perRound;
  const [b, h, p0] = SIDES.map((side) => wall[side][c]! / count) as [number, number, number];
  rows.push({
    metric: `wall per rollout @${c} (ms)`,
    hudkit: h,
    "prewarm 0": p0,
    "bare node": b,
    ratio: h / b,
    "ratio prewarm 0": p0 / b,
  });
  const [bp50, hp50, p0p50] = SIDES.map((side) => quantile(latencies[side][c]!, 0.5)) as [
    number,
    number,
    number,
  ];
  rows.push({
    metric: `latency p50 @${c} (ms)`,
    hudkit: hp50,
    "prewarm 0": p0p50,
    "bare node": bp50,
    ratio: hp50 / bp50,
    "ratio prewarm 0": p0p50 / bp50,
  });
}
const breakdownOf = (list: Phases[]) => {
  const mean = (key: keyof Phases) => list.reduce((sum, p) => sum + p[key], 0) / list.length;
  return { acquire: mean("acquire"), "connect+start+grade": mean("rollout"), dispose: mean("dispose") };
};
const breakdown = { hudkit: breakdownOf(phases.hudkit), "prewarm 0": breakdownOf(phases["prewarm 0"]) };

printTable(
  `localRuntime: ${ROUNDS * perRound} rollouts per concurrency, fresh child each (acquire, connect, start, grade, dispose) vs bare \`node -e ""\`; target ratio <= 2`,
  rows,
);
printTable(
  "phases @1, mean ms",
  Object.entries(breakdown).map(([side, phase]) => ({ side, ...phase })),
);
console.log(
  `\nbundle: ${bundle.inputs} inputs, ${bundleKiB.toFixed(0)} KiB, built once in ${bundleMs.toFixed(0)} ms (cached after)`,
);
console.log(
  `wrote ${writeResult("local-runtime", { rollouts: ROUNDS * perRound, rows, breakdown, bundle: { ms: bundleMs, kib: bundleKiB, inputs: bundle.inputs } })}`,
);
