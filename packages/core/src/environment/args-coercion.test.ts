import { describe, expect, it } from "vitest";
import { z } from "zod";
import { HudkitError } from "../errors/hudkit-error.js";
import { BadArgsError, bindStartArgs, laxValidate, validateMintArgs } from "./args-coercion.js";
import { conformanceArgs } from "./conformance-fixture-args.js";

// The oracle: every tasks.start of shared/conformance/cases/coercion_int.jsonl and
// coercion_typed.jsonl, as [request params, reply result], copied verbatim from the recording
// (raw text, so 3.0 and 12345678901234567890 are parsed here exactly as a replayer parses them).
const COERCION_CASES: ReadonlyArray<readonly [string, string]> = [
  // coercion_int
  ['{"id":"echo","args":{"tag":"t","n":"3"}}', '{"prompt":"Say t","args":{"tag":"t","n":3}}'],
  ['{"id":"echo","args":{"tag":"t","n":"abc"}}', '{"prompt":"Say t","args":{"tag":"t","n":"abc"}}'],
  ['{"id":"echo","args":{"tag":"t","n":3.0}}', '{"prompt":"Say t","args":{"tag":"t","n":3}}'],
  ['{"id":"echo","args":{"tag":"t","n":2.5}}', '{"prompt":"Say t","args":{"tag":"t","n":2.5}}'],
  ['{"id":"echo","args":{"tag":"t","n":true}}', '{"prompt":"Say t","args":{"tag":"t","n":1}}'],
  ['{"id":"echo","args":{"tag":"t","n":" 4 "}}', '{"prompt":"Say t","args":{"tag":"t","n":4}}'],
  ['{"id":"echo","args":{"tag":"t","n":"3.0"}}', '{"prompt":"Say t","args":{"tag":"t","n":3}}'],
  ['{"id":"echo","args":{"tag":"t","n":"3.5"}}', '{"prompt":"Say t","args":{"tag":"t","n":"3.5"}}'],
  ['{"id":"echo","args":{"tag":"t","n":"1e3"}}', '{"prompt":"Say t","args":{"tag":"t","n":1000}}'],
  ['{"id":"echo","args":{"tag":"t","n":"1_000"}}', '{"prompt":"Say t","args":{"tag":"t","n":1000}}'],
  ['{"id":"echo","args":{"tag":"t","n":null}}', '{"prompt":"Say t","args":{"tag":"t","n":null}}'],
  ['{"id":"echo","args":{"tag":"t","n":[1]}}', '{"prompt":"Say t","args":{"tag":"t","n":[1]}}'],
  ['{"id":"echo","args":{"tag":"t","n":"-7"}}', '{"prompt":"Say t","args":{"tag":"t","n":-7}}'],
  ['{"id":"echo","args":{"tag":"t","n":"true"}}', '{"prompt":"Say t","args":{"tag":"t","n":1}}'],
  [
    '{"id":"echo","args":{"tag":"t","n":12345678901234567890}}',
    '{"prompt":"Say t","args":{"tag":"t","n":12345678901234567890}}',
  ],
  [
    String.raw`{"id":"echo","args":{"tag":"\u00e9\ud83d\ude00"}}`,
    String.raw`{"prompt":"Say \u00e9\ud83d\ude00","args":{"tag":"\u00e9\ud83d\ude00","n":1}}`,
  ],
  [
    String.raw`{"id":"echo","args":{"tag":"\"quoted\""}}`,
    String.raw`{"prompt":"Say \"quoted\"","args":{"tag":"\"quoted\"","n":1}}`,
  ],
  ['{"id":"math.add","args":{"a":"2","b":"3"}}', '{"prompt":"What is 2 + 3?"}'],
  // coercion_typed
  [
    '{"id":"typed"}',
    '{"prompt":"typed","args":{"mode":"upper","payload":null,"retries":null,"ratio":0.5,"flag":false,"tags":[]}}',
  ],
  [
    '{"id":"typed","args":{"mode":"lower","payload":{"text":"hi"},"retries":"3","ratio":"0.25","flag":"true","tags":["a","b"]}}',
    '{"prompt":"typed","args":{"mode":"lower","payload":{"text":"hi","count":0},"retries":3,"ratio":0.25,"flag":true,"tags":["a","b"]}}',
  ],
  [
    String.raw`{"id":"typed","args":{"mode":"\"upper\"","payload":"{\"text\":\"hello\",\"count\":\"2\"}","retries":null,"ratio":1,"flag":1,"tags":"[\"x\"]"}}`,
    '{"prompt":"typed","args":{"mode":"upper","payload":{"text":"hello","count":2},"retries":null,"ratio":1.0,"flag":true,"tags":["x"]}}',
  ],
  [
    '{"id":"typed","args":{"mode":"UPPER","payload":{"text":5},"retries":"x","ratio":"abc","flag":"yes","tags":"a"}}',
    '{"prompt":"typed","args":{"mode":"UPPER","payload":{"text":5},"retries":"x","ratio":"abc","flag":true,"tags":"a"}}',
  ],
  [
    '{"id":"typed","args":{"payload":{"text":"t","count":1,"extra":1}}}',
    '{"prompt":"typed","args":{"mode":"upper","payload":{"text":"t","count":1},"retries":null,"ratio":0.5,"flag":false,"tags":[]}}',
  ],
  [
    '{"id":"typed","args":{"flag":"2","tags":["a",1],"ratio":true}}',
    '{"prompt":"typed","args":{"mode":"upper","payload":null,"retries":null,"ratio":1.0,"flag":"2","tags":["a",1]}}',
  ],
  [
    '{"id":"typed","args":{"flag":"no","retries":2.0,"mode":"lower "}}',
    '{"prompt":"typed","args":{"mode":"lower ","payload":null,"retries":2,"ratio":0.5,"flag":false,"tags":[]}}',
  ],
  [
    '{"id":"typed","args":{"flag":0,"retries":"null","payload":"not json"}}',
    '{"prompt":"typed","args":{"mode":"upper","payload":"not json","retries":null,"ratio":0.5,"flag":false,"tags":[]}}',
  ],
  [
    '{"id":"typed","args":{"flag":"off","ratio":"1e-3","payload":null}}',
    '{"prompt":"typed","args":{"mode":"upper","payload":null,"retries":null,"ratio":0.001,"flag":false,"tags":[]}}',
  ],
  ['{"id":"opt","args":{"a":"5"}}', '{"prompt":"opt","args":{"a":5,"b":null,"c":1}}'],
  ['{"id":"opt","args":{"a":null,"b":7}}', '{"prompt":"opt","args":{"a":null,"b":7,"c":1}}'],
  ['{"id":"opt","args":{"a":"null","c":"2"}}', '{"prompt":"opt","args":{"a":null,"b":null,"c":2}}'],
  ['{"id":"opt","args":{"a":1,"c":"x"}}', '{"prompt":"opt","args":{"a":1,"b":null,"c":"x"}}'],
  ['{"id":"opt","args":{"a":1,"c":3}}', '{"prompt":"opt","args":{"a":1,"b":null,"c":3}}'],
  [String.raw`{"id":"opt","args":{"a":1,"c":"\"x\""}}`, '{"prompt":"opt","args":{"a":1,"b":null,"c":"x"}}'],
  [
    '{"id":"loose","args":{"a":"1","b":"5","z":"7","extra1":"9","extra2":{"k":[1]}}}',
    '{"prompt":"loose","args":{"a":"1","b":5,"z":"7","extra":{"extra1":"9","extra2":{"k":[1]}}}}',
  ],
  ['{"id":"loose","args":{"a":null}}', '{"prompt":"loose","args":{"a":null,"b":2,"z":null,"extra":{}}}'],
  [
    '{"id":"hinted","args":{"question":"q?","attachment":{"file_id":"f1"},"files":[{"file_id":"f2","path":"/p"}],"rubric":["r1"]}}',
    '{"prompt":"q?","attachment":{"file_id":"f1","path":null},"files":[{"file_id":"f2","path":"/p"}],"rubric":["r1"]}',
  ],
  [
    String.raw`{"id":"hinted","args":{"question":"q?","attachment":"{\"file_id\":\"f3\"}","files":[{"file_id":"f4","bad":1}]}}`,
    '{"prompt":"q?","attachment":{"file_id":"f3","path":null},"files":[{"file_id":"f4","bad":1}],"rubric":[]}',
  ],
  ['{"id":"hinted","args":{"question":7}}', '{"prompt":7,"attachment":null,"files":[],"rubric":[]}'],
];

