import { readdirSync, readFileSync } from "node:fs";
import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { JobReport } from "./job-report.js";
import {
  BUILD_TIMEOUT_MS,
  ensureBuilt,
  linesOf,
  runHud,
  startHud,
  waitForHud,
} from "./test-support/hud-process.js";

const TASKS = "examples/letter-count/tasks.ts";
const AGENT = "examples/letter-count/agent.ts";
const SLOW_AGENT = "apps/cli/src/fixtures/slow-agent.ts";
const FAILING_AGENT = "apps/cli/src/fixtures/failing-agent.ts";
/** Evals spawn an env process per rollout: generous on a busy machine. */
const EVAL_TIMEOUT_MS = 180_000;

let root: string;

beforeAll(async () => {
  await ensureBuilt();
  root = await mkdtemp(join(tmpdir(), "hud-eval-"));
}, BUILD_TIMEOUT_MS);
afterAll(() => rm(root, { recursive: true, force: true }));

interface RecordedRun {
  runId: string;
  slug: string;
  groupIndex: number;
  status: string;
  reward: number;
}

async function recordedRuns(jobDir: string): Promise<RecordedRun[]> {
  const text = await readFile(join(jobDir, "runs.jsonl"), "utf8");
  return linesOf(text).map((line) => JSON.parse(line) as RecordedRun);
}

