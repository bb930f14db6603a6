import { existsSync, mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type BoundServer, bind } from "../protocol/server.js";
import type { RuntimeProvider } from "../runtime/provider.js";
import type { Task } from "../task/task.js";
import { badGrade, echo, env, releaseHangs } from "./fixtures/faulty-env.js";
import { Job } from "./job.js";
import { JobFileSchema, listJobs, parseRunLines } from "./job-store.js";
import { readJob } from "./read-job.js";
import { resumeJob } from "./resume-job.js";
import type { Run } from "./run.js";
import { runTasks } from "./run-tasks.js";
import { type SharedServerProvider, sharedServerProvider } from "./test-support/shared-server-provider.js";

let server: BoundServer;
let provider: SharedServerProvider;
let jobsDir: string;

beforeAll(async () => {
  server = await bind(env, { port: 0 });
  provider = sharedServerProvider({ faulty: server });
  jobsDir = mkdtempSync(join(tmpdir(), "hudkit-jobs-"));
});
afterAll(async () => {
  releaseHangs.abort();
  await server.close();
});

const echoAgent = async (run: Run): Promise<void> => {
  run.answer = run.promptText.split(" ").at(-1);
};

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function linesOf(job: Job): ReturnType<typeof parseRunLines> {
  return parseRunLines(readFileSync(join(job.dir, "runs.jsonl"), "utf8"), "runs.jsonl");
}