// shared/conformance/cases/start_bad_args.jsonl, plus the `args: []` line of
// start_args_not_object.jsonl (a falsy non-object counts as {}), as [request params, error message].
const BAD_ARGS_CASES: ReadonlyArray<readonly [string, string]> = [
  ['{"id":"echo","args":{}}', "task 'echo': bad args []: missing a required argument: 'tag'"],
  ['{"id":"echo","args":{"n":2}}', "task 'echo': bad args ['n']: missing a required argument: 'tag'"],
  [
    '{"id":"echo","args":{"tag":"a","x":1}}',
    "task 'echo': bad args ['tag', 'x']: got an unexpected keyword argument 'x'",
  ],
  [
    '{"id":"echo","args":{"tag":"a","y":1,"x":2}}',
    "task 'echo': bad args ['tag', 'x', 'y']: got an unexpected keyword argument 'y'",
  ],
  [
    String.raw`{"id":"echo","args":{"tag":"a","\u00e9":1,"Z":2}}`,
    "task 'echo': bad args ['Z', 'tag', '\u00e9']: got an unexpected keyword argument '\u00e9'",
  ],
  ['{"id":"plain","args":{"x":1}}', "task 'plain': bad args ['x']: got an unexpected keyword argument 'x'"],
  ['{"id":"opt","args":{}}', "task 'opt': bad args []: missing a required argument: 'a'"],
  ['{"id":"hinted","args":{}}', "task 'hinted': bad args []: missing a required argument: 'question'"],
  ['{"id":"loose","args":{}}', "task 'loose': bad args []: missing a required argument: 'a'"],
  ['{"id":"loose","args":{"b":1}}', "task 'loose': bad args ['b']: missing a required argument: 'a'"],
  [
    '{"id":"math.add","args":{"b":1,"c":2}}',
    "task 'math.add': bad args ['b', 'c']: missing a required argument: 'a'",
  ],
  ['{"id":"echo","args":[]}', "task 'echo': bad args []: missing a required argument: 'tag'"],
];

