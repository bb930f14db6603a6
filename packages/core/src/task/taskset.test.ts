import { describe, expect, it } from "vitest";
import { HudkitError } from "../errors/hudkit-error.js";
import { createTask, type Task } from "./task.js";
import { Taskset } from "./taskset.js";

const verify = createTask({ env: "math", id: "verify", args: { expected: 3 } }); // verify-5579a3e5
const solve = createTask({ env: "math", id: "solve", args: { a: 1, b: 2 } }); // solve-1744f53e
const count = createTask({
  env: "letters",
  id: "count",
  args: { sentence: "Strawberry world", letter: "r" },
  verifier: { env: "grader", id: "check" },
}); // count-4376680e
const plain = createTask({ env: "math", id: "solve" }); // solve

function thrown(run: () => unknown): HudkitError {
  try {
    run();
  } catch (error) {
    if (HudkitError.isInstance(error)) return error;
    throw error;
  }
  throw new Error("expected a HudkitError");
}

describe("Taskset", () => {
  const taskset = new Taskset("demo", [verify, solve, count, plain]);

  it("is named 'taskset' and empty by default", () => {
    const empty = new Taskset();
    expect(empty.name).toBe("taskset");
    expect(empty.size).toBe(0);
    expect([...empty]).toEqual([]);
  });

  it("keeps insertion order for iteration, tasks and size", () => {
    expect(taskset.size).toBe(4);
    expect([...taskset].map((task) => task.slug)).toEqual([
      "verify-5579a3e5",
      "solve-1744f53e",
      "count-4376680e",
      "solve",
    ]);
    expect(taskset.tasks).toEqual([verify, solve, count, plain]);
    expect(taskset.tasks[0]).toBe(verify);
  });

  it("does not change when the array it was built from or handed out does", () => {
    const list = [verify, solve];
    const copy = new Taskset("c", list);
    list.push(plain);
    expect(copy.size).toBe(2);
    expect(Object.isFrozen(copy.tasks)).toBe(true);
    expect(() => (copy.tasks as Task[]).push(plain)).toThrow(TypeError);
  });

  it("accepts any iterable of tasks, a taskset included", () => {
    function* some(): Generator<Task> {
      yield solve;
      yield verify;
    }
    expect(new Taskset("gen", some()).tasks).toEqual([solve, verify]);
    expect(new Taskset("copy", taskset).tasks).toEqual(taskset.tasks);
  });

  it("looks tasks up by slug", () => {
    expect(taskset.get("count-4376680e")).toBe(count);
    expect(taskset.has("solve")).toBe(true);
    expect(taskset.has("nope")).toBe(false);
  });

  it("names an unknown slug and its close matches", () => {
    const error = thrown(() => taskset.get("verify-5579a3e6"));
    expect(error.code).toBe("unknown-task");
    expect(error.message).toBe(
      'no task with slug "verify-5579a3e6" in taskset "demo"; did you mean "verify-5579a3e5"?',
    );
    // A template id typed without its hash matches every slug it starts.
    expect(thrown(() => taskset.get("solv")).message).toContain('did you mean "solve-1744f53e", "solve"?');
  });

  it("lists a few slugs when nothing is close, and says when the taskset is empty", () => {
    expect(thrown(() => taskset.get("zzzzzzzzzzzzzzzzzzzz")).message).toBe(
      'no task with slug "zzzzzzzzzzzzzzzzzzzz" in taskset "demo"; ' +
        "its slugs start verify-5579a3e5, solve-1744f53e, count-4376680e, ...",
    );
    expect(thrown(() => new Taskset("none").get("x")).message).toBe(
      'no task with slug "x" in taskset "none": it is empty',
    );
  });

  it("filters and excludes into new tasksets with the same name and order, ignoring unknown slugs", () => {
    const picked = taskset.filter(["solve", "verify-5579a3e5", "unknown"]);
    expect(picked).not.toBe(taskset);
    expect(picked.name).toBe("demo");
    expect(picked.tasks).toEqual([verify, plain]);
    const rest = taskset.exclude(new Set(["solve", "unknown"]));
    expect(rest.name).toBe("demo");
    expect(rest.tasks).toEqual([verify, solve, count]);
    expect(taskset.size).toBe(4);
  });

  it("names the environments of tasks and verifiers", () => {
    expect([...taskset.environmentNames()]).toEqual(["math", "letters", "grader"]);
  });

  it("refuses duplicate slugs, sorted and once each", () => {
    const error = thrown(() => new Taskset("dup", [solve, verify, plain, solve, plain, plain]));
    expect(error.code).toBe("duplicate-slugs");
    expect(error.message).toBe("duplicate task slugs: solve, solve-1744f53e");
  });

  it("is recognised across copies of the package by its marker", () => {
    expect(Taskset.isInstance(taskset)).toBe(true);
    expect(Taskset.isInstance({ [Symbol.for("hudkit.taskset")]: true, tasks: [] })).toBe(true);
    expect(Taskset.isInstance({ tasks: [] })).toBe(false);
    expect(Taskset.isInstance(null)).toBe(false);
  });
});
