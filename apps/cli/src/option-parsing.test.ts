import { describe, expect, it } from "vitest";
import { z } from "zod";
import { commaList, jobId, parseOptions, secondsAsMs, wholeNumber } from "./option-parsing.js";
import { resumeCommandLine } from "./resume-command-line.js";
import { UsageError } from "./usage-error.js";

const Schema = z.object({
  maxConcurrent: wholeNumber(1),
  port: wholeNumber(0, 65_535).optional(),
  rolloutTimeout: secondsAsMs().optional(),
  filter: commaList().optional(),
  resume: jobId().optional(),
  out: z.string().endsWith(".json", { error: "must end in .json" }).optional(),
});

describe("parseOptions", () => {
  it("converts command-line strings", () => {
    expect(
      parseOptions(Schema, {
        maxConcurrent: "8",
        port: "0",
        rolloutTimeout: "1.5",
        filter: "a, b,,c",
        resume: "9b2c_x-1",
      }),
    ).toEqual({
      maxConcurrent: 8,
      port: 0,
      rolloutTimeout: 1_500,
      filter: ["a", "b", "c"],
      resume: "9b2c_x-1",
    });
  });

  it.each([
    [{ maxConcurrent: "0" }, '--max-concurrent must be a whole number, at least 1 (got "0")'],
    [{ maxConcurrent: "2.5" }, '--max-concurrent must be a whole number, at least 1 (got "2.5")'],
    [{ maxConcurrent: "1", port: "65536" }, '--port must be a whole number, from 0 to 65535 (got "65536")'],
    [
      { maxConcurrent: "1", rolloutTimeout: "0" },
      '--rollout-timeout must be a number of seconds greater than 0 (got "0")',
    ],
    [
      { maxConcurrent: "1", filter: " , " },
      '--filter needs at least one value, separated by commas (got " , ")',
    ],
    [
      { maxConcurrent: "1", resume: "../etc" },
      '--resume is not a job id (see `hud jobs list`) (got "../etc")',
    ],
  ])("%j is a usage error naming the flag", (raw, message) => {
    expect(() => parseOptions(Schema, raw)).toThrow(new UsageError(message));
  });

  it("names positional arguments as <name>", () => {
    expect(() => parseOptions(Schema, { maxConcurrent: "1", out: "x.csv" }, ["out"])).toThrow(
      '<out> must end in .json (got "x.csv")',
    );
  });
});

describe("resumeCommandLine", () => {
  it("repeats the arguments with --resume <id>, replacing an earlier one, quoting for the shell", () => {
    expect(resumeCommandLine(["eval", "tasks.ts", "--agent", "my agent.ts", "--group", "3"], "ab12")).toBe(
      "hud eval tasks.ts --agent 'my agent.ts' --group 3 --resume ab12",
    );
    expect(resumeCommandLine(["eval", "t.ts", "--resume", "old", "--resume=older", "--json"], "new")).toBe(
      "hud eval t.ts --json --resume new",
    );
    expect(resumeCommandLine(["eval", "it's.ts"], "x")).toBe("hud eval 'it'\\''s.ts' --resume x");
  });
});