type TemplateId = keyof typeof conformanceArgs;

interface StartParams {
  id: TemplateId;
  args?: unknown;
}

/** What the server hands to bindStartArgs: a falsy or missing `args` is `{}`. */
function startArgsOf(params: StartParams): Record<string, unknown> {
  const { args } = params;
  return typeof args === "object" && args !== null && !Array.isArray(args)
    ? (args as Record<string, unknown>)
    : {};
}

/** The first yield of each conformance template body (shared/conformance/envs.md), from its args. */
function promptFrameOf(id: TemplateId, args: Record<string, unknown>): unknown {
  switch (id) {
    case "echo":
      return { prompt: `Say ${args.tag}`, args: { tag: args.tag, n: args.n } };
    case "math.add":
      return { prompt: `What is ${args.a} + ${args.b}?` };
    case "typed": {
      const { mode, payload, retries, ratio, flag, tags } = args;
      return { prompt: "typed", args: { mode, payload, retries, ratio, flag, tags } };
    }
    case "opt":
      return { prompt: "opt", args: { a: args.a, b: args.b, c: args.c } };
    case "loose": {
      // Python collects the unmatched names into **extra, in received order.
      const { a, b, z: zArg, ...extra } = args;
      return { prompt: "loose", args: { a, b, z: zArg, extra } };
    }
    case "hinted":
      return { prompt: args.question, attachment: args.attachment, files: args.files, rubric: args.rubric };
    default:
      throw new Error(`no prompt model for ${id}`);
  }
}

describe("bindStartArgs replays the recorded coercions", () => {
  it.each(COERCION_CASES)("%s", (request, reply) => {
    const params = JSON.parse(request) as StartParams;
    const bound = bindStartArgs(params.id, conformanceArgs[params.id], startArgsOf(params));
    expect(promptFrameOf(params.id, bound)).toEqual(JSON.parse(reply));
  });

  it("passes a non-string tag through raw (coercion_int id 17)", () => {
    // The reference's body then fails on "Say " + 5 with Python's TypeError text, a -32000 the
    // replay lists as a Python-runtime exemption; the binding itself is what is checked here.
    expect(bindStartArgs("echo", conformanceArgs.echo, { tag: 5 })).toEqual({ tag: 5, n: 1 });
  });

  it("keeps the loose template's extra names after the declared ones, in received order", () => {
    const bound = bindStartArgs("loose", conformanceArgs.loose, { y: 1, a: 0, x: 2 });
    expect(Object.keys(bound)).toEqual(["a", "b", "z", "y", "x"]);
  });
});

