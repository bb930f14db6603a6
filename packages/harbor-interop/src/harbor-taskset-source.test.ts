import { Taskset } from "@hudkit/core";
import { describe, expect, it } from "vitest";
import { harborTasksetSource } from "./harbor-taskset-source.js";
import { fixture, harborSamplesDir } from "./test-support/harbor-paths.js";

describe("harborTasksetSource", () => {
  it("makes Taskset.fromFile read a Harbor dataset: a row per task, slug = task name", async () => {
    const taskset = await Taskset.fromFile(harborSamplesDir(), { sources: [harborTasksetSource] });
    expect(taskset.name).toBe("harbor-samples");
    expect(taskset.size).toBe(3);
    for (const task of taskset) {
      expect(task).toMatchObject({
        env: "harbor",
        id: "harbor-task",
        args: { task_dir: expect.any(String) },
      });
    }
    expect(taskset.has("harbor/hello-user")).toBe(true);
  });

  it("skips a folder that does not load, saying which and why", async () => {
    const warnings: string[] = [];
    const taskset = await Taskset.fromFile(fixture("mixed-dataset"), {
      sources: [harborTasksetSource],
      onWarning: (message) => warnings.push(message),
    });
    expect(taskset.tasks.map((task) => task.slug)).toEqual(["mixed/good-one", "mixed/good-two"]);
    expect(warnings).toEqual([
      expect.stringMatching(/^skipped Harbor task no-instruction: missing-instruction: /),
      expect.stringMatching(/^skipped Harbor task notes: not-a-task-dir: /),
    ]);
  });

  it("leaves paths that are not Harbor folders to the built-in formats", async () => {
    expect(await harborTasksetSource.claims(fixture("mixed-dataset/notes"))).toBe(false);
    expect(await harborTasksetSource.claims(fixture("nope"))).toBe(false);
    expect(await harborTasksetSource.claims(fixture("mixed-dataset/good-one"))).toBe(true);
  });
});
