import { type ChildProcess, spawn } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { bundleEnvironment } from "./env-bundle.js";
import { eventually, fixture, isGone } from "./runtime-test-support.js";

/** Real child processes and esbuild on a shared 2-core machine: allow for a slow neighbour. */
const SLOW = { timeout: 90_000 };

let cacheDir: string;
const ENV_FILE = fixture("env-basic/env.ts");

beforeAll(async () => {
  cacheDir = await mkdtemp(join(tmpdir(), "hudkit-interrupt-"));
  // Built once here, so each parent below spends its time on the interruption, not bundling.
  await bundleEnvironment(ENV_FILE, { cacheDir });
}, SLOW.timeout);
afterAll(async () => {
  await rm(cacheDir, { recursive: true, force: true });
});

interface Parent {
  child: ChildProcess;
  envPid: number;
  grandchildPid: number;
  output: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

async function startParent(...extra: string[]): Promise<Parent> {
  const child = spawn(
    process.execPath,
    ["--import", "tsx", fixture("interrupted-parent/parent.ts"), ENV_FILE, cacheDir, ...extra],
    { stdio: ["ignore", "pipe", "pipe"] },
  );
  let output = "";
  child.stdout!.on("data", (chunk) => {
    output += String(chunk);
  });
  child.stderr!.on("data", (chunk) => {
    output += String(chunk);
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once("exit", (code, signal) => resolve({ code, signal })),
  );
  await eventually(() => /GRANDCHILD_PID=\d+/.test(output) || child.exitCode !== null, 60_000);
  const envPid = Number(/ENV_PID=(\d+)/.exec(output)?.[1]);
  const grandchildPid = Number(/GRANDCHILD_PID=(\d+)/.exec(output)?.[1]);
  if (!envPid || !grandchildPid) throw new Error(`parent did not start its env:\n${output}`);
  return { child, envPid, grandchildPid, output: () => output, exited };
}

describe("localRuntime when the parent is interrupted", SLOW, () => {
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    it(`kills the env's process group on ${signal}, then exits by that signal`, async () => {
      const parent = await startParent();
      expect(await isGone(parent.envPid)).toBe(false);
      parent.child.kill(signal);
      expect(await parent.exited).toEqual({ code: null, signal });
      expect(await isGone(parent.envPid)).toBe(true);
      expect(await isGone(parent.grandchildPid)).toBe(true);
    });
  }

  it("kills the env on SIGINT but leaves exiting to the application's own handler", async () => {
    const parent = await startParent("--own-sigint-handler");
    parent.child.kill("SIGINT");
    await eventually(async () => (await isGone(parent.envPid)) && (await isGone(parent.grandchildPid)));
    expect(parent.output()).toContain("PARENT_GOT_SIGINT");
    expect(parent.child.exitCode).toBe(null);
    parent.child.kill("SIGKILL");
    await parent.exited;
  });

  it("takes the env down even when the parent is SIGKILLed (its stdin pipe closes)", async () => {
    const parent = await startParent();
    parent.child.kill("SIGKILL");
    await parent.exited;
    await eventually(async () => (await isGone(parent.envPid)) && (await isGone(parent.grandchildPid)));
  });
});