describe("bindStartArgs binding errors", () => {
  it.each(BAD_ARGS_CASES)("%s", (request, message) => {
    const params = JSON.parse(request) as StartParams;
    const attempt = () => bindStartArgs(params.id, conformanceArgs[params.id], startArgsOf(params));
    expect(attempt).toThrow(BadArgsError);
    expect(attempt).toThrow(expect.objectContaining({ message, code: "bad-args", templateId: params.id }));
  });

  it("is a HudkitError that survives duplicate package copies", () => {
    const error = catchError(() => bindStartArgs("echo", conformanceArgs.echo, {}));
    expect(HudkitError.isInstance(error)).toBe(true);
    expect(error).toMatchObject({ name: "BadArgsError", code: "bad-args" });
  });

  it("sorts the provided names by code point, as Python's sorted() does", () => {
    // U+FF5E sorts before U+1F600 by code point, after it by UTF-16 unit (0xD83D).
    const error = catchError(() =>
      bindStartArgs("plain", conformanceArgs.plain, { "\u{1F600}": 1, "\uFF5E": 2 }),
    );
    expect((error as Error).message).toBe(
      "task 'plain': bad args ['\uFF5E', '\u{1F600}']: got an unexpected keyword argument '\u{1F600}'",
    );
  });

  it("quotes template ids and names with Python's repr", () => {
    const error = catchError(() => bindStartArgs("it's", z.object({ "a'b": z.string() }), {}));
    expect((error as Error).message).toBe(`task "it's": bad args []: missing a required argument: "a'b"`);
  });

  it("requires an unknown-typed field without a default (Python's unannotated parameter)", () => {
    expect(() => bindStartArgs("t", z.object({ a: z.unknown() }), {})).toThrow(
      "missing a required argument: 'a'",
    );
    expect(() => bindStartArgs("t", z.object({ a: z.any() }), {})).toThrow(
      "missing a required argument: 'a'",
    );
    expect(bindStartArgs("t", z.object({ a: z.any().optional() }), {})).toEqual({});
  });

  it("treats undefined values as not provided", () => {
    expect(() => bindStartArgs("echo", conformanceArgs.echo, { tag: undefined })).toThrow(
      "task 'echo': bad args []: missing a required argument: 'tag'",
    );
  });
});

