import { appendFileSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { HudkitError } from "../errors/hudkit-error.js";
import type { RuntimeProvider } from "../runtime/provider.js";
import { createTask } from "../task/task.js";
import { Job } from "./job.js";
import { listJobs, parseRunLines } from "./job-store.js";
import { readJob } from "./read-job.js";
import { rollout } from "./rollout.js";
import type { Run } from "./run.js";

/** Fails every acquisition: a quick way to get finished (failed) runs without any env. */
const nowhere: RuntimeProvider = {
  specificationVersion: "runtime-v1",
  name: "nowhere",
  acquire: async () => {
    throw new Error("no capacity");
  },
};

const task = createTask({ env: "faulty", id: "echo", args: { tag: "a" } });

function finishedRun(job: Job, groupIndex = 0): Promise<Run> {
  return rollout(task, async () => {}, { provider: nowhere, jobId: job.id, groupIndex });
}

function hasCode(code: string) {
  return (error: unknown) => HudkitError.isInstance(error) && error.code === code;
}

function freshDir(): string {
  return mkdtempSync(join(tmpdir(), "hudkit-store-"));
}

describe("job store", () => {
  it("ignores a torn last line on read, and cuts it off before appending again", async () => {
    const jobsDir = freshDir();
    const job = await Job.start({ name: "torn", jobsDir });
    await job.add(await finishedRun(job, 0));
    await job.add(await finishedRun(job, 1));
    const runsPath = join(job.dir, "runs.jsonl");
    appendFileSync(runsPath, '{"schema":"hudkit.run.v1","runId":"cut-sh');
    const read = await readJob(jobsDir, job.id);
    expect(read.runs.map((r) => r.groupIndex)).toEqual([0, 1]);
    expect(read.runs[0]!.error).toBe("[provisioning] no capacity");

    await read.add(await finishedRun(read, 2));
    const text = readFileSync(runsPath, "utf8");
    expect(text.endsWith("\n")).toBe(true);
    expect(text).not.toContain("cut-sh");
    expect(parseRunLines(text, runsPath).map((r) => r.groupIndex)).toEqual([0, 1, 2]);
  });

  it("refuses a bad line that is not the last one", async () => {
    const jobsDir = freshDir();
    const job = await Job.start({ name: "corrupt", jobsDir });
    await job.add(await finishedRun(job));
    appendFileSync(join(job.dir, "runs.jsonl"), "not json\n");
    await job.add(await finishedRun(job, 1));
    await expect(readJob(jobsDir, job.id)).rejects.toSatisfy(hasCode("corrupt-job"));
    await expect(readJob(jobsDir, job.id)).rejects.toThrow(/runs\.jsonl:2: not valid JSON/);
  });

  it("writes whole lines when many runs finish at once", async () => {
    const jobsDir = freshDir();
    const job = await Job.start({ name: "burst", jobsDir });
    const runs = await Promise.all(Array.from({ length: 40 }, (_, i) => finishedRun(job, i)));
    await Promise.all(runs.map((run) => job.add(run)));
    const records = parseRunLines(readFileSync(join(job.dir, "runs.jsonl"), "utf8"), "runs.jsonl");
    expect(records.map((r) => r.groupIndex).sort((a, b) => a - b)).toEqual(runs.map((_, i) => i));
  });

  it("only takes finished runs of its own job", async () => {
    const jobsDir = freshDir();
    const job = await Job.start({ name: "mine", jobsDir });
    const other = await rollout(task, async () => {}, { provider: nowhere });
    await expect(job.add(other)).rejects.toSatisfy(hasCode("wrong-job"));
  });

  it("refuses job ids that are not ids, and says when a job does not exist", async () => {
    const jobsDir = freshDir();
    await expect(readJob(jobsDir, "../etc")).rejects.toSatisfy(hasCode("bad-job-id"));
    await expect(readJob(jobsDir, "0123abcd")).rejects.toSatisfy(hasCode("job-not-found"));
  });

  it("lists jobs newest first, skipping what is not a job", async () => {
    const jobsDir = freshDir();
    expect(await listJobs(join(jobsDir, "absent"))).toEqual([]);
    const first = await Job.start({ name: "first", jobsDir });
    await new Promise((resolve) => setTimeout(resolve, 5));
    const second = await Job.start({ name: "second", jobsDir, group: 3 });
    mkdirSync(join(jobsDir, "not-a-job"));
    mkdirSync(join(jobsDir, "junk"));
    writeFileSync(join(jobsDir, "junk", "job.json"), "{}");
    const jobs = await listJobs(jobsDir);
    expect(jobs.map((j) => [j.id, j.name, j.group, j.status])).toEqual([
      [second.id, "second", 3, "running"],
      [first.id, "first", 1, "running"],
    ]);
  });
});
