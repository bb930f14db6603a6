import { describe, expect, it } from "vitest";
import { HudkitError } from "../errors/hudkit-error.js";
import { createTask, parseTask, type Task, TaskSchema } from "./index.js";
import { parseOwnedTask } from "./task.js";

function parseError(input: unknown): HudkitError {
  try {
    parseTask(input);
  } catch (error) {
    if (HudkitError.isInstance(error)) return error;
    throw error;
  }
  throw new Error("expected parseTask to throw");
}

describe("parseTask", () => {
  it("fills args and the default slug (checklist 78)", () => {
    expect(parseTask({ env: "e", id: "i" })).toStrictEqual({ env: "e", id: "i", args: {}, slug: "i" });
    expect(parseTask({ env: "e", id: "i", args: { k: [1, { z: 1, a: null }] } }).slug).toBe("i-f3736c91");
  });

  it("keeps an explicit slug, even when args would hash differently", () => {
    expect(parseTask({ env: "e", id: "i", args: { a: 1 }, slug: "mine" }).slug).toBe("mine");
  });

  it("lays fields out in the reference's order and leaves unset ones out", () => {
    const task = parseTask({
      verifier: { id: "check", env: "e" },
      runtime_config: { image: "x" },
      columns: { level: "easy" },
      agent_config: { max_steps: 5 },
      validation: [{ kind: "x" }],
      slug: "s",
      args: { a: 1 },
      id: "i",
      env: "e",
    });
    expect(Object.keys(task)).toEqual([
      "env",
      "id",
      "args",
      "slug",
      "validation",
      "agent_config",
      "columns",
      "runtime_config",
      "verifier",
    ]);
    expect(task.verifier).toStrictEqual({ env: "e", id: "check", args: {}, slug: "check" });
  });

  it("reads the reference's full model_dump, null fields included", () => {
    const dumped = {
      env: "e",
      id: "t",
      args: {},
      slug: "t",
      validation: null,
      agent_config: null,
      columns: null,
      runtime_config: null,
      verifier: null,
    };
    expect(parseTask(dumped)).toStrictEqual({ env: "e", id: "t", args: {}, slug: "t" });
  });

  it("keeps agent_config keys it does not know, and a null timeout override", () => {
    const task = parseTask({ env: "e", id: "i", agent_config: { timeout_seconds: null, temperature: 0.2 } });
    expect(task.agent_config).toStrictEqual({ timeout_seconds: null, temperature: 0.2 });
  });

  it("names unknown keys, and the keys that are allowed", () => {
    const error = parseError({ env: "e", id: "i", agrs: { a: 1 }, extra: true });
    expect(error.code).toBe("invalid-task");
    expect(error.message).toBe(
      'invalid task: unknown keys "agrs", "extra" ' +
        "(allowed: env, id, args, slug, validation, agent_config, columns, runtime_config, verifier)",
    );
  });

  it("names unknown keys inside the verifier", () => {
    expect(parseError({ env: "e", id: "i", verifier: { env: "e", id: "v", x: 1 } }).message).toBe(
      'invalid task: unknown key "x" in verifier ' +
        "(allowed: env, id, args, slug, validation, agent_config, columns, runtime_config)",
    );
  });

  it("refuses a verifier that has a verifier of its own", () => {
    const input = { env: "e", id: "i", verifier: { env: "e", id: "v", verifier: { env: "e", id: "w" } } };
    expect(parseError(input).message).toBe(
      "invalid task: verifier.verifier: nested verifier tasks are not supported",
    );
  });

  it("gives the key path of every invalid value", () => {
    const message = parseError({
      env: "",
      id: "i",
      args: "nope",
      slug: "",
      validation: [{ ok: 1 }, 3],
      agent_config: { max_steps: 0 },
    }).message;
    expect(message).toMatch(/^invalid task: /);
    expect(message).toContain("args: expected an object, received string");
    for (const path of ["env: ", "slug: ", "validation[1]: ", "agent_config.max_steps: "]) {
      expect(message).toContain(path);
    }
  });

  it("refuses values that would not survive JSON, saying where they are", () => {
    const message = parseError({
      env: "e",
      id: "i",
      args: { n: Number.NaN, deep: { list: [1, 2n] }, "odd key": [new Date(0)] },
    }).message;
    expect(message).toContain("args.n: NaN is not a JSON number");
    expect(message).toContain("args.deep.list[1]: a bigint is not a JSON value");
    expect(message).toContain('args["odd key"][0]: a Date instance is not a JSON value');
  });

  it("refuses args that contain themselves", () => {
    const args: Record<string, unknown> = {};
    args.self = args;
    expect(parseError({ env: "e", id: "i", args }).message).toMatch(/args\.self[.\w]*: circular reference/);
  });

  it("refuses input that is not an object", () => {
    expect(parseError("task").message).toBe("invalid task: Invalid input: expected object, received string");
  });

  it("drops undefined entries from args, so the slug matches the stored args", () => {
    const task = parseTask({ env: "e", id: "verify", args: { expected: 3, other: undefined } });
    expect(task.args).toStrictEqual({ expected: 3 });
    expect(task.slug).toBe("verify-5579a3e5");
  });

  it("keeps a __proto__ key as a plain key, as JSON.parse and Python do", () => {
    const task = parseTask(
      JSON.parse('{"env":"e","id":"i","args":{"__proto__":{"x":1},"a":{"__proto__":2}}}'),
    );
    expect(Object.keys(task.args)).toEqual(["__proto__", "a"]);
    // Python: json.dumps({"__proto__": {"x": 1}, "a": {"__proto__": 2}}, sort_keys=True, default=str)
    expect(task.slug).toBe("i-77a24c3f");
  });

  it("does not share the default args object between tasks", () => {
    const first = parseTask({ env: "e", id: "a" });
    first.args.x = 1;
    expect(parseTask({ env: "e", id: "b" }).args).toStrictEqual({});
  });
});