describe("bindStartArgs defaults and extra names", () => {
  it("fills defaults without validating them and omits optional fields", () => {
    const args = z.object({ n: z.int().min(5).default(1), note: z.string().optional() });
    expect(bindStartArgs("t", args, {})).toEqual({ n: 1 });
  });

  it("hands each task its own copy of a mutable default", () => {
    const first = bindStartArgs("typed", conformanceArgs.typed, {});
    (first.tags as string[]).push("mutated");
    expect(bindStartArgs("typed", conformanceArgs.typed, {}).tags).toEqual([]);
  });

  it("passes a loose object's unknown names through uncoerced, even with a typed catchall", () => {
    const args = z.object({ a: z.int() }).catchall(z.int());
    expect(bindStartArgs("t", args, { a: "1", b: "2" })).toEqual({ a: 1, b: "2" });
    expect(bindStartArgs("t", z.object({}).passthrough(), { b: "2" })).toEqual({ b: "2" });
  });

  it("refuses extra names for a strict object like for a plain one", () => {
    expect(() => bindStartArgs("t", z.strictObject({}), { b: 1 })).toThrow(
      "task 't': bad args ['b']: got an unexpected keyword argument 'b'",
    );
  });

  it("keeps a __proto__ argument as plain data", () => {
    const provided = JSON.parse('{"__proto__": {"polluted": true}}') as Record<string, unknown>;
    const bound = bindStartArgs("t", z.looseObject({}), provided);
    expect(Object.getPrototypeOf(bound)).toBe(Object.prototype);
    expect(Object.hasOwn(bound, "__proto__")).toBe(true);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it("applies transforms once, on the coerced value", () => {
    const args = z.object({ n: z.int().transform((n) => n * 2) });
    expect(bindStartArgs("t", args, { n: "21" })).toEqual({ n: 42 });
  });
});

describe("laxValidate", () => {
  const int = z.int();
  it.each([
    ["3", 3],
    [" 4 ", 4],
    ["+5", 5],
    ["-7", -7],
    ["007", 7],
    ["1_000", 1000],
    ["3.0", 3],
    ["3.000", 3],
    ["00.0", 0],
    ["-0", 0],
    [true, 1],
    [false, 0],
    [4.0, 4],
  ])("takes %j as the integer %j", (input, expected) => {
    expect(laxValidate(int, input)).toEqual({ ok: true, value: expected });
  });

  it.each(["3.5", "1e3", "3.", "_1", "1_", "1__0", "+-1", "--1", "", "abc", "0x10", 2.5, null, [1], {}])(
    "refuses %j as an integer",
    (input) => {
      expect(laxValidate(int, input)).toEqual({ ok: false });
    },
  );

  it("refuses integers past 2^53 (zod's safe-integer check) instead of rounding them", () => {
    expect(laxValidate(int, "12345678901234567890")).toEqual({ ok: false });
  });

  it.each([
    ["0.25", 0.25],
    ["1e-3", 0.001],
    [" 2 ", 2],
    [".5", 0.5],
    ["5.", 5],
    ["1_0.5", 10.5],
    [true, 1],
  ])("takes %j as the number %j", (input, expected) => {
    expect(laxValidate(z.number(), input)).toEqual({ ok: true, value: expected });
  });

  it.each(["abc", "inf", "nan", "1e", null])("refuses %j as a number", (input) => {
    expect(laxValidate(z.number(), input)).toEqual({ ok: false });
  });

  it.each([
    ["true", true],
    ["TRUE", true],
    ["yes", true],
    ["On", true],
    ["t", true],
    ["y", true],
    ["1", true],
    [1, true],
    ["false", false],
    ["no", false],
    ["off", false],
    ["F", false],
    ["n", false],
    ["0", false],
    [0, false],
  ])("takes %j as the boolean %j", (input, expected) => {
    expect(laxValidate(z.boolean(), input)).toEqual({ ok: true, value: expected });
  });

  it.each(["2", " true", "yes!", 2, null])("refuses %j as a boolean", (input) => {
    expect(laxValidate(z.boolean(), input)).toEqual({ ok: false });
  });

  it("matches strings, literals and enums exactly", () => {
    expect(laxValidate(z.string(), 5)).toEqual({ ok: false });
    expect(laxValidate(z.literal([1, 2, "x"]), "2")).toEqual({ ok: false });
    expect(laxValidate(z.enum(["upper", "lower"]), "UPPER")).toEqual({ ok: false });
  });

  it("validates objects field by field, filling defaults and dropping extra keys", () => {
    const payload = z.object({ text: z.string(), count: z.int().default(0) });
    expect(laxValidate(payload, { text: "t", extra: 1 })).toEqual({
      ok: true,
      value: { text: "t", count: 0 },
    });
    expect(laxValidate(payload, { text: "t", count: "2" })).toEqual({
      ok: true,
      value: { text: "t", count: 2 },
    });
    expect(laxValidate(payload, { text: 5 })).toEqual({ ok: false });
    expect(laxValidate(z.strictObject({ a: z.int() }), { a: "1", b: 1 })).toEqual({ ok: false });
    expect(laxValidate(z.looseObject({ a: z.int() }), { a: "1", b: "1" })).toEqual({
      ok: true,
      value: { a: 1, b: "1" },
    });
  });

  it("fails a list as a whole when one item fails", () => {
    expect(laxValidate(z.array(z.int()), ["1", 2, "3.0"])).toEqual({ ok: true, value: [1, 2, 3] });
    expect(laxValidate(z.array(z.int()), ["1", "x"])).toEqual({ ok: false });
    expect(laxValidate(z.array(z.int()), "1")).toEqual({ ok: false });
  });

  it("coerces tuples and records item by item", () => {
    expect(laxValidate(z.tuple([z.int(), z.boolean()]), ["1", "yes"])).toEqual({
      ok: true,
      value: [1, true],
    });
    expect(laxValidate(z.record(z.string(), z.int()), { a: "1" })).toEqual({ ok: true, value: { a: 1 } });
  });

  it("prefers a union option that accepts the value as it is", () => {
    const union = z.union([z.int(), z.string()]);
    expect(laxValidate(union, "3")).toEqual({ ok: true, value: "3" });
    expect(laxValidate(z.union([z.int(), z.boolean()]), "yes")).toEqual({ ok: true, value: true });
    expect(laxValidate(z.int().nullable(), "null")).toEqual({ ok: false });
  });

  it("sees through lazy, readonly and pipe wrappers", () => {
    expect(
      laxValidate(
        z.lazy(() => z.int()),
        "3",
      ),
    ).toEqual({ ok: true, value: 3 });
    expect(laxValidate(z.array(z.int()).readonly(), ["3"])).toEqual({ ok: true, value: [3] });
    expect(laxValidate(z.int().pipe(z.number().max(5)), "9")).toEqual({ ok: false });
  });
});

describe("validateMintArgs", () => {
  const countLetter = z.object({ word: z.string().default("strawberry"), letter: z.string().default("r") });

  it("returns only the arguments given, unchanged", () => {
    expect(validateMintArgs("count_letter", countLetter, { word: "banana" })).toEqual({ word: "banana" });
    expect(validateMintArgs("count_letter", countLetter, {})).toEqual({});
    expect(validateMintArgs("count_letter", countLetter, { word: "kiwi", letter: undefined })).toEqual({
      word: "kiwi",
    });
  });

  it("names the argument and the problem for a wrong type", () => {
    const attempt = () => validateMintArgs("count_letter", countLetter, { word: 3 });
    expect(attempt).toThrow("count_letter: argument 'word' expected string, got number");
    expect(catchError(attempt)).toMatchObject({ code: "invalid-task-args" });
  });

  it("does not coerce: the string '3' is not an integer at mint time", () => {
    expect(() => validateMintArgs("math.add", conformanceArgs["math.add"], { a: "3" })).toThrow(
      "math.add: argument 'a' expected number, got string",
    );
    expect(() => validateMintArgs("math.add", conformanceArgs["math.add"], { a: 2.5 })).toThrow(
      "math.add: argument 'a' expected integer, got number",
    );
  });

  it("reports where inside an argument the problem is", () => {
    expect(() => validateMintArgs("typed", conformanceArgs.typed, { payload: { text: 5 } })).toThrow(
      "typed: argument 'payload.text' expected string, got number",
    );
    expect(() => validateMintArgs("typed", conformanceArgs.typed, { payload: {} })).toThrow(
      "typed: argument 'payload.text' is missing (expected string)",
    );
    expect(() => validateMintArgs("typed", conformanceArgs.typed, { tags: ["a", 1] })).toThrow(
      "typed: argument 'tags[1]' expected string, got number",
    );
  });

  it("explains other failures with zod's message", () => {
    expect(() => validateMintArgs("typed", conformanceArgs.typed, { mode: "UPPER" })).toThrow(
      /^typed: argument 'mode' is invalid: Invalid option: expected one of "upper"\|"lower"$/,
    );
  });

  it("refuses a missing required argument", () => {
    expect(() => validateMintArgs("echo", conformanceArgs.echo, { n: 2 })).toThrow(
      "echo: missing a required argument: 'tag'",
    );
    expect(() => validateMintArgs("loose", conformanceArgs.loose, {})).toThrow(
      "loose: missing a required argument: 'a'",
    );
  });

  it("refuses unknown names unless the object is loose, and then checks them against its catchall", () => {
    expect(() => validateMintArgs("echo", conformanceArgs.echo, { tag: "a", x: 1 })).toThrow(
      "echo: got an unexpected argument 'x' (its arguments are: 'tag', 'n')",
    );
    expect(() => validateMintArgs("plain", conformanceArgs.plain, { x: 1 })).toThrow(
      "plain: got an unexpected argument 'x' (its arguments are: none)",
    );
    expect(validateMintArgs("loose", conformanceArgs.loose, { a: null, extra: { k: 1 } })).toEqual({
      a: null,
      extra: { k: 1 },
    });
    expect(() => validateMintArgs("t", z.object({}).catchall(z.int()), { k: "1" })).toThrow(
      "t: argument 'k' expected number, got string",
    );
  });

  it("accepts the values the template's own schema accepts, null for a nullable included", () => {
    expect(validateMintArgs("opt", conformanceArgs.opt, { a: null, c: "x" })).toEqual({ a: null, c: "x" });
  });
});

function catchError(action: () => unknown): unknown {
  try {
    action();
  } catch (error) {
    return error;
  }
  throw new Error("expected an error");
}
