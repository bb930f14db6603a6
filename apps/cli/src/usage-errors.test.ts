import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BUILD_TIMEOUT_MS, ensureBuilt, linesOf, runHud } from "./test-support/hud-process.js";

const TASKS = "examples/letter-count/tasks.ts";
const AGENT = "examples/letter-count/agent.ts";
let jobsDir: string;

beforeAll(async () => {
  await ensureBuilt();
  jobsDir = await mkdtemp(join(tmpdir(), "hud-errors-"));
}, BUILD_TIMEOUT_MS);
afterAll(() => rm(jobsDir, { recursive: true, force: true }));

/** `hud eval` of letter-count with these options; "JOBS" stands for the temporary jobs dir. */
const evalWith = (...args: string[]) => ["eval", TASKS, "--agent", AGENT, "--jobs-dir", "JOBS", ...args];

describe("a user's mistake is one line on stderr and exit 2", () => {
  it.each<[string, string[], RegExp]>([
    [
      "a missing taskset",
      ["eval", "nope/tasks.ts", "--agent", AGENT],
      /^hud: no taskset at nope\/tasks\.ts: check the path$/,
    ],
    [
      "a module with no tasks",
      ["eval", "apps/cli/src/fixtures/no-tasks.ts", "--agent", AGENT],
      /^hud: no tasks in apps\/cli\/src\/fixtures\/no-tasks\.ts: export tasks/,
    ],
    [
      "an agent without a default export",
      ["eval", TASKS, "--agent", "apps/cli/src/fixtures/named-agent.ts"],
      /^hud: agent module apps\/cli\/src\/fixtures\/named-agent\.ts has no default export: .*`export default async function agent\(run\) \{\.\.\.\}`$/,
    ],
    [
      "a missing agent module",
      ["eval", TASKS, "--agent", "nope/agent.ts"],
      /^hud: no agent module at nope\/agent\.ts: check the --agent path$/,
    ],
    [
      "an unknown runtime plugin",
      evalWith("--runtime", "nosuch:thing"),
      /^hud: no runtime plugin for 'nosuch': install it with `pnpm add @hudkit\/runtime-nosuch`/,
    ],
    [
      "tasks with no env to run on",
      ["eval", "apps/cli/src/fixtures/tasks.jsonl", "--agent", AGENT, "--jobs-dir", "JOBS"],
      /^hud: no env to run the tasks of .* pass --runtime local:<env file>/,
    ],
    [
      "a bad --group",
      evalWith("--group", "0"),
      /^hud: --group must be a whole number, at least 1 \(got "0"\)$/,
    ],
    [
      "a bad --max-concurrent",
      evalWith("--max-concurrent", "many"),
      /^hud: --max-concurrent must be a whole number/,
    ],
    [
      "a bad --rollout-timeout",
      evalWith("--rollout-timeout", "-5"),
      /^hud: --rollout-timeout must be a number of seconds greater than 0 \(got "-5"\)$/,
    ],
    [
      "an unknown --filter slug",
      evalWith("--filter", "count_leter"),
      /^hud: no task with slug "count_leter" .* did you mean "count_letter"/,
    ],
    ["an unknown --resume job", evalWith("--resume", "0123abcd"), /^hud: no job 0123abcd in /],
    ["a malformed --resume id", evalWith("--resume", "../x"), /^hud: --resume is not a job id/],
    ["a missing --agent", ["eval", TASKS], /^error: required option '--agent <module>' not specified/],
    ["an unknown option", evalWith("--bogus"), /^error: unknown option '--bogus'/],
    ["an unknown command", ["evaluate"], /^error: unknown command 'evaluate'/],
  ])(
    "%s",
    async (_, rawArgs, message) => {
      const args = rawArgs.map((arg) => (arg === "JOBS" ? jobsDir : arg));
      const result = await runHud(args);
      expect(result.code, result.stderr).toBe(2);
      expect(linesOf(result.stderr)).toEqual([expect.stringMatching(message)]);
      expect(result.stdout).toBe("");
    },
    60_000,
  );

  it("adds the code and the stack with --verbose", async () => {
    const result = await runHud(["eval", "nope/tasks.ts", "--agent", AGENT, "--verbose"]);
    expect(result.code, result.stderr).toBe(2);
    const lines = linesOf(result.stderr);
    expect(lines[0]).toBe("hud: no taskset at nope/tasks.ts: check the path");
    expect(lines[1]).toBe("code: taskset-not-found");
    expect(lines.slice(2).join("\n")).toMatch(/HudkitError: no taskset[\s\S]*\n\s+at /);
  }, 60_000);

  it("refuses a --group that does not match the resumed job", async () => {
    const evalIn = (...args: string[]) => ["eval", TASKS, "--agent", AGENT, "--jobs-dir", jobsDir, ...args];
    const first = await runHud(evalIn("--filter", "count_letter", "--json"));
    expect(first.code, first.stderr).toBe(0);
    const { id } = JSON.parse(first.stdout) as { id: string };
    const result = await runHud(evalIn("--filter", "count_letter", "--group", "2", "--resume", id));
    expect(result.code, result.stderr).toBe(2);
    expect(linesOf(result.stderr)).toEqual([
      `hud: --group 2 does not match job ${id}, which runs each task 1 time: pass --group 1 or leave it out`,
    ]);
  }, 120_000);
});
