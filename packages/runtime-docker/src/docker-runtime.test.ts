import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { type AcquireContext, type Run, Taskset } from "@hudkit/core";
import Docker from "dockerode";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildEnvironmentImage } from "./docker-build.js";
import { createDockerRuntime, dockerPlugin, pruneDockerContainers } from "./index.js";
import { containersOfJob, dockerTestsEnabled } from "./test-support/docker-tests.js";

const LETTER_COUNT = fileURLToPath(new URL("../../../examples/letter-count", import.meta.url));
const BROKEN = fileURLToPath(new URL("./fixtures/broken-build", import.meta.url));
const FAULTS = fileURLToPath(new URL("./fixtures/faults", import.meta.url));
const LETTERS_IMAGE = "hudkit-test-letter-count:latest";
const FAULTS_IMAGE = "hudkit-test-faults:latest";
/** Image builds and container starts on a 2-core machine shared with other tests. */
const SLOW = { timeout: 300_000 };
const enabled = await dockerTestsEnabled();
const docker = new Docker();
const jobsDir = await mkdtemp(join(tmpdir(), "hudkit-docker-jobs-"));

const solve = async (run: Run): Promise<void> => {
  const match = /How many '(.)'s are in '(.*)'\?/.exec(run.promptText);
  run.answer = String([...(match?.[2] ?? "")].filter((c) => c === match?.[1]).length);
};
const context = (runId: string): AcquireContext => ({
  signal: new AbortController().signal,
  log: () => {},
  jobId: "hudkit-test-job",
  runId,
});

