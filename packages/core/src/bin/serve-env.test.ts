import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import { RawPeer } from "../protocol/test-wire.js";

const here = fileURLToPath(new URL(".", import.meta.url));
const bin = join(here, "serve-env.ts");
const children: ChildProcess[] = [];
afterEach(() => {
  for (const child of children.splice(0)) child.kill("SIGKILL");
});

function start(args: string[], env: Record<string, string> = {}) {
  const child = spawn(process.execPath, ["--import", "tsx", bin, ...args], {
    env: { ...process.env, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  children.push(child);
  let stderr = "";
  child.stderr!.on("data", (chunk) => {
    stderr += chunk;
  });
  const port = new Promise<number>((resolve, reject) => {
    const lines = createInterface({ input: child.stdout! });
    lines.on("line", (line) => {
      if (line.startsWith("HUD_SERVE_PORT=")) resolve(Number(line.slice("HUD_SERVE_PORT=".length)));
    });
    child.once("exit", (code) => reject(new Error(`exited ${code} before serving: ${stderr}`)));
  });
  port.catch(() => undefined);
  const exit = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  return { child, port, exit, stderr: () => stderr };
}

describe("hudkit-serve-env", () => {
  it("announces HUD_SERVE_PORT, serves, and runs teardown and shutdown hooks on SIGTERM", async () => {
    const log = join(mkdtempSync(join(tmpdir(), "hudkit-serve-")), "hooks.log");
    const server = start([join(here, "fixtures/hooks-env.ts")], { HOOKS_LOG: log });
    const port = await server.port;
    const peer = await RawPeer.open(port);
    expect(await peer.call(1, "tasks.start", { id: "wait" })).toMatchObject({
      result: { prompt: "waiting" },
    });
    peer.close(); // the task is now parked: shutdown must still tear it down
    await new Promise((resolve) => setTimeout(resolve, 100));
    server.child.kill("SIGTERM");
    expect(await server.exit).toBe(0);
    expect(readFileSync(log, "utf8").split("\n").filter(Boolean)).toEqual([
      "initialize",
      "teardown sess-",
      "shutdown",
    ]);
  });

  it("exits 2 with the environment names when a file has several", async () => {
    const server = start([join(here, "fixtures/two-envs.mjs")]);
    expect(await server.exit).toBe(2);
    expect(server.stderr()).toMatch(/multiple Environments .*first \(first\), second \(second\)/);
  });

  it("selects one environment with file:name", async () => {
    const server = start([`${join(here, "fixtures/two-envs.mjs")}:second`]);
    const peer = await RawPeer.open(await server.port);
    expect(await peer.call(1, "hello")).toMatchObject({ result: { env: { name: "second" } } });
    peer.close();
  });

  it("exits 2 with a clear line for a missing file", async () => {
    const server = start(["does/not/exist.ts"]);
    expect(await server.exit).toBe(2);
    expect(server.stderr()).toContain("no environment source at does/not/exist.ts");
  });
});
