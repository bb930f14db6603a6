import { execFileSync } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { HudkitError } from "../errors/hudkit-error.js";
import { BASH_OUTPUT_CAP_BYTES, bashGrader } from "./bash-grader.js";

// Real processes throughout: the point of the grader is what happens to them. HOME points at
// an empty directory so the login shell skips the machine's ~/.profile, which can take seconds
// and would race the short timeouts below.

let dir: string;
let env: Record<string, string>;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "hudkit-bash-grader-"));
  env = { HOME: dir };
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/**
 * Fails unless no process of the group is left running, then waits for the group to vanish.
 * Dead members can linger as zombies until PID 1 reaps them (seconds on some VMs), so `kill(-pgid,
 * 0)` is polled until it throws ESRCH rather than checked once.
 */
async function expectGroupGone(pgid: number): Promise<void> {
  expect(pgid).toBeGreaterThan(1);
  const members = execFileSync("ps", ["-eo", "pgid=,stat=,args="], { encoding: "utf8" })
    .split("\n")
    .map((line) => line.trim().split(/\s+/))
    .filter(([group, stat]) => Number(group) === pgid && !stat?.startsWith("Z"));
  expect(members).toEqual([]);
  const deadline = Date.now() + 10_000;
  for (;;) {
    try {
      process.kill(-pgid, 0);
    } catch (error) {
      expect((error as NodeJS.ErrnoException).code).toBe("ESRCH");
      return;
    }
    if (Date.now() > deadline) throw new Error(`process group ${pgid} still has members`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

async function rejectionCode(promise: Promise<unknown>): Promise<string | undefined> {
  try {
    await promise;
  } catch (error) {
    return HudkitError.isInstance(error) ? error.code : "not-hudkit";
  }
  return undefined;
}

describe("bashGrader", () => {
  it("scores exit 0 as 1 and records the output", async () => {
    const score = await bashGrader({ env, command: "echo hi; echo warn >&2" });
    expect(score.toJSON()).toEqual({
      name: "bash",
      weight: 1,
      value: 1,
      children: null,
      info: { exit_code: 0, stdout: "hi\n", stderr: "warn\n", timed_out: false },
    });
  });

  it("scores a non-zero exit as 0", async () => {
    const score = await bashGrader({ env, command: "echo failing >&2; exit 3", name: "tests", weight: 0.5 });
    expect([score.name, score.weight, score.value]).toEqual(["tests", 0.5, 0]);
    expect(score.info).toMatchObject({ exit_code: 3, stderr: "failing\n", timed_out: false });
  });

  it("runs in cwd with env added to the server's environment", async () => {
    const score = await bashGrader({
      command: 'pwd; echo "$HUDKIT_TEST_VAR"; [ -n "$PATH" ] && echo has-path',
      cwd: dir,
      env: { ...env, HUDKIT_TEST_VAR: "set" },
    });
    expect(score.info?.stdout).toBe(`${dir}\nset\nhas-path\n`);
  });

  it("ends background children that would outlive the shell", async () => {
    const started = Date.now();
    const score = await bashGrader({ env, command: "sleep 30 & echo $$" });
    expect(score.value).toBe(1);
    // The shell's pid is the group id: it runs as the leader of a new group.
    await expectGroupGone(Number(String(score.info?.stdout).trim()));
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  it("times out: kills the group, scores 0 and keeps the output so far", async () => {
    const started = Date.now();
    const score = await bashGrader({ env, command: "echo $$; sleep 30 & sleep 30", timeoutMs: 1_500 });
    expect(score.value).toBe(0);
    expect(score.info).toMatchObject({ exit_code: null, stderr: "", timed_out: true, timeout_ms: 1_500 });
    await expectGroupGone(Number(String(score.info?.stdout).trim()));
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  it("escalates to SIGKILL when the group ignores SIGTERM", async () => {
    const started = Date.now();
    const score = await bashGrader({
      env,
      command: "trap '' TERM; echo $$; sleep 30 & sleep 30",
      timeoutMs: 1_000,
    });
    expect(score.info?.timed_out).toBe(true);
    await expectGroupGone(Number(String(score.info?.stdout).trim()));
    // SIGTERM is ignored, so the 2 s grace runs out before SIGKILL.
    expect(Date.now() - started).toBeGreaterThanOrEqual(3_000);
  });

  it("kills the group and rejects with the reason when aborted", async () => {
    const pidFile = join(dir, "abort.pid");
    const controller = new AbortController();
    const reason = new Error("cancelled by test");
    const grading = bashGrader({
      env,
      command: `echo $$ > ${pidFile}; sleep 30 & wait`,
      signal: controller.signal,
    });
    while ((await readFile(pidFile, "utf8").catch(() => "")).trim() === "") {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    controller.abort(reason);
    await expect(grading).rejects.toBe(reason);
    await expectGroupGone(Number((await readFile(pidFile, "utf8")).trim()));
  });

  it("does not start when the signal is already aborted", async () => {
    const marker = join(dir, "never");
    const controller = new AbortController();
    controller.abort(new Error("early"));
    await expect(bashGrader({ env, command: `touch ${marker}`, signal: controller.signal })).rejects.toThrow(
      "early",
    );
    await expect(readFile(marker)).rejects.toMatchObject({ code: "ENOENT" });
  });

  it("reports a command killed by a signal", async () => {
    const score = await bashGrader({ env, command: "kill -KILL $$" });
    expect(score.value).toBe(0);
    expect(score.info).toMatchObject({ exit_code: null, signal: "SIGKILL", timed_out: false });
  });

  it("caps each stream, keeping the head and the tail", async () => {
    const score = await bashGrader({
      env,
      command: "printf start; head -c 3000000 /dev/zero | tr '\\0' x; printf end",
    });
    const stdout = String(score.info?.stdout);
    expect(stdout.startsWith("startxxx")).toBe(true);
    expect(stdout.endsWith("xxxend")).toBe(true);
    expect(stdout).toContain(`\n[... ${3_000_008 - BASH_OUTPUT_CAP_BYTES} bytes of output omitted ...]\n`);
    expect(stdout.length).toBeLessThan(BASH_OUTPUT_CAP_BYTES + 100);
  });

  it("decodes invalid UTF-8 with replacement characters", async () => {
    const score = await bashGrader({ env, command: "printf 'a\\377b'" });
    expect(score.info?.stdout).toBe("a\ufffdb");
  });

  it("scores 0 with a message when cwd does not exist", async () => {
    const missing = join(dir, "missing");
    const score = await bashGrader({ env, command: "true", cwd: missing });
    expect(score.value).toBe(0);
    expect(score.info).toEqual({
      exit_code: null,
      stdout: "",
      stderr: `working directory not found: ${missing}`,
      timed_out: false,
    });
  });

  it("rejects bad options as HudkitErrors", async () => {
    expect(await rejectionCode(bashGrader({ env, command: "  " }))).toBe("invalid-command");
    expect(await rejectionCode(bashGrader({ env, command: "echo \0" }))).toBe("invalid-command");
    expect(await rejectionCode(bashGrader({ env, command: "true", timeoutMs: 0 }))).toBe("invalid-timeout");
    expect(await rejectionCode(bashGrader({ env, command: "true", weight: Number.NaN }))).toBe(
      "invalid-weight",
    );
  });
});
