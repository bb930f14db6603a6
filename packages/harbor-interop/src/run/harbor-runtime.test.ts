import { join, resolve } from "node:path";
import { type Agent, type Run, type RuntimeProvider, rollout } from "@hudkit/core";
import Docker from "dockerode";
import { afterAll, describe, expect, it } from "vitest";
import { nopAgent } from "../agents/nop-agent.js";
import { oracleAgent } from "../agents/oracle-agent.js";
import { loadHarborTask } from "../harbor-loader.js";
import { harborTaskToRow } from "../harbor-row.js";
import { openSshShell } from "../shell/ssh-shell-client.js";
import { dockerTestsEnabled, TEST_BASE_IMAGE } from "../test-support/docker-tests.js";
import { createHarborRuntime } from "./harbor-runtime.js";

const SAMPLES = resolve(import.meta.dirname, "../../../../../shared/harbor-samples");
const FIXTURES = join(import.meta.dirname, "fixtures");
const JOB = `harbor-runtime-test-${process.pid}`;
const enabled = await dockerTestsEnabled();

async function rowOf(dir: string) {
  return harborTaskToRow((await loadHarborTask(dir)).task);
}

async function runWith(dir: string, agent: Agent, provider: RuntimeProvider): Promise<Run> {
  return rollout(await rowOf(dir), agent, { provider, jobId: JOB });
}

describe.skipIf(!enabled)("the harbor runtime on a real engine", () => {
  const runtime = createHarborRuntime({ imageMap: { "ubuntu:24.04": TEST_BASE_IMAGE } });

  afterAll(async () => {
    const docker = new Docker();
    const left = await docker.listContainers({ all: true, filters: { label: [`hudkit.job=${JOB}`] } });
    await Promise.all(left.map((info) => docker.getContainer(info.Id).remove({ force: true })));
    // Checked after cleaning up, so a failure here does not leave containers behind.
    expect(left.map((info) => info.Names)).toEqual([]);
  }, 60_000);

  for (const sample of ["hello-user", "hello-workdir", "hello-multi-step-simple"]) {
    it(`${sample}: the oracle scores 1 and nop scores 0`, async () => {
      const oracle = await runWith(join(SAMPLES, sample), oracleAgent, runtime);
      expect(oracle.error).toBeNull();
      expect(oracle.reward).toBe(1);
      const nop = await runWith(join(SAMPLES, sample), nopAgent, runtime);
      expect(nop.error).toBeNull();
      expect(nop.reward).toBe(0);
    }, 300_000);
  }

  it("gives the agent a shell as [agent].user in [environment].workdir, and keeps every metric of reward.json", async () => {
    let seen: unknown;
    const agent: Agent = async (run) => {
      await using shell = await openSshShell(run.client.binding("shell"), { readyTimeoutMs: 60_000 });
      seen = await shell.exec("echo $(whoami) $(pwd)");
      await shell.exec("whoami > result.txt");
    };
    const run = await runWith(join(FIXTURES, "metrics-json"), agent, runtime);
    // One assertion over the run's error and the whole exec result, so a failure shows why the
    // agent never got its answer as well as the exit code and stderr.
    expect({ error: run.error, seen }).toEqual({
      error: null,
      seen: { exitCode: 0, stdout: "worker /srv/work\n", stderr: "" },
    });
    expect(run.reward).toBe(1);
    expect(run.grade.info).toMatchObject({ rewards: { reward: 1, accuracy: 0.25, files: 1 } });
  }, 300_000);

  it("runs steps in order with their workdir, setup.sh, healthcheck and env, and stops at a failed min_reward", async () => {
    const dir = join(FIXTURES, "gated-steps");
    const prompts: unknown[] = [];
    const recordingOracle: Agent = async (run) => {
      prompts.push(run.startFrame.harbor_step);
      await oracleAgent(run);
    };
    const oracle = await runWith(dir, recordingOracle, runtime);
    expect(oracle.error).toBeNull();
    expect(prompts).toEqual(["first", "second"]);
    expect(oracle.reward).toBe(1);

    let rounds = 0;
    const counting: Agent = async () => {
      rounds += 1;
    };
    const nop = await runWith(dir, counting, runtime);
    expect(nop.error).toBeNull();
    expect(rounds).toBe(1);
    expect(nop.reward).toBe(0);
    expect(nop.grade.info).toMatchObject({ stopped_after: "first" });
  }, 300_000);

  it("runs a no-network task with no network at all", async () => {
    const run = await runWith(join(FIXTURES, "no-network"), nopAgent, runtime);
    expect(run.error).toBeNull();
    expect(run.reward).toBe(1);
  }, 300_000);

  it("makes a missing or unreadable reward file an error run, never a 0", async () => {
    const silent = await runWith(join(FIXTURES, "silent-verifier"), nopAgent, runtime);
    expect(silent.error).toMatch(/^\[grading\].*reward/);
    expect(silent.logs).toContain("tests ran but wrote no reward");
    const garbage = await runWith(join(FIXTURES, "garbage-reward"), nopAgent, runtime);
    expect(garbage.error).toMatch(/^\[grading\].*reward\.txt/);
  }, 300_000);

  it("fails provisioning when the environment healthcheck keeps failing", async () => {
    const run = await runWith(join(FIXTURES, "unhealthy"), nopAgent, runtime);
    expect(run.error).toMatch(/^\[provisioning\].*healthcheck failed 2 times/);
  }, 300_000);

  it("refuses rows that are not Harbor tasks", async () => {
    const run = await rollout({ env: "letters", id: "count", args: {}, slug: "x" } as never, nopAgent, {
      provider: runtime,
      jobId: JOB,
    });
    expect(run.error).toMatch(/runs Harbor tasks only/);
  });
});
