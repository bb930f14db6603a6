/**
 * The failure rows of spec §3.2 against real child processes and deliberately faulty envs, and
 * crash recovery: a job process killed with SIGKILL, then resumed. Slow by nature (every
 * rollout spawns an env process through the real `localRuntime`), so the cases share what they can.
 */
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { bind } from "../protocol/server.js";
import { bundleEnvironment } from "../runtime/env-bundle.js";
import type { RuntimeProvider } from "../runtime/provider.js";
import type { Task } from "../task/task.js";
import { badGrade, crashMidTask, echo, env, hang } from "./fixtures/faulty-env.js";
import { SLOW_JOB_GROUP, SLOW_JOB_TAGS, slowAgent } from "./fixtures/slow-job.js";
import { parseRunLines } from "./job-store.js";
import { resumeJob } from "./resume-job.js";
import { rollout } from "./rollout.js";
import type { Run } from "./run.js";
import { runTasks } from "./run-tasks.js";
import { localEnvsProvider } from "./test-support/local-envs-provider.js";
import { survivors } from "./test-support/process-liveness.js";
import { sharedServerProvider } from "./test-support/shared-server-provider.js";

const fixture = (name: string) => fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));
const PACKAGE_DIR = fileURLToPath(new URL("../..", import.meta.url));
/** How long the hanging env is given (its child is started beforehand). */
const HANG_TIMEOUT_MS = 8_000;
const TEST_TIMEOUT_MS = 240_000;
const envFiles = { faulty: fixture("faulty-env.ts"), crasher: fixture("crash-at-start-env.ts") };

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener("abort", () => {
      clearTimeout(timer);
      resolve();
    });
  });
}

function recordedLines(dir: string) {
  return parseRunLines(readFileSync(join(dir, "runs.jsonl"), "utf8"), "runs.jsonl");
}