describe("runTasks", () => {
  it("expands task-major with one group id per task, under the concurrency cap", async () => {
    let inFlight = 0;
    let peak = 0;
    const started: string[] = [];
    const agent = async (run: Run): Promise<void> => {
      started.push(`${run.slug}#${run.groupIndex}`);
      inFlight++;
      peak = Math.max(peak, inFlight);
      await sleep(30);
      inFlight--;
      run.answer = run.promptText.split(" ").at(-1);
    };
    const tasks = ["a", "b", "c"].map((tag) => echo({ tag }));
    const job = await runTasks(tasks, agent, {
      provider,
      group: 2,
      maxConcurrent: 2,
      jobsDir,
      taskset: "letters",
    });
    expect(peak).toBe(2);
    expect(started).toEqual(tasks.flatMap((t) => [`${t.slug}#0`, `${t.slug}#1`]));
    expect(job.status).toBe("completed");
    expect(job.name).toBe("letters (3 tasks) (2 times)");
    expect(job.id).toMatch(/^[0-9a-f]{32}$/);
    expect(job.runs).toHaveLength(6);
    expect(job.reward).toBe(1);
    for (const [, runs] of job.results) {
      expect(runs).toHaveLength(2);
      expect(new Set(runs.map((r) => r.groupId)).size).toBe(1);
      expect(runs.map((r) => r.groupIndex).sort()).toEqual([0, 1]);
    }
    expect(new Set(job.runs.map((r) => r.groupId)).size).toBe(3);
    const file = JobFileSchema.parse(JSON.parse(readFileSync(join(job.dir, "job.json"), "utf8")));
    expect(file).toMatchObject({
      id: job.id,
      status: "completed",
      taskset: "letters",
      agent: "agent",
      runtime: "test-shared-server",
      group: 2,
      maxConcurrent: 2,
      summary: { runs: 6, reward: 1, errors: 0, errorsByPhase: {} },
    });
    expect(file.finishedAt).not.toBeNull();
    expect(
      linesOf(job)
        .map((r) => r.runId)
        .sort(),
    ).toEqual(job.runs.map((r) => r.runId).sort());
    expect(readdirSync(join(job.dir, "traces")).sort()).toEqual(
      job.runs.map((r) => `${r.runId}.json`).sort(),
    );
  });

  it("writes each run as it finishes, not at the end", async () => {
    const seen: number[] = [];
    let dir = "";
    const job = await runTasks(
      ["a", "b", "c"].map((tag) => echo({ tag })),
      echoAgent,
      {
        provider,
        maxConcurrent: 1,
        jobsDir,
        onRun: (run) => {
          dir ||= join(jobsDir, run.jobId);
          seen.push(parseRunLines(readFileSync(join(dir, "runs.jsonl"), "utf8"), "runs.jsonl").length);
          expect(existsSync(join(dir, "traces", `${run.runId}.json`))).toBe(true);
        },
      },
    );
    expect(seen).toEqual([1, 2, 3]);
    expect(job.runs).toHaveLength(3);
  });

  it("counts reward and errors exactly as spec §3.6", async () => {
    const flaky: RuntimeProvider = {
      specificationVersion: "runtime-v1",
      name: "flaky",
      acquire: async (task, ctx) => {
        if (task.args.tag === "nope") throw new Error("no capacity");
        return provider.acquire(task, ctx);
      },
    };
    const agent = async (run: Run): Promise<void> => {
      const tag = String(run.args.tag ?? "");
      run.answer = tag === "wrong" ? "nope" : tag;
      if (tag === "throws") throw new Error("agent broke");
    };
    const tasks: Task[] = [
      echo({ tag: "right" }), // 1, counted
      echo({ tag: "wrong" }), // 0, counted
      echo({ tag: "throws" }), // agent threw but graded 1: counted
      badGrade(), // grading failed: no verdict
      echo({ tag: "nope" }), // provisioning failed: no verdict
    ];
    const job = await runTasks(tasks, agent, { provider: flaky, jobsDir, maxConcurrent: 2 });
    expect(job.runs).toHaveLength(5);
    expect(job.reward).toBeCloseTo(2 / 3);
    expect(job.errors.map((r) => r.slug).sort()).toEqual([tasks[3]!.slug, tasks[4]!.slug].sort());
    expect([...job.errorsByPhase()].map(([phase, runs]) => [phase, runs.length])).toEqual([
      ["provisioning", 1],
      ["grading", 1],
    ]);
    expect(job.summary()).toEqual({
      runs: 5,
      reward: job.reward,
      errors: 2,
      errorsByPhase: { provisioning: 1, grading: 1 },
    });
    const back = await readJob(jobsDir, job.id);
    expect(back.reward).toBeCloseTo(job.reward);
    expect(back.errors.map((r) => r.runId).sort()).toEqual(job.errors.map((r) => r.runId).sort());
    expect(back.summary()).toEqual(job.summary());
  });

  it("accumulates several calls into a job passed in", async () => {
    const job = await Job.start({ name: "two calls", group: 2, jobsDir });
    await runTasks([echo({ tag: "a" })], echoAgent, { provider, job });
    await runTasks([echo({ tag: "b" })], echoAgent, { provider, job, group: 1 });
    expect(job.runs.map((r) => r.args.tag)).toEqual(["a", "a", "b"]);
    expect((await readJob(jobsDir, job.id)).runs).toHaveLength(3);
    expect(job.status).toBe("completed");
  });

  it("checks its options before running anything", async () => {
    const tasks = [echo({ tag: "a" })];
    const before = provider.acquired;
    const jobsBefore = (await listJobs(jobsDir)).length;
    await expect(runTasks(tasks, echoAgent, { provider, jobsDir, maxConcurrent: 0 })).rejects.toThrow(
      /maxConcurrent must be/,
    );
    await expect(runTasks(tasks, echoAgent, { provider, jobsDir, maxConcurrent: 1.5 })).rejects.toThrow(
      /maxConcurrent/,
    );
    await expect(runTasks(tasks, echoAgent, { provider, jobsDir, group: 0 })).rejects.toThrow(
      /group must be/,
    );
    await expect(runTasks(tasks, echoAgent, { provider, jobsDir, rolloutTimeoutMs: -1 })).rejects.toThrow(
      /rolloutTimeoutMs must be a positive/,
    );
    await expect(runTasks([...tasks, echo({ tag: "a" })], echoAgent, { provider, jobsDir })).rejects.toThrow(
      /duplicate task slugs/,
    );
    await expect(
      runTasks([{ ...tasks[0]!, agent_config: { timeout_seconds: 10 } }], echoAgent, {
        provider,
        jobsDir,
        rolloutTimeoutMs: 5_000,
      }),
    ).rejects.toThrow(/must be under the rollout timeout/);
    expect(provider.acquired).toBe(before);
    expect((await listJobs(jobsDir)).length).toBe(jobsBefore);
  });

  it("stops on interruption, keeps every finished run, and resumes only what is missing", async () => {
    const controller = new AbortController();
    let finished = 0;
    const agent = async (run: Run): Promise<void> => {
      await sleep(40);
      run.answer = run.promptText.split(" ").at(-1);
    };
    const tasks = ["a", "b", "c", "d", "e"].map((tag) => echo({ tag }));
    const job = await runTasks(tasks, agent, {
      provider,
      group: 2,
      maxConcurrent: 2,
      jobsDir,
      signal: controller.signal,
      onRun: () => {
        if (++finished === 3) controller.abort();
      },
    });
    expect(job.status).toBe("interrupted");
    expect(job.runs.length).toBeGreaterThanOrEqual(3);
    expect(job.runs.length).toBeLessThan(10);
    expect(job.runs.every((r) => r.trace.status === "completed")).toBe(true);
    expect(linesOf(job)).toHaveLength(job.runs.length);
    expect(JSON.parse(readFileSync(join(job.dir, "job.json"), "utf8")).status).toBe("interrupted");
    expect(provider.acquired).toBe(provider.released);

    const resumed = await resumeJob(job.id, tasks, echoAgent, { provider, jobsDir });
    expect(resumed.status).toBe("completed");
    const pairs = linesOf(resumed).map((r) => `${r.slug}#${r.groupIndex}`);
    expect(pairs.sort()).toEqual(tasks.flatMap((t) => [`${t.slug}#0`, `${t.slug}#1`]).sort());
    const groupIds = new Map<string, Set<string>>();
    for (const run of resumed.runs)
      groupIds.set(run.slug, (groupIds.get(run.slug) ?? new Set()).add(run.groupId));
    expect([...groupIds.values()].every((ids) => ids.size === 1)).toBe(true);
    expect(resumed.reward).toBe(1);
  });

  it("lists jobs newest first and reads one back with its traces", async () => {
    const job = await runTasks([echo({ tag: "z" })], echoAgent, { provider, jobsDir, name: "latest" });
    const [latest] = await listJobs(jobsDir);
    expect(latest).toMatchObject({ id: job.id, name: "latest", status: "completed" });
    const back = await readJob(jobsDir, job.id, { traces: true });
    expect(back.runs[0]!.trace.steps.map((s) => s.source)).toEqual(["task", "user", "task"]);
    expect(back.runs[0]!.reward).toBe(1);
    expect(() => back.runs[0]!.client).toThrow(/no live client/);
  });
});
