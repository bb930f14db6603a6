import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BUILD_TIMEOUT_MS, ensureBuilt, linesOf, runHud } from "./test-support/hud-process.js";

const TASKS = "examples/letter-count/tasks.ts";
let dir: string;

beforeAll(async () => {
  await ensureBuilt();
  dir = await mkdtemp(join(tmpdir(), "hud-tasks-"));
}, BUILD_TIMEOUT_MS);
afterAll(() => rm(dir, { recursive: true, force: true }));

interface ListedTask {
  slug: string;
  id: string;
  env: string;
  args: Record<string, unknown>;
}

async function listJson(source: string): Promise<ListedTask[]> {
  const result = await runHud(["tasks", "list", source, "--json"]);
  expect(result.code, result.stderr).toBe(0);
  return JSON.parse(result.stdout) as ListedTask[];
}

describe("hud tasks list", () => {
  it("prints slug, id and args of each task", async () => {
    const result = await runHud(["tasks", "list", TASKS]);
    expect(result.code, result.stderr).toBe(0);
    const lines = linesOf(result.stdout);
    expect(lines[0]).toMatch(/^slug\s+id\s+args$/);
    expect(lines).toHaveLength(5);
    expect(lines[1]).toMatch(/^count_letter\s+count_letter\s+\{\}$/);
    expect(result.stdout).toContain('{"word":"banana","letter":"a"}');
  });

  it("prints the tasks as JSON with --json", async () => {
    const tasks = await listJson(TASKS);
    expect(tasks).toHaveLength(4);
    expect(tasks[0]).toEqual({ slug: "count_letter", id: "count_letter", env: "letter-count", args: {} });
    expect(tasks[1]!.args).toEqual({ word: "banana", letter: "a" });
    expect(new Set(tasks.map((task) => task.slug)).size).toBe(4);
  });
});

describe("hud tasks export", () => {
  it.each(["tasks.json", "tasks.jsonl", "tasks.csv"])(
    "writes %s, which loads back with the same tasks",
    async (name) => {
      const out = join(dir, name);
      const result = await runHud(["tasks", "export", TASKS, out]);
      expect(result.code, result.stderr).toBe(0);
      expect(result.stdout.trim()).toBe(`wrote 4 tasks to ${out}`);
      expect((await readFile(out, "utf8")).length).toBeGreaterThan(0);
      const original = await listJson(TASKS);
      const exported = await listJson(out);
      expect(exported.map(({ slug, id, args }) => ({ slug, id, args }))).toEqual(
        original.map(({ slug, id, args }) => ({ slug, id, args })),
      );
    },
  );

  it("refuses an output suffix it cannot write, with exit 2 and one line", async () => {
    const result = await runHud(["tasks", "export", TASKS, join(dir, "tasks.yaml")]);
    expect(result.code, result.stderr).toBe(2);
    expect(linesOf(result.stderr)).toEqual([
      expect.stringMatching(/<out> must end in \.json, \.jsonl, \.csv/),
    ]);
  });
});
