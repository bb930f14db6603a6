import { mkdtemp, rm } from "node:fs/promises";
import { createServer, type Server } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { connect } from "@hudkit/core";
import { beforeAll, describe, expect, it } from "vitest";
import {
  BUILD_TIMEOUT_MS,
  ensureBuilt,
  linesOf,
  runHud,
  startHud,
  waitForHud,
} from "./test-support/hud-process.js";

const ENV = "examples/letter-count/env.ts";

beforeAll(ensureBuilt, BUILD_TIMEOUT_MS);

function announcedPort(stdout: string): number | undefined {
  const match = /^HUD_SERVE_PORT=(\d+)$/m.exec(stdout);
  return match === null ? undefined : Number(match[1]);
}

describe("hud serve", () => {
  it.each(["SIGINT", "SIGTERM"] as const)(
    "serves the env, announces HUD_SERVE_PORT and stops cleanly on %s",
    async (signal) => {
      const hud = startHud(["serve", ENV, "--port", "0"]);
      const port = await waitForHud(hud, "HUD_SERVE_PORT", () => announcedPort(hud.stdout()));
      expect(port).toBeGreaterThan(0);
      for (const url of [`tcp://127.0.0.1:${port}`, `ws://127.0.0.1:${port}/`]) {
        await using client = await connect(url);
        const frame = await client.start("count_letter", { word: "banana", letter: "a" });
        expect(JSON.stringify(frame)).toContain("banana");
        expect((await client.grade({ answer: "3" })).reward).toBe(1);
      }
      hud.child.kill(signal);
      const result = await hud.exited;
      expect(result.code, result.stderr).toBe(0);
      expect(linesOf(result.stdout)).toEqual([`HUD_SERVE_PORT=${port}`]);
    },
    90_000,
  );

  it("serves rollouts to hud eval --runtime url:tcp://...", async () => {
    const hud = startHud(["serve", ENV, "--port", "0"]);
    try {
      const port = await waitForHud(hud, "HUD_SERVE_PORT", () => announcedPort(hud.stdout()));
      const jobsDir = await mkdtemp(join(tmpdir(), "hud-serve-"));
      try {
        const result = await runHud([
          "eval",
          "examples/letter-count/tasks.ts",
          "--agent",
          "examples/letter-count/agent.ts",
          "--runtime",
          `url:tcp://127.0.0.1:${port}`,
          "--jobs-dir",
          jobsDir,
          "--json",
        ]);
        expect(result.code, result.stderr).toBe(0);
        const report = JSON.parse(result.stdout) as {
          runtime: string;
          summary: { runs: number; reward: number };
        };
        expect(report.summary).toMatchObject({ runs: 4, reward: 1 });
      } finally {
        await rm(jobsDir, { recursive: true, force: true });
      }
    } finally {
      hud.child.kill("SIGTERM");
      expect((await hud.exited).code).toBe(0);
    }
  }, 120_000);

  it("picks one environment by name with <file>:<name>", async () => {
    const hud = startHud(["serve", `${ENV}:letter-count`, "--port", "0"]);
    await waitForHud(hud, "HUD_SERVE_PORT", () => announcedPort(hud.stdout()));
    hud.child.kill("SIGTERM");
    expect((await hud.exited).code).toBe(0);
  }, 90_000);

  it("says the port is in use, in one line, exit 2", async () => {
    const blocker: Server = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, "127.0.0.1", resolve));
    const { port } = blocker.address() as { port: number };
    try {
      const result = await runHud(["serve", ENV, "--port", String(port)]);
      expect(result.code, result.stderr).toBe(2);
      expect(linesOf(result.stderr)).toEqual([
        `hud: port ${port} is already in use on 127.0.0.1: pick another with --port, or --port 0 for any free port`,
      ]);
      expect(result.stdout).toBe("");
    } finally {
      await new Promise((resolve) => blocker.close(resolve));
    }
  }, 60_000);

  it.each([
    [["serve", "nope/env.ts"], /^hud: no environment source at nope\/env\.ts/],
    [["serve", `${ENV}:other`], /^hud: no Environment named 'other' found in/],
    [
      ["serve", ENV, "--port", "70000"],
      /^hud: --port must be a whole number, from 0 to 65535 \(got "70000"\)$/,
    ],
  ])(
    "hud %j fails in one line, exit 2",
    async (args, message) => {
      const result = await runHud(args);
      expect(result.code, result.stderr).toBe(2);
      expect(linesOf(result.stderr)).toEqual([expect.stringMatching(message)]);
    },
    60_000,
  );
});