describe("hud eval", () => {
  it(
    "runs letter-count with the example agent: --json prints the summary, reward 1 over 12 runs",
    async () => {
      const jobsDir = join(root, "json");
      const result = await runHud([
        "eval",
        TASKS,
        "--agent",
        AGENT,
        "--group",
        "3",
        "--json",
        "--jobs-dir",
        jobsDir,
      ]);
      expect(result.code, result.stderr).toBe(0);
      const report = JSON.parse(result.stdout) as JobReport;
      expect(report.status).toBe("completed");
      expect(report.summary).toEqual({ runs: 12, reward: 1, errors: 0, errorsByPhase: {} });
      expect(report.group).toBe(3);
      expect(report.taskset).toBe("tasks");
      expect(report.agent).toBe("countingAgent");
      expect(report.tasks).toHaveLength(4);
      for (const task of report.tasks) expect(task).toMatchObject({ runs: 3, reward: 1, errors: 0 });
      expect(report.dir).toBe(join(jobsDir, report.id));
      const runs = await recordedRuns(report.dir);
      expect(runs).toHaveLength(12);
      // Per-run lines go to stderr with --json, so stdout stays parseable.
      expect(linesOf(result.stderr)).toHaveLength(12);
    },
    EVAL_TIMEOUT_MS,
  );

  it(
    "without a TTY prints a line per rollout, then reward per task, errors and the job directory",
    async () => {
      const jobsDir = join(root, "text");
      const slugs = "count_letter,count_letter-2dc7d4b0";
      const result = await runHud([
        "eval",
        TASKS,
        "--agent",
        AGENT,
        "--filter",
        slugs,
        "--group",
        "2",
        "--jobs-dir",
        jobsDir,
      ]);
      expect(result.code, result.stderr).toBe(0);
      const lines = linesOf(result.stdout);
      const runLines = lines.filter((line) => line.startsWith("["));
      expect(runLines).toHaveLength(4);
      for (const line of runLines)
        expect(line).toMatch(/^\[\d\/4\] count_letter(-2dc7d4b0)? #[01] reward 1 \(\d+ ms\)$/);
      const [jobId] = await readdir(jobsDir);
      expect(lines).toContain(`job ${jobId} completed: reward 1.00 over 4 runs, 0 errors`);
      expect(lines).toContainEqual(expect.stringMatching(/^task\s+runs\s+reward\s+errors$/));
      expect(lines).toContainEqual(expect.stringMatching(/^count_letter\s+2\s+1\.00\s+0$/));
      expect(lines).toContainEqual(expect.stringMatching(/^count_letter-2dc7d4b0\s+2\s+1\.00\s+0$/));
      expect(lines).toContain("errors: none");
      expect(lines.at(-1)).toBe(`job directory: ${join(jobsDir, jobId!)}`);
      expect(result.stderr).toBe("");
    },
    EVAL_TIMEOUT_MS,
  );

  it(
    "exits 0 when rollouts fail, and reports them",
    async () => {
      const jobsDir = join(root, "failing");
      const result = await runHud(["eval", TASKS, "--agent", FAILING_AGENT, "--jobs-dir", jobsDir]);
      expect(result.code, result.stderr).toBe(0);
      const lines = linesOf(result.stdout);
      const failed = lines.filter((line) => / error \[agent loop\] cannot count in: /.test(line));
      expect(failed).toHaveLength(3);
      expect(lines).toContainEqual(
        expect.stringMatching(/^job [0-9a-f]{32} completed: reward 0\.25 over 4 runs, 0 errors$/),
      );
      expect(lines).toContainEqual(expect.stringMatching(/^count_letter-2dc7d4b0\s+1\s+0\.00\s+0$/));
      expect(lines).toContain("failed but still graded (counted in the reward): agent loop: 3");
    },
    EVAL_TIMEOUT_MS,
  );

  it(
    "Ctrl-C keeps every finished run and an interrupted job; --resume records each rollout exactly once",
    async () => {
      const jobsDir = join(root, "interrupt");
      const args = [
        "eval",
        TASKS,
        "--agent",
        SLOW_AGENT,
        "--group",
        "3",
        "--max-concurrent",
        "2",
        "--jobs-dir",
        jobsDir,
      ];
      const hud = startHud(args, { HUD_TEST_AGENT_DELAY_MS: "1500" });
      const runsFile = await waitForHud(
        hud,
        "the first two runs",
        () => {
          const job = readdirSafe(jobsDir)[0];
          if (job === undefined) return undefined;
          const file = join(jobsDir, job, "runs.jsonl");
          return linesOf(readFileSafe(file)).length >= 2 ? file : undefined;
        },
        120_000,
      );
      hud.child.kill("SIGINT");
      const interrupted = await hud.exited;
      expect(interrupted.code, interrupted.stderr).toBe(130);
      const jobDir = join(runsFile, "..");
      const jobId = jobDir.split("/").at(-1)!;
      const jobFile = JSON.parse(await readFile(join(jobDir, "job.json"), "utf8"));
      expect(jobFile.status).toBe("interrupted");
      const kept = await recordedRuns(jobDir);
      expect(kept.length).toBeGreaterThanOrEqual(2);
      expect(kept.length).toBeLessThan(12);
      expect(jobFile.summary.runs).toBe(kept.length);
      // Every run the CLI reported as finished is in runs.jsonl.
      const reported = linesOf(interrupted.stdout).filter((line) => line.startsWith("["));
      expect(reported).toHaveLength(kept.length);
      for (const run of kept) expect(run.status).not.toBe("cancelled");
      expect(interrupted.stdout).toContain(`job ${jobId} interrupted`);
      const hint = linesOf(interrupted.stderr).find((line) => line.startsWith("interrupted:"));
      expect(hint).toBe(
        `interrupted: ${kept.length} of 12 runs recorded. Resume with: hud ${args.join(" ")} --resume ${jobId}`,
      );

      const shown = await runHud(["jobs", "show", jobId, "--jobs-dir", jobsDir]);
      expect(shown.stdout).toContain(`job ${jobId} interrupted: reward 1.00 over ${kept.length} runs`);
      expect(shown.stdout).toContain(`--resume ${jobId}`);

      const resumeArgs = hint!.slice(hint!.indexOf("hud ") + 4).split(" ");
      const resumed = await runHud(resumeArgs, { HUD_TEST_AGENT_DELAY_MS: "100" });
      expect(resumed.code, resumed.stderr).toBe(0);
      expect(resumed.stdout).toContain(`job ${jobId} completed: reward 1.00 over 12 runs, 0 errors`);
      const all = await recordedRuns(jobDir);
      expect(all).toHaveLength(12);
      const pairs = all.map((run) => `${run.slug} #${run.groupIndex}`);
      expect(new Set(pairs).size).toBe(12);
      for (const slug of [
        "count_letter",
        "count_letter-2dc7d4b0",
        "count_letter-9add9630",
        "count_letter-0754cab8",
      ]) {
        for (const index of [0, 1, 2]) expect(pairs).toContain(`${slug} #${index}`);
      }
      expect(all.slice(0, kept.length).map((run) => run.runId)).toEqual(kept.map((run) => run.runId));
      expect(JSON.parse(await readFile(join(jobDir, "job.json"), "utf8")).status).toBe("completed");
    },
    EVAL_TIMEOUT_MS,
  );
});

function readdirSafe(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}

function readFileSafe(file: string): string {
  try {
    return readFileSync(file, "utf8");
  } catch {
    return "";
  }
}
