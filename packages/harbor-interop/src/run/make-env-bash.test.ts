/**
 * The older API's gym handle (`makeEnv` from @hudkit/core) on a Harbor sample in a real
 * container: the `bash` action runs over the env's `ssh/2` capability as the task's agent user.
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { job, listJobs, loadJob, makeEnv } from "@hudkit/core";
import Docker from "dockerode";
import { afterAll, describe, expect, it } from "vitest";
import { loadHarborTask } from "../harbor-loader.js";
import { harborTaskToRow } from "../harbor-row.js";
import { dockerTestsEnabled, TEST_BASE_IMAGE } from "../test-support/docker-tests.js";
import { createHarborRuntime } from "./harbor-runtime.js";

const SAMPLE = resolve(import.meta.dirname, "../../../../../shared/harbor-samples/hello-user");
const enabled = await dockerTestsEnabled();

describe.skipIf(!enabled)("makeEnv's bash action on a Harbor sample", () => {
  const runtime = createHarborRuntime({ imageMap: { "ubuntu:24.04": TEST_BASE_IMAGE } });
  const jobIds: string[] = [];

  afterAll(async () => {
    const docker = new Docker();
    const labels = jobIds.map((id) => `hudkit.job=${id}`);
    const left = (
      await Promise.all(
        labels.map((label) => docker.listContainers({ all: true, filters: { label: [label] } })),
      )
    ).flat();
    await Promise.all(left.map((info) => docker.getContainer(info.Id).remove({ force: true })));
    // Checked after cleaning up, so a failure here does not leave containers behind.
    expect(left.map((info) => info.Names)).toEqual([]);
  }, 60_000);

  it("runs commands over ssh/2, reports a failing command's exit code, and saves the run into the job", async () => {
    const jobsDir = mkdtempSync(join(tmpdir(), "hudkit-make-env-bash-"));
    const task = harborTaskToRow((await loadHarborTask(SAMPLE)).task);
    const drive = job("bash over ssh", { jobsDir })(async () => {
      const id = (await listJobs(jobsDir))[0]!.id;
      jobIds.push(id);
      await using env = await makeEnv(task, { runtime });
      const [prompt] = await env.reset();
      expect(prompt.text).toContain("whoami");
      expect((await env.getUrls()).capabilities).toHaveProperty("shell", expect.stringMatching(/^ssh:\/\//));

      const [hi, reward, terminated, hiInfo] = await env.step([{ type: "bash", command: "echo hi" }]);
      expect([hi.text, reward, terminated, hiInfo.exitCode]).toEqual(["hi\n", 0, false, 0]);
      const [user] = await env.step([{ type: "bash", command: "whoami" }]);
      expect(user.text).toBe("agent\n");
      const [failed, , , failedInfo] = await env.step([{ type: "bash", command: "echo oops >&2; exit 3" }]);
      expect(failed.text).toBe("oops\n");
      expect(failedInfo).toMatchObject({ exitCode: 3, stdout: "", stderr: "oops\n" });
      expect(failedInfo).not.toHaveProperty("error");
      return id;
    });
    const id = await drive();
    const [run] = await (await loadJob(id, { jobsDir })).loadTrajectories();
    expect(run!.trace.status).toBe("cancelled");
    expect(run!.trace.steps.filter((step) => step.source === "tool").map((step) => step.exitCode)).toEqual([
      0, 0, 3,
    ]);
  }, 300_000);
});
