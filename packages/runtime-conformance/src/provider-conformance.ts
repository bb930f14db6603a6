import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  type AcquireContext,
  connect,
  createTask,
  type Run,
  type RuntimeProvider,
  type Substrate,
  type Task,
  Taskset,
} from "@hudkit/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

/** A provider under test, and how to see what it left behind. */
export interface ProviderUnderTest {
  /** The provider's short name, used in test titles. */
  name: string;
  /**
   * Why the suite cannot run here (no credentials, no engine, no image), naming what is missing;
   * undefined when it can. The suite is then registered as skipped and the reason printed once.
   */
  skipReason: string | undefined;
  /** Makes the provider: called once, only when the suite runs. */
  provider: () => RuntimeProvider | Promise<RuntimeProvider>;
  /** The ids of resources still tagged with `jobId` (containers, sandboxes): empty once torn down. */
  listResources: (jobId: string) => Promise<string[]>;
  /**
   * A task of the letter-count example env that the provider's image serves. Default: count the
   * 'a's in 'banana'.
   */
  task?: Task;
  /** A test's limit: cloud sandboxes take a while to create. Default 300 s. */
  timeoutMs?: number;
  /**
   * How long after a tear-down its resources may still be listed (cloud list APIs are eventually
   * consistent). Default 30 s, polled every second.
   */
  settleMs?: number;
  /** Set before `provider()` runs (an image build, say). */
  setup?: () => Promise<void>;
}

/** The default task: the letter-count example's template, with an answer the agent computes. */
export const LETTER_COUNT_TASK: Task = createTask({
  env: "letter-count",
  id: "count_letter",
  args: { word: "banana", letter: "a" },
});

/**
 * The behaviours every runtime provider must show, as one vitest suite: registered for real
 * against Docker in CI, and against each cloud provider when its credentials are set. Without
 * them the suite is skipped, and the run says which provider was skipped and why.
 *
 * The provider's image must serve the letter-count example env (`examples/letter-count`).
 *
 * @example
 * ```ts
 * describeProviderConformance({
 *   name: "e2b",
 *   skipReason: process.env.E2B_API_KEY ? undefined : "set E2B_API_KEY and HUDKIT_E2B_IMAGE",
 *   provider: () => createE2bRuntime({ template: process.env.HUDKIT_E2B_IMAGE! }),
 *   listResources: (jobId) => listTaggedSandboxes(jobId),
 * });
 * ```
 */
