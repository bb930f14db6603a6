// biome-ignore-all lint/suspicious/noTemplateCurlyInString: Harbor's ${VAR} templates are the data under test.
import { fileURLToPath } from "node:url";
import { HudkitError } from "@hudkit/core";
import Docker from "dockerode";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ContainerAccess, ExecCaptureOptions, ExecResult } from "../container/container-access.js";
import { createDockerContainerAccess } from "../container/docker-container-access.js";
import { loadHarborTask } from "../harbor-loader.js";
import type { HarborTask } from "../harbor-task.js";
import { dockerTestsEnabled, TEST_BASE_IMAGE } from "../test-support/docker-tests.js";
import { thrown } from "../test-support/thrown.js";
import { runHarborVerifier, type VerifierOutcome, verifierGradeFrame } from "./harbor-verifier.js";
import { aggregateStepRewards, passesMinReward } from "./step-rewards.js";

const fixtureDir = (name: string): string => fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));
const fixture = async (name: string): Promise<HarborTask> => (await loadHarborTask(fixtureDir(name))).task;

async function rejection(promise: Promise<unknown>): Promise<HudkitError> {
  try {
    await promise;
  } catch (error) {
    if (HudkitError.isInstance(error)) return error;
    throw error;
  }
  throw new Error("expected a HudkitError");
}

type Call =
  | { kind: "exec"; command: string; options: ExecCaptureOptions }
  | { kind: "upload"; localDir: string; containerDir: string }
  | { kind: "readFile"; path: string };

interface FakeScript {
  /** What running test.sh does; default: exit 0. */
  test?: (options: ExecCaptureOptions) => Promise<ExecResult> | ExecResult;
  files?: Record<string, string>;
  testStdout?: string;
  setupExitCode?: number;
}

/** A container that records what it is asked, for the order and options of the verifier's calls. */
function fakeAccess(script: FakeScript = {}): ContainerAccess & { calls: Call[] } {
  const calls: Call[] = [];
  return {
    calls,
    async exec(command, options = {}) {
      calls.push({ kind: "exec", command, options });
      if (command.includes("test.sh) >")) return (await script.test?.(options)) ?? result(0);
      if (command.startsWith("tail ")) return result(0, script.testStdout ?? "");
      return result(script.setupExitCode ?? 0, "", script.setupExitCode ? "find: permission denied" : "");
    },
    async spawn() {
      throw new Error("not used by the verifier");
    },
    async upload(localDir, containerDir) {
      calls.push({ kind: "upload", localDir, containerDir });
    },
    async readFile(path) {
      calls.push({ kind: "readFile", path });
      const text = script.files?.[path];
      return text === undefined ? null : Buffer.from(text);
    },
  };
}

function result(exitCode: number, stdout = "", stderr = ""): ExecResult {
  return { exitCode, stdout, stderr };
}

const testRun = (access: { calls: Call[] }): Extract<Call, { kind: "exec" }> => {
  const call = access.calls.find((c) => c.kind === "exec" && c.command.includes("test.sh) >"));
  if (call?.kind !== "exec") throw new Error("test.sh was not run");
  return call;
};

