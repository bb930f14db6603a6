import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BUILD_TIMEOUT_MS, ensureBuilt, linesOf, runHud } from "./test-support/hud-process.js";
import { type ReferenceReplay, replayReferenceCase } from "./test-support/reference-replay-server.js";

let replay: ReferenceReplay;

beforeAll(async () => {
  await ensureBuilt();
  // The Python reference server's own bytes for: start on one connection, drop it, then a plain
  // tasks.grade on a second connection adopts the parked session.
  replay = await replayReferenceCase("park_adopt");
}, BUILD_TIMEOUT_MS);
afterAll(() => replay?.[Symbol.asyncDispose]());

describe("hud task against the recorded Python HUD server", () => {
  it("starts in one process and grades in another, reading the reference's replies", async () => {
    const started = await runHud(["task", "start", "echo", "--url", replay.url, "--args", '{"tag":"p"}']);
    expect(started.code, started.stderr).toBe(0);
    expect(started.stdout).toBe("Say p\n");
    expect(linesOf(started.stderr)).toEqual(["session sess-00000001"]);

    const graded = await runHud(["task", "grade", "--url", replay.url, "--answer", "p", "--json"]);
    expect(graded.code, graded.stderr).toBe(0);
    // The reference writes the score as 1.0 and echoes the answer.
    expect(JSON.parse(graded.stdout)).toMatchObject({ reward: 1, raw: { score: 1, answer: "p" } });
    expect(replay.mismatches).toEqual([]);
  }, 60_000);
});
