/**
 * Protocol benchmark (issue 2): `tasks.list` round-trip time and rollouts per second (connect,
 * hello, start, grade, close) against one served environment, at concurrency 1 and 64, beside
 * a raw NDJSON floor measured in the same run. Target: hudkit within 1.3x of the floor.
 *
 *   pnpm --filter @hudkit/bench protocol [-- --rollouts 5000 --list-calls 5000]
 */
import { type ChildProcess, spawn } from "node:child_process";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { connect } from "@hudkit/core";
import { printTable, quantile, writeResult } from "./bench-table.js";
import { FloorClient } from "./raw-ndjson-floor.js";

const argValue = (flag: string, fallback: number) => {
  const index = process.argv.indexOf(flag);
  return index === -1 ? fallback : Number(process.argv[index + 1]);
};
const ROLLOUTS = argValue("--rollouts", 5000);
const LIST_CALLS = argValue("--list-calls", 5000);
const CONCURRENCIES = [1, 64];
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
const measured: Record<string, { list: { p50: number; p99: number }; rollouts: Record<number, number> }> = {};

/** Rounds alternate between the two servers so drift in machine speed hits both alike. */
const ROUNDS = 5;

async function listSample(driver: Driver, calls: number): Promise<number[]> {
  const sample: number[] = [];
  for (let i = 0; i < calls; i++) {
    const start = performance.now();
    await driver.list();
    sample.push(performance.now() - start);
  }
  return sample;
}

async function rolloutSeconds(driver: Driver, count: number, concurrency: number): Promise<number> {
  let next = 0;
  const start = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < count) await driver.rollout(next++);
    }),
  );
  return (performance.now() - start) / 1000;
}

const hudkitServer = await startServer([here("./serve-trivial-env.mjs")]);
const floorServer = await startServer(["--import", "tsx", here("./raw-ndjson-floor.ts"), "serve"]);
try {
  const drivers: Record<string, Driver> = {
    floor: await floorDriver(floorServer.port),
    hudkit: await hudkitDriver(hudkitServer.port),
  };
  for (const driver of Object.values(drivers)) {
    for (let i = 0; i < 200; i++) await driver.list();
    for (let i = 0; i < 100; i++) await driver.rollout(i);
  }
  const lists: Record<string, number[]> = { floor: [], hudkit: [] };
  const seconds: Record<string, Record<number, number>> = { floor: {}, hudkit: {} };
  for (let round = 0; round < ROUNDS; round++) {
    for (const [name, driver] of Object.entries(drivers)) {
      lists[name]!.push(...(await listSample(driver, Math.ceil(LIST_CALLS / ROUNDS))));
      for (const c of CONCURRENCIES) {
        const spent = await rolloutSeconds(driver, Math.ceil(ROLLOUTS / ROUNDS), c);
        seconds[name]![c] = (seconds[name]![c] ?? 0) + spent;
      }
    }
  }
  for (const [name, driver] of Object.entries(drivers)) {
    driver.closeList();
    const rollouts: Record<number, number> = {};
    for (const c of CONCURRENCIES)
      rollouts[c] = (seconds[name]![c]! * 1000) / (ROUNDS * Math.ceil(ROLLOUTS / ROUNDS));
    measured[name] = {
      list: { p50: quantile(lists[name]!, 0.5), p99: quantile(lists[name]!, 0.99) },
      rollouts,
    };
  }
} finally {
  hudkitServer.child.kill("SIGTERM");
  floorServer.child.kill("SIGTERM");
}

const hudkit = measured.hudkit!;
const floor = measured.floor!;
rows.push({
  metric: "tasks.list p50 (ms)",
  hudkit: hudkit.list.p50,
  floor: floor.list.p50,
  ratio: hudkit.list.p50 / floor.list.p50,
});
rows.push({
  metric: "tasks.list p99 (ms)",
  hudkit: hudkit.list.p99,
  floor: floor.list.p99,
  ratio: hudkit.list.p99 / floor.list.p99,
});
for (const c of CONCURRENCIES) {
  const h = hudkit.rollouts[c]!;
  const f = floor.rollouts[c]!;
  rows.push({ metric: `rollout @${c} (ms each)`, hudkit: h, floor: f, ratio: h / f });
  rows.push({ metric: `rollouts/s @${c}`, hudkit: 1000 / h, floor: 1000 / f, ratio: f / h });
}
results.rollouts = ROLLOUTS;
results.listCalls = LIST_CALLS;
results.measured = measured;
results.rows = rows;
printTable(
  `protocol: ${ROLLOUTS} rollouts (connect, hello, start, grade, close), ${LIST_CALLS} tasks.list calls; target ratio <= 1.3`,
  rows,
);
console.log(`\nwrote ${writeResult("protocol-rollouts", results)}`);