describe.skipIf(!enabled)("createDockerRuntime on a real engine", SLOW, () => {
  beforeAll(async () => {
    await buildEnvironmentImage({ dir: LETTER_COUNT, tag: LETTERS_IMAGE });
    await buildEnvironmentImage({ dir: FAULTS, tag: FAULTS_IMAGE });
  }, SLOW.timeout);
  afterAll(async () => {
    await pruneDockerContainers({ jobId: "hudkit-test-job" });
    await rm(jobsDir, { recursive: true, force: true });
  });

  it("runs letter-count with group 2 and concurrency 2, leaving no container behind", async () => {
    const taskset = await Taskset.fromFile(`${LETTER_COUNT}/tasks.ts`);
    const job = await taskset.run(solve, {
      runtime: createDockerRuntime({ image: LETTERS_IMAGE }),
      group: 2,
      maxConcurrent: 2,
      jobsDir,
    });
    expect(job.runs).toHaveLength(8);
    expect(job.runs.map((run) => run.error)).toEqual(Array(8).fill(null));
    expect(job.reward).toBe(1);
    expect(job.runs.every((run) => run.endpoint?.startsWith("tcp://127.0.0.1:"))).toBe(true);
    expect(await containersOfJob(job.id)).toEqual([]);
  });

  it("fails a rollout whose container crashes mid-way, with the container's last lines", async () => {
    const taskset = (await Taskset.fromFile(`${FAULTS}/tasks.ts`)).filter(["crash"]);
    const job = await taskset.run(
      async (run) => {
        await new Promise((resolve) => setTimeout(resolve, 2_000));
        run.answer = "done";
      },
      { runtime: createDockerRuntime({ image: FAULTS_IMAGE }), jobsDir },
    );
    const [run] = job.runs;
    expect(run?.error).toMatch(/.+/);
    expect(run?.errorPhase).toBe("grading");
    expect(run?.logs).toContain("faults: crashing on purpose");
    expect(await containersOfJob(job.id)).toEqual([]);
  });

  it("removes the container of a rollout that times out", async () => {
    const taskset = (await Taskset.fromFile(`${FAULTS}/tasks.ts`)).filter(["stall"]);
    const job = await taskset.run(async () => {}, {
      runtime: createDockerRuntime({ image: FAULTS_IMAGE }),
      rolloutTimeoutMs: 8_000,
      jobsDir,
    });
    expect(job.runs[0]?.error).toMatch(/timed out after 8(\.0)?s/);
    expect(await containersOfJob(job.id)).toEqual([]);
  });

  it("labels the container, turns runtime_config resources into limits, and removes it on dispose", async () => {
    const runtime = createDockerRuntime({ image: LETTERS_IMAGE, env: { GREETING: "hi" } });
    const task = {
      env: "letter-count",
      id: "count_letter",
      args: {},
      slug: "limits",
      runtime_config: { resources: { cpu: 0.5, memory_mb: 256 } },
    };
    const substrate = await runtime.acquire(task, context("run-limits"));
    const [info] = await containersOfJob("hudkit-test-job");
    expect(info?.Labels).toMatchObject({
      "hudkit.job": "hudkit-test-job",
      "hudkit.run": "run-limits",
      "hudkit.task": "limits",
    });
    const container = docker.getContainer(info!.Id);
    const inspected = await container.inspect();
    expect(inspected.HostConfig).toMatchObject({ NanoCpus: 500_000_000, Memory: 256 * 1024 * 1024 });
    expect(inspected.Config.Env).toContain("GREETING=hi");
    expect(substrate.endpoint.url).toMatch(/^tcp:\/\/127\.0\.0\.1:\d+$/);
    await substrate[Symbol.asyncDispose]();
    await expect(container.inspect()).rejects.toMatchObject({ statusCode: 404 });
  });

  it("refuses a runtime_config it cannot honour before creating anything", async () => {
    const runtime = createDockerRuntime({ image: LETTERS_IMAGE });
    const task = {
      env: "e",
      id: "t",
      args: {},
      slug: "gpu-type",
      runtime_config: { resources: { gpu: { type: "h100" } } },
    };
    await expect(runtime.acquire(task, context("run-gpu"))).rejects.toMatchObject({
      code: "unsupported-runtime-config",
      message: "task gpu-type asks for resources.gpu.type, which the docker runtime does not support",
    });
  });

  it("says in one line that an image is missing, when the plugin is created", async () => {
    await expect(dockerPlugin.create("hudkit-test-nope:none", {})).rejects.toMatchObject({
      code: "docker-image-missing",
      message:
        "no image hudkit-test-nope:none in the Docker engine: build it (hud build -t hudkit-test-nope:none) or load it (docker load)",
    });
  });

  it("reports a failed image build with its step and the engine's message", async () => {
    const logs: string[] = [];
    await expect(
      buildEnvironmentImage({
        dir: BROKEN,
        tag: "hudkit-test-broken:latest",
        onLog: (line) => logs.push(line),
      }),
    ).rejects.toMatchObject({
      code: "docker-build-failed",
      message: expect.stringMatching(
        /^building hudkit-test-broken:latest failed at Step 2\/3 : RUN echo "about to fail" && exit 7: .*returned a non-zero code: 7$/,
      ),
    });
    expect(logs).toContain("about to fail");
  });

  it("prunes the labelled leftovers of one job, and only those", async () => {
    const labelled = (job: string) =>
      docker.createContainer({
        Image: LETTERS_IMAGE,
        Labels: { "hudkit.job": job, "hudkit.run": `${job}-run` },
      });
    const mine = await labelled("hudkit-test-prune");
    const other = await labelled("hudkit-test-other");
    try {
      const removed = await pruneDockerContainers({ jobId: "hudkit-test-prune" });
      expect(removed).toEqual([{ id: mine.id, jobId: "hudkit-test-prune", runId: "hudkit-test-prune-run" }]);
      expect(await containersOfJob("hudkit-test-prune")).toEqual([]);
      expect(await containersOfJob("hudkit-test-other")).toHaveLength(1);
    } finally {
      await other.remove({ force: true });
    }
  });
});

describe("createDockerRuntime without an engine", () => {
  it("says in one line where it looked and what to do", async () => {
    const runtime = createDockerRuntime({ image: "any", docker: { socketPath: "/nonexistent/docker.sock" } });
    await expect(
      runtime.acquire({ env: "e", id: "t", args: {}, slug: "s" }, context("run-x")),
    ).rejects.toMatchObject({
      code: "docker-unreachable",
      message: "no Docker engine at /nonexistent/docker.sock: start dockerd or set DOCKER_HOST",
    });
    await expect(
      dockerPlugin.create("any", { docker: { socketPath: "/nonexistent/docker.sock" } }),
    ).rejects.toMatchObject({
      code: "docker-unreachable",
    });
  });

  it("checks its settings when created, without touching the engine", () => {
    expect(() => createDockerRuntime({ port: 0 })).toThrow(/createDockerRuntime: .*port/s);
  });
});