describe("JSON round trip", () => {
  const tasks: Task[] = [
    createTask({ env: "e", id: "i" }),
    createTask({
      env: "letters",
      id: "count",
      args: { word: "caf\u00e9 \u{1f600}", n: 0.1, nested: { b: [1, null, true], a: {} } },
      validation: [{ source: "sync" }],
      agent_config: { max_steps: 10, timeout_seconds: 60.5, model: "m" },
      columns: { difficulty: "easy" },
      runtime_config: { resources: null, image: "img" },
      verifier: {
        env: "grader",
        id: "check",
        args: { strict: true },
        agent_config: { timeout_seconds: null },
      },
    }),
  ];

  it.each(tasks.map((task) => [task.slug, task] as const))("is lossless for %s", (_slug, task) => {
    const again = parseTask(JSON.parse(JSON.stringify(task)));
    expect(again).toStrictEqual(task);
    expect(JSON.stringify(again)).toBe(JSON.stringify(task));
  });
});

describe("TaskSchema", () => {
  it("can be used as a plain zod schema", () => {
    const result = TaskSchema.safeParse({ env: "e", id: "verify", args: { expected: 3 } });
    expect(result.success && result.data.slug).toBe("verify-5579a3e5");
    const failed = TaskSchema.safeParse({ env: "e", id: "i", agrs: {} });
    expect(failed.success).toBe(false);
    expect(failed.error?.issues[0]).toMatchObject({ code: "unrecognized_keys", keys: ["agrs"] });
  });
});