describe("runHarborVerifier, against a recording container", () => {
  it("clears, uploads, runs test.sh and reads the reward, in that order", async () => {
    const task = await fixture("reward-txt");
    const access = fakeAccess({ files: { "/logs/verifier/reward.txt": "1\n" }, testStdout: "pwd=/app\n" });
    const outcome = await runHarborVerifier(access, task, { hostEnv: {} });
    expect(outcome).toMatchObject({
      ok: true,
      rewards: { reward: 1 },
      primary: 1,
      warnings: [],
      exitCode: 0,
      testStdout: "pwd=/app\n",
    });
    expect(outcome.durationMs).toBeGreaterThanOrEqual(0);
    const summary = access.calls.map((c) =>
      c.kind === "exec"
        ? `exec ${c.command}`
        : c.kind === "upload"
          ? `upload ${c.containerDir}`
          : `read ${c.path}`,
    );
    expect(summary[0]).toMatch(
      /^exec mkdir -p \/logs\/verifier \/tests && find .* -exec rm -rf .*chmod 777 \/logs\/verifier$/,
    );
    expect(summary.slice(1, 4)).toEqual([
      "upload /tests",
      "exec chmod +x /tests/test.sh",
      "exec (/tests/test.sh) > /logs/verifier/test-stdout.txt 2>&1",
    ]);
    expect(summary.slice(4).sort()).toEqual([
      "exec tail -c 65536 /logs/verifier/test-stdout.txt 2>/dev/null || true",
      "read /logs/verifier/reward.json",
      "read /logs/verifier/reward.txt",
    ]);
    expect(access.calls[1]).toMatchObject({ localDir: task.paths.tests });
  });

  it("prepares as root and runs test.sh as the image user, in the image WORKDIR, by default", async () => {
    const access = fakeAccess({ files: { "/logs/verifier/reward.txt": "1" } });
    await runHarborVerifier(access, await fixture("reward-txt"), { hostEnv: {} });
    for (const call of access.calls) {
      if (call.kind === "exec" && call !== testRun(access)) expect(call.options.user).toBe("root");
    }
    const { options } = testRun(access);
    expect(options).not.toHaveProperty("user");
    expect(options).not.toHaveProperty("workdir");
    expect(options.timeoutMs).toBe(60_000);
    expect(options.env).toEqual({});
  });

  it("runs test.sh as [verifier].user, in [environment].workdir", async () => {
    const user = fakeAccess();
    await runHarborVerifier(user, await fixture("verifier-user"), { hostEnv: {} });
    expect(testRun(user).options.user).toBe("grader");
    const workdir = fakeAccess();
    await runHarborVerifier(workdir, await fixture("workdir"), { hostEnv: {} });
    expect(testRun(workdir).options.workdir).toBe("/custom-workdir");
  });

  it("passes a numeric verifier user as a uid string", async () => {
    const task = await fixture("reward-txt");
    const access = fakeAccess();
    await runHarborVerifier(
      access,
      { ...task, config: { ...task.config, verifier: { ...task.config.verifier, user: 1001 } } },
      {
        hostEnv: {},
      },
    );
    expect(testRun(access).options.user).toBe("1001");
  });

  it("merges [environment].env and [verifier].env, resolving templates from hostEnv", async () => {
    const access = fakeAccess();
    await runHarborVerifier(access, await fixture("env-templates"), {
      hostEnv: { HUDKIT_TEST_FROM_HOST: "h" },
    });
    expect(testRun(access).options.env).toEqual({
      FROM_ENVIRONMENT: "environment",
      OVERRIDDEN: "verifier",
      GREETING: "hello",
      FROM_HOST: "h",
      LITERAL: "x ${HUDKIT_TEST_FROM_HOST}",
    });
  });

  it("defaults hostEnv to process.env", async () => {
    const access = fakeAccess();
    process.env.HUDKIT_TEST_FROM_HOST = "from-process";
    try {
      await runHarborVerifier(access, await fixture("env-templates"));
    } finally {
      delete process.env.HUDKIT_TEST_FROM_HOST;
    }
    expect(testRun(access).options.env).toMatchObject({ FROM_HOST: "from-process" });
  });

  it("throws harbor-env-missing before touching the container", async () => {
    const access = fakeAccess();
    const error = await rejection(runHarborVerifier(access, await fixture("env-templates"), { hostEnv: {} }));
    expect(error.code).toBe("harbor-env-missing");
    expect(error.message).toContain("verifier.env.FROM_HOST");
    expect(error.message).toContain("HUDKIT_TEST_FROM_HOST");
    expect(access.calls).toEqual([]);
  });

  it("refuses a separate-mode verifier before touching the container", async () => {
    const access = fakeAccess();
    const error = await rejection(
      runHarborVerifier(access, await fixture("separate-verifier"), { hostEnv: {} }),
    );
    expect(error.code).toBe("harbor-separate-verifier-unsupported");
    expect(error.message).toContain("separate verifiers");
    expect(access.calls).toEqual([]);
  });

  it("overlays a step's tests on the task's, with the step's env and timeout", async () => {
    const task = await fixture("multi-step");
    const [first, second] = task.steps;
    const access = fakeAccess();
    await runHarborVerifier(access, task, { step: first!, hostEnv: {} });
    const uploads = access.calls.filter((c) => c.kind === "upload");
    expect(uploads).toEqual([
      { kind: "upload", localDir: task.paths.tests, containerDir: "/tests" },
      { kind: "upload", localDir: first!.paths.tests, containerDir: "/tests" },
    ]);
    expect(testRun(access).options).toMatchObject({
      timeoutMs: 30_000,
      env: { TASK_VAR: "task", SHARED_VAR: "step", STEP_VAR: "first" },
    });

    const plain = fakeAccess();
    await runHarborVerifier(plain, task, { step: second!, hostEnv: {} });
    expect(plain.calls.filter((c) => c.kind === "upload")).toHaveLength(1);
    // A step's verifier timeout is 600 s when unset, not the task's 60 (Harbor's behaviour).
    expect(testRun(plain).options).toMatchObject({
      timeoutMs: 600_000,
      env: { TASK_VAR: "task", SHARED_VAR: "task" },
    });
  });

  it("names the step's table when a step's env variable is missing", async () => {
    const task = await fixture("multi-step");
    const step = task.steps[0]!;
    const withTemplate = {
      ...step,
      config: {
        ...step.config,
        verifier: { ...step.config.verifier!, env: { NEEDED: "${HUDKIT_TEST_UNSET}" } },
      },
    };
    const error = await rejection(runHarborVerifier(fakeAccess(), task, { step: withTemplate, hostEnv: {} }));
    expect(error.message).toContain("steps[0].verifier.env.NEEDED");
  });

  it("keeps the exit code without scoring by it", async () => {
    const access = fakeAccess({ test: () => result(1), files: { "/logs/verifier/reward.txt": "1" } });
    expect(await runHarborVerifier(access, await fixture("reward-txt"), { hostEnv: {} })).toMatchObject({
      ok: true,
      primary: 1,
      exitCode: 1,
    });
  });

  it("turns a reward problem into an outcome with the exit code and output", async () => {
    const access = fakeAccess({ test: () => result(2), testStdout: "E   assert False\n" });
    expect(await runHarborVerifier(access, await fixture("reward-txt"), { hostEnv: {} })).toMatchObject({
      ok: false,
      code: "reward-missing",
      exitCode: 2,
      testStdout: "E   assert False\n",
    });
  });

  it("turns an exec timeout into verifier-timeout", async () => {
    const access = fakeAccess({
      test: () => Promise.reject(new HudkitError("exec-timeout", "command timed out after 2s")),
      testStdout: "started\n",
    });
    const outcome = await runHarborVerifier(access, await fixture("timeout"), { hostEnv: {} });
    expect(outcome).toMatchObject({
      ok: false,
      code: "verifier-timeout",
      exitCode: null,
      testStdout: "started\n",
    });
    expect(!outcome.ok && outcome.message).toContain("within 2 s");
    expect(access.calls.some((c) => c.kind === "readFile")).toBe(false);
  });

  it("rejects, with no outcome, when aborted or when the container fails", async () => {
    const controller = new AbortController();
    const reason = new Error("run cancelled");
    const aborted = fakeAccess({
      test: () => {
        controller.abort(reason);
        return Promise.reject(reason);
      },
    });
    const task = await fixture("reward-txt");
    await expect(runHarborVerifier(aborted, task, { hostEnv: {}, signal: controller.signal })).rejects.toBe(
      reason,
    );
    const dead = fakeAccess({ test: () => Promise.reject(new Error("container is not running")) });
    await expect(runHarborVerifier(dead, task, { hostEnv: {} })).rejects.toThrow("container is not running");
  });

  it("throws harbor-verifier-setup-failed when the folders cannot be cleared", async () => {
    const access = fakeAccess({ setupExitCode: 1 });
    const error = await rejection(runHarborVerifier(access, await fixture("reward-txt"), { hostEnv: {} }));
    expect(error.code).toBe("harbor-verifier-setup-failed");
    expect(error.message).toContain("permission denied");
    expect(access.calls).toHaveLength(1);
  });
});

