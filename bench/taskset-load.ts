/**
 * Taskset load benchmark: `Taskset.fromFile` on a 100k-row JSONL file (read, JSON parse, row
 * validation, default slugs, slug-collision handling), median of several runs. Target: at most
 * 0.55 s on the 2-core dev machine, where the reference takes 2.87 s.
 *
 *   cd bench && npx tsx taskset-load.ts [--rows 100000 --runs 7]
 *
 * Needs the built package (`pnpm build` at the root). Each run also times a floor, reading the
 * file and `JSON.parse`-ing its lines (what any JSONL loader must do), interleaved with the real
 * load, so that a figure taken on a busy shared machine can still be read as a ratio.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Taskset } from "@hudkit/core";
import { printTable, quantile, writeResult } from "./bench-table.js";

const argValue = (flag: string, fallback: number) => {
  const index = process.argv.indexOf(flag);
  return index === -1 ? fallback : Number(process.argv[index + 1]);
};
const ROWS = argValue("--rows", 100_000);
const RUNS = argValue("--runs", 7);
const TARGET_SECONDS = 0.55;
const REFERENCE_SECONDS = 2.87;

/**
 * A typical template row. 100k of these hold four pairs of default slugs that collide in 8 hex
 * digits, so the collision path is timed too.
 */
const row = (n: number) => ({ env: "letters", id: "count_letter", args: { word: `word-${n}`, letter: "r" } });

const cpuSeconds = () => {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1e6;
};

interface Sample {
  wall: number[];
  cpu: number[];
}

/** Times one run into `sample`, checking that it saw every row. */
async function time(sample: Sample, body: () => Promise<number>): Promise<void> {
  const startWall = performance.now();
  const startCpu = cpuSeconds();
  const size = await body();
  sample.wall.push((performance.now() - startWall) / 1000);
  sample.cpu.push(cpuSeconds() - startCpu);
  if (size !== ROWS) throw new Error(`loaded ${size} of ${ROWS} rows`);
}

const dir = mkdtempSync(join(tmpdir(), "hudkit-bench-taskset-"));
try {
  const file = join(dir, "tasks.jsonl");
  writeFileSync(file, Array.from({ length: ROWS }, (_, n) => `${JSON.stringify(row(n))}\n`).join(""));

  let lengthened = 0;
  const load = async () => {
    const taskset = await Taskset.fromFile(file, {
      onWarning: (message) => {
        lengthened = Number(/^(\d+) tasks/.exec(message)?.[1] ?? 0);
      },
    });
    return taskset.size;
  };
  const floor = async () => {
    const text = await readFile(file, "utf8");
    const rows: unknown[] = [];
    for (const line of text.split("\n")) if (line.trim() !== "") rows.push(JSON.parse(line));
    return rows.length;
  };

  // One untimed run of each so the JIT has seen the code, as it has in any long-lived process.
  await load();
  await floor();
  const hudkit: Sample = { wall: [], cpu: [] };
  const bare: Sample = { wall: [], cpu: [] };
  for (let run = 0; run < RUNS; run++) {
    await time(hudkit, load);
    await time(bare, floor);
  }

  const median = quantile(hudkit.wall, 0.5);
  const line = (metric: string, ours: number, theirs: number, reference: number | string = "") => ({
    metric,
    hudkit: ours,
    floor: theirs,
    ratio: ours / theirs,
    reference,
  });
  const rows = [
    line("wall seconds, median", median, quantile(bare.wall, 0.5), REFERENCE_SECONDS),
    line("wall seconds, fastest", Math.min(...hudkit.wall), Math.min(...bare.wall)),
    // CPU time: this machine is shared, and wall time also counts waiting for a core.
    line("cpu seconds, median", quantile(hudkit.cpu, 0.5), quantile(bare.cpu, 0.5)),
    { metric: "rows lengthened to 16 digits", hudkit: lengthened, floor: "", ratio: "", reference: "" },
  ];
  printTable(
    `Taskset.fromFile: ${ROWS} JSONL rows, ${RUNS} runs (floor: read + JSON.parse each line); ` +
      `target median <= ${TARGET_SECONDS} s`,
    rows,
  );
  console.log(`\n${median <= TARGET_SECONDS ? "within" : "OVER"} target (${median.toFixed(3)} s)`);
  console.log(
    `wrote ${writeResult("taskset-load", { rows: ROWS, runs: RUNS, hudkit, floor: bare, lengthened })}`,
  );
} finally {
  rmSync(dir, { recursive: true, force: true });
}
