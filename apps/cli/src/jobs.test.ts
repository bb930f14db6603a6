import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { JobReport } from "./job-report.js";
import { BUILD_TIMEOUT_MS, ensureBuilt, linesOf, runHud } from "./test-support/hud-process.js";

let jobsDir: string;
let job: JobReport;

beforeAll(async () => {
  await ensureBuilt();
  jobsDir = await mkdtemp(join(tmpdir(), "hud-jobs-"));
  const result = await runHud([
    "eval",
    "examples/letter-count/tasks.ts",
    "--agent",
    "examples/letter-count/agent.ts",
    "--filter",
    "count_letter",
    "--group",
    "2",
    "--jobs-dir",
    jobsDir,
    "--json",
  ]);
  expect(result.code, result.stderr).toBe(0);
  job = JSON.parse(result.stdout) as JobReport;
}, BUILD_TIMEOUT_MS);
afterAll(() => rm(jobsDir, { recursive: true, force: true }));

describe("hud jobs list", () => {
  it("lists the jobs of --jobs-dir as a table", async () => {
    const result = await runHud(["jobs", "list", "--jobs-dir", jobsDir]);
    expect(result.code, result.stderr).toBe(0);
    const lines = linesOf(result.stdout);
    expect(lines[0]).toMatch(/^id\s+status\s+runs\s+reward\s+errors\s+created\s+name$/);
    expect(lines).toHaveLength(2);
    expect(lines[1]).toMatch(
      new RegExp(`^${job.id}\\s+completed\\s+2\\s+1\\.00\\s+0\\s+\\S+\\s+count_letter \\(2 times\\)$`),
    );
  });

  it("prints job.json contents with --json", async () => {
    const result = await runHud(["jobs", "list", "--jobs-dir", jobsDir, "--json"]);
    expect(result.code, result.stderr).toBe(0);
    const jobs = JSON.parse(result.stdout) as Array<{
      id: string;
      status: string;
      summary: { runs: number };
    }>;
    expect(jobs).toHaveLength(1);
    expect(jobs[0]).toMatchObject({ id: job.id, status: "completed", summary: { runs: 2, reward: 1 } });
  });

  it("says where it looked when there are no jobs", async () => {
    const empty = join(jobsDir, "none");
    const result = await runHud(["jobs", "list", "--jobs-dir", empty]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain(`no jobs in ${empty}`);
    const json = await runHud(["jobs", "list", "--jobs-dir", empty, "--json"]);
    expect(JSON.parse(json.stdout)).toEqual([]);
  });
});

describe("hud jobs show", () => {
  it("shows the job's reward per task and directory", async () => {
    const result = await runHud(["jobs", "show", job.id, "--jobs-dir", jobsDir]);
    expect(result.code, result.stderr).toBe(0);
    const lines = linesOf(result.stdout);
    expect(lines[0]).toBe(`job ${job.id} completed: reward 1.00 over 2 runs, 0 errors`);
    expect(lines).toContainEqual(expect.stringMatching(/^count_letter\s+2\s+1\.00\s+0$/));
    expect(lines).toContain(`job directory: ${job.dir}`);
    expect(lines).toContain("taskset: tasks  agent: countingAgent  runtime: local  group: 2");
    expect(result.stdout).not.toMatch(/^task\s+group\s+outcome/m);
  });

  it("lists every run with --runs", async () => {
    const result = await runHud(["jobs", "show", job.id, "--jobs-dir", jobsDir, "--runs"]);
    expect(result.code, result.stderr).toBe(0);
    const lines = linesOf(result.stdout);
    const header = lines.findIndex((line) => /^task\s+group\s+outcome\s+duration\s+run$/.test(line));
    expect(header).toBeGreaterThan(0);
    const runs = lines.slice(header + 1);
    expect(runs).toHaveLength(2);
    for (const line of runs)
      expect(line).toMatch(/^count_letter\s+#[01]\s+reward 1\s+\d+ ms\s+[0-9a-f]{32}$/);
  });

  it("prints the job (and with --runs its run records) as JSON", async () => {
    const plain = await runHud(["jobs", "show", job.id, "--jobs-dir", jobsDir, "--json"]);
    expect(plain.code, plain.stderr).toBe(0);
    const report = JSON.parse(plain.stdout) as JobReport & { runs?: unknown };
    expect(report).toEqual(job);
    expect(report.runs).toBeUndefined();
    const withRuns = await runHud(["jobs", "show", job.id, "--jobs-dir", jobsDir, "--json", "--runs"]);
    const runs = (
      JSON.parse(withRuns.stdout) as { runs: Array<{ slug: string; groupIndex: number; reward: number }> }
    ).runs;
    expect(runs.map((run) => [run.slug, run.groupIndex, run.reward]).sort()).toEqual([
      ["count_letter", 0, 1],
      ["count_letter", 1, 1],
    ]);
  });

  it("names the job and the directory when there is no such job, exit 2", async () => {
    const result = await runHud(["jobs", "show", "0123abcd", "--jobs-dir", jobsDir]);
    expect(result.code, result.stderr).toBe(2);
    expect(linesOf(result.stderr)).toEqual([expect.stringMatching(/^hud: no job 0123abcd in /)]);
    expect(result.stdout).toBe("");
  });
});
