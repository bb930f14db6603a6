import { describe, expect, it } from "vitest";
import { HudkitError } from "../errors/hudkit-error.js";
import { createTask, parseTask, type Task, TaskSchema } from "./index.js";

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