describe("verifierGradeFrame", () => {
  const base = { exitCode: 0, testStdout: "ok\n", durationMs: 12 };

  it("puts the primary reward in score and the rest in info", () => {
    const outcome: VerifierOutcome = {
      ok: true,
      rewards: { reward: 0.75, accuracy: 0.9 },
      primary: 0.75,
      warnings: ["w"],
      ...base,
    };
    expect(verifierGradeFrame(outcome)).toEqual({
      score: 0.75,
      info: { rewards: { reward: 0.75, accuracy: 0.9 }, warnings: ["w"], exit_code: 0, test_stdout: "ok\n" },
    });
  });

  it("throws the outcome's code and message, with the exit code and the end of the output", () => {
    const lines = Array.from({ length: 30 }, (_, i) => `line ${i}`).join("\n");
    const error = thrown(() =>
      verifierGradeFrame({
        ok: false,
        code: "reward-missing",
        message: "no reward",
        exitCode: 3,
        testStdout: `${lines}\n`,
        durationMs: 1,
      }),
    );
    expect(error.code).toBe("reward-missing");
    expect(error.message).toMatch(
      /^no reward; \/tests\/test\.sh exited with code 3; the end of its output:\nline 10\n/,
    );
    expect(error.message).toMatch(/line 29$/);
    expect(error.message).not.toContain("line 9\n");
  });

  it("says so when there was no output, and leaves out the exit code of a timeout", () => {
    const error = thrown(() =>
      verifierGradeFrame({
        ok: false,
        code: "verifier-timeout",
        message: "too slow",
        exitCode: null,
        testStdout: "",
        durationMs: 1,
      }),
    );
    expect(error).toMatchObject({ code: "verifier-timeout", message: "too slow, with no output" });
  });
});

