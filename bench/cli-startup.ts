/**
 * CLI cold start (issue 4): wall time of `hud --help` as a fresh process, beside a bare
 * `node -e ""` in the same run, rounds alternating so machine drift hits both alike. Target:
 * at most 150 ms where bare node takes about 78 ms (a ratio of about 1.9).
 *
 *   pnpm --filter @hudkit/bench cli-startup [-- --runs 30]
 *
 * Needs the built CLI (`pnpm build` at the root).
 */
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { printTable, quantile, writeResult } from "./bench-table.js";

const argValue = (flag: string, fallback: number) => {
  const index = process.argv.indexOf(flag);
  return index === -1 ? fallback : Number(process.argv[index + 1]);
};
const RUNS = argValue("--runs", 30);
const CLI = fileURLToPath(new URL("../apps/cli/dist/cli.js", import.meta.url));
if (!existsSync(CLI)) throw new Error(`no built CLI at ${CLI}: run pnpm build first`);

const commands: Record<string, string[]> = { "hud --help": [CLI, "--help"], 'node -e ""': ["-e", ""] };

/** Milliseconds for one process to start, run and exit; fails on a non-zero exit. */
function timeOnce(args: string[]): number {
  const start = performance.now();
  const result = spawnSync(process.execPath, args, { stdio: ["ignore", "pipe", "pipe"] });
  const spent = performance.now() - start;
  if (result.status !== 0) throw new Error(`${args.join(" ")} exited ${result.status}: ${result.stderr}`);
  return spent;
}

const samples: Record<string, number[]> = { "hud --help": [], 'node -e ""': [] };
for (const args of Object.values(commands)) timeOnce(args); // warm the file cache
for (let i = 0; i < RUNS; i++) {
  for (const [name, args] of Object.entries(commands)) samples[name]!.push(timeOnce(args));
}
const hud = samples["hud --help"]!;
const bare = samples['node -e ""']!;
const rows = [
  {
    metric: "median (ms)",
    hud: quantile(hud, 0.5),
    "bare node": quantile(bare, 0.5),
    ratio: quantile(hud, 0.5) / quantile(bare, 0.5),
  },
  {
    metric: "p90 (ms)",
    hud: quantile(hud, 0.9),
    "bare node": quantile(bare, 0.9),
    ratio: quantile(hud, 0.9) / quantile(bare, 0.9),
  },
];
printTable(
  `cli startup: ${RUNS} runs each, alternating; target hud --help <= 150 ms (bare node ~78 ms here)`,
  rows,
);
console.log(`\nwrote ${writeResult("cli-startup", { runs: RUNS, rows })}`);
