/**
 * `Taskset.run` and a minted task's `run`, end to end: runtime placement from where tasks came
 * from (a module served by real child processes, a live env in this process), runtime specs,
 * and the error for rows that name no source.
 */
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { bind } from "../protocol/server.js";
import { createTask } from "../task/task.js";
import { Taskset } from "../task/taskset.js";
import { count, env } from "./fixtures/letters/env.js";
import type { Run } from "./run.js";

const TASKS_MODULE = fileURLToPath(new URL("./fixtures/letters/tasks.ts", import.meta.url));
const ENV_FILE = fileURLToPath(new URL("./fixtures/letters/env.ts", import.meta.url));
const jobsDir = () => mkdtempSync(join(tmpdir(), "hudkit-taskset-run-"));

/** Answers the letter count and returns the pid the env printed in its prompt. */
function countingAgent(pids: number[]) {
  return async (run: Run): Promise<void> => {
    const match = /^pid (\d+): how many '(.)' in '(.*)'\?$/.exec(run.promptText);
    if (match === null) throw new Error(`unexpected prompt ${run.promptText}`);
    pids.push(Number(match[1]));
    run.answer = String([...match[3]!].filter((c) => c === match[2]).length);
  };
}

describe("Taskset.run", () => {
  it("serves a module-loaded taskset from its module, a fresh child process per rollout", async () => {
    const taskset = await Taskset.fromFile(TASKS_MODULE);
    const pids: number[] = [];
    const dir = jobsDir();
    const job = await taskset.run(countingAgent(pids), { group: 2, maxConcurrent: 2, jobsDir: dir });

    // Runs are listed as they finished; the pairs, in expansion order:
    const pairs = job.runs.map((r) => [r.slug, r.groupIndex, r.reward, r.error]);
    const order = (p: unknown[]) => `${taskset.tasks.findIndex((t) => t.slug === p[0])}#${p[1]}`;
    expect(pairs.sort((a, b) => order(a).localeCompare(order(b)))).toEqual([
      [taskset.tasks[0]!.slug, 0, 1, null],
      [taskset.tasks[0]!.slug, 1, 1, null],
      [taskset.tasks[1]!.slug, 0, 1, null],
      [taskset.tasks[1]!.slug, 1, 1, null],
    ]);
    // Four rollouts, four env processes, none of them this one.
    expect(new Set(pids).size).toBe(4);
    expect(pids).not.toContain(process.pid);
    expect(job.reward).toBe(1);
    const written = JSON.parse(readFileSync(join(job.dir, "job.json"), "utf8"));
    expect(written).toMatchObject({ taskset: "tasks", runtime: "local", group: 2, status: "completed" });
  }, 120_000);

  it("runs tasks minted in this process on their live env, in this process", async () => {
    const pids: number[] = [];
    const taskset = new Taskset("inline", [
      count({ word: "aaa", letter: "a" }),
      count({ word: "b", letter: "b" }),
    ]);
    const job = await taskset.run(countingAgent(pids), { jobsDir: jobsDir() });
    expect(job.runs.map((r) => r.reward)).toEqual([1, 1]);
    expect(pids).toEqual([process.pid, process.pid]);
  });

  it("lets a minted task run alone, as a taskset named by its slug", async () => {
    const task = count({ word: "letter", letter: "t" });
    const job = await task.run(countingAgent([]), { group: 3, jobsDir: jobsDir() });
    expect(job.name).toBe("count (3 times)");
    expect(job.runs.map((r) => r.reward)).toEqual([1, 1, 1]);
    expect(JSON.parse(readFileSync(join(job.dir, "job.json"), "utf8")).taskset).toBe(task.slug);
  });

  it("refuses rows with no known source before running anything, and says what to pass", async () => {
    const row = createTask({ env: "letters", id: "count", args: { word: "x", letter: "x" } });
    const dir = jobsDir();
    await expect(new Taskset("rows", [row]).run(countingAgent([]), { jobsDir: dir })).rejects.toThrow(
      /no runtime for task count-[0-9a-f]{8} of env 'letters'.*Pass \{ runtime: "local:<env file>" \}/,
    );
    await expect(
      new Taskset("rows", [row]).run(countingAgent([]), { jobsDir: dir, runtime: "local" }),
    ).rejects.toThrow(/no runtime for task/);
  });

  it("resolves runtime specs: local:<file> for plain rows, url: for a served env", async () => {
    const row = createTask({ env: "letters", id: "count", args: { word: "moon", letter: "o" } });
    const pids: number[] = [];
    const local = await new Taskset("rows", [row]).run(countingAgent(pids), {
      runtime: `local:${ENV_FILE}`,
      jobsDir: jobsDir(),
    });
    expect(local.runs[0]!.reward).toBe(1);
    expect(pids[0]).not.toBe(process.pid);

    await using server = await bind(env, { port: 0 });
    const borrowed = await new Taskset("rows", [row]).run(countingAgent(pids), {
      runtime: `url:${server.url}`,
      group: 2,
      jobsDir: jobsDir(),
    });
    expect(borrowed.runs.map((r) => r.reward)).toEqual([1, 1]);
    expect(borrowed.runs[0]!.endpoint).toBe(server.url);
  }, 120_000);

  it("gives an empty taskset a job with no runs and needs no runtime", async () => {
    const job = await new Taskset("empty", []).run(countingAgent([]), { jobsDir: jobsDir() });
    expect(job.runs).toEqual([]);
    expect(job.status).toBe("completed");
  });
});
