import { createServer } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { HudkitError } from "../errors/hudkit-error.js";
import { type BoundServer, bind } from "../protocol/server.js";
import type { RuntimeProvider, Substrate } from "../runtime/provider.js";
import type { Task } from "../task/task.js";
import {
  badGrade,
  check,
  echo,
  env,
  hang,
  hangAtGrade,
  releaseHangs,
  teardowns,
} from "./fixtures/faulty-env.js";
import { UNGRADED } from "./grade-record.js";
import { rollout } from "./rollout.js";
import type { Run } from "./run.js";
import { RunRecordSchema } from "./run-record.js";
import { type SharedServerProvider, sharedServerProvider } from "./test-support/shared-server-provider.js";

/**
 * Rollout timeouts in these tests: the phase a rollout is in when it expires is asserted, so it
 * must be long enough to reach that phase on a loaded machine (in-process, that takes ms).
 */
const SHORT_TIMEOUT_MS = 1_500;
const SHORT_TIMEOUT_S = "1.5s";

let server: BoundServer;
let provider: SharedServerProvider;

beforeAll(async () => {
  server = await bind(env, { port: 0 });
  provider = sharedServerProvider({ faulty: server });
});
afterAll(async () => {
  releaseHangs.abort();
  await server.close();
});

/** Answers the tag at the end of the prompt. */
const echoAgent = async (run: Run): Promise<void> => {
  run.record({ source: "agent", content: "thinking" });
  run.answer = run.promptText.split(" ").at(-1);
};

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener("abort", () => {
      clearTimeout(timer);
      resolve();
    });
  });
}

function withAgentTimeout(task: Task, seconds: number): Task {
  return { ...task, agent_config: { timeout_seconds: seconds } };
}

describe("rollout: the happy path", () => {
  it("starts, lets the agent answer, grades, records the trace, releases the substrate", async () => {
    const before = provider.released;
    const run = await rollout(echo({ tag: "kiwi" }), echoAgent, { provider, jobId: "job1", groupIndex: 2 });
    expect(run.error).toBeNull();
    expect(run.trace.status).toBe("completed");
    expect(run.phase).toBe("finished");
    expect(run.reward).toBe(1);
    expect(run.prompt).toBe("say kiwi");
    expect(run.promptText).toBe("say kiwi");
    expect(run.answer).toBe("kiwi");
    expect(run.jobId).toBe("job1");
    expect(run.groupIndex).toBe(2);
    expect(run.runId).toMatch(/^[0-9a-f]{32}$/);
    expect(run.endpoint).toBe(server.url);
    expect(run.signal.aborted).toBe(true);
    expect(run.durationMs).toBeGreaterThan(0);
    expect(Date.parse(run.finishedAt!)).toBeGreaterThanOrEqual(Date.parse(run.startedAt));
    expect(provider.released).toBe(before + 1);
    const steps = run.trace.steps;
    expect(steps.map((s) => [s.stepId, s.source, s.taskCall?.phase])).toEqual([
      [1, "task", "setup"],
      [2, "user", undefined],
      [3, "agent", undefined],
      [4, "task", "evaluate"],
    ]);
    expect(steps[0]!.taskCall).toMatchObject({
      name: "echo",
      arguments: { tag: "kiwi" },
      result: { prompt: "say kiwi" },
    });
    expect(steps[3]!.taskCall).toMatchObject({ arguments: { answer: "kiwi" }, result: { score: 1 } });
    expect(steps[3]!.startedAt).toBeDefined();
    const record = RunRecordSchema.parse(JSON.parse(JSON.stringify(run)));
    expect(record).toMatchObject({
      slug: run.slug,
      status: "completed",
      reward: 1,
      phase: "finished",
      error: null,
    });
  });

  it("gives the agent a live client, and a clear error once the run is over", async () => {
    let sessionId = "";
    const run = await rollout(
      echo({ tag: "a" }),
      async (live) => {
        sessionId = live.client.manifest.sessionId;
        live.answer = "a";
      },
      { provider },
    );
    expect(sessionId).toMatch(/^sess-/);
    expect(() => run.client).toThrow(/no live client: the run is over/);
  });
});

