/**
 * Protocol benchmark (issue 2): `tasks.list` round-trip time and rollouts per second (connect,
 * hello, start, grade, close) against one served environment, at concurrency 1 and 64, beside
 * a raw NDJSON floor measured in the same run. Target: hudkit within 1.3x of the floor.
 * Measured after a warm-up of 3000 rollouts (and 3000 `tasks.list` calls) per side; the
 * rollouts' warm-up figure is the first row. Each rollout figure is given twice: the ratio of
 * the two sides' median chunks, and the median of the per-round ratios (each round runs one
 * chunk of each side back to back).
 *
 *   pnpm --filter @hudkit/bench protocol [-- --rollouts 5000 --list-calls 20000 --warmup-rollouts 3000]
 */
import { type ChildProcess, spawn } from "node:child_process";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { connect } from "@hudkit/core";
import { printTable, quantile, writeResult } from "./bench-table.js";
import { interleave, medianRoundRatio, type SideResult } from "./interleave.js";
import { FloorClient } from "./raw-ndjson-floor.js";
import { startStallMonitor } from "./stall-monitor.js";

const argValue = (flag: string, fallback: number) => {
  const index = process.argv.indexOf(flag);
  return index === -1 ? fallback : Number(process.argv[index + 1]);
};
const ROLLOUTS = argValue("--rollouts", 5000);
// p99 of 5000 calls rests on its 50 slowest, which this VM's jitter decides; 20000 steadies it.
const LIST_CALLS = argValue("--list-calls", 20_000);
const CONCURRENCIES = [1, 64];
const WARMUP_ROLLOUTS = argValue("--warmup-rollouts", 3000);
const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));

/** Starts a server child process and resolves its announced port. */
async function startServer(args: string[]): Promise<{ port: number; child: ChildProcess }> {
  const child = spawn(process.execPath, args, { stdio: ["ignore", "pipe", "inherit"] });
  const port = await new Promise<number>((resolve, reject) => {
    createInterface({ input: child.stdout! }).on("line", (line) => {
      if (line.startsWith("HUD_SERVE_PORT=")) resolve(Number(line.slice(15)));
    });
    child.once("exit", (code) => reject(new Error(`server exited ${code}`)));
  });
  return { port, child };
}

interface Driver {
  list(): Promise<void>;
  rollout(i: number): Promise<void>;
  closeList(): void;
}

async function hudkitDriver(port: number): Promise<Driver> {
  const url = `tcp://127.0.0.1:${port}`;
  const lister = await connect(url, { heartbeatMs: 0 });
  return {
    list: async () => {
      await lister.listTasks();
    },
    rollout: async (i) => {
      const client = await connect(url, { heartbeatMs: 0 });
      try {
        await client.start("echo", { tag: `t${i}` });
        const grade = await client.grade({ answer: `t${i}` });
        if (grade.reward !== 1) throw new Error(`rollout ${i} scored ${grade.reward}`);
      } finally {
        await client.close();
      }
    },
    closeList: () => void lister.close(),
  };
}

async function floorDriver(port: number): Promise<Driver> {
  const lister = await FloorClient.open(port);
  return {
    list: async () => {
      await lister.call("tasks.list");
    },
    rollout: async (i) => {
      const client = await FloorClient.open(port);
      try {
        await client.call("hello", {});
        await client.call("tasks.start", { id: "echo", args: { tag: `t${i}` } });
        const grade = await client.call("tasks.grade", { answer: `t${i}` });
        if (grade.score !== 1) throw new Error(`floor rollout ${i} scored ${grade.score}`);
      } finally {
        client.close();
      }
    },
    closeList: () => lister.close(),
  };
}

const results: Record<string, unknown> = {};
const rows: Array<Record<string, string | number>> = [];
/** Rollouts per chunk at each concurrency: ~50 ms of work, short beside the VM's stalls. */
const CHUNK: Record<number, number> = { 1: 100, 64: 250 };
const LIST_CHUNK = 250;

