import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type BoundServer, bind, Environment, z } from "@hudkit/core";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { runTaskDriver } from "./task-driver.js";

function lettersEnv(): Environment {
  const env = new Environment({ name: "letters" });
  env.template(
    { id: "count_letter", args: z.object({ word: z.string(), letter: z.string().default("r") }) },
    async function* ({ word, letter }) {
      const answer = yield `How many '${letter}'s are in '${word}'?`;
      yield String(answer ?? "").trim() === String([...word].filter((c) => c === letter).length) ? 1 : 0;
    },
  );
  env.template({ id: "broken_grader" }, async function* () {
    yield "anything";
    yield { score: 0, isError: true, content: "grader crashed" };
  });
  return env;
}

let server: BoundServer;
let scratch: string;
beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), "hudkit-driver-"));
});
afterAll(() => rm(scratch, { recursive: true, force: true }));
afterEach(async () => {
  await server?.close();
});

/** Runs the driver against the test server, capturing what it writes. */
async function drive(...argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = "";
  let stderr = "";
  const code = await runTaskDriver([...argv, "--url", server.url], {
    stdout: (text) => {
      stdout += text;
    },
    stderr: (text) => {
      stderr += text;
    },
  });
  return { code, stdout, stderr };
}

describe("runTaskDriver", () => {
  it("starts a task in one call and grades the parked session in another, printing only the reward", async () => {
    server = await bind(lettersEnv(), { port: 0 });
    const started = await drive(
      "start",
      "--task",
      "count_letter",
      "--args",
      '{"word":"banana","letter":"a"}',
    );
    expect(started).toMatchObject({ code: 0, stdout: "" });
    expect(started.stderr).toContain("started count_letter");
    const answerFile = join(scratch, "answer.txt");
    await writeFile(answerFile, "3\n");
    expect(await drive("grade", "--answer-file", answerFile)).toMatchObject({ code: 0, stdout: "1\n" });
  });

  it("grades a missing answer file as an empty answer: 0, not a failure", async () => {
    server = await bind(lettersEnv(), { port: 0 });
    await drive("start", "--task", "count_letter", "--args", '{"word":"kiwi"}');
    const graded = await drive("grade", "--answer-file", join(scratch, "never-written.txt"));
    expect(graded).toMatchObject({ code: 0, stdout: "0\n" });
    expect(graded.stderr).toContain("grading an empty answer");
  });

  it("fails with exit 1 and no reward when the env's grader reports an error", async () => {
    server = await bind(lettersEnv(), { port: 0 });
    await drive("start", "--task", "broken_grader");
    const answerFile = join(scratch, "any.txt");
    await writeFile(answerFile, "x");
    const graded = await drive("grade", "--answer-file", answerFile);
    expect(graded).toMatchObject({ code: 1, stdout: "" });
    expect(graded.stderr).toContain("grader reported an error");
  });

  it("fails with exit 1 when nothing was started, or the env refuses the args", async () => {
    server = await bind(lettersEnv(), { port: 0 });
    const answerFile = join(scratch, "none.txt");
    await writeFile(answerFile, "1");
    expect((await drive("grade", "--answer-file", answerFile)).code).toBe(1);
    const refused = await drive("start", "--task", "count_letter", "--args", "{}");
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain("missing a required argument: 'word'");
  });

  it("explains its usage", async () => {
    server = await bind(lettersEnv(), { port: 0 });
    expect((await drive("start", "--args", "[1]")).stderr).toMatch(/usage: .*--task/);
    expect((await drive("start", "--task", "t", "--args", "[1]")).stderr).toMatch(
      /--args must be a JSON object/,
    );
    expect((await drive("grade")).stderr).toMatch(/needs --answer-file|answerFile/);
    expect((await drive("stop")).code).toBe(1);
  });
});
