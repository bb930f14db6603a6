import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { rollout } from "@hudkit/core";
import Docker from "dockerode";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { nopAgent } from "../agents/nop-agent.js";
import { oracleAgent } from "../agents/oracle-agent.js";
import { loadHarborTask } from "../harbor-loader.js";
import { harborTaskToRow } from "../harbor-row.js";
import { createHarborRuntime } from "../run/harbor-runtime.js";
import { dockerTestsEnabled, TEST_BASE_IMAGE } from "../test-support/docker-tests.js";
import { exportHarborTasks } from "./export-harbor-tasks.js";

const EXAMPLE = resolve(import.meta.dirname, "../../../../examples/letter-count");
const JOB = `harbor-export-roundtrip-${process.pid}`;
const enabled = await dockerTestsEnabled();

describe.skipIf(!enabled)("an exported letter-count task on a real engine, run the Harbor way", () => {
  let scratch: string;
  let taskDir: string;

  beforeAll(async () => {
    scratch = await mkdtemp(join(tmpdir(), "hudkit-export-roundtrip-"));
    const rows = join(scratch, "tasks.jsonl");
    await writeFile(
      rows,
      `${JSON.stringify({ env: "letter-count", id: "count_letter", args: { word: "banana", letter: "a" } })}\n`,
    );
    const { written } = await exportHarborTasks({
      source: rows,
      outDir: join(scratch, "out"),
      envFile: join(EXAMPLE, "env.ts"),
    });
    taskDir = written[0]!.dir;
  }, 120_000);

  afterAll(async () => {
    const docker = new Docker();
    const left = await docker.listContainers({ all: true, filters: { label: [`hudkit.job=${JOB}`] } });
    await Promise.all(left.map((info) => docker.getContainer(info.Id).remove({ force: true })));
    await rm(scratch, { recursive: true, force: true });
    expect(left.map((info) => info.Names)).toEqual([]);
  }, 60_000);

  it("scores 1 with the oracle (solution/solve.sh) and 0 with an agent that does nothing", async () => {
    const runtime = createHarborRuntime({ imageMap: { [TEST_BASE_IMAGE]: TEST_BASE_IMAGE } });
    const row = harborTaskToRow((await loadHarborTask(taskDir)).task);

    const oracle = await rollout(row, oracleAgent, { provider: runtime, jobId: JOB });
    expect(oracle.error).toBeNull();
    expect(oracle.reward).toBe(1);

    const nop = await rollout(row, nopAgent, { provider: runtime, jobId: JOB });
    expect(nop.error).toBeNull();
    expect(nop.reward).toBe(0);
  }, 600_000);
});
