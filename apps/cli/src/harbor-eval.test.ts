import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { containersOf, dockerTestsEnabled } from "./test-support/docker-tests.js";
import { BUILD_TIMEOUT_MS, ensureBuilt, linesOf, REPO_ROOT, runHud } from "./test-support/hud-process.js";

const SAMPLES = join(REPO_ROOT, "..", "shared", "harbor-samples");
/** The samples start FROM ubuntu:24.04, which no registry here serves: use the local Debian base. */
const IMAGE_MAP = ["--image-map", "ubuntu:24.04=node:24-bookworm-slim"];
const SLOW = { timeout: 600_000 };

const enabled = await dockerTestsEnabled();
let jobsDir: string;

beforeAll(async () => {
  await ensureBuilt();
  jobsDir = await mkdtemp(join(tmpdir(), "hudkit-harbor-eval-"));
}, BUILD_TIMEOUT_MS);
afterAll(() => rm(jobsDir, { recursive: true, force: true }));

describe.skipIf(!enabled)("hud eval on a Harbor dataset (real Docker engine)", () => {
  async function evalJson(
    agent: string,
  ): Promise<{ id: string; summary: { reward: number; runs: number; errors: number } }> {
    const result = await runHud([
      "eval",
      SAMPLES,
      "--agent",
      agent,
      ...IMAGE_MAP,
      "--jobs-dir",
      jobsDir,
      "--max-concurrent",
      "3",
      "--json",
    ]);
    expect(result.code, result.stderr).toBe(0);
    return JSON.parse(result.stdout);
  }

  it(
    "scores every sample 1 with --agent oracle, on the harbor runtime picked by itself, leaving no container",
    async () => {
      const report = await evalJson("oracle");
      expect(report.summary).toMatchObject({ reward: 1, runs: 3, errors: 0 });
      expect(await containersOf(report.id)).toEqual([]);
      const records = linesOf(await readFile(join(jobsDir, report.id, "runs.jsonl"), "utf8")).map((line) =>
        JSON.parse(line),
      );
      expect(records.map((record) => record.slug).sort()).toEqual([
        "harbor/hello-user",
        "harbor/hello-workdir",
        "hello-multi-step-simple",
      ]);
    },
    SLOW.timeout,
  );

  it(
    "scores every sample 0 with --agent nop",
    async () => {
      const report = await evalJson("nop");
      expect(report.summary).toMatchObject({ reward: 0, runs: 3, errors: 0 });
    },
    SLOW.timeout,
  );

  it("refuses a malformed --image-map in one line, exit 2", async () => {
    const result = await runHud([
      "eval",
      SAMPLES,
      "--agent",
      "nop",
      "--image-map",
      "ubuntu",
      "--jobs-dir",
      jobsDir,
    ]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/--image-map "ubuntu": expected <image>=<local image>/);
  });
});
