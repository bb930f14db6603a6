import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { BUILD_TIMEOUT_MS, ensureBuilt, linesOf, REPO_ROOT, runHud } from "./test-support/hud-process.js";

/** The real Harbor sample tasks beside the repository (see shared/harbor-samples/README.md). */
const SAMPLES = join(REPO_ROOT, "..", "shared", "harbor-samples");
const MIXED = "packages/harbor-interop/src/fixtures/mixed-dataset";

beforeAll(ensureBuilt, BUILD_TIMEOUT_MS);

describe("hud harbor check", () => {
  it("passes the real sample tasks, a line each and a summary, exit 0", async () => {
    const result = await runHud(["harbor", "check", SAMPLES]);
    expect(result.code, result.stderr).toBe(0);
    const lines = linesOf(result.stdout);
    expect(lines.at(-1)).toMatch(/^3 folders: 3 loadable, 0 not; 0 errors, \d+ warnings?$/);
    expect(lines.filter((line) => line.startsWith("error "))).toEqual([]);
  });

  it("names the failing task and the stable code, and exits 1", async () => {
    const result = await runHud(["harbor", "check", MIXED]);
    expect(result.code).toBe(1);
    const errors = linesOf(result.stdout).filter((line) => line.startsWith("error "));
    expect(errors).toEqual([
      "error no-instruction missing-instruction instruction.md: instruction.md is missing",
      "error notes not-a-task-dir task.toml: no task.toml: not a Harbor task folder, skipped",
    ]);
    expect(linesOf(result.stdout).slice(0, 2)).toEqual(["ok mixed/good-one", "ok mixed/good-two"]);
  });

  it("prints the report as JSON with --json", async () => {
    const result = await runHud(["harbor", "check", MIXED, "--json"]);
    expect(result.code).toBe(1);
    const report = JSON.parse(result.stdout);
    expect(report).toMatchObject({ kind: "dataset", ok: false, errorCount: 2, warningCount: 0 });
    expect(report.tasks.map((task: { name: string }) => task.name)).toEqual([
      "mixed/good-one",
      "mixed/good-two",
      "no-instruction",
      "notes",
    ]);
  });

  it("says a missing path in one line, exit 2", async () => {
    const result = await runHud(["harbor", "check", "nope/dataset"]);
    expect(result.code).toBe(2);
    expect(linesOf(result.stderr)).toHaveLength(1);
    expect(result.stderr).toMatch(/^hud: .*nope\/dataset/);
  });

  it("hud tasks list reads a Harbor dataset: a task per folder, slug = the Harbor task name", async () => {
    const result = await runHud(["tasks", "list", SAMPLES, "--json"]);
    expect(result.code, result.stderr).toBe(0);
    const tasks = JSON.parse(result.stdout) as Array<{ slug: string; id: string; env: string }>;
    expect(tasks.map((task) => task.slug)).toEqual([
      "hello-multi-step-simple",
      "harbor/hello-user",
      "harbor/hello-workdir",
    ]);
    expect(new Set(tasks.map((task) => `${task.env}/${task.id}`))).toEqual(new Set(["harbor/harbor-task"]));
  });

  it("hud tasks list says which dataset folders it skipped and why, on stderr", async () => {
    const result = await runHud(["tasks", "list", MIXED]);
    expect(result.code, result.stderr).toBe(0);
    expect(linesOf(result.stderr)).toEqual([
      "hudkit: skipped Harbor task no-instruction: missing-instruction: instruction.md is missing",
      "hudkit: skipped Harbor task notes: not-a-task-dir: no task.toml: not a Harbor task folder, skipped",
    ]);
  });
});
