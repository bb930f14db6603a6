import { execFileSync } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { entrypointScript, solveScript, testScript } from "./container-scripts.js";

const scratch = await mkdtemp(join(tmpdir(), "hudkit-scripts-"));
afterAll(() => rm(scratch, { recursive: true, force: true }));

async function syntaxCheck(shell: string, text: string): Promise<void> {
  const file = join(scratch, `${shell}-${Math.random().toString(36).slice(2)}.sh`);
  await writeFile(file, text);
  execFileSync(shell, ["-n", file]);
}

describe("container scripts", () => {
  const args = { word: 'it\'s "quoted"', letter: "$" };

  it("parse: the entrypoint with sh, test.sh and solve.sh with bash", async () => {
    await syntaxCheck("sh", entrypointScript({ envName: "env's", taskId: "count_letter", args }));
    await syntaxCheck("bash", testScript("/workspace/answer.txt"));
    await syntaxCheck("bash", solveScript("3", "/workspace/answer.txt"));
  });

  it("start the task with its args as one JSON word", () => {
    const text = entrypointScript({ envName: "letter-count", taskId: "count_letter", args });
    const line = text.split("\n").find((l) => l.includes("task.mjs start"))!;
    const quotedArgs = line.slice(line.indexOf("--args ") + "--args ".length, line.lastIndexOf("; then"));
    const echoed = execFileSync("sh", ["-c", `printf '%s' ${quotedArgs}`], { encoding: "utf8" });
    expect(JSON.parse(echoed)).toEqual(args);
    expect(text).toContain("--task-env 'letter-count'");
    expect(text.trimEnd().endsWith('exec "$@"')).toBe(true);
  });

  it("solve.sh writes the answer byte for byte, quotes and newlines included", async () => {
    const answerFile = join(scratch, "deep", "answer.txt");
    const answer = "it's $HOME\n`two`\n";
    const script = join(scratch, "solve.sh");
    await writeFile(script, solveScript(answer, answerFile));
    execFileSync("bash", [script]);
    expect(await readFile(answerFile, "utf8")).toBe(answer);
  });

  it("test.sh starts with a bash shebang and leaves no reward file on failure", () => {
    const text = testScript("/workspace/answer.txt");
    expect(text.startsWith("#!/bin/bash\n")).toBe(true);
    expect(text).toContain("> /logs/verifier/reward.txt");
    expect(text).toMatch(/rm -f \/logs\/verifier\/reward\.txt\n[\s\S]*exit 1/);
  });
});
