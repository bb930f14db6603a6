import { join } from "node:path";
import { parseTask } from "@hudkit/core";
import { describe, expect, it } from "vitest";
import { loadHarborPath, loadHarborTask } from "./harbor-loader.js";
import { HARBOR_ENV, HARBOR_TASK_TEMPLATE, harborTaskToRow } from "./harbor-row.js";
import { fixture, harborSamplesDir } from "./test-support/harbor-paths.js";

describe("harborTaskToRow", () => {
  it("turns hello-user into a harbor row: name as slug, folder in args, resources and timeouts", async () => {
    const { task } = await loadHarborTask(join(harborSamplesDir(), "hello-user"));
    expect(harborTaskToRow(task)).toEqual({
      env: "harbor",
      id: "harbor-task",
      slug: "harbor/hello-user",
      args: { task_dir: join(harborSamplesDir(), "hello-user") },
      agent_config: { timeout_seconds: 120 },
      columns: {
        author_name: "Alex Shaw",
        author_email: "alexgshaw64@gmail.com",
        difficulty: "easy",
        category: "programming",
        tags: ["configurable-user"],
      },
      runtime_config: {
        resources: { cpu: 1, memory_mb: 2048, storage_mb: 10240 },
        limits: { startup_timeout_s: 600 },
      },
    });
  });

  it("gives every sample a distinct, valid row that survives a JSON round trip", async () => {
    const { tasks } = await loadHarborPath(harborSamplesDir());
    const rows = tasks.map(harborTaskToRow);
    expect(new Set(rows.map((row) => row.slug)).size).toBe(3);
    for (const row of rows) {
      expect([row.env, row.id]).toEqual([HARBOR_ENV, HARBOR_TASK_TEMPLATE]);
      expect(parseTask(JSON.parse(JSON.stringify(row)))).toEqual(row);
    }
  });

  it("sums the step agent timeouts of a multi-step task", async () => {
    const { task } = await loadHarborTask(join(harborSamplesDir(), "hello-multi-step-simple"));
    expect(harborTaskToRow(task).agent_config).toEqual({ timeout_seconds: 60 });
  });

  it("leaves out what the task leaves unset: resources, agent timeout, columns", async () => {
    const { task } = await loadHarborTask(fixture("versions/schema-1-2"));
    const row = harborTaskToRow(task);
    expect(row.runtime_config).toEqual({ resources: {}, limits: { startup_timeout_s: 600 } });
    expect(row).not.toHaveProperty("agent_config");
    expect(row).not.toHaveProperty("columns");
  });

  it("rounds the build timeout up to whole seconds and adds [task].keywords to the columns", async () => {
    const { tasks } = await loadHarborPath(fixture("versions"));
    const rows = tasks.map(harborTaskToRow);
    expect(rows[0]!.runtime_config).toEqual({
      resources: { cpu: 2, memory_mb: 4096, storage_mb: 10240 },
      limits: { startup_timeout_s: 901 },
    });
    expect(rows[1]!.columns).toEqual({ keywords: ["fixture", "v1.1"] });
  });

  it("carries a GPU request, os and tpu for a runner that accepts them", async () => {
    const runner = { windows: true, gpu: true, tpu: true, compose: true };
    const { tasks } = await loadHarborPath(fixture("refused"), { runner });
    const byName = new Map(tasks.map((task) => [task.name, harborTaskToRow(task)]));
    expect(byName.get("gpu")!.runtime_config?.resources).toEqual({
      cpu: 8,
      memory_mb: 65536,
      gpu: { count: 2, type: "H100" },
    });
    expect(byName.get("windows")!.runtime_config?.resources).toEqual({ os: "windows" });
    expect(byName.get("tpu")!.runtime_config?.resources).toEqual({ tpu: { type: "v5e", topology: "2x4" } });
  });
});
