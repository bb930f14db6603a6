import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  BUILD_TIMEOUT_MS,
  ensureBuilt,
  type HudProcess,
  linesOf,
  runHud,
  startHud,
  waitForHud,
} from "./test-support/hud-process.js";

const ENV = "examples/letter-count/env.ts";
const BANANA = '{"word":"banana","letter":"a"}';

let server: HudProcess;
let url: string;
let scratch: string;

function announcedPort(stdout: string): number | undefined {
  const match = /^HUD_SERVE_PORT=(\d+)$/m.exec(stdout);
  return match === null ? undefined : Number(match[1]);
}

beforeAll(async () => {
  await ensureBuilt();
  scratch = await mkdtemp(join(tmpdir(), "hud-task-"));
  server = startHud(["serve", ENV, "--port", "0"]);
  const port = await waitForHud(server, "HUD_SERVE_PORT", () => announcedPort(server.stdout()));
  url = `tcp://127.0.0.1:${port}`;
}, BUILD_TIMEOUT_MS);

afterAll(async () => {
  server?.child.kill("SIGTERM");
  await server?.exited;
  await rm(scratch, { recursive: true, force: true });
});

// One server for the file: the tests run in order, and each graded session leaves none parked.
describe("hud task", () => {
  it("lists the env's templates as the tasks.list result with --json", async () => {
    const result = await runHud(["task", "list", "--url", url, "--json"]);
    expect(result.code, result.stderr).toBe(0);
    const list = JSON.parse(result.stdout) as { tasks: { id: string; args: object }[] };
    expect(list.tasks.map((task) => task.id)).toContain("count_letter");
    expect(list.tasks[0]?.args).toMatchObject({ properties: { word: { type: "string" } } });
  }, 60_000);

  it("lists id, description and an args summary as a table", async () => {
    const result = await runHud(["task", "list", "--url", url]);
    expect(result.code, result.stderr).toBe(0);
    const [header, row] = linesOf(result.stdout);
    expect(header).toMatch(/^id\s+description\s+args$/);
    expect(row).toMatch(/^count_letter\s+Count how often a letter occurs in a word\s+word\?: string/);
  }, 60_000);

  it("starts a task in one process and grades the parked session in another", async () => {
    const started = await runHud(["task", "start", "count_letter", "--url", url, "--args", BANANA]);
    expect(started.code, started.stderr).toBe(0);
    expect(started.stdout).toContain("banana");
    expect(linesOf(started.stderr)).toEqual([expect.stringMatching(/^session \S+$/)]);

    const graded = await runHud(["task", "grade", "--url", url, "--answer", "3", "--json"]);
    expect(graded.code, graded.stderr).toBe(0);
    expect(JSON.parse(graded.stdout)).toMatchObject({ reward: 1, raw: { score: 1 } });
  }, 60_000);

  it("grades the session --session names, with the answer from --answer-file", async () => {
    const started = await runHud(["task", "start", "count_letter", "--url", url, "--args", BANANA, "--json"]);
    expect(started.code, started.stderr).toBe(0);
    const frame = JSON.parse(started.stdout) as { session_id: string; prompt: string; bindings: object };
    expect(frame.prompt).toContain("banana");
    expect(frame.bindings).toEqual({});

    const answer = join(scratch, "answer.txt");
    await writeFile(answer, "3\n");
    const graded = await runHud([
      "task",
      "grade",
      "--url",
      url,
      "--answer-file",
      answer,
      "--session",
      frame.session_id,
    ]);
    expect(graded.code, graded.stderr).toBe(0);
    expect(linesOf(graded.stdout)).toEqual(["reward 1"]);
  }, 60_000);

  it.each([
    ["the lone session", [] as string[]],
    ["the session --session names", ["--session"]],
  ])(
    "waits for %s to be parked while the starting connection is still open",
    async (_what, sessionFlag) => {
      const { connect } = await import("@hudkit/core");
      const starter = await connect(url);
      let closed = false;
      try {
        await starter.start("count_letter", { word: "banana", letter: "a" });
        const session = starter.manifest.sessionId;
        const args = sessionFlag.length > 0 ? [...sessionFlag, session] : [];
        const grading = startHud(["task", "grade", "--url", url, "--answer", "3", ...args]);
        // The grade has been refused once, so closing now is what lets it through.
        await waitForHud(grading, "the waiting notice", () =>
          grading.stderr().includes("waiting for the started session to be parked") ? true : undefined,
        );
        await starter.close();
        closed = true;
        const graded = await grading.exited;
        expect(graded.code, graded.stderr).toBe(0);
        expect(linesOf(graded.stdout)).toEqual(["reward 1"]);
      } finally {
        if (!closed) await starter.close();
      }
    },
    60_000,
  );

  it("stops waiting after --ready-timeout when nothing gets parked", async () => {
    // Long enough that the first refused attempt comes back in time to wait at least once, even
    // on a loaded machine (with 0.5 s, one slow round trip used it all up, and nothing waited).
    const graded = await runHud(["task", "grade", "--url", url, "--answer", "3", "--ready-timeout", "3"]);
    expect(graded.code).toBe(2);
    expect(linesOf(graded.stderr)).toEqual([
      "waiting for the started session to be parked (its connection is still open)",
      "hud: the env refused tasks.grade (error -32600): no task in progress",
    ]);
  }, 60_000);

  it("works over ws:// too", async () => {
    const wsUrl = `${url.replace("tcp://", "ws://")}/`;
    const started = await runHud(["task", "start", "count_letter", "--url", wsUrl, "--args", BANANA]);
    expect(started.code, started.stderr).toBe(0);
    expect(started.stdout).toContain("banana");
    const graded = await runHud(["task", "grade", "--url", wsUrl, "--answer", "2", "--json"]);
    expect(graded.code, graded.stderr).toBe(0);
    expect(JSON.parse(graded.stdout)).toMatchObject({ reward: 0 });
  }, 60_000);

  it.each<[string, string[], RegExp]>([
    [
      "--args that is not JSON",
      ["start", "count_letter", "--args", "{word:1}"],
      /^hud: --args is not valid JSON \(.+\): pass a JSON object, for example --args '\{"word":"banana","letter":"a"\}' \(got "\{word:1\}"\)$/,
    ],
    [
      "--args that is not an object",
      ["start", "count_letter", "--args", "[1]"],
      /^hud: --args must be a JSON object of the task's args, for example --args '.+' \(got "\[1\]"\)$/,
    ],
    [
      "neither --answer nor --answer-file",
      ["grade"],
      /^hud: pass the answer with --answer TEXT or --answer-file FILE$/,
    ],
    [
      "both --answer and --answer-file",
      ["grade", "--answer", "3", "--answer-file", "answer.txt"],
      /^hud: pass the answer with --answer TEXT or --answer-file FILE, not both$/,
    ],
    [
      "an unreadable --answer-file",
      ["grade", "--answer-file", "nope/answer.txt"],
      /^hud: cannot read --answer-file nope\/answer\.txt \(ENOENT\): check the path$/,
    ],
    [
      "a --header without =",
      ["list", "--header", "Authorization"],
      /^hud: --header must be K=V, for example --header Authorization='Bearer <token>' \(got \["Authorization"\]\)$/,
    ],
    [
      "an unknown task (the server's message)",
      ["start", "nope"],
      /^hud: the env refused tasks\.start \(error -32602\): unknown task: 'nope'$/,
    ],
    [
      "an unknown --session",
      ["grade", "--answer", "3", "--session", "sess-nope"],
      /^hud: the env refused hello \(error -32600\): unknown session/,
    ],
  ])(
    "%s is one line on stderr, exit 2",
    async (_what, [subcommand, ...args], message) => {
      const result = await runHud(["task", subcommand!, "--url", url, ...args]);
      expect(result.code, result.stderr).toBe(2);
      expect(linesOf(result.stderr)).toEqual([expect.stringMatching(message)]);
      expect(result.stdout).toBe("");
    },
    60_000,
  );

  it("says an unreachable env is not ready after --ready-timeout, exit 2", async () => {
    const result = await runHud(["task", "list", "--url", "tcp://127.0.0.1:1", "--ready-timeout", "1"]);
    expect(result.code, result.stderr).toBe(2);
    expect(linesOf(result.stderr)).toEqual([
      expect.stringMatching(
        /^hud: env at tcp:\/\/127\.0\.0\.1:1 not ready after 1 s: .*: check --url and that the env is serving \(hud serve\), or wait longer with --ready-timeout <seconds>$/,
      ),
    ]);
  }, 60_000);

  it("adds the stack with --verbose", async () => {
    const result = await runHud([
      "task",
      "start",
      "count_letter",
      "--url",
      url,
      "--args",
      "[1]",
      "--verbose",
    ]);
    expect(result.code, result.stderr).toBe(2);
    const lines = linesOf(result.stderr);
    expect(lines[0]).toMatch(/^hud: --args must be a JSON object/);
    expect(lines).toContain("code: usage");
    expect(lines.length).toBeGreaterThan(2);
  }, 60_000);
});
