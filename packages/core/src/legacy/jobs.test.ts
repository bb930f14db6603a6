/**
 * The older API's jobs on the real job store: createJob/loadJob, a `Taskset.run` job read back
 * by loadJob, the not-found error, and `job(...)` recording a taskset run and a makeEnv handle.
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { listJobs } from "../run/job-store.js";
import type { Run } from "../run/run.js";
import { Taskset } from "../task/taskset.js";
import { makeEnv } from "./gym-env.js";
import { createJob, job, loadJob } from "./jobs.js";

const EXAMPLE_TASKS = fileURLToPath(new URL("../../../../examples/letter-count/tasks.ts", import.meta.url));
const jobsDir = () => mkdtempSync(join(tmpdir(), "hudkit-legacy-jobs-"));

/** Answers the example's letter-count prompt correctly. */
function answerOf(prompt: string): string {
  const match = /How many '(.)'s are in '(.*)'\?/.exec(prompt);
  if (match === null) throw new Error(`unexpected prompt ${prompt}`);
  return String([...match[2]!].filter((c) => c === match[1]).length);
}

const countingAgent = async (run: Run): Promise<void> => {
  run.answer = answerOf(run.promptText);
};

describe("createJob and loadJob", () => {
  it("round-trips a job with its metadata through the store", async () => {
    const dir = jobsDir();
    const created = await createJob("older api", { metadata: { model: "m1", tries: 2 }, jobsDir: dir });
    expect(created.status).toBe("running");
    expect(created.metadata).toEqual({ model: "m1", tries: 2 });

    const loaded = await loadJob(created.id, { jobsDir: dir });
    expect([loaded.id, loaded.name, loaded.createdAt, loaded.status]).toEqual([
      created.id,
      "older api",
      created.createdAt,
      "running",
    ]);
    expect(loaded.metadata).toEqual({ model: "m1", tries: 2 });
    expect(await loaded.loadTrajectories()).toEqual([]);
    // `hud jobs list` reads the same files.
    expect((await listJobs(dir)).map((file) => file.id)).toEqual([created.id]);
  });

  it("reads a job that Taskset.run wrote, with its trajectories", async () => {
    const dir = jobsDir();
    const taskset = await Taskset.fromFile(EXAMPLE_TASKS);
    const ran = await taskset.run(countingAgent, { jobsDir: dir, maxConcurrent: 2 });

    const loaded = await loadJob(ran.id, { jobsDir: dir });
    expect(loaded.status).toBe("completed");
    expect(loaded.metadata).toBeNull();
    const runs = await loadJob(ran.id, { jobsDir: dir }).then((found) => found.loadTrajectories());
    expect(runs).toHaveLength(taskset.tasks.length);
    for (const run of runs) {
      expect(run.reward).toBe(1);
      expect(run.answer).toBe(answerOf(run.promptText));
      expect(run.durationMs).toBeGreaterThan(0);
      // Setup, the prompt, and the grade.
      expect(run.trace.steps.map((step) => step.source)).toEqual(["task", "user", "task"]);
    }
  }, 120_000);

  it("says where it looked for an unknown id", async () => {
    const dir = jobsDir();
    await expect(loadJob("0123abcd", { jobsDir: dir })).rejects.toThrow(
      `no job 0123abcd: looked for ${resolve(dir, "0123abcd", "job.json")} (jobs directory ${resolve(dir)})`,
    );
  });
});

describe("job(...)", () => {
  it("records a taskset run and a makeEnv handle under one job, completed when the function returns", async () => {
    const dir = jobsDir();
    const taskset = await Taskset.fromFile(EXAMPLE_TASKS);
    const task = taskset.tasks[1]!;
    let jobId = "";
    const evaluateAll = job("wrapped", { metadata: { suite: "letters" }, jobsDir: dir })(
      async (agent: (run: Run) => Promise<void>) => {
        // jobsDir is the wrapper's: the taskset run joins the current job instead.
        const ran = await taskset.run(agent, { jobsDir: jobsDir() });
        jobId = ran.id;
        await using env = await makeEnv(task);
        const [observation] = await env.reset();
        await env.step([{ type: "response", text: answerOf(observation.text ?? "") }]);
        return (await env.evaluate()).reward;
      },
    );
    expect(await evaluateAll(countingAgent)).toBe(1);

    const loaded = await loadJob(jobId, { jobsDir: dir });
    expect([loaded.name, loaded.status, loaded.metadata]).toEqual([
      "wrapped",
      "completed",
      { suite: "letters" },
    ]);
    const runs = await loaded.loadTrajectories();
    expect(runs).toHaveLength(taskset.tasks.length + 1);
    expect(runs.every((run) => run.jobId === jobId && run.reward === 1)).toBe(true);
    const handleRun = runs.at(-1)!;
    expect(handleRun.slug).toBe(task.slug);
    expect(handleRun.answer).toBe("3");
    expect(handleRun.trace.steps.map((step) => step.source)).toEqual(["task", "user", "agent", "task"]);
  }, 120_000);

  it("marks the job interrupted when the function throws", async () => {
    const dir = jobsDir();
    let id = "";
    const failing = job("fails", { jobsDir: dir })(async () => {
      id = (await listJobs(dir))[0]!.id;
      throw new Error("boom");
    });
    await expect(failing()).rejects.toThrow("boom");
    expect((await loadJob(id, { jobsDir: dir })).status).toBe("interrupted");
  });
});
