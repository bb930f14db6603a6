import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { createTask, type Task } from "./task.js";
import { Taskset } from "./taskset.js";
import type { TasksetSourceLoader } from "./taskset-source-loader.js";

/** tsx compiles a share of core on the first TypeScript import, which a busy machine makes slow. */
const TS_IMPORT_TIMEOUT_MS = 60_000;

const tempDir = () => mkdtempSync(join(tmpdir(), "hudkit-taskset-"));

function write(dir: string, name: string, text: string): string {
  const file = join(dir, name);
  writeFileSync(file, text);
  return file;
}

const slugs = (taskset: Taskset) => taskset.tasks.map((task) => task.slug);

describe("Taskset.fromFile: JSON and JSONL", () => {
  it("reads a .json list, named after the file stem", async () => {
    const file = write(
      tempDir(),
      "math.json",
      JSON.stringify([
        { env: "e", id: "a" },
        { env: "e", id: "b" },
      ]),
    );
    const taskset = await Taskset.fromFile(file);
    expect(taskset.name).toBe("math");
    expect(slugs(taskset)).toEqual(["a", "b"]);
  });

  it("reads a .json object as one row, and the reference's full model_dump", async () => {
    const row = { env: "e", id: "t", args: { x: 1 }, slug: "s", validation: null, verifier: null };
    const taskset = await Taskset.fromFile(write(tempDir(), "one.json", JSON.stringify(row)));
    expect(taskset.tasks).toStrictEqual([{ env: "e", id: "t", args: { x: 1 }, slug: "s" }]);
  });

  it("refuses JSON that holds no rows, and text that is not JSON", async () => {
    const dir = tempDir();
    await expect(Taskset.fromFile(write(dir, "n.json", "3"))).rejects.toMatchObject({
      code: "invalid-taskset",
      message: expect.stringMatching(
        /n\.json holds a JSON number; expected a task object or a list of them$/,
      ),
    });
    await expect(Taskset.fromFile(write(dir, "bad.json", "[{"))).rejects.toMatchObject({
      code: "invalid-json",
      message: expect.stringMatching(/bad\.json is not valid JSON: /),
    });
  });

  it("names the row and the key path of an invalid .json row", async () => {
    const file = write(
      tempDir(),
      "rows.json",
      JSON.stringify([
        { env: "e", id: "a" },
        { env: "e", id: "b", args: [] },
      ]),
    );
    await expect(Taskset.fromFile(file)).rejects.toMatchObject({
      code: "invalid-task",
      message: `${file} row 2: invalid task: args: expected an object, received array`,
    });
  });

  it("reads .jsonl, skipping blank lines, with CRLF or LF endings and a BOM", async () => {
    const text = '\ufeff{"env":"e","id":"a"}\r\n\r\n   \n{"env":"e","id":"b","args":{"n":1}}\n';
    const taskset = await Taskset.fromFile(write(tempDir(), "rows.jsonl", text));
    expect(taskset.name).toBe("rows");
    expect(taskset.tasks).toStrictEqual([
      { env: "e", id: "a", args: {}, slug: "a" },
      { env: "e", id: "b", args: { n: 1 }, slug: "b-bae34777" },
    ]);
  });

  it("names the line of a .jsonl row that is not JSON or not a valid task", async () => {
    const dir = tempDir();
    const notJson = write(dir, "a.jsonl", '{"env":"e","id":"a"}\n\n{"env":\n');
    await expect(Taskset.fromFile(notJson)).rejects.toMatchObject({
      code: "invalid-json",
      message: expect.stringContaining(`${notJson} line 3 is not valid JSON: `),
    });
    const invalid = write(dir, "b.jsonl", '{"env":"e","id":"a"}\n{"env":"e","id":"b","agrs":{}}\n');
    await expect(Taskset.fromFile(invalid)).rejects.toMatchObject({
      code: "invalid-task",
      message: `${invalid} line 2: invalid task: unknown key "agrs" (allowed: env, id, args, slug, validation, agent_config, columns, runtime_config, verifier)`,
    });
    const notObject = write(dir, "c.jsonl", '"row"\n');
    await expect(Taskset.fromFile(notObject)).rejects.toThrow(
      `${notObject} line 1: invalid task: Invalid input: expected object, received string`,
    );
  });

  it("refuses a missing path and an unknown suffix, saying what to use", async () => {
    await expect(Taskset.fromFile("no/such/tasks.json")).rejects.toMatchObject({
      code: "taskset-not-found",
      message: "no taskset at no/such/tasks.json: check the path",
    });
    const yaml = write(tempDir(), "tasks.yaml", "- env: e\n");
    await expect(Taskset.fromFile(yaml)).rejects.toMatchObject({
      code: "unsupported-taskset-source",
      message: `cannot load a taskset from ${yaml}: use .json, .jsonl, .csv, a .ts/.mts/.js/.mjs module or a directory of modules`,
    });
  });

  it("refuses duplicate slugs across a file", async () => {
    const file = write(tempDir(), "dup.jsonl", '{"env":"e","id":"a"}\n{"env":"e","id":"a"}\n');
    await expect(Taskset.fromFile(file)).rejects.toMatchObject({
      code: "duplicate-slugs",
      message: "duplicate task slugs: a",
    });
  });
});

