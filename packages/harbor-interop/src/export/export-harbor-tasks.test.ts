import { type ChildProcess, execFile, spawn } from "node:child_process";
import { mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { promisify } from "node:util";
import { HudkitError } from "@hudkit/core";
import { parse } from "smol-toml";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadHarborPath } from "../harbor-loader.js";
import { exportHarborTasks } from "./export-harbor-tasks.js";

const run = promisify(execFile);
const EXAMPLE = resolve(import.meta.dirname, "../../../../examples/letter-count");
const TASKS = join(EXAMPLE, "tasks.ts");
/** The example's four tasks, as `hud tasks list` shows them. */
const EXPECTED = [
  { word: "strawberry", letter: "r", answer: "3", args: {} },
  { word: "banana", letter: "a", answer: "3", args: { word: "banana", letter: "a" } },
  { word: "raspberry", letter: "r", answer: "3", args: { word: "raspberry" } },
  { word: "mississippi", letter: "s", answer: "4", args: { word: "mississippi", letter: "s" } },
];

let scratch: string;
let outDir: string;
let written: Awaited<ReturnType<typeof exportHarborTasks>>["written"];
const logs: string[] = [];

beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), "hudkit-harbor-export-"));
  outDir = join(scratch, "out");
  ({ written } = await exportHarborTasks({ source: TASKS, outDir, onLog: (line) => logs.push(line) }));
}, 120_000);
afterAll(() => rm(scratch, { recursive: true, force: true }));

describe("exportHarborTasks on examples/letter-count", () => {
  it("writes one folder per task, named after its slug, each with a solution", async () => {
    expect(written).toHaveLength(EXPECTED.length);
    expect((await readdir(outDir)).sort()).toEqual(written.map((task) => task.slug).sort());
    for (const task of written) {
      expect(task.dir).toBe(join(outDir, task.slug));
      expect(task.solution).toBe(true);
    }
    expect(logs.some((line) => line.startsWith("bundled "))).toBe(true);
  });

  it("writes every file, scripts executable", async () => {
    const dir = written[0]!.dir;
    const files = [
      "task.toml",
      "instruction.md",
      "environment/Dockerfile",
      "environment/hudkit/env.mjs",
      "environment/hudkit/task.mjs",
      "environment/hudkit/entrypoint.sh",
      "tests/test.sh",
      "solution/solve.sh",
    ];
    for (const file of files) expect((await stat(join(dir, file))).isFile()).toBe(true);
    for (const script of ["environment/hudkit/entrypoint.sh", "tests/test.sh", "solution/solve.sh"]) {
      expect((await stat(join(dir, script))).mode & 0o111).not.toBe(0);
    }
  });

  it("writes task.toml: schema 1.4, [task].name, the hudkit task in [metadata], explicit timeouts", async () => {
    for (const [index, task] of written.entries()) {
      const toml = parse(await readFile(join(task.dir, "task.toml"), "utf8"));
      expect(toml).toEqual({
        schema_version: "1.4",
        task: { name: `hudkit/${task.slug}` },
        metadata: {
          hudkit_env: "letter-count",
          hudkit_task: "count_letter",
          hudkit_args: JSON.stringify(EXPECTED[index]!.args),
          hudkit_slug: task.slug,
        },
        agent: { timeout_sec: 600 },
        verifier: { timeout_sec: 600 },
        environment: { build_timeout_sec: 600 },
      });
    }
  });

  it("loads back through loadHarborPath with no failure", async () => {
    const loaded = await loadHarborPath(outDir);
    expect(loaded.failures).toEqual([]);
    expect(loaded.kind).toBe("dataset");
    expect(loaded.tasks.map((task) => task.name).sort()).toEqual(
      written.map((task) => `hudkit/${task.slug}`).sort(),
    );
    for (const task of loaded.tasks) {
      expect(task.recipe).toBe("dockerfile");
      expect(task.paths.solveScript).toBeDefined();
    }
    // Only the free-form [metadata] keys are worth a warning.
    expect(new Set(loaded.warnings.map((warning) => warning.code))).toEqual(
      new Set(["unknown-metadata-key"]),
    );
  });

  it("writes the prompt and where to put the answer into instruction.md", async () => {
    const { word, letter } = EXPECTED[1]!;
    expect(await readFile(join(written[1]!.dir, "instruction.md"), "utf8")).toBe(
      `How many '${letter}'s are in '${word}'? Reply with just the number.\n\n---\nWhen you have finished, write your final answer to \`/workspace/answer.txt\`.\n`,
    );
  });

  it("writes a Dockerfile on the example's base image, with no BuildKit-only syntax", async () => {
    const dockerfile = await readFile(join(written[0]!.dir, "environment/Dockerfile"), "utf8");
    expect(dockerfile).toContain("\nFROM node:24-bookworm-slim\n");
    expect(dockerfile).toContain('ENTRYPOINT ["/hudkit/entrypoint.sh"]');
    expect(dockerfile).toContain('CMD ["sh","-c","sleep infinity"]');
    expect(dockerfile).not.toMatch(/--chmod|<<|--mount/);
  });

  it("writes each task's reference answer into solve.sh", async () => {
    for (const [index, task] of written.entries()) {
      const answerFile = join(scratch, `answer-${index}.txt`);
      const script = (await readFile(join(task.dir, "solution/solve.sh"), "utf8")).replaceAll(
        "/workspace/answer.txt",
        answerFile,
      );
      const scriptFile = join(scratch, `solve-${index}.sh`);
      await writeFile(scriptFile, script);
      await run("bash", [scriptFile]);
      expect(await readFile(answerFile, "utf8")).toBe(EXPECTED[index]!.answer);
    }
  });

  it("ships an env bundle and a driver that start and grade the task with plain node", async () => {
    const hudkit = join(written[3]!.dir, "environment/hudkit");
    const env = spawn(
      process.execPath,
      [join(hudkit, "env.mjs"), "--port", "0", "--task-env", "letter-count"],
      {
        stdio: ["ignore", "pipe", "inherit"],
      },
    );
    try {
      const url = `tcp://127.0.0.1:${await servedPort(env)}`;
      const driver = join(hudkit, "task.mjs");
      const args = JSON.stringify(EXPECTED[3]!.args);
      await run(process.execPath, [driver, "start", "--task", "count_letter", "--args", args, "--url", url]);
      const answerFile = join(scratch, "driver-answer.txt");
      await writeFile(answerFile, "4\n");
      const graded = await run(process.execPath, [
        driver,
        "grade",
        "--answer-file",
        answerFile,
        "--url",
        url,
      ]);
      expect(graded.stdout).toBe("1\n");
    } finally {
      env.kill("SIGTERM");
    }
  });

  it("writes no value of the process environment", async () => {
    const secret = process.env.PATH!;
    for (const task of written) {
      for (const file of ["task.toml", "instruction.md", "environment/Dockerfile", "tests/test.sh"]) {
        expect(await readFile(join(task.dir, file), "utf8")).not.toContain(secret);
      }
    }
  });
});

