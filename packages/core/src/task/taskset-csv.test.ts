import { describe, expect, it } from "vitest";
import { HudkitError } from "../errors/hudkit-error.js";
import { createTask, parseTask, type Task } from "./task.js";
import { parseTasksetCsv, tasksetToCsv } from "./taskset-csv.js";

function readBack(text: string): Task[] {
  return parseTasksetCsv(text, "t.csv").map(({ row }) => parseTask(row));
}

function csvError(run: () => unknown): HudkitError {
  try {
    run();
  } catch (error) {
    if (HudkitError.isInstance(error)) return error;
    throw error;
  }
  throw new Error("expected a HudkitError");
}

describe("tasksetToCsv", () => {
  it("writes the reference's columns: slug,id,env, then the sorted union of arg keys", () => {
    const tasks = [
      createTask({ env: "e", id: "add", args: { b: 2, a: "x" } }),
      createTask({ env: "e", id: "plain" }),
      createTask({ env: "e", id: "obj", args: { c: { k: [1, "two"] }, a: true }, slug: "my,slug" }),
    ];
    expect(tasksetToCsv(tasks)).toBe(
      [
        "slug,id,env,arg:a,arg:b,arg:c",
        `${tasks[0]!.slug},add,e,x,2,`,
        "plain,plain,e,,,",
        '"my,slug",obj,e,true,,"{""k"":[1,""two""]}"',
        "",
      ].join("\r\n"),
    );
  });

  it("quotes cells with commas, quotes and line breaks (RFC 4180)", () => {
    const task = createTask({ env: "e", id: "q", args: { s: 'say "hi",\nthen go' }, slug: "q" });
    expect(tasksetToCsv([task])).toBe('slug,id,env,arg:s\r\nq,q,e,"say ""hi"",\nthen go"\r\n');
  });

  it("writes a string as JSON only when it would otherwise read back as something else", () => {
    const args = {
      empty: "",
      number: "42",
      yes: "true",
      nil: "null",
      json: '{"a":1}',
      spaced: " 7",
      word: "7up",
    };
    const line = tasksetToCsv([createTask({ env: "e", id: "s", args, slug: "s" })]).split("\r\n")[1];
    // Keys sorted: empty, json, nil, number, spaced, word, yes.
    const cells = [
      '""""""',
      '"""{\\""a\\"":1}"""',
      '"""null"""',
      '"""42"""',
      '""" 7"""',
      "7up",
      '"""true"""',
    ];
    expect(line).toBe(["s", "s", "e", ...cells].join(","));
  });

  it("has only the header for no tasks", () => {
    expect(tasksetToCsv([])).toBe("slug,id,env\r\n");
  });
});

describe("CSV round trip", () => {
  const tasks: Task[] = [
    createTask({ env: "letters", id: "count", args: { word: "strawberry", letter: "r" } }),
    createTask({ env: "math", id: "add", args: { a: 2, b: -3.5, big: 1e21, tiny: 1e-7 } }),
    createTask({ env: "flags", id: "toggle", args: { on: true, off: false, nothing: null } }),
    createTask({ env: "nested", id: "deep", args: { obj: { b: [1, { c: "d" }], a: {} }, list: ["x", 2] } }),
    createTask({
      env: "strings",
      id: "tricky",
      args: {
        empty: "",
        digits: "0042",
        number: "42",
        boolean: "false",
        json: '["not", "a list"]',
        quoted: '"already quoted"',
        comma: "a, b",
        lines: "one\r\ntwo\nthree",
        unicode: "caf\u00e9 \u{1f600}",
        spaces: "  padded  ",
        ["__proto__"]: "plain key",
      },
      slug: "explicit, with a comma",
    }),
    createTask({ env: "e", id: "no-args" }),
    createTask({
      env: "e",
      id: "extras",
      args: { k: 1 },
      validation: [{ source: "sync" }],
      agent_config: { max_steps: 5, timeout_seconds: null },
      columns: { difficulty: "hard" },
      runtime_config: { image: "img" },
      verifier: { env: "grader", id: "check", args: { strict: true } },
    }),
  ];

  it("is lossless for string, number, boolean, null, object and array args, and every other field", () => {
    const again = readBack(tasksetToCsv(tasks));
    expect(again).toStrictEqual(tasks);
    expect(Object.keys(again[4]!.args)).toContain("__proto__");
  });

  it("keeps the reference's exact columns when no task sets the other fields", () => {
    const header = tasksetToCsv(tasks.slice(0, 2)).split("\r\n")[0];
    expect(header).toBe("slug,id,env,arg:a,arg:b,arg:big,arg:letter,arg:tiny,arg:word");
    expect(tasksetToCsv(tasks).split("\r\n")[0]).toMatch(
      /,validation,agent_config,columns,runtime_config,verifier$/,
    );
  });
});

describe("parseTasksetCsv", () => {
  it("reads hand-written CSV: LF endings, a BOM, blank lines, quoted line breaks, empty cells", () => {
    const text =
      '\ufeffslug,id,env,arg:n,arg:s,arg:l\n,add,e,1,hello,"[1,2]"\n\n"",x,e,,"two\nlines",\nkeep,y,e,abc,,\n';
    expect(parseTasksetCsv(text, "t.csv")).toEqual([
      { line: 2, row: { id: "add", env: "e", args: { n: 1, s: "hello", l: [1, 2] } } },
      { line: 4, row: { id: "x", env: "e", args: { s: "two\nlines" } } },
      { line: 6, row: { slug: "keep", id: "y", env: "e", args: { n: "abc" } } },
    ]);
  });

  it("fills the default slug when the slug cell is empty", () => {
    const [task] = readBack("slug,id,env,arg:expected\r\n,verify,e,3\r\n");
    expect(task!.slug).toBe("verify-5579a3e5");
  });

  it("returns nothing for an empty file", () => {
    expect(parseTasksetCsv("", "t.csv")).toEqual([]);
    expect(parseTasksetCsv("slug,id,env\r\n", "t.csv")).toEqual([]);
  });

  it.each([
    ['slug,id,env\r\n"open,x,e\r\n', "t.csv line 2: a quoted cell never ends"],
    ['slug,id,env\r\n"a"b,x,e\r\n', "t.csv line 2: text after a closing quote"],
    ['slug,id,env\r\na"b,x,e\r\n', "t.csv line 2: a quote inside an unquoted cell"],
    ["slug,id,env\r\na,x\r\n", "t.csv line 2: 2 cells where the header has 3"],
    ['slug,id,env\r\n"multi\nline",x,e\r\na,x\r\n', "t.csv line 4: 2 cells where the header has 3"],
    ["slug,id,env,notes\r\n", 't.csv line 1: unknown column "notes"; columns are slug, id, env, arg:<name>'],
    ["slug,id,env,arg:a,arg:a\r\n", 't.csv line 1: column "arg:a" appears twice'],
    ["slug,id,env,columns\r\na,b,c,{oops\r\n", "t.csv line 2: the columns cell is not JSON: {oops"],
  ])("names the line of a malformed file: %j", (text, message) => {
    const error = csvError(() => parseTasksetCsv(text, "t.csv"));
    expect(error.code).toBe("invalid-csv");
    expect(error.message.startsWith(message)).toBe(true);
  });
});
