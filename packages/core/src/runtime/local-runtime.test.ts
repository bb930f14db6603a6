import { spawn } from "node:child_process";
import { mkdtemp, readdir, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { HudkitError } from "../errors/hudkit-error.js";
import { connect } from "../protocol/client-connect.js";
import { localRuntime } from "./local-runtime.js";
import {
  ECHO_TASK,
  eventually,
  fixture,
  grandchildPid,
  isGone,
  processesRunning,
  testContext,
} from "./runtime-test-support.js";

/** Real child processes and esbuild on a shared 2-core machine: allow for a slow neighbour. */
const SLOW = { timeout: 90_000 };

let cacheDir: string;
beforeAll(async () => {
  cacheDir = await mkdtemp(join(tmpdir(), "hudkit-local-runtime-"));
});
afterAll(async () => {
  await rm(cacheDir, { recursive: true, force: true });
});

/** A new directory inside this file's temporary one, removed with it. */
const freshDir = (prefix: string) => mkdtemp(join(cacheDir, prefix));

async function rollout(url: string, tag: string): Promise<{ prompt: unknown; reward: unknown }> {
  await using client = await connect(url, { heartbeatMs: 0 });
  const frame = await client.start("echo", { tag });
  const grade = await client.grade({ answer: tag });
  return { prompt: frame.prompt, reward: grade.reward };
}

describe("localRuntime(path)", SLOW, () => {
  it("serves the env file in a child process for a full connect, start, grade", async () => {
    await using runtime = localRuntime(fixture("env-basic/env.ts"), { cacheDir });
    const ctx = testContext();
    await using substrate = await runtime.acquire(ECHO_TASK, ctx);
    expect(substrate.endpoint.url).toMatch(/^tcp:\/\/127\.0\.0\.1:\d+$/);
    const result = await rollout(substrate.endpoint.url, "t1");
    // greeting.txt was read through import.meta.url, relative to the source, not the bundle.
    expect(result.prompt).toBe(`hello t1 from pid ${substrate.pid}!`);
    expect(result.reward).toBe(1);
    expect(await substrate.logs()).toContain("HUD_SERVE_PORT=");
  });

  it("gives two concurrent acquisitions two different processes", async () => {
    await using runtime = localRuntime(fixture("env-basic/env.ts"), { cacheDir });
    const [a, b] = await Promise.all([
      runtime.acquire(ECHO_TASK, testContext()),
      runtime.acquire(ECHO_TASK, testContext()),
    ]);
    try {
      expect(a.pid).not.toBe(b.pid);
      expect(a.endpoint.url).not.toBe(b.endpoint.url);
      const [ra, rb] = await Promise.all([rollout(a.endpoint.url, "a"), rollout(b.endpoint.url, "b")]);
      expect(ra.prompt).toContain(`pid ${a.pid}`);
      expect(rb.prompt).toContain(`pid ${b.pid}`);
    } finally {
      await a[Symbol.asyncDispose]();
      await b[Symbol.asyncDispose]();
    }
  });

  it("tears down the whole process group, grandchildren included, and is idempotent", async () => {
    await using runtime = localRuntime(fixture("env-basic/env.ts"), { cacheDir });
    const substrate = await runtime.acquire(ECHO_TASK, testContext());
    await eventually(async () => /GRANDCHILD_PID=\d+/.test(await substrate.logs()));
    const grandchild = grandchildPid(await substrate.logs());
    expect(await isGone(substrate.pid)).toBe(false);
    expect(await isGone(grandchild)).toBe(false);
    await Promise.all([substrate[Symbol.asyncDispose](), substrate[Symbol.asyncDispose]()]);
    expect(await isGone(substrate.pid)).toBe(true);
    expect(await isGone(grandchild)).toBe(true);
    await substrate[Symbol.asyncDispose]();
  });

  it("SIGKILLs a group that ignores SIGTERM once graceMs has passed", async () => {
    const runtime = localRuntime(fixture("env-basic/env.ts"), {
      cacheDir,
      graceMs: 300,
      env: { IGNORE_SIGTERM: "1" },
    });
    const substrate = await runtime.acquire(ECHO_TASK, testContext());
    await eventually(async () => /GRANDCHILD_PID=\d+/.test(await substrate.logs()));
    const grandchild = grandchildPid(await substrate.logs());
    const started = performance.now();
    await runtime.close();
    expect(performance.now() - started).toBeGreaterThanOrEqual(250);
    expect(await isGone(substrate.pid)).toBe(true);
    expect(await isGone(grandchild)).toBe(true);
  });

  it("reports env-exited with the output tail when initialize throws", async () => {
    await using runtime = localRuntime(fixture("env-crash-init/env.ts"), { cacheDir });
    const error = await runtime.acquire(ECHO_TASK, testContext()).catch((e: unknown) => e);
    expect(HudkitError.isInstance(error) && error.code).toBe("env-exited");
    expect((error as Error).message).toMatch(
      /^env .*env-crash-init\/env\.ts exited with code 1 before serving:\n/,
    );
    expect((error as Error).message).toContain("boom in initialize");
  });

  it("reports env-exited with the output tail when the module throws at import", async () => {
    await using runtime = localRuntime(fixture("env-crash-import/env.mjs"), { cacheDir });
    const error = await runtime.acquire(ECHO_TASK, testContext()).catch((e: unknown) => e);
    expect(HudkitError.isInstance(error) && error.code).toBe("env-exited");
    expect((error as Error).message).toContain("boom at import");
  });

  it("gives up after readyTimeoutMs and kills the child", async () => {
    await using runtime = localRuntime(fixture("env-hang/env.ts"), { cacheDir, readyTimeoutMs: 1_500 });
    const error = await runtime.acquire(ECHO_TASK, testContext()).catch((e: unknown) => e);
    expect(HudkitError.isInstance(error) && error.code).toBe("env-ready-timeout");
    expect((error as Error).message).toMatch(/did not serve within 1\.5 s/);
    expect(await processesRunning(cacheDir)).toEqual([]);
  });

  it("kills the child and rejects with the reason when the signal aborts during start-up", async () => {
    await using runtime = localRuntime(fixture("env-hang/env.ts"), { cacheDir });
    const controller = new AbortController();
    const acquiring = runtime.acquire(ECHO_TASK, testContext(controller.signal));
    // Abort once the child is running (the bundle may have to be built first).
    await eventually(async () => (await processesRunning(cacheDir)).length > 0, 20_000);
    controller.abort(new Error("rollout timed out"));
    await expect(acquiring).rejects.toThrow("rollout timed out");
    expect(await processesRunning(cacheDir)).toEqual([]);
  });

  it("rejects an already aborted signal without spawning", async () => {
    await using runtime = localRuntime(fixture("env-basic/env.ts"), { cacheDir });
    const controller = new AbortController();
    controller.abort(new Error("interrupted"));
    await expect(runtime.acquire(ECHO_TASK, testContext(controller.signal))).rejects.toThrow("interrupted");
  });

  it("close() tears down every live substrate and refuses new acquisitions", async () => {
    const runtime = localRuntime(fixture("env-basic/env.ts"), { cacheDir });
    const substrate = await runtime.acquire(ECHO_TASK, testContext());
    await runtime.close();
    expect(await isGone(substrate.pid)).toBe(true);
    await expect(runtime.acquire(ECHO_TASK, testContext())).rejects.toMatchObject({ code: "runtime-closed" });
  });

  it("bundles once, reuses the bundle while the file is unchanged, and rebuilds after an edit", async () => {
    const dir = await mkdtemp(join(tmpdir(), "hudkit-local-edit-"));
    const envFile = join(dir, "env.mjs");
    const writeEnv = (prompt: string) =>
      writeFile(
        envFile,
        `import { Environment, z } from ${JSON.stringify(fixture("../../index.ts"))};
        export const env = new Environment({ name: "edited" });
        env.template({ id: "echo", args: z.object({ tag: z.string() }) }, async function* () {
          yield ${JSON.stringify(prompt)};
          yield 1;
        });\n`,
      );
    const promptOf = async (
      runtime: ReturnType<typeof localRuntime>,
      ctx: ReturnType<typeof testContext>,
    ) => {
      await using substrate = await runtime.acquire(ECHO_TASK, ctx);
      await using client = await connect(substrate.endpoint.url, { heartbeatMs: 0 });
      return (await client.start("echo", { tag: "x" })).prompt;
    };
    try {
      await writeEnv("first");
      await using runtime = localRuntime(envFile, { cacheDir });
      const ctx = testContext();
      expect(await promptOf(runtime, ctx)).toBe("first");
      expect(await promptOf(runtime, ctx)).toBe("first");
      expect(ctx.lines.filter((line) => line.startsWith("bundled "))).toHaveLength(1);
      await writeEnv("second");
      expect(await promptOf(runtime, ctx)).toBe("second");
      expect(ctx.lines.filter((line) => line.startsWith("bundled "))).toHaveLength(2);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("validates its options with one readable line", () => {
    expect(() => localRuntime("env.ts", { graceMs: -1 })).toThrow(/^localRuntime options: graceMs: /);
    expect(() => localRuntime("env.ts", { readyTimeout: 5 } as never)).toThrow(/readyTimeout/);
    expect(() => localRuntime("env.ts", { prewarm: 1.5 })).toThrow(/^localRuntime options: prewarm: /);
  });

  it("reports a missing env file", async () => {
    await using runtime = localRuntime(join(cacheDir, "nope.ts"), { cacheDir });
    await expect(runtime.acquire(ECHO_TASK, testContext())).rejects.toMatchObject({ code: "env-not-found" });
  });
});

describe("localRuntime(path) starting children ahead (prewarm)", SLOW, () => {
  /** Each test its own cache, so the env children it finds by command line are its own. */
  const freshCache = () => freshDir("prewarm-");

  /** Waits for exactly one env child of `cache` besides `taken`, and returns its pid. */
  async function warmChild(cache: string, taken: number): Promise<number> {
    let others: number[] = [];
    await eventually(async () => {
      others = (await processesRunning(cache)).filter((pid) => pid !== taken);
      return others.length === 1;
    }, 30_000);
    return others[0]!;
  }

  it("hands the next rollout the child started while this one ran: fresh, and serving one rollout", async () => {
    const cache = await freshCache();
    await using runtime = localRuntime(fixture("env-basic/env.ts"), { cacheDir: cache });
    const first = await runtime.acquire(ECHO_TASK, testContext());
    const ahead = await warmChild(cache, first.pid);
    expect((await rollout(first.endpoint.url, "a")).reward).toBe(1);
    await first[Symbol.asyncDispose]();
    expect(await isGone(first.pid)).toBe(true);

    await using second = await runtime.acquire(ECHO_TASK, testContext());
    expect(second.pid).toBe(ahead);
    expect(await rollout(second.endpoint.url, "b")).toEqual({
      prompt: `hello b from pid ${ahead}!`,
      reward: 1,
    });
    // Its own start-up output is in its logs, and another child is on its way for the next one.
    expect(await second.logs()).toMatch(/GRANDCHILD_PID=\d+/);
    const next = await warmChild(cache, second.pid);
    expect(next).not.toBe(first.pid);
  });

  it("close() stops the children started ahead along with the live ones", async () => {
    const cache = await freshCache();
    const runtime = localRuntime(fixture("env-basic/env.ts"), { cacheDir: cache });
    const substrate = await runtime.acquire(ECHO_TASK, testContext());
    const ahead = await warmChild(cache, substrate.pid);
    await runtime.close();
    expect(await isGone(substrate.pid)).toBe(true);
    expect(await isGone(ahead)).toBe(true);
    expect(await processesRunning(cache)).toEqual([]);
  });

  it("never hands out a child that died while it waited, and starts one instead", async () => {
    const cache = await freshCache();
    await using runtime = localRuntime(fixture("env-basic/env.ts"), { cacheDir: cache });
    const first = await runtime.acquire(ECHO_TASK, testContext());
    const ahead = await warmChild(cache, first.pid);
    process.kill(-ahead, "SIGKILL");
    await eventually(() => isGone(ahead));
    await first[Symbol.asyncDispose]();

    await using second = await runtime.acquire(ECHO_TASK, testContext());
    expect(second.pid).not.toBe(ahead);
    expect((await rollout(second.endpoint.url, "c")).reward).toBe(1);
  });

  it("with prewarm: 0 starts each child only when a rollout asks", async () => {
    const cache = await freshCache();
    await using runtime = localRuntime(fixture("env-basic/env.ts"), { cacheDir: cache, prewarm: 0 });
    const first = await runtime.acquire(ECHO_TASK, testContext());
    expect((await rollout(first.endpoint.url, "d")).reward).toBe(1);
    expect(await processesRunning(cache)).toEqual([first.pid]);
    await first[Symbol.asyncDispose]();
    expect(await processesRunning(cache)).toEqual([]);
  });

  /** Runs a fixture parent program to its end; returns its exit code and everything it printed. */
  async function runParent(script: string, cache: string, env: Record<string, string> = {}) {
    const parent = spawn(
      process.execPath,
      ["--import", "tsx", fixture(script), fixture("env-basic/env.ts"), cache],
      { stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, ...env } },
    );
    let output = "";
    parent.stdout!.on("data", (chunk) => {
      output += String(chunk);
    });
    parent.stderr!.on("data", (chunk) => {
      output += String(chunk);
    });
    const code = await new Promise<number | null>((resolve) => parent.once("exit", resolve));
    return { code, output };
  }

  it("lets a program that never closes its runtime exit, and takes the waiting child with it", async () => {
    const cache = await freshCache();
    const { code, output } = await runParent("finished-parent/parent.ts", cache);
    expect({ code, output }).toMatchObject({ code: 0, output: expect.stringMatching(/WARM_PID=\d+/) });
    const warm = Number(/WARM_PID=(\d+)/.exec(output)![1]);
    await eventually(() => isGone(warm));
    expect(await processesRunning(cache)).toEqual([]);
  });

  it("keeps the program alive while a rollout waits for a child still starting in the background", async () => {
    const cache = await freshCache();
    // A slow initialize: the child started ahead is still starting when the next rollout asks.
    const { code, output } = await runParent("finished-parent/take-starting.ts", cache, {
      INIT_DELAY_MS: "1500",
    });
    expect({ code, output }).toMatchObject({ code: 0, output: expect.stringMatching(/TOOK_PID=\d+/) });
    expect(await processesRunning(cache)).toEqual([]);
  });
});

describe("localRuntime(path) compiling children from a V8 code cache", SLOW, () => {
  /** One rollout on a child of its own, taken down before this returns. */
  async function rolloutOn(runtime: ReturnType<typeof localRuntime>, tag: string) {
    await using substrate = await runtime.acquire(ECHO_TASK, testContext());
    return await rollout(substrate.endpoint.url, tag);
  }

  const filesIn = async (cache: string, pattern: RegExp) =>
    (await readdir(cache)).filter((name) => pattern.test(name));

  it("has the first child write the cache as it exits, and later children compile from it unchanged", async () => {
    const cache = await freshDir("code-cache-");
    await using runtime = localRuntime(fixture("env-basic/env.ts"), { cacheDir: cache, prewarm: 0 });
    expect((await rolloutOn(runtime, "a")).reward).toBe(1);
    expect(await filesIn(cache, /\.cjs$/)).toHaveLength(2); // the bundle and its launcher
    const [codeCache] = await filesIn(cache, /\.v8cache$/);
    expect(codeCache).toMatch(new RegExp(`\\.cjs\\.${process.version}-${process.arch}\\.v8cache$`));
    const written = await stat(join(cache, codeCache!));

    // A child that compiled from the cache has nothing to write back: V8 accepted it.
    expect(await rolloutOn(runtime, "b")).toEqual({
      prompt: expect.stringMatching(/^hello b from pid \d+!$/),
      reward: 1,
    });
    const after = await stat(join(cache, codeCache!));
    expect({ mtime: after.mtimeMs, ino: after.ino }).toEqual({ mtime: written.mtimeMs, ino: written.ino });
  });

  it.each([
    ["awaits at its top level", "await Promise.resolve();"],
    ["uses import.meta.resolve", 'export const fsEntry = import.meta.resolve("node:fs");'],
  ])("serves an env that %s from an ESM bundle instead", async (_what, line) => {
    const work = await freshDir("esm-");
    await writeFile(
      join(work, "env.mjs"),
      `import { Environment, z } from ${JSON.stringify(fixture("../../index.ts"))};
      ${line}
      export const env = new Environment({ name: "runtime-basic" });
      env.template({ id: "echo", args: z.object({ tag: z.string() }) }, async function* ({ tag }) {
        yield (yield "esm " + tag) === tag ? 1 : 0;
      });\n`,
    );
    const cache = join(work, "cache");
    await using runtime = localRuntime(join(work, "env.mjs"), { cacheDir: cache, prewarm: 0 });
    expect(await rolloutOn(runtime, "c")).toEqual({ prompt: "esm c", reward: 1 });
    expect(await filesIn(cache, /\.(mjs|cjs)$/)).toEqual([expect.stringMatching(/\.mjs$/)]);
  });
});