describe("rollout: failure isolation (spec §3.2)", () => {
  it("grades best effort after the agent throws, and keeps a working grade", async () => {
    const run = await rollout(
      echo({ tag: "fig" }),
      async (live) => {
        live.answer = "fig";
        throw new TypeError("the agent broke");
      },
      { provider },
    );
    expect(run.trace.status).toBe("error");
    expect(run.error).toBe("[agent loop] TypeError: the agent broke");
    expect(run.errorPhase).toBe("agent loop");
    expect(run.phase).toBe("finished");
    expect(run.reward).toBe(1);
    expect(run.grade.raw).toEqual({ score: 1 });
  });

  it("marks the grade as an error frame when the agent threw and grading failed too", async () => {
    const run = await rollout(
      badGrade(),
      async (live) => {
        live.answer = "x";
        throw new Error("agent down");
      },
      { provider },
    );
    expect(run.grade.isError).toBe(true);
    expect(run.grade.raw).toMatchObject({ score: 0, answer: "x", isError: true });
    expect(run.grade.raw.content).toMatch(/task graded with str/);
    expect(run.trace.steps.filter((s) => s.source === "system").map((s) => s.error)).toEqual([
      "[agent loop] agent down",
      expect.stringMatching(/^\[grading\] hud rpc error -32000: task graded with str/),
    ]);
  });

  it("leaves the run ungraded when grading fails after a good agent", async () => {
    const run = await rollout(badGrade(), echoAgent, { provider });
    expect(run.error).toMatch(/^\[grading\] hud rpc error -32000: task graded with str/);
    expect(run.grade).toBe(UNGRADED);
    expect(run.trace.status).toBe("error");
  });

  it("ends the agent phase at agent_config.timeout_seconds and still grades", async () => {
    const started = performance.now();
    let sawAbort = false;
    // This agent ignores its signal on purpose: the engine must not wait for it.
    const run = await rollout(
      withAgentTimeout(echo({ tag: "kiwi" }), 0.2),
      async (live) => {
        live.answer = "kiwi";
        live.signal.addEventListener("abort", () => {
          sawAbort = true;
        });
        await sleep(5_000);
      },
      { provider },
    );
    expect(performance.now() - started).toBeLessThan(3_000);
    expect(sawAbort).toBe(true);
    expect(run.trace.stopReason).toBe("timeout");
    expect(run.trace.status).toBe("error");
    expect(run.error).toBe("[agent loop] agent timed out after 0.2s");
    expect(run.reward).toBe(1);
  });

  it("fails in provisioning when the provider rejects, without a client", async () => {
    const failing: RuntimeProvider = {
      specificationVersion: "runtime-v1",
      name: "broken",
      acquire: async () => {
        throw new Error("no capacity");
      },
    };
    const run = await rollout(echo({ tag: "a" }), echoAgent, { provider: failing });
    expect(run.error).toBe("[provisioning] no capacity");
    expect(run.phase).toBe("provisioning");
    expect(run.trace.status).toBe("error");
    expect(run.prompt).toBeNull();
    expect(run.grade).toBe(UNGRADED);
    expect(run.runtime).toBe("broken");
    expect(() => run.client).toThrow(/has no live client: \[provisioning\] no capacity/);
  });

  it("fails in provisioning when the provider returns something that is not a substrate", async () => {
    let disposed = false;
    const odd = {
      specificationVersion: "runtime-v1",
      name: "odd",
      acquire: async () =>
        ({
          endpoint: {},
          [Symbol.asyncDispose]: async () => {
            disposed = true;
          },
        }) as unknown as Substrate,
    } satisfies RuntimeProvider;
    const run = await rollout(echo({ tag: "a" }), echoAgent, { provider: odd });
    expect(run.error).toMatch(/^\[provisioning\] runtime provider 'odd' returned no endpoint url/);
    await new Promise((resolve) => setImmediate(resolve));
    expect(disposed).toBe(true);
  });

  it("fails in connecting when nothing answers hello, and still releases the substrate", async () => {
    const port = await freePort();
    let released = false;
    const nowhere: RuntimeProvider = {
      specificationVersion: "runtime-v1",
      name: "nowhere",
      acquire: async () => ({
        endpoint: { url: `tcp://127.0.0.1:${port}`, readyTimeoutMs: 300 },
        logs: async () => "env log tail",
        [Symbol.asyncDispose]: async () => {
          released = true;
        },
      }),
    };
    const run = await rollout(echo({ tag: "a" }), echoAgent, { provider: nowhere });
    expect(run.error).toMatch(/^\[connecting\] env at tcp:\/\/127\.0\.0\.1:\d+ not ready after 0\.3 s/);
    expect(run.logs).toBe("env log tail");
    expect(released).toBe(true);
  });

  it("fails in starting task when the env refuses the start", async () => {
    const run = await rollout({ ...echo({ tag: "a" }), id: "no_such_template" }, echoAgent, { provider });
    expect(run.error).toBe("[starting task] hud rpc error -32602: unknown task: 'no_such_template'");
    expect(run.phase).toBe("starting task");
  });

  it("times out the rollout during the agent loop: tasks.cancel, teardown, error run", async () => {
    let sessionId = "";
    const started = performance.now();
    const run = await rollout(
      echo({ tag: "a" }),
      async (live) => {
        sessionId = live.client.manifest.sessionId;
        await sleep(10_000); // ignores its signal
      },
      { provider, rolloutTimeoutMs: SHORT_TIMEOUT_MS },
    );
    expect(performance.now() - started).toBeLessThan(SHORT_TIMEOUT_MS + 3_000);
    expect(run.error).toBe(`[agent loop] rollout timed out after ${SHORT_TIMEOUT_S}`);
    expect(run.trace.stopReason).toBe("timeout");
    expect(run.trace.status).toBe("error");
    expect(run.phase).toBe("agent loop");
    expect(run.grade).toBe(UNGRADED);
    // The cancel reached the env: its teardown hook ran for that session, not parked.
    expect(teardowns).toContain(sessionId);
  });

  it("times out a start that never answers", async () => {
    const run = await rollout(hang(), echoAgent, { provider, rolloutTimeoutMs: SHORT_TIMEOUT_MS });
    expect(run.error).toBe(`[starting task] rollout timed out after ${SHORT_TIMEOUT_S}`);
    expect(run.trace.steps.at(-1)!.error).toBe(`[starting task] rollout timed out after ${SHORT_TIMEOUT_S}`);
  });

  it("times out a grade that never answers", async () => {
    const run = await rollout(hangAtGrade(), echoAgent, { provider, rolloutTimeoutMs: SHORT_TIMEOUT_MS });
    expect(run.error).toBe(`[grading] rollout timed out after ${SHORT_TIMEOUT_S}`);
  });

  it("keeps a grade obtained before the rollout timed out during teardown", async () => {
    const slowTeardown: RuntimeProvider = {
      specificationVersion: "runtime-v1",
      name: "slow-teardown",
      acquire: async () => ({
        endpoint: { url: server.url },
        [Symbol.asyncDispose]: () => sleep(SHORT_TIMEOUT_MS * 2),
      }),
    };
    const run = await rollout(echo({ tag: "a" }), echoAgent, {
      provider: slowTeardown,
      rolloutTimeoutMs: SHORT_TIMEOUT_MS,
    });
    expect(run.reward).toBe(1);
    expect(run.grade.raw).toEqual({ score: 1 });
    expect(run.error).toBe(`[cleanup] rollout timed out after ${SHORT_TIMEOUT_S}`);
    expect(run.phase).toBe("finished");
    expect(run.trace.stopReason).toBe("timeout");
  });

  it("releases a substrate that arrives after the rollout timed out", async () => {
    let released = false;
    const late: RuntimeProvider = {
      specificationVersion: "runtime-v1",
      name: "late",
      // Ignores ctx.signal on purpose.
      acquire: async () => {
        await sleep(500);
        return {
          endpoint: { url: server.url },
          [Symbol.asyncDispose]: async () => {
            released = true;
          },
        };
      },
    };
    const run = await rollout(echo({ tag: "a" }), echoAgent, { provider: late, rolloutTimeoutMs: 100 });
    expect(run.error).toBe("[provisioning] rollout timed out after 0.1s");
    await sleep(700);
    expect(released).toBe(true);
  });

  it("when interrupted while provisioning, finishes only after what the acquisition made is released", async () => {
    const controller = new AbortController();
    const events: string[] = [];
    const slow: RuntimeProvider = {
      specificationVersion: "runtime-v1",
      name: "slow",
      // Like a container engine call: it cannot be cancelled, and delivers after the interrupt.
      acquire: async () => {
        await sleep(400);
        events.push("acquired");
        return {
          endpoint: { url: server.url },
          [Symbol.asyncDispose]: async () => {
            await sleep(200);
            events.push("released");
          },
        };
      },
    };
    const running = rollout(echo({ tag: "a" }), echoAgent, { provider: slow, signal: controller.signal });
    setTimeout(() => controller.abort(new Error("interrupted")), 50);
    const run = await running;
    events.push("run returned");
    expect(run.error).toBeNull();
    expect(events).toEqual(["acquired", "released", "run returned"]);
  });

  it("returns an interrupted rollout as a cancelled run instead of throwing", async () => {
    const controller = new AbortController();
    let sessionId = "";
    const before = provider.released;
    const running = rollout(
      echo({ tag: "a" }),
      async (live) => {
        sessionId = live.client.manifest.sessionId;
        controller.abort();
        await sleep(10_000, live.signal);
      },
      { provider, signal: controller.signal },
    );
    const run = await running;
    expect(run.trace.status).toBe("cancelled");
    expect(run.error).toBeNull();
    expect(run.phase).toBe("agent loop");
    expect(run.grade).toBe(UNGRADED);
    expect(provider.released).toBe(before + 1);
    expect(teardowns).toContain(sessionId);
  });
});

