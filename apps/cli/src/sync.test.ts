import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { SyncPlanJson } from "./commands/sync-command.js";
import { BUILD_TIMEOUT_MS, ensureBuilt, linesOf, runHud } from "./test-support/hud-process.js";

const TASKS = "examples/letter-count/tasks.ts";
let dir: string;
let remote: string;
let slugs: string[];

/**
 * The remote: letter-count exported, then drifted. Its first task is missing (create), its second
 * has other args under the same slug (update), its last two are as they are (unchanged), and it
 * has one task of its own (remote only).
 */
beforeAll(async () => {
  await ensureBuilt();
  dir = await mkdtemp(join(tmpdir(), "hud-sync-"));
  const exported = join(dir, "exported.jsonl");
  const result = await runHud(["tasks", "export", TASKS, exported]);
  expect(result.code, result.stderr).toBe(0);
  const rows = linesOf(await readFile(exported, "utf8")).map((line) => JSON.parse(line));
  slugs = rows.map((row) => row.slug as string);
  rows[1].args = { word: "papaya", letter: "a" };
  const extra = { env: "letter-count", id: "count_letter", args: { word: "kiwi" }, slug: "kiwi" };
  const drifted = [...rows.slice(1), extra];
  remote = join(dir, "remote.jsonl");
  await writeFile(remote, drifted.map((row) => `${JSON.stringify(row)}\n`).join(""));
}, BUILD_TIMEOUT_MS);
afterAll(() => rm(dir, { recursive: true, force: true }));

describe("hud sync plan", () => {
  it("prints the summary and a row per task to create, update or find only remotely", async () => {
    const result = await runHud(["sync", "plan", TASKS, remote]);
    expect(result.code, result.stderr).toBe(0);
    const lines = linesOf(result.stdout);
    expect(lines.slice(0, 5)).toEqual([
      "Sync plan for 'remote'",
      "  Create: 1",
      "  Update: 1",
      "  Unchanged: 2",
      "  Remote-only: 1",
    ]);
    expect(lines[5]).toBe("");
    expect(lines[6]).toMatch(/^action\s+slug\s+changed$/);
    expect(lines.slice(7).map((line) => line.split(/\s+/))).toEqual([
      ["create", slugs[0]],
      ["update", slugs[1], "args"],
      ["remote-only", "kiwi"],
    ]);
  });

  it("lists the unchanged tasks too with --unchanged", async () => {
    const result = await runHud(["sync", "plan", TASKS, remote, "--unchanged"]);
    expect(result.code, result.stderr).toBe(0);
    const unchanged = linesOf(result.stdout).filter((line) => line.startsWith("unchanged"));
    expect(unchanged.map((line) => line.split(/\s+/)[1])).toEqual([slugs[2], slugs[3]]);
  });

  it("prints the plan as JSON with --json", async () => {
    const result = await runHud(["sync", "plan", TASKS, remote, "--json"]);
    expect(result.code, result.stderr).toBe(0);
    const plan = JSON.parse(result.stdout) as SyncPlanJson;
    expect(plan).toEqual({
      taskset_name: "remote",
      create: [slugs[0]],
      update: [{ slug: slugs[1], changed: ["args"] }],
      unchanged: [slugs[2], slugs[3]],
      remote_only: ["kiwi"],
    });
  });

  it("says there is nothing to do when both sides match", async () => {
    const result = await runHud(["sync", "plan", TASKS, TASKS]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain("  Unchanged: 4");
    expect(result.stdout).toContain("nothing to do: the remote taskset already matches");
  });

  it("exits 2 with one line when a side is missing", async () => {
    const result = await runHud(["sync", "plan", TASKS, join(dir, "nope.jsonl")]);
    expect(result.code).toBe(2);
    expect(linesOf(result.stderr)).toEqual([
      expect.stringMatching(/^hud: no taskset at .*nope\.jsonl: check the path$/),
    ]);
  });
});