// The engine-backed suite: the verifier for real, in a Debian container.

const IMAGE = TEST_BASE_IMAGE;
/** Container starts and execs on a 2-core machine shared with other tests. */
const SLOW = { timeout: 120_000 };

const enabled = await dockerTestsEnabled();

describe.skipIf(!enabled)("runHarborVerifier in a Docker container", SLOW, () => {
  const docker = new Docker();
  let container: Docker.Container | undefined;
  let access: ContainerAccess;

  const root = async (command: string): Promise<string> => {
    const { exitCode, stdout, stderr } = await access.exec(command, { user: "root", workdir: "/" });
    if (exitCode !== 0) throw new Error(`${command} failed (${exitCode}): ${stderr}`);
    return stdout;
  };
  const verify = async (name: string, hostEnv: Record<string, string> = {}): Promise<VerifierOutcome> =>
    runHarborVerifier(access, await fixture(name), { hostEnv });

  beforeAll(async () => {
    container = await docker.createContainer({
      Image: IMAGE,
      Cmd: ["sh", "-c", "sleep infinity"],
      Labels: { "hudkit.test": "harbor-verifier" },
      // Stands in for the image's WORKDIR, which test.sh runs in when the task sets none.
      WorkingDir: "/image-workdir",
    });
    await container.start();
    access = createDockerContainerAccess(docker, container.id);
    // What the fixtures' Dockerfiles would have done.
    await root("useradd --create-home grader && mkdir -p /custom-workdir");
  }, SLOW.timeout);

  afterAll(async () => {
    await container?.remove({ force: true });
  }, SLOW.timeout);

  it("reads reward.txt, running test.sh in the image WORKDIR", async () => {
    const outcome = await verify("reward-txt");
    expect(outcome).toMatchObject({
      ok: true,
      rewards: { reward: 1 },
      primary: 1,
      warnings: [],
      exitCode: 0,
    });
    expect(outcome.testStdout).toBe("pwd=/image-workdir\n");
    expect(verifierGradeFrame(outcome)).toMatchObject({
      score: 1,
      info: { rewards: { reward: 1 }, exit_code: 0 },
    });
  });

  it("reads reward.json with several metrics and scores by reward", async () => {
    expect(await verify("reward-json")).toMatchObject({
      ok: true,
      rewards: { accuracy: 0.9, reward: 0.75, latency_ms: 1234 },
      primary: 0.75,
      warnings: [],
    });
  });

  it("reads reward.json and ignores reward.txt when both are written", async () => {
    expect(await verify("json-wins")).toMatchObject({ ok: true, rewards: { reward: 0.25 }, primary: 0.25 });
  });

  it("is reward-missing when test.sh writes nothing, keeping its exit code and output", async () => {
    const outcome = await verify("no-reward");
    expect(outcome).toMatchObject({ ok: false, code: "reward-missing", exitCode: 3 });
    expect(outcome.testStdout).toContain("no reward written");
    const error = thrown(() => verifierGradeFrame(outcome));
    expect(error.code).toBe("reward-missing");
    expect(error.message).toContain("exited with code 3");
    expect(error.message).toContain("no reward written");
  });

  it("is reward-unparseable for a garbage reward.txt", async () => {
    const outcome = await verify("garbage-reward");
    expect(outcome).toMatchObject({ ok: false, code: "reward-unparseable", exitCode: 0 });
    expect(!outcome.ok && outcome.message).toContain('/logs/verifier/reward.txt holds "passed"');
  });

  it("clears a reward the agent wrote in advance, and stale files in /tests", async () => {
    await root(
      "mkdir -p /logs/verifier /tests && echo 1 > /logs/verifier/reward.txt" +
        ` && echo '{"reward": 1}' > /logs/verifier/reward.json && touch /tests/leftover.sh /tests/.hidden`,
    );
    const outcome = await verify("no-reward");
    expect(outcome).toMatchObject({ ok: false, code: "reward-missing" });
    expect(outcome.testStdout).toContain("tests: test.sh \n");
    expect(outcome.testStdout).toContain("logs: test-stdout.txt \n");
  });

  it("runs test.sh as [verifier].user, who can write the reward", async () => {
    const outcome = await verify("verifier-user");
    expect(outcome.testStdout).toBe("user=grader\n");
    expect(outcome).toMatchObject({ ok: true, primary: 1 });
    expect((await root("stat -c %U /logs/verifier/reward.txt")).trim()).toBe("grader");
  });

  it("runs test.sh in [environment].workdir", async () => {
    const outcome = await verify("workdir");
    expect(outcome.testStdout).toBe("pwd=/custom-workdir\n");
    expect(outcome).toMatchObject({ ok: true, primary: 1 });
  });

  it("passes resolved ${VAR:-default} env to test.sh", async () => {
    const expected = (greeting: string): string =>
      [
        "FROM_ENVIRONMENT=environment",
        "OVERRIDDEN=verifier",
        `GREETING=${greeting}`,
        "FROM_HOST=from-host",
        "LITERAL=x ${HUDKIT_TEST_FROM_HOST}",
        "",
      ].join("\n");
    const defaulted = await verify("env-templates", { HUDKIT_TEST_FROM_HOST: "from-host" });
    expect(defaulted.testStdout).toBe(expected("hello"));
    const set = await verify("env-templates", {
      HUDKIT_TEST_FROM_HOST: "from-host",
      HUDKIT_TEST_GREETING: "hi",
    });
    expect(set.testStdout).toBe(expected("hi"));
  });

  it("verifies each step of a multi-step task with its tests over the task's", async () => {
    const task = await fixture("multi-step");
    const [first, second] = task.steps;
    const one = await runHarborVerifier(access, task, { step: first!, hostEnv: {} });
    expect(one).toMatchObject({ ok: true, rewards: { reward: 1 } });
    expect(one.testStdout).toBe(
      "helper from the task\ndata=step data TASK_VAR=task STEP_VAR=first SHARED_VAR=step\n",
    );
    const two = await runHarborVerifier(access, task, { step: second!, hostEnv: {} });
    expect(two).toMatchObject({ ok: true, rewards: { reward: 0 } });
    expect(two.testStdout).toBe("task test.sh; tests: data.txt helper.sh test.sh \n");

    const rewards = [one, two].map((outcome) => ({ rewards: outcome.ok ? outcome.rewards : null }));
    expect(passesMinReward(first!.config.min_reward, rewards[0]!.rewards)).toBe(true);
    expect(aggregateStepRewards(task.config.multi_step_reward_strategy ?? "mean", rewards)).toEqual({
      reward: 0.5,
    });
  });

  it("ends a test.sh that outruns timeout_sec as verifier-timeout, quickly", async () => {
    const started = Date.now();
    const outcome = await verify("timeout");
    // Under the 30 s of its sleep, with room for the clearing and uploads on a busy machine.
    expect(Date.now() - started).toBeLessThan(28_000);
    expect(outcome).toMatchObject({ ok: false, code: "verifier-timeout", exitCode: null });
    expect(outcome.testStdout).toBe("started\n");
    expect(thrown(() => verifierGradeFrame(outcome)).code).toBe("verifier-timeout");
    // A test.sh left running would write its reward into the next verification.
    await expect
      .poll(() => root("cat /proc/[0-9]*/cmdline 2>/dev/null | tr '\\0' ' '"), { timeout: 5_000 })
      .not.toContain("sleep 30");
  });
});