describe("rollout: verifiers (spec §3.3)", () => {
  it("grades a shared-path verifier on the actor's whole grade frame, on the same client", async () => {
    const acquiredBefore = provider.acquired;
    const task: Task = { ...echo({ tag: "kiwi" }), verifier: check({ min: 1 }) };
    const run = await rollout(task, echoAgent, { provider });
    expect(provider.acquired).toBe(acquiredBefore + 1);
    expect(run.error).toBeNull();
    expect(run.grade.raw).toEqual({ score: 1, info: { actorScore: 1 } });
    const calls = run.trace.steps.filter((s) => s.taskCall).map((s) => [s.taskCall!.phase, s.taskCall!.name]);
    expect(calls).toEqual([
      ["setup", "echo"],
      ["evaluate", "echo"],
      ["setup", "check"],
      ["evaluate", "check"],
    ]);
    expect(run.trace.steps.at(-1)!.taskCall!.arguments).toEqual({ answer: { score: 1 } });
  });

  it("lets the verifier's verdict stand over the actor's", async () => {
    const task: Task = { ...echo({ tag: "kiwi" }), verifier: check({ min: 2 }) };
    const run = await rollout(task, echoAgent, { provider });
    expect(run.reward).toBe(0);
    expect(run.grade.info).toEqual({ actorScore: 1 });
  });

  it("still verifies after the actor's agent threw", async () => {
    const task: Task = { ...echo({ tag: "kiwi" }), verifier: check({ min: 1 }) };
    const run = await rollout(
      task,
      async (live) => {
        live.answer = "kiwi";
        throw new Error("late crash");
      },
      { provider },
    );
    expect(run.error).toBe("[agent loop] late crash");
    expect(run.reward).toBe(1);
  });

  it("refuses a verifier that needs its own substrate, without provisioning", async () => {
    const acquiredBefore = provider.acquired;
    const task: Task = { ...echo({ tag: "kiwi" }), verifier: { ...check(), env: "grader" } };
    const run = await rollout(task, echoAgent, { provider });
    expect(run.error).toMatch(/^\[verifying\] the verifier 'check' runs on env 'grader'.*not supported yet/);
    expect(provider.acquired).toBe(acquiredBefore);
  });
});

describe("rollout: mistakes in the call", () => {
  it("throws on contradictory timeouts instead of failing the run", async () => {
    await expect(
      rollout(withAgentTimeout(echo({ tag: "a" }), 5), echoAgent, { provider, rolloutTimeoutMs: 1_000 }),
    ).rejects.toThrow(/agent_config.timeout_seconds \(5 s\) must be under the rollout timeout \(1 s\)/);
    await expect(rollout(echo({ tag: "a" }), echoAgent, { provider, rolloutTimeoutMs: 0 })).rejects.toSatisfy(
      (error) => HudkitError.isInstance(error) && error.code === "invalid-timeouts",
    );
  });

  it("throws on an agent that is not a function", async () => {
    await expect(rollout(echo({ tag: "a" }), "agent" as never, { provider })).rejects.toThrow(
      /agent must be a function/,
    );
  });
});

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const probe = createServer();
    probe.listen(0, "127.0.0.1", () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}
