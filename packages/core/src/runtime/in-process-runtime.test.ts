import { describe, expect, it } from "vitest";
import { z } from "zod";
import { Environment } from "../environment/environment.js";
import { connect } from "../protocol/client-connect.js";
import { localRuntime } from "./local-runtime.js";
import { ECHO_TASK, fixture, testContext } from "./runtime-test-support.js";

function gatedEnv() {
  const env = new Environment({ name: "gated" });
  let starts = 0;
  env.initialize(() => {
    starts++;
  });
  let waiting: Array<() => void> = [];
  // Each task waits until two are waiting at once: only concurrent rollouts can finish.
  env.template({ id: "meet", args: z.object({}) }, async function* () {
    yield "meet";
    await new Promise<void>((resolve) => {
      waiting.push(resolve);
      if (waiting.length === 2) {
        for (const release of waiting) release();
        waiting = [];
      }
    });
    yield 1;
  });
  return { env, starts: () => starts };
}

describe("localRuntime(env, { inProcess: true })", () => {
  it("binds once, lazily, and runs concurrent rollouts concurrently", async () => {
    const { env, starts } = gatedEnv();
    const runtime = localRuntime(env, { inProcess: true });
    expect(starts()).toBe(0);
    const [a, b] = await Promise.all([
      runtime.acquire(ECHO_TASK, testContext()),
      runtime.acquire(ECHO_TASK, testContext()),
    ]);
    expect(a.endpoint.url).toBe(b.endpoint.url);
    expect(starts()).toBe(1);
    const rollout = async (url: string) => {
      await using client = await connect(url, { heartbeatMs: 0 });
      await client.start("meet", {});
      return (await client.grade({ answer: "" })).reward;
    };
    expect(await Promise.all([rollout(a.endpoint.url), rollout(b.endpoint.url)])).toEqual([1, 1]);
    await a[Symbol.asyncDispose]();
    // Disposing a substrate leaves the shared server up.
    await using c = await runtime.acquire(ECHO_TASK, testContext());
    expect(c.endpoint.url).toBe(a.endpoint.url);
    await runtime.close();
    await expect(connect(a.endpoint.url, { readyTimeoutMs: 300, pollIntervalMs: 50 })).rejects.toThrow();
    await expect(runtime.acquire(ECHO_TASK, testContext())).rejects.toMatchObject({ code: "runtime-closed" });
  });

  // tsx compiles the file on a shared 2-core machine: allow for a slow neighbour.
  it("loads an env file in process with inProcess: true", { timeout: 90_000 }, async () => {
    await using runtime = localRuntime(fixture("env-crash-init/env.ts"), { inProcess: true });
    await expect(runtime.acquire(ECHO_TASK, testContext())).rejects.toThrow("boom in initialize");
  });
});
