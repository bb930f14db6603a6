/**
 * LocalRuntime benchmark: wall time per rollout with a fresh child process per rollout (acquire,
 * connect, start, grade, dispose) on trivial-env.ts, at concurrency 1 and 2, beside a bare
 * `node -e ""` spawn-and-exit measured in the same run (rounds alternate). Target: ratio <= 2.
 * The one-off esbuild bundling happens in the warm-up and is reported on its own.
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
import { bundleEnvironment, connect, localRuntime, type Task } from "@hudkit/core";
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
const runtime = localRuntime(ENV_FILE, { cacheDir });
const ctx = { signal: new AbortController().signal, log: () => {}, jobId: "bench", runId: "bench" };

interface Phases {
  acquire: number;
  rollout: number;
  dispose: number;
}

/** One rollout on a fresh child; returns how long each phase took. */
async function hudkitRollout(i: number): Promise<Phases> {
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

const perRound = Math.ceil(ROLLOUTS / ROUNDS);
const wall: Record<string, Record<number, number>> = { hudkit: {}, bare: {} };
const latencies: Record<string, Record<number, number[]>> = { hudkit: {}, bare: {} };
const phases: Phases[] = [];
try {
  for (let i = 0; i < 3; i++) {
    await hudkitRollout(i);
    await bareSpawn();
  }
  for (let round = 0; round < ROUNDS; round++) {
    for (const c of CONCURRENCIES) {
      const bare = await timed(perRound, c, () => bareSpawn());
      const hudkit = await timed(perRound, c, async (i) => {
        const p = await hudkitRollout(i);
        if (c === 1) phases.push(p);
      });
      for (const [name, result] of [
        ["bare", bare],
        ["hudkit", hudkit],
      ] as const) {
        wall[name]![c] = (wall[name]![c] ?? 0) + result.wall;
        latencies[name]![c] = [...(latencies[name]![c] ?? []), ...result.latencies];
      }
    }
  }
} finally {
  await runtime.close();
  rmSync(cacheDir, { recursive: true, force: true });
}

const rows: Array<Record<string, string | number>> = [];
for (const c of CONCURRENCIES) {
  const count = ROUNDS * perRound;
  const h = wall.hudkit![c]! / count;
  const b = wall.bare![c]! / count;
  rows.push({ metric: `wall per rollout @${c} (ms)`, hudkit: h, "bare node": b, ratio: h / b });
  const hp50 = quantile(latencies.hudkit![c]!, 0.5);
  const bp50 = quantile(latencies.bare![c]!, 0.5);
  rows.push({ metric: `latency p50 @${c} (ms)`, hudkit: hp50, "bare node": bp50, ratio: hp50 / bp50 });
}
const mean = (key: keyof Phases) => phases.reduce((sum, p) => sum + p[key], 0) / phases.length;
const breakdown = { acquire: mean("acquire"), rollout: mean("rollout"), dispose: mean("dispose") };

printTable(
  `localRuntime: ${ROUNDS * perRound} rollouts per concurrency, fresh child each (acquire, connect, start, grade, dispose) vs bare \`node -e ""\`; target ratio <= 2`,
  rows,
);
printTable("phases @1, mean ms", [
  { acquire: breakdown.acquire, "connect+start+grade": breakdown.rollout, dispose: breakdown.dispose },
]);
console.log(
  `\nbundle: ${bundle.inputs} inputs, ${bundleKiB.toFixed(0)} KiB, built once in ${bundleMs.toFixed(0)} ms (cached after)`,
);
console.log(
  `wrote ${writeResult("local-runtime", { rollouts: ROUNDS * perRound, rows, breakdown, bundle: { ms: bundleMs, kib: bundleKiB, inputs: bundle.inputs } })}`,
);