const monitor = startStallMonitor();
const hudkitServer = await startServer([here("./serve-trivial-env.mjs")]);
const floorServer = await startServer(["--import", "tsx", here("./raw-ndjson-floor.ts"), "serve"]);
const measured: Record<string, Record<string, SideResult>> = {};
try {
  const drivers = {
    floor: await floorDriver(floorServer.port),
    hudkit: await hudkitDriver(hudkitServer.port),
  };
  // tasks.list runs other code than a rollout, so it gets a warm-up of its own: with only a few
  // hundred calls before measuring, hudkit's first unoptimised calls made its p99.
  for (const driver of Object.values(drivers)) {
    for (let i = 0; i < WARMUP_ROLLOUTS; i++) await driver.list();
  }
  // Both sides keep getting faster for the first few thousand rollouts: V8 optimising the code
  // on the path (hudkit has far more of it than the floor), and this VM itself warming up. The
  // target is about a warmed-up server, so the warm-up is run first, and reported on its own row.
  measured.warmup = await interleave(
    { floor: (i) => drivers.floor.rollout(i), hudkit: (i) => drivers.hudkit.rollout(i) },
    { total: WARMUP_ROLLOUTS, chunk: WARMUP_ROLLOUTS / 6, concurrency: 1 },
  );
  measured.list = await interleave(
    { floor: () => drivers.floor.list(), hudkit: () => drivers.hudkit.list() },
    { total: LIST_CALLS, chunk: LIST_CHUNK, concurrency: 1 },
  );
  for (const c of CONCURRENCIES) {
    measured[`rollouts@${c}`] = await interleave(
      { floor: (i) => drivers.floor.rollout(i), hudkit: (i) => drivers.hudkit.rollout(i) },
      { total: ROLLOUTS, chunk: CHUNK[c]!, concurrency: c },
    );
  }
  for (const driver of Object.values(drivers)) driver.closeList();
} finally {
  hudkitServer.child.kill("SIGTERM");
  floorServer.child.kill("SIGTERM");
}
const stalls = await monitor.stop();

const list = measured.list!;
for (const [metric, q] of [
  ["tasks.list p50 (ms)", 0.5],
  ["tasks.list p99 (ms)", 0.99],
] as const) {
  const h = quantile(list.hudkit!.latencies, q);
  const f = quantile(list.floor!.latencies, q);
  rows.push({ metric, hudkit: h, floor: f, ratio: h / f });
}
{
  const { hudkit: h, floor: f } = measured.warmup!;
  rows.push({
    metric: `warm-up: first ${WARMUP_ROLLOUTS} rollouts @1 (ms each)`,
    hudkit: h!.meanMs,
    floor: f!.meanMs,
    ratio: h!.meanMs / f!.meanMs,
  });
}
for (const c of CONCURRENCIES) {
  const side = measured[`rollouts@${c}`]!;
  const h = side.hudkit!;
  const f = side.floor!;
  rows.push({
    metric: `rollout @${c}, median chunk (ms each)`,
    hudkit: h.medianMs,
    floor: f.medianMs,
    ratio: h.medianMs / f.medianMs,
  });
  rows.push({
    metric: `rollout @${c}, median of per-round ratios`,
    hudkit: "",
    floor: "",
    ratio: medianRoundRatio(h, f),
  });
  rows.push({
    metric: `rollouts/s @${c}, median chunk`,
    hudkit: 1000 / h.medianMs,
    floor: 1000 / f.medianMs,
    ratio: f.medianMs / h.medianMs,
  });
  rows.push({
    metric: `rollout @${c}, total/count (ms each)`,
    hudkit: h.meanMs,
    floor: f.meanMs,
    ratio: h.meanMs / f.meanMs,
  });
}
results.rollouts = ROLLOUTS;
results.warmupRollouts = WARMUP_ROLLOUTS;
results.listCalls = LIST_CALLS;
results.chunks = { list: LIST_CHUNK, rollouts: CHUNK };
results.chunkMs = Object.fromEntries(
  Object.entries(measured).map(([k, sides]) => [
    k,
    Object.fromEntries(Object.entries(sides).map(([n, s]) => [n, s.chunks])),
  ]),
);
results.stalls = stalls;
results.rows = rows;
printTable(
  `protocol: ${ROLLOUTS} rollouts (connect, hello, start, grade, close), ${LIST_CALLS} tasks.list calls; target ratio <= 1.3`,
  rows,
);
console.log(
  `\nmachine stalls (>100 ms with no CPU) during the run: ${stalls.stalls}, ${(stalls.stalledMs / 1000).toFixed(1)} s of ${(stalls.wallMs / 1000).toFixed(1)} s; median rows compare chunks of ${CHUNK[1]} (@1) and ${CHUNK[64]} (@64) rollouts, run alternately`,
);
console.log(`\nwrote ${writeResult("protocol-rollouts", results)}`);
