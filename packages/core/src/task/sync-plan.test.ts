import { describe, expect, it } from "vitest";
import { planSync, syncPlanSummary } from "./sync-plan.js";
import { createTask, type TaskInput } from "./task.js";
import { Taskset } from "./taskset.js";

const row = (fields: Partial<TaskInput> & { slug: string }) =>
  createTask({ env: "letters", id: "count", args: {}, ...fields });

describe("planSync", () => {
  it("sorts tasks into create, update, unchanged and remote-only, keeping each side's order", () => {
    const local = new Taskset("local", [
      row({ slug: "new-b" }),
      row({ slug: "same", args: { word: "a", letter: "b" } }),
      row({ slug: "changed", args: { word: "banana" } }),
      row({ slug: "new-a" }),
    ]);
    const remote = new Taskset("remote", [
      row({ slug: "gone-z" }),
      row({ slug: "changed", args: { word: "apple" } }),
      row({ slug: "same", args: { letter: "b", word: "a" } }),
      row({ slug: "gone-a" }),
    ]);
    const plan = planSync(local, remote);
    expect(plan.tasksetName).toBe("remote");
    expect(plan.toCreate.map((task) => task.slug)).toEqual(["new-b", "new-a"]);
    expect(plan.unchanged.map((task) => task.slug)).toEqual(["same"]);
    expect(plan.toUpdate.map(({ slug, changed }) => ({ slug, changed }))).toEqual([
      { slug: "changed", changed: ["args"] },
    ]);
    expect(plan.toUpdate[0]?.remote.args).toEqual({ word: "apple" });
    expect(plan.remoteOnly.map((task) => task.slug)).toEqual(["gone-z", "gone-a"]);
    expect(syncPlanSummary(plan)).toEqual([
      "Sync plan for 'remote'",
      "  Create: 2",
      "  Update: 1",
      "  Unchanged: 1",
      "  Remote-only: 2",
    ]);
  });

  it("reports a task moved to another env as an update, which the reference misses", () => {
    const plan = planSync(
      new Taskset("l", [row({ slug: "t", env: "letters-v2" })]),
      new Taskset("r", [row({ slug: "t" })]),
    );
    expect(plan.toUpdate.map((update) => update.changed)).toEqual([["env"]]);
  });

  it("treats a null field as absent but an empty object as a value", () => {
    const withNull = createTask({ env: "e", id: "t", slug: "s", columns: null } as TaskInput);
    const absent = createTask({ env: "e", id: "t", slug: "s" });
    const empty = createTask({ env: "e", id: "t", slug: "s", columns: {} });
    expect(planSync(new Taskset("l", [withNull]), new Taskset("r", [absent])).unchanged).toHaveLength(1);
    const plan = planSync(new Taskset("l", [empty]), new Taskset("r", [absent]));
    expect(plan.toUpdate.map((update) => update.changed)).toEqual([["columns"]]);
  });

  it("names every changed field, the verifier's contents included", () => {
    const plan = planSync(
      new Taskset("l", [
        row({
          slug: "t",
          agent_config: { max_steps: 5 },
          verifier: { env: "judge", id: "check", args: { strict: true } },
        }),
      ]),
      new Taskset("r", [
        row({
          slug: "t",
          agent_config: { max_steps: 10 },
          verifier: { env: "judge", id: "check", args: { strict: false } },
        }),
      ]),
    );
    expect(plan.toUpdate[0]?.changed).toEqual(["agent_config", "verifier"]);
  });

  it("falls back to the local name when the remote taskset has none", () => {
    expect(planSync(new Taskset("mine", []), new Taskset("", [])).tasksetName).toBe("mine");
  });
});