export function describeProviderConformance(target: ProviderUnderTest): void {
  const timeout = target.timeoutMs ?? 300_000;
  const task = target.task ?? LETTER_COUNT_TASK;
  const title = `runtime provider conformance: ${target.name}`;
  if (target.skipReason !== undefined) {
    // Printed as well as shown as skipped, so a green run cannot hide what it did not test.
    console.warn(`hudkit: skipped ${title}: ${target.skipReason}`);
    describe.skip(`${title} (skipped: ${target.skipReason})`, () => {
      it("needs its credentials", () => {});
    });
    return;
  }

  describe(title, { timeout }, () => {
    let provider: RuntimeProvider;
    let jobsDir: string;
    const settle = (jobId: string) => settled(target, jobId);

    beforeAll(async () => {
      await target.setup?.();
      provider = await target.provider();
      jobsDir = await mkdtemp(join(tmpdir(), `hudkit-conformance-${target.name}-`));
    }, timeout);
    afterAll(async () => {
      if (jobsDir !== undefined) await rm(jobsDir, { recursive: true, force: true });
    });

    it("has the runtime-v1 shape", () => {
      expect(provider.specificationVersion).toBe("runtime-v1");
      expect(typeof provider.name).toBe("string");
      expect(typeof provider.acquire).toBe("function");
    });

    it("serves the env: its endpoint answers hello and lists the task's template", async () => {
      const ctx = acquireContext(`conformance-serve-${Date.now()}`);
      const substrate = await provider.acquire(task, ctx);
      try {
        expect(substrate.endpoint.url).toMatch(/^(tcp|ws|wss):\/\//);
        const client = await connectTo(substrate);
        try {
          expect(client.manifest.env.name).toBe(task.env);
          const templates = await client.listTasks();
          expect(templates.map((template) => template.id)).toContain(task.id);
        } finally {
          client.abort();
        }
      } finally {
        await substrate[Symbol.asyncDispose]();
      }
      await settle(ctx.jobId);
    });

    it("tags its resources with the job while they live, and removes them on dispose", async () => {
      const ctx = acquireContext(`conformance-tags-${Date.now()}`);
      const substrate = await provider.acquire(task, ctx);
      try {
        expect((await target.listResources(ctx.jobId)).length).toBeGreaterThan(0);
      } finally {
        await substrate[Symbol.asyncDispose]();
      }
      await settle(ctx.jobId);
    });

    it("can be disposed twice", async () => {
      const ctx = acquireContext(`conformance-twice-${Date.now()}`);
      const substrate = await provider.acquire(task, ctx);
      await substrate[Symbol.asyncDispose]();
      await expect(substrate[Symbol.asyncDispose]()).resolves.toBeUndefined();
      await settle(ctx.jobId);
    });

    it("runs rollouts end to end, two at once, and grades them", async () => {
      const job = await new Taskset("conformance", [task]).run(solveLetterCount, {
        runtime: provider,
        group: 2,
        maxConcurrent: 2,
        jobsDir,
      });
      expect(job.runs.map((run) => run.error)).toEqual([null, null]);
      expect(job.reward).toBe(1);
      const endpoints = job.runs.map((run) => run.endpoint);
      expect(new Set(endpoints).size).toBe(2);
      await settle(job.id);
    });

    it("tears down the substrate of a rollout whose agent fails", async () => {
      const job = await new Taskset("conformance", [task]).run(
        async () => {
          throw new Error("agent failing on purpose");
        },
        { runtime: provider, jobsDir },
      );
      expect(job.runs[0]?.error).toContain("agent failing on purpose");
      await settle(job.id);
    });

    it("stops provisioning when aborted, leaving nothing behind", async () => {
      const controller = new AbortController();
      const ctx = acquireContext(`conformance-abort-${Date.now()}`, controller.signal, () =>
        controller.abort(new Error("aborted by the conformance suite")),
      );
      // Without a progress line the abort still lands mid-provisioning, a moment in.
      const timer = setTimeout(() => controller.abort(new Error("aborted by the conformance suite")), 1_000);
      let substrate: Substrate | undefined;
      try {
        substrate = await provider.acquire(task, ctx);
      } catch (error) {
        expect(controller.signal.aborted).toBe(true);
        expect(error).toBeDefined();
      } finally {
        clearTimeout(timer);
        // A provider that finished before it saw the abort hands over a live substrate: fine, if
        // disposing it removes everything.
        await substrate?.[Symbol.asyncDispose]();
      }
      await settle(ctx.jobId);
    });
  });
}

/** Waits until nothing tagged with `jobId` is listed, or fails naming what is left. */
async function settled(target: ProviderUnderTest, jobId: string): Promise<void> {
  const deadline = Date.now() + (target.settleMs ?? 30_000);
  let left = await target.listResources(jobId);
  while (left.length > 0 && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    left = await target.listResources(jobId);
  }
  expect(left, `resources of job ${jobId} left behind`).toEqual([]);
}

function acquireContext(
  jobId: string,
  signal = new AbortController().signal,
  onLog?: () => void,
): AcquireContext {
  return { signal, log: () => onLog?.(), jobId, runId: `${jobId}-run` };
}

async function connectTo(substrate: Substrate) {
  const { url, headers, token, ca, readyTimeoutMs } = substrate.endpoint;
  return connect(url, {
    ...(headers === undefined ? {} : { headers: { ...headers } }),
    ...(token === undefined ? {} : { token }),
    ...(ca === undefined ? {} : { ca }),
    readyTimeoutMs: readyTimeoutMs ?? 120_000,
    heartbeatMs: 0,
  });
}

/** The letter-count agent: reads the word and letter from the prompt and counts. */
export async function solveLetterCount(run: Run): Promise<void> {
  const match = /How many '(.)'s are in '(.*)'\?/.exec(run.promptText);
  run.answer = String([...(match?.[2] ?? "")].filter((c) => c === match?.[1]).length);
}