describe("Taskset.fromFile: modules", () => {
  const marker = 'Symbol.for("hudkit.taskset")';

  it("collects exported tasks, tasksets' tasks and tasks in arrays, in namespace order, once each", async () => {
    const file = write(
      tempDir(),
      "tasks.mjs",
      [
        'const shared = { env: "e", id: "shared", args: {}, slug: "shared" };',
        'export const single = { env: "e", id: "single", args: { n: 1 }, slug: "single-custom" };',
        'export const list = [shared, { env: "e", id: "listed" }, "not a task", 3, null];',
        `export const set = { [${marker}]: true, name: "s", tasks: [{ env: "e", id: "from-set" }, shared] };`,
        'export const _private = { env: "e", id: "private" };',
        'export const _hidden = [{ env: "e", id: "hidden" }];',
        "export const again = shared;",
        "export function factory() { return { env: 'e', id: 'minted' }; }",
        'export const config = { name: "not a task" };',
        "export class Thing { env = 'e'; id = 'instance'; }",
        "export const instance = new Thing();",
        'export default [{ env: "e", id: "default-export" }];',
      ].join("\n"),
    );
    const taskset = await Taskset.fromFile(file);
    expect(taskset.name).toBe("tasks");
    // A module namespace lists its exports sorted by name: again, config, default, ..., list, set, single.
    expect(slugs(taskset)).toEqual(["shared", "default-export", "listed", "from-set", "single-custom"]);
  });

  it("names the export of an invalid task", async () => {
    const file = write(
      tempDir(),
      "bad.mjs",
      'export const tasks = [{ env: "e", id: "a" }, { env: "", id: "b" }];\n',
    );
    await expect(Taskset.fromFile(file)).rejects.toMatchObject({
      code: "invalid-task",
      message: `${file} export tasks[1]: invalid task: env: Too small: expected string to have >=1 characters`,
    });
  });

  it(
    "reads a TypeScript module whose tasks, Taskset and Environment come from another copy of core",
    async () => {
      // Loaded through tsx, the module gets its own copy of the core sources: only shapes and
      // Symbol.for markers can match. (Only the modules it needs, to keep the import quick.)
      const source = (path: string) => JSON.stringify(fileURLToPath(new URL(path, import.meta.url)));
      const file = write(
        tempDir(),
        "letters.ts",
        [
          `import { Environment } from ${source("../environment/environment.ts")};`,
          `import { Taskset } from ${source("./taskset.ts")};`,
          'export const env = new Environment({ name: "letters", version: "1.0.0" });',
          'export const count = env.template({ id: "count" }, async function* () { yield "?"; yield 1; });',
          'export const spell = env.template({ id: "spell" }, async function* () { yield "?"; yield 1; });',
          "export const tasks = [count(), { ...spell(), args: { word: 'kiwi' }, slug: 'spell-kiwi' }];",
          'export const more = new Taskset("more", [spell()]);',
        ].join("\n"),
      );
      const taskset = await Taskset.fromFile(file);
      expect(taskset.name).toBe("letters");
      expect(taskset.tasks).toStrictEqual([
        createTask({ env: "letters", id: "spell" }),
        createTask({ env: "letters", id: "count" }),
        createTask({ env: "letters", id: "spell", args: { word: "kiwi" }, slug: "spell-kiwi" }),
      ]);
    },
    TS_IMPORT_TIMEOUT_MS,
  );

  it("scans a directory's modules, top level and sorted, skipping tests, specs, .d.ts and configs", async () => {
    const dir = join(tempDir(), "suite");
    mkdirSync(join(dir, "nested"), { recursive: true });
    write(dir, "b.mjs", 'export { first } from "./a.mjs";\nexport const second = { env: "e", id: "b" };\n');
    write(dir, "a.mjs", 'export const first = { env: "e", id: "a" };\n');
    write(dir, "c.mts", 'export const third: { env: string; id: string } = { env: "e", id: "c" };\n');
    for (const skipped of ["a.test.mjs", "a.spec.ts", "types.d.ts", "vitest.config.mjs"]) {
      write(dir, skipped, "throw new Error('must not be imported');\n");
    }
    write(dir, "notes.txt", "not a module");
    write(join(dir, "nested"), "deep.mjs", 'export const deep = { env: "e", id: "deep" };\n');
    const taskset = await Taskset.fromFile(dir);
    expect(taskset.name).toBe("suite");
    expect(slugs(taskset)).toEqual(["a", "b", "c"]);
  });

  it("reports a module that fails to import with its file name", async () => {
    const file = write(tempDir(), "broken.mjs", "throw new Error('kaput');\n");
    await expect(Taskset.fromFile(file)).rejects.toMatchObject({
      code: "env-import-failed",
      message: expect.stringMatching(/cannot import .*broken\.mjs: kaput/),
    });
  });
});