describe("exportHarborTasks refuses", () => {
  it("a non-empty folder in the way, before writing anything", async () => {
    const target = join(scratch, "clash");
    await mkdir(join(target, written[2]!.slug), { recursive: true });
    await writeFile(join(target, written[2]!.slug, "keep.txt"), "mine");
    const error = await exportHarborTasks({ source: TASKS, outDir: target }).catch((e: unknown) => e);
    expect(HudkitError.isInstance(error) && error.code).toBe("harbor-export-folder-exists");
    expect((error as Error).message).toContain(`${written[2]!.slug} already exists and is not empty`);
    expect(await readdir(target)).toEqual([written[2]!.slug]);
  });

  it("a .jsonl taskset without envFile, and exports it with one", async () => {
    const rows = join(scratch, "rows.jsonl");
    await writeFile(
      rows,
      `${JSON.stringify({ env: "letter-count", id: "count_letter", args: { word: "kiwi", letter: "i" } })}\n`,
    );
    const error = await exportHarborTasks({ source: rows, outDir: join(scratch, "rows-out") }).catch(
      (e: unknown) => e,
    );
    expect(HudkitError.isInstance(error) && error.code).toBe("harbor-export-no-env");
    expect((error as Error).message).toContain("--env-file");

    const { written: rowsWritten } = await exportHarborTasks({
      source: rows,
      outDir: join(scratch, "rows-out"),
      envFile: join(EXAMPLE, "env.ts"),
      answerFile: "/tmp/out/answer",
    });
    expect(rowsWritten).toHaveLength(1);
    const dir = rowsWritten[0]!.dir;
    expect(await readFile(join(dir, "instruction.md"), "utf8")).toMatch(/'kiwi'[\s\S]*`\/tmp\/out\/answer`/);
    expect(await readFile(join(dir, "solution/solve.sh"), "utf8")).toContain(
      "printf '%s' '2' > '/tmp/out/answer'",
    );
  }, 60_000);

  it("an answer file that is not a plain absolute path", async () => {
    await expect(
      exportHarborTasks({ source: TASKS, outDir: scratch, answerFile: "answer.txt" }),
    ).rejects.toThrow(/answerFile must be an absolute path/);
  });
});

/** The port a served env announces on stdout. */
function servedPort(child: ChildProcess): Promise<number> {
  return new Promise((resolvePort, reject) => {
    let output = "";
    child.stdout!.on("data", (chunk: Buffer) => {
      output += chunk.toString();
      const match = /HUD_SERVE_PORT=(\d+)/.exec(output);
      if (match) resolvePort(Number(match[1]));
    });
    child.once("exit", (code) => reject(new Error(`the env exited (${code}) before serving: ${output}`)));
  });
}