describe("the fast path of parseTask", () => {
  // parseTask skips zod for rows it can judge itself; TaskSchema always runs zod. They must agree
  // on every input: same acceptance, same value, same key order.
  class Box {
    constructor(readonly v: number) {}
  }
  class Items extends Array<unknown> {}
  const circular: Record<string, unknown> = { a: 1 };
  circular.self = circular;
  let deep: unknown = "bottom";
  for (let i = 0; i < 100; i++) deep = { d: deep };
  const nullProto = Object.assign(Object.create(null) as object, { b: [1, { c: null }], a: "x" });
  const holey: unknown[] = [1];
  holey[2] = 3;
  const protoKey = JSON.parse('{"__proto__": {"x": 1}, "a": 1}');

  const inputs: Array<[string, unknown]> = [
    ["minimal", { env: "e", id: "i" }],
    ["args and slug", { env: "e", id: "i", args: { n: 1, s: "x" }, slug: "s" }],
    [
      "unicode, floats, nesting",
      { env: "e", id: "i", args: { u: "caf\u00e9", f: 0.1, l: [1, [2, { z: {} }]] } },
    ],
    ["fields out of order", { slug: "s", args: { b: 1, a: 2 }, id: "i", env: "e" }],
    [
      "every field",
      {
        env: "e",
        id: "i",
        args: { a: 1 },
        slug: "s",
        validation: [{ source: "sync" }, {}],
        agent_config: { temperature: 0.2, max_steps: 5, model: "m", timeout_seconds: 1.5 },
        columns: { level: "easy" },
        runtime_config: { resources: null, image: "img" },
        verifier: {
          env: "g",
          id: "check",
          args: { strict: true },
          verifier: null,
          agent_config: { max_steps: 1 },
        },
      },
    ],
    [
      "nulls everywhere",
      {
        env: "e",
        id: "i",
        validation: null,
        agent_config: null,
        columns: null,
        runtime_config: null,
        verifier: null,
      },
    ],
    [
      "agent_config nulls and undefined",
      { env: "e", id: "i", agent_config: { timeout_seconds: null, max_steps: undefined, x: 1 } },
    ],
    [
      "agent_config max safe integer",
      { env: "e", id: "i", agent_config: { max_steps: Number.MAX_SAFE_INTEGER } },
    ],
    [
      "undefined entries",
      { env: "e", id: "i", args: { a: undefined, b: 1 }, slug: undefined, columns: undefined },
    ],
    ["null-prototype args", { env: "e", id: "i", args: nullProto }],
    ["a __proto__ key", { env: "e", id: "i", args: protoKey }],
    ["deep args", { env: "e", id: "i", args: { deep } }],
    ["empty env", { env: "", id: "i" }],
    ["no id", { env: "e" }],
    ["empty slug", { env: "e", id: "i", slug: "" }],
    ["null slug", { env: "e", id: "i", slug: null }],
    ["null args", { env: "e", id: "i", args: null }],
    ["array args", { env: "e", id: "i", args: [1] }],
    ["NaN", { env: "e", id: "i", args: { n: Number.NaN } }],
    ["Infinity", { env: "e", id: "i", args: { n: [Number.POSITIVE_INFINITY] } }],
    ["bigint", { env: "e", id: "i", args: { n: 1n } }],
    ["a Date", { env: "e", id: "i", args: { d: new Date(0) } }],
    ["a function", { env: "e", id: "i", args: { f: () => 1 } }],
    ["a class instance", { env: "e", id: "i", args: { b: new Box(1) } }],
    ["an array subclass", { env: "e", id: "i", args: { l: Items.from([1]) } }],
    ["a hole", { env: "e", id: "i", args: { l: holey } }],
    ["undefined in an array", { env: "e", id: "i", args: { l: [undefined] } }],
    ["a circular value", { env: "e", id: "i", args: { c: circular } }],
    ["an unknown key", { env: "e", id: "i", agrs: {} }],
    ["an unknown key set to undefined", { env: "e", id: "i", extra: undefined }],
    [
      "a nested verifier",
      { env: "e", id: "i", verifier: { env: "e", id: "v", verifier: { env: "e", id: "w" } } },
    ],
    ["an invalid verifier", { env: "e", id: "i", verifier: { env: "e" } }],
    ["max_steps 0", { env: "e", id: "i", agent_config: { max_steps: 0 } }],
    ["max_steps 1.5", { env: "e", id: "i", agent_config: { max_steps: 1.5 } }],
    ["max_steps 2^53", { env: "e", id: "i", agent_config: { max_steps: 2 ** 53 } }],
    ["max_steps as text", { env: "e", id: "i", agent_config: { max_steps: "5" } }],
    ["timeout 0", { env: "e", id: "i", agent_config: { timeout_seconds: 0 } }],
    ["timeout Infinity", { env: "e", id: "i", agent_config: { timeout_seconds: Number.POSITIVE_INFINITY } }],
    ["agent_config array", { env: "e", id: "i", agent_config: [] }],
    ["validation object", { env: "e", id: "i", validation: {} }],
    ["validation item", { env: "e", id: "i", validation: [1] }],
    ["columns array", { env: "e", id: "i", columns: [] }],
    [
      "a class instance row",
      new (class Row {
        env = "e";
        id = "i";
      })(),
    ],
    ["a string", "task"],
    ["null", null],
  ];

  const viaZod = (input: unknown) => TaskSchema.safeParse(input);
  const outcome = (run: () => Task) => {
    try {
      const task = run();
      return { ok: true, task, json: JSON.stringify(task) };
    } catch (error) {
      return { ok: false, message: (error as Error).message };
    }
  };

  it.each(inputs)("agrees with zod on %s", (_name, input) => {
    const expected = viaZod(input);
    const fast = outcome(() => parseTask(input));
    expect(fast.ok).toBe(expected.success);
    if (expected.success) {
      expect(fast.task).toStrictEqual(expected.data);
      expect(fast.json).toBe(JSON.stringify(expected.data));
      expect(Object.keys(fast.task!)).toEqual(Object.keys(expected.data));
    }
  });

  it.each(inputs)("parseOwnedTask agrees with zod on %s", (_name, input) => {
    const expected = viaZod(input);
    const owned = outcome(() => parseOwnedTask(input));
    expect(owned.ok).toBe(expected.success);
    if (expected.success) {
      expect(owned.task).toStrictEqual(expected.data);
      expect(owned.json).toBe(JSON.stringify(expected.data));
    }
  });

  it("copies what it is given, unless the input is owned", () => {
    const args = { a: { b: 1 } };
    expect(parseTask({ env: "e", id: "i", args }).args).not.toBe(args);
    expect(parseOwnedTask({ env: "e", id: "i", args }).args).toBe(args);
  });
});
