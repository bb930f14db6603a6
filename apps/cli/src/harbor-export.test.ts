import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BUILD_TIMEOUT_MS, ensureBuilt, linesOf, runHud } from "./test-support/hud-process.js";

const TASKS = "examples/letter-count/tasks.ts";
let scratch: string;

beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), "hudkit-cli-harbor-export-"));
  await ensureBuilt();
}, BUILD_TIMEOUT_MS);
afterAll(() => rm(scratch, { recursive: true, force: true }));

describe("hud harbor export", () => {
  it("writes a Harbor task folder per task, a line each and a summary, that hud harbor check passes", async () => {
    const out = join(scratch, "letter-count");
    const result = await runHud(["harbor", "export", TASKS, out, "--agent-timeout", "300"]);
    expect(result.code, result.stderr).toBe(0);
    const lines = linesOf(result.stdout);
    expect(lines).toHaveLength(6);
    for (const line of lines.slice(0, 4)) {
      expect(line).toMatch(
        new RegExp(`^wrote ${out}/count_letter\\S* \\(count_letter\\S*, with solution/solve\\.sh\\)$`),
      );
    }
    expect(lines.slice(4)).toEqual([
      `exported 4 tasks to ${out}, 4 with a reference solution for Harbor's oracle`,
      `check them: hud harbor check ${out}`,
    ]);
    expect(result.stderr).toMatch(/^bundled .*tasks\.ts/m);
    expect((await readdir(out)).sort()).toEqual([
      "count_letter",
      "count_letter-0754cab8",
      "count_letter-2dc7d4b0",
      "count_letter-9add9630",
    ]);
    const toml = await readFile(join(out, "count_letter", "task.toml"), "utf8");
    expect(toml).toContain('name = "hudkit/count_letter"');
    expect(toml).toMatch(/\[agent\]\ntimeout_sec = 300\n/);

    const check = await runHud(["harbor", "check", out]);
    expect(check.code, check.stdout).toBe(0);
    expect(linesOf(check.stdout).filter((line) => line.startsWith("error "))).toEqual([]);

    const again = await runHud(["harbor", "export", TASKS, out]);
    expect(again.code).toBe(2);
    expect(linesOf(again.stderr)).toHaveLength(1);
    expect(again.stderr).toMatch(
      /^hud: .*already exist.* not empty: remove them or export to another folder/,
    );
  }, 300_000);

  it("says a bad --answer-file or a .jsonl without --env-file in one line, exit 2", async () => {
    const relativeAnswer = await runHud([
      "harbor",
      "export",
      TASKS,
      join(scratch, "x"),
      "--answer-file",
      "answer.txt",
    ]);
    expect(relativeAnswer.code).toBe(2);
    expect(relativeAnswer.stderr).toBe(
      'hud: --answer-file must be an absolute path inside the task\'s container, such as /workspace/answer.txt (got "answer.txt")\n',
    );
    const rows = await runHud([
      "harbor",
      "export",
      "apps/cli/src/fixtures/tasks.jsonl",
      join(scratch, "rows"),
    ]);
    expect(rows.code).toBe(2);
    expect(linesOf(rows.stderr)).toHaveLength(1);
    expect(rows.stderr).toMatch(/^hud: .*--env-file/);
  }, 180_000);

  it("teaches with --help: its options and an example", async () => {
    const result = await runHud(["harbor", "export", "--help"]);
    expect(result.code, result.stderr).toBe(0);
    for (const text of ["--env-file <file>", "--dockerfile <file>", "--answer-file <path>", "Examples:"]) {
      expect(result.stdout).toContain(text);
    }
    expect(result.stdout).toContain("$ hud harbor export examples/letter-count/tasks.ts out/letter-count");
  });
});
