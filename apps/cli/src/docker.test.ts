import { execFile } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { containersOf, dockerTestsEnabled } from "./test-support/docker-tests.js";
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
const IMAGE = "hudkit-test-cli-letters:latest";
/** Image builds and containers on a 2-core machine shared with other tests. */
const SLOW = { timeout: 300_000 };
const run = promisify(execFile);

const enabled = await dockerTestsEnabled();
let root: string;

beforeAll(async () => {
  await ensureBuilt();
  root = await mkdtemp(join(tmpdir(), "hud-docker-"));
}, BUILD_TIMEOUT_MS);
afterAll(() => rm(root, { recursive: true, force: true }));

describe.skipIf(!enabled)("hud with the docker runtime", SLOW, () => {
  it("hud build bundles letter-count and builds its image, streaming the log to stderr", async () => {
    const result = await runHud(["build", "examples/letter-count", "-t", IMAGE]);
    expect(result.code, result.stderr).toBe(0);
    expect(linesOf(result.stdout)).toEqual([
      expect.stringMatching(new RegExp(`^built ${IMAGE} \\(\\d+ files in the context\\)$`)),
      `run it: hud eval tasks.ts --agent agent.ts --runtime docker:${IMAGE}`,
    ]);
    expect(result.stderr).toContain("bundled env.ts into .hud/build/env.mjs");
    expect(result.stderr).toContain(`Successfully tagged ${IMAGE}`);
  });

  it("hud eval --runtime docker:<image> scores 1.0 with group 2, concurrency 2, and leaves no container", async () => {
    const jobsDir = join(root, "eval");
    const result = await runHud([
      "eval",
      TASKS,
      "--agent",
      AGENT,
      "--runtime",
      `docker:${IMAGE}`,
      "--group",
      "2",
      "--max-concurrent",
      "2",
      "--jobs-dir",
      jobsDir,
      "--json",
    ]);
    expect(result.code, result.stderr).toBe(0);
    const report = JSON.parse(result.stdout);
    expect(report.summary).toEqual({ runs: 8, reward: 1, errors: 0, errorsByPhase: {} });
    expect(await containersOf(report.id)).toEqual([]);
  });

  it("Ctrl-C during hud eval leaves no container behind", async () => {
    const jobsDir = join(root, "interrupt");
    const hud = startHud(
      [
        "eval",
        TASKS,
        "--agent",
        SLOW_AGENT,
        "--runtime",
        `docker:${IMAGE}`,
        "--group",
        "3",
        "--max-concurrent",
        "2",
        "--jobs-dir",
        jobsDir,
      ],
      { HUD_TEST_AGENT_DELAY_MS: "3000" },
    );
    const jobId = await waitForHud(
      hud,
      "the first finished run",
      () => {
        const job = existsSync(jobsDir) ? readdirSync(jobsDir)[0] : undefined;
        const runs = job === undefined ? "" : readFileSafe(join(jobsDir, job, "runs.jsonl"));
        return runs.includes("\n") ? job : undefined;
      },
      180_000,
    );
    hud.child.kill("SIGINT");
    const result = await hud.exited;
    expect(result.code, result.stderr).toBe(130);
    expect(await containersOf(jobId!)).toEqual([]);
  });

  it("the project hud init writes builds, and its image serves the tasks", async () => {
    const project = join(root, "scaffold");
    expect((await runHud(["init", project])).code).toBe(0);
    const built = await runHud(["build", project, "-t", "hudkit-test-scaffold:latest", "--quiet"]);
    expect(built.code, built.stderr).toBe(0);
    const result = await runHud(
      [
        "eval",
        "tasks.ts",
        "--agent",
        "agent.ts",
        "--runtime",
        "docker:hudkit-test-scaffold:latest",
        "--json",
      ],
      {},
      project,
    );
    expect(result.code, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout).summary).toEqual({ runs: 3, reward: 1, errors: 0, errorsByPhase: {} });
  });

  it("hud docker prune removes a job's labelled leftovers", async () => {
    const { stdout } = await run("docker", [
      "create",
      "--label",
      "hudkit.job=hudkit-cli-prune",
      "--label",
      "hudkit.run=r1",
      IMAGE,
    ]);
    const id = stdout.trim();
    const result = await runHud(["docker", "prune", "--job", "hudkit-cli-prune", "--json"]);
    expect(result.code, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual([{ id, jobId: "hudkit-cli-prune", runId: "r1" }]);
    expect(await containersOf("hudkit-cli-prune")).toEqual([]);
    const again = await runHud(["docker", "prune", "--job", "hudkit-cli-prune"]);
    expect(again.stdout).toBe("no containers left by job hudkit-cli-prune\n");
  });

  it("a missing image is one line and exit 2, before any rollout", async () => {
    const result = await runHud([
      "eval",
      TASKS,
      "--agent",
      AGENT,
      "--runtime",
      "docker:hudkit-test-nope:none",
      "--jobs-dir",
      join(root, "nope"),
    ]);
    expect(result.code).toBe(2);
    expect(linesOf(result.stderr)).toEqual([
      "hud: no image hudkit-test-nope:none in the Docker engine: build it (hud build -t hudkit-test-nope:none) or load it (docker load)",
    ]);
  });

  it("a failed build is one line naming the step, exit 2", async () => {
    const result = await runHud([
      "build",
      "packages/runtime-docker/src/fixtures/broken-build",
      "-t",
      "hudkit-test-broken:latest",
      "--quiet",
    ]);
    expect(result.code).toBe(2);
    expect(linesOf(result.stderr)).toEqual([
      expect.stringMatching(
        /^hud: building hudkit-test-broken:latest failed at Step 2\/3 : RUN .*non-zero code: 7$/,
      ),
    ]);
  });
});

describe("hud with no Docker engine", () => {
  it("says where it looked and what to do, in one line, exit 2", async () => {
    const result = await runHud(["eval", TASKS, "--agent", AGENT, "--runtime", "docker:any:latest"], {
      DOCKER_HOST: "unix:///nonexistent/docker.sock",
    });
    expect(result.code).toBe(2);
    expect(linesOf(result.stderr)).toEqual([
      "hud: no Docker engine at /nonexistent/docker.sock: start dockerd or set DOCKER_HOST",
    ]);
  }, 60_000);
});

function readFileSafe(path: string): string {
  try {
    return readFileSync(path, "utf8");
  } catch {
    return "";
  }
}