describe("Taskset#toFile", () => {
  const tasks: Task[] = [
    createTask({ env: "e", id: "solve", args: { a: 1, b: 2 } }),
    createTask({ env: "e", id: "plain" }),
    createTask({
      env: "e",
      id: "full",
      args: { word: "caf\u00e9" },
      slug: "full",
      agent_config: { max_steps: 3, timeout_seconds: null },
      verifier: { env: "g", id: "check" },
    }),
  ];
  const taskset = new Taskset("out", tasks);

  it("writes .json as a 2-space indented list with a trailing newline, creating parent dirs", async () => {
    const path = join(tempDir(), "a", "b", "tasks.json");
    expect(await taskset.toFile(path)).toBe(path);
    expect(readFileSync(path, "utf8")).toBe(`${JSON.stringify(tasks, null, 2)}\n`);
  });

  it("writes .jsonl as one compact row a line, and nothing for no rows", async () => {
    const dir = tempDir();
    const path = await taskset.toFile(join(dir, "tasks.JSONL"));
    expect(readFileSync(path, "utf8")).toBe(
      '{"env":"e","id":"solve","args":{"a":1,"b":2},"slug":"solve-1744f53e"}\n' +
        '{"env":"e","id":"plain","args":{},"slug":"plain"}\n' +
        '{"env":"e","id":"full","args":{"word":"café"},"slug":"full","agent_config":{"max_steps":3,"timeout_seconds":null},' +
        '"verifier":{"env":"g","id":"check","args":{},"slug":"check"}}\n',
    );
    const empty = await new Taskset().toFile(join(dir, "empty.jsonl"));
    expect(readFileSync(empty, "utf8")).toBe("");
  });

  it("leaves out unset optional fields even when a hand-built task holds undefined or null", async () => {
    const loose = { env: "e", id: "x", slug: "x", args: {}, validation: undefined, columns: null };
    const path = await new Taskset("l", [loose as unknown as Task]).toFile(join(tempDir(), "l.jsonl"));
    expect(readFileSync(path, "utf8")).toBe('{"env":"e","id":"x","args":{},"slug":"x"}\n');
  });

  it.each(["json", "jsonl", "csv"])("round-trips through .%s", async (suffix) => {
    const path = await taskset.toFile(join(tempDir(), `round.${suffix}`));
    const again = await Taskset.fromFile(path);
    expect(again.name).toBe("round");
    expect(again.tasks).toStrictEqual(tasks);
  });

  it("refuses other suffixes, saying which to use", async () => {
    await expect(taskset.toFile(join(tempDir(), "tasks.yaml"))).rejects.toMatchObject({
      code: "unsupported-taskset-format",
      message: expect.stringMatching(
        /^cannot write a taskset to .*tasks\.yaml: use a \.json or \.jsonl file \(or \.csv\)$/,
      ),
    });
  });
});

describe("Taskset.fromFile: source loaders for other formats", () => {
  const markerLoader = (rows: unknown[], warnings: string[] = []): TasksetSourceLoader => ({
    name: "marker",
    claims: async (path) => existsSync(join(path, "marker.txt")),
    load: async () => ({ name: "marked", tasks: rows as Task[], warnings }),
  });

  it("lets the first loader that claims a path load it, with its warnings passed on", async () => {
    const dir = mkdtempSync(join(tmpdir(), "hudkit-loader-"));
    writeFileSync(join(dir, "marker.txt"), "");
    const warnings: string[] = [];
    const row = createTask({ env: "harbor", id: "harbor-task", args: { task_dir: dir }, slug: "org/one" });
    const taskset = await Taskset.fromFile(dir, {
      sources: [markerLoader([row], ["skipped broken: no task.toml"])],
      onWarning: (message) => warnings.push(message),
    });
    expect(taskset.name).toBe("marked");
    expect(taskset.tasks).toEqual([row]);
    expect(warnings).toEqual(["skipped broken: no task.toml"]);
  });

  it("falls through to the built-in formats when no loader claims the path", async () => {
    const file = join(mkdtempSync(join(tmpdir(), "hudkit-loader-")), "tasks.jsonl");
    writeFileSync(file, `${JSON.stringify({ env: "e", id: "t", slug: "s" })}\n`);
    const taskset = await Taskset.fromFile(file, { sources: [markerLoader([])] });
    expect(taskset.tasks.map((task) => task.slug)).toEqual(["s"]);
  });

  it("validates a loader's rows like any other, naming the loader and the row", async () => {
    const dir = mkdtempSync(join(tmpdir(), "hudkit-loader-"));
    writeFileSync(join(dir, "marker.txt"), "");
    await expect(Taskset.fromFile(dir, { sources: [markerLoader([{ env: "", id: "t" }])] })).rejects.toThrow(
      /\(marker\) row 1: .*env/,
    );
  });
});