describe("failure isolation with real env processes", () => {
  it(
    "turns every kind of failure into a run with its phase, and leaves no process behind",
    async () => {
      // The bundle is built once up front, so the hang's time budget is not spent building it.
      await bundleEnvironment(envFiles.faulty);
      const provider = localEnvsProvider(envFiles);
      const byTag = (tag: string): Task => echo({ tag });
      const tasks: Task[] = [
        byTag("ok"),
        byTag("throws"),
        { ...byTag("slow"), agent_config: { timeout_seconds: 1 } },
        crashMidTask(),
        badGrade(),
        { env: "crasher", id: "echo", args: {}, slug: "crash-at-start" },
      ];
      const agent = async (run: Run): Promise<void> => {
        run.answer = String(run.args.tag ?? "anything");
        if (run.args.tag === "throws") throw new Error("the agent gave up");
        if (run.args.tag === "slow") await sleep(30_000); // ignores run.signal on purpose
      };
      // The hanging env's child is started before its rollout, so the rollout's time budget is
      // spent in the hung `tasks.start` rather than in a spawn that a loaded machine slows down.
      const hangProvider = localEnvsProvider(envFiles);
      const hangTask = hang();
      const hangSubstrate = await hangProvider.acquire(hangTask, {
        signal: new AbortController().signal,
        log: () => {},
        jobId: "pre-acquired",
        runId: "pre-acquired",
      });
      const preAcquired: RuntimeProvider = {
        specificationVersion: "runtime-v1",
        name: "pre-acquired",
        acquire: async () => hangSubstrate,
      };
      const jobsDir = mkdtempSync(join(tmpdir(), "hudkit-faults-"));
      const [job, hung] = await Promise.all([
        runTasks(tasks, agent, { provider, jobsDir }),
        rollout(hangTask, agent, { provider: preAcquired, rolloutTimeoutMs: HANG_TIMEOUT_MS }),
      ]);

      const outcome = (run: Run) => ({
        error: run.error,
        reward: run.reward,
        phase: run.phase,
        status: run.trace.status,
        stop: run.trace.stopReason,
      });
      const [ok, throws, slow, crashed, bad, crasher] = tasks.map(
        (t) => job.runs.find((r) => r.slug === t.slug)!,
      );
      expect(outcome(ok!)).toEqual({
        error: null,
        reward: 1,
        phase: "finished",
        status: "completed",
        stop: null,
      });
      expect(outcome(throws!)).toEqual({
        error: "[agent loop] the agent gave up",
        reward: 1,
        phase: "finished",
        status: "error",
        stop: null,
      });
      expect(outcome(slow!)).toEqual({
        error: "[agent loop] agent timed out after 1s",
        reward: 1,
        phase: "finished",
        status: "error",
        stop: "timeout",
      });
      expect(outcome(crashed!)).toEqual({
        error: "[grading] env closed connection during 'tasks.grade'",
        reward: 0,
        phase: "grading",
        status: "error",
        stop: null,
      });
      expect(crashed!.logs).toContain("faulty env: crashing on purpose mid-task");
      expect(crashed!.grade.raw).toEqual({});
      expect(outcome(bad!).error).toMatch(/^\[grading\] hud rpc error -32000: task graded with str/);
      expect(outcome(crasher!).error).toMatch(
        /^\[provisioning\] env \S+crash-at-start-env\.ts exited with code 3 before serving:\ncrash-at-start env: failing before serving/,
      );
      expect(outcome(crasher!).phase).toBe("provisioning");
      expect(outcome(hung)).toEqual({
        error: `[starting task] rollout timed out after ${HANG_TIMEOUT_MS / 1000}s`,
        reward: 0,
        phase: "starting task",
        status: "error",
        stop: "timeout",
      });

      // Spec §3.6: the three graded runs count (all 1), the three without a verdict do not.
      expect(job.reward).toBe(1);
      expect(job.errors).toHaveLength(3);
      expect(job.summary().errorsByPhase).toEqual({ provisioning: 1, grading: 2 });
      expect(job.status).toBe("completed");
      expect(recordedLines(job.dir)).toHaveLength(6);

      // Five substrates were handed out; the crash-at-start child never became one (its
      // teardown on a failed start is local-runtime.test.ts's business).
      expect(provider.pids).toHaveLength(5);
      expect(hangProvider.pids).toHaveLength(1);
      expect(await survivors([...provider.pids, ...hangProvider.pids])).toEqual([]);
    },
    TEST_TIMEOUT_MS,
  );

  it(
    "keeps every finished run when the job is interrupted, and tears the rest down",
    async () => {
      const provider = localEnvsProvider(envFiles);
      const controller = new AbortController();
      const tasks = ["a", "b", "c", "d", "e", "f"].map((tag) => echo({ tag }));
      const jobsDir = mkdtempSync(join(tmpdir(), "hudkit-abort-"));
      const job = await runTasks(tasks, slowAgent, {
        provider,
        jobsDir,
        maxConcurrent: 2,
        signal: controller.signal,
        onRun: () => controller.abort(),
      });
      expect(job.status).toBe("interrupted");
      expect(job.runs.length).toBeGreaterThanOrEqual(1);
      expect(job.runs.length).toBeLessThan(tasks.length);
      expect(job.runs.every((r) => r.reward === 1 && r.trace.status === "completed")).toBe(true);
      expect(recordedLines(job.dir).map((r) => r.runId)).toEqual(job.runs.map((r) => r.runId));
      expect(JSON.parse(readFileSync(join(job.dir, "job.json"), "utf8")).status).toBe("interrupted");
      expect(await survivors(provider.pids)).toEqual([]);
    },
    TEST_TIMEOUT_MS,
  );

  it(
    "resumes a job whose process was killed with SIGKILL: every pair recorded exactly once",
    async () => {
      const jobsDir = mkdtempSync(join(tmpdir(), "hudkit-kill-"));
      const child = spawn(process.execPath, ["--import", "tsx", fixture("slow-job.ts"), jobsDir], {
        cwd: PACKAGE_DIR,
        stdio: ["ignore", "pipe", "pipe"],
      });
      let stderr = "";
      child.stderr!.on("data", (chunk) => {
        stderr += chunk;
      });
      const exited = new Promise<NodeJS.Signals | null>((resolve) =>
        child.once("exit", (_code, signal) => resolve(signal)),
      );
      let jobId = "";
      const envPids: number[] = [];
      let recorded = 0;
      await new Promise<void>((resolve, reject) => {
        createInterface({ input: child.stdout! }).on("line", (line) => {
          const [word, value] = line.split(" ");
          if (word === "JOB") jobId = value!;
          if (word === "PID") envPids.push(Number(value));
          // Kill once a few runs are in: some recorded, some in flight, most not started.
          if (word === "RUN" && ++recorded === 3) resolve();
        });
        void exited.then(() => reject(new Error(`the job process ended early: ${stderr}`)));
      });
      child.kill("SIGKILL");
      expect(await exited).toBe("SIGKILL");
      // Orphaned envs notice their parent is gone (stdin closes) and exit on their own, once
      // they are far enough into starting up to listen: that can take a while on a loaded machine.
      expect(await survivors(envPids, 60_000)).toEqual([]);

      const dir = join(jobsDir, jobId);
      const before = recordedLines(dir);
      expect(before.length).toBeGreaterThanOrEqual(3);
      expect(before.length).toBeLessThan(SLOW_JOB_TAGS.length * SLOW_JOB_GROUP);
      expect(JSON.parse(readFileSync(join(dir, "job.json"), "utf8")).status).toBe("running");

      // Resume here, in the test process, on an in-process server (the crash was the point).
      await using server = await bind(env, { port: 0 });
      const provider = sharedServerProvider({ faulty: server });
      const tasks = SLOW_JOB_TAGS.map((tag) => echo({ tag }));
      const job = await resumeJob(jobId, tasks, slowAgent, { provider, jobsDir, maxConcurrent: 4 });
      expect(job.status).toBe("completed");

      const after = recordedLines(dir);
      const pairs = after.map((r) => `${r.slug}#${r.groupIndex}`).sort();
      const expected = tasks
        .flatMap((t) => Array.from({ length: SLOW_JOB_GROUP }, (_, i) => `${t.slug}#${i}`))
        .sort();
      expect(pairs).toEqual(expected);
      // Only the missing pairs ran again; what was recorded before is untouched.
      expect(after.slice(0, before.length)).toEqual(before);
      expect(provider.acquired).toBe(expected.length - before.length);
      expect(job.runs.every((r) => r.reward === 1)).toBe(true);
      expect(JSON.parse(readFileSync(join(dir, "job.json"), "utf8"))).toMatchObject({
        status: "completed",
        summary: { runs: expected.length, reward: 1, errors: 0 },
      });
    },
    TEST_TIMEOUT_MS,
  );
});
