import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { HudkitError } from "@hudkit/core";
import { afterEach, describe, expect, it } from "vitest";
import { loadHarborPath, loadHarborTask } from "./harbor-loader.js";
import { fixture, harborSamplesDir } from "./test-support/harbor-paths.js";

function codesOf(findings: Array<{ code: string; key?: string }>): string[] {
  return findings.map((finding) => (finding.key ? `${finding.code} ${finding.key}` : finding.code));
}

describe("the shared Harbor samples", () => {
  it("load as a dataset of three tasks, with no failures", async () => {
    const result = await loadHarborPath(harborSamplesDir());
    expect(result.kind).toBe("dataset");
    expect(result.failures).toEqual([]);
    expect(result.tasks.map((task) => task.name)).toEqual([
      "hello-multi-step-simple",
      "harbor/hello-user",
      "harbor/hello-workdir",
    ]);
    expect(result.tasks.every((task) => task.dataset === "harbor-samples")).toBe(true);
    // The multi-step sample still spells its schema `version = "1.0"`.
    expect(codesOf(result.warnings)).toEqual(["deprecated-key version"]);
  });

  it("hello-user: [agent].user, its instruction, scripts and Dockerfile", async () => {
    const { task, warnings } = await loadHarborTask(join(harborSamplesDir(), "hello-user"));
    expect(warnings).toEqual([]);
    expect(task).toMatchObject({
      name: "harbor/hello-user",
      shortName: "hello-user",
      schemaVersion: "1.1",
      multiStep: false,
      steps: [],
      recipe: "dockerfile",
      verifier: { mode: "shared" },
    });
    expect(task.instruction).toMatch(/^Run `whoami` and write the output to `\/app\/whoami.txt`/);
    expect(task.config.agent).toMatchObject({ timeout_sec: 120, user: "agent" });
    expect(task.config.environment).toMatchObject({ cpus: 1, memory_mb: 2048, storage_mb: 10240, gpus: 0 });
    expect(task.paths.testScript).toBe(join(task.dir, "tests", "test.sh"));
    expect(task.paths.solveScript).toBe(join(task.dir, "solution", "solve.sh"));
    expect(task.paths.dockerfile).toBe(join(task.dir, "environment", "Dockerfile"));
    expect(task.paths.composeFile).toBeUndefined();
  });

  it("hello-workdir: [environment].workdir", async () => {
    const { task } = await loadHarborTask(join(harborSamplesDir(), "hello-workdir"));
    expect(task.config.environment.workdir).toBe("/custom-workdir");
  });

  it("hello-multi-step-simple: steps in order, per-step instructions and scripts, no root instruction", async () => {
    const { task } = await loadHarborTask(join(harborSamplesDir(), "hello-multi-step-simple"));
    expect(task.schemaVersion).toBe("1.0");
    expect(task.multiStep).toBe(true);
    expect(task.instruction).toBe("");
    expect(task.paths.instruction).toBeUndefined();
    expect(task.steps.map((step) => [step.name, step.agentTimeoutSec, step.verifierTimeoutSec])).toEqual([
      ["create-file", 30, 30],
      ["append-content", 30, 30],
    ]);
    expect(task.steps[0]!.instruction).toBe('Create a file called hello.txt with "Hello" as the content.\n');
    expect(task.steps[1]!.paths.testScript).toBe(
      join(task.dir, "steps", "append-content", "tests", "test.sh"),
    );
  });
});

describe("loadHarborPath over the schema versions", () => {
  it("loads one task per schema version, 1.0 to 1.4", async () => {
    const result = await loadHarborPath(fixture("versions"));
    expect(result.failures).toEqual([]);
    expect(result.tasks.map((task) => [task.name, task.schemaVersion])).toEqual([
      ["schema-1-0", "1.0"],
      ["fixtures/schema-1-1", "1.1"],
      ["fixtures/schema-1-2", "1.2"],
      ["fixtures/schema-1-3", "1.3"],
      ["fixtures/schema-1-4", "1.4"],
    ]);
  });

  it("1.0: version alias, prebuilt image recipe, allow_internet, env templates kept", async () => {
    const { task, warnings } = await loadHarborTask(fixture("versions/schema-1-0"));
    expect(codesOf(warnings)).toEqual([
      "deprecated-key version",
      "deprecated-key environment.allow_internet",
    ]);
    expect(task.recipe).toBe("docker-image");
    expect(task.config.source).toBe("fixtures");
    expect(task.config.environment).toMatchObject({
      docker_image: "debian:bookworm-slim",
      network_mode: "public",
      build_timeout_sec: 900.5,
      // Harbor's `${VAR}` and `${VAR:-default}` templates, kept as written.
      env: { API_KEY: "$" + "{OPENROUTER_API_KEY}", MODE: "$" + "{MODE:-fast}" },
    });
  });

  it("1.1: the [task] section, numeric verifier user, workdir and healthcheck defaults", async () => {
    const { task } = await loadHarborTask(fixture("versions/schema-1-1"));
    expect(task.config.task).toEqual({
      name: "fixtures/schema-1-1",
      description: "A 1.1 task",
      authors: [{ name: "hudkit", email: "dev@example.com" }, { name: "second" }],
      keywords: ["fixture", "v1.1"],
    });
    expect(task.config.verifier.user).toBe(1000);
    expect(task.config.environment.healthcheck).toEqual({
      command: "test -d /custom",
      interval_sec: 5,
      timeout_sec: 30,
      start_period_sec: 0,
      start_interval_sec: 5,
      retries: 5,
    });
  });

  it("1.2: os is case-insensitive; separate mode without an environment copies [environment]", async () => {
    const { task } = await loadHarborTask(fixture("versions/schema-1-2"));
    expect(task.config.environment.os).toBe("linux");
    expect(task.verifier).toEqual({ mode: "separate", environment: task.config.environment });
    if (task.verifier.mode !== "separate") throw new Error("expected a separate verifier");
    expect(task.verifier.environment).not.toBe(task.config.environment);
  });

  it("1.3: allowlists are normalised; phases and collect hooks get their defaults", async () => {
    const { task } = await loadHarborTask(fixture("versions/schema-1-3"));
    expect(task.config.environment.allowed_hosts).toEqual([
      "pypi.org",
      "*.example.com",
      "10.0.0.0/8",
      "2001:db8::1",
    ]);
    expect(task.config.agent.network_mode).toBe("no-network");
    expect(task.config.verifier.allowed_hosts).toEqual([]);
    expect(task.config.verifier.collect).toEqual([
      { command: "cp /app/log.txt /logs/artifacts/", service: "main", timeout_sec: 60 },
      { command: "dump-db", service: "db", timeout_sec: 10 },
    ]);
    expect(task.config.artifacts).toEqual([
      { source: "/var/lib/db/dump.sql", service: "db", destination: "db/dump.sql", exclude: [] },
    ]);
  });

  it("1.4: [task].version, MCP transports (http → streamable-http, sse by default), string artifacts", async () => {
    const { task } = await loadHarborTask(fixture("versions/schema-1-4"));
    expect(task.config.task?.version).toBe("1.0.0");
    expect(task.config.environment.mcp_servers).toEqual([
      { name: "search", transport: "streamable-http", url: "http://localhost:8000/mcp", args: [] },
      { name: "files", transport: "stdio", command: "mcp-files", args: ["--root", "/app"] },
      { name: "events", transport: "sse", url: "http://localhost:9000/sse", args: [] },
    ]);
    expect(task.config.artifacts).toEqual([
      { source: "/app/report.md", exclude: [] },
      { source: "/app/out", exclude: ["*.tmp"] },
    ]);
  });
});

describe("loadHarborTask", () => {
  it("strips leading canary lines from the instruction, keeping later ones", async () => {
    const { task } = await loadHarborTask(fixture("canary"));
    expect(task.instruction).toBe(
      'Create /app/hello.txt containing "Hello".\n\n<!-- this later canary line is not leading, so it stays -->\n',
    );
  });

  it("warns about unknown keys with their key paths and drops them", async () => {
    const { task, warnings } = await loadHarborTask(fixture("unknown-keys"));
    expect(codesOf(warnings)).toEqual([
      "unknown-key agent.env",
      "unknown-key environment.healthcheck.every",
      "unknown-key environment.flavour",
      "unknown-key name",
      "unknown-key multi_step_reward_mode",
      "unknown-metadata-key metadata.hud_task",
    ]);
    expect(warnings.every((warning) => warning.severity === "warning" && warning.file === "task.toml")).toBe(
      true,
    );
    expect(task.name).toBe("unknown-keys");
    expect(task.config.agent).toEqual({ timeout_sec: 60 });
    expect("flavour" in task.config.environment).toBe(false);
    expect(task.config.metadata).toEqual({ difficulty: "easy", hud_task: "count" });
  });

  it("rejects invalid values, naming every key path", async () => {
    const error = await loadHarborTask(fixture("invalid-values")).catch((caught: unknown) => caught);
    expect(HudkitError.isInstance(error)).toBe(true);
    expect((error as HudkitError).code).toBe("invalid-harbor-task");
    const message = (error as Error).message;
    for (const key of [
      "task.name",
      "agent.timeout_sec",
      "agent.user",
      "verifier.environment_mode",
      "environment.os",
      "environment.cpus",
      "environment.allowed_hosts[0]",
      "environment.allowed_hosts[1]",
      "environment.mcp_servers[0].url",
      "artifacts[0].source",
      "artifacts[0].destination",
    ]) {
      expect(message).toContain(`invalid-value: ${key}: `);
    }
  });

  it("rewrites deprecated spellings: version, memory, storage, allow_internet", async () => {
    const { task, warnings } = await loadHarborTask(fixture("deprecated"));
    expect(codesOf(warnings)).toEqual([
      "deprecated-key version",
      "deprecated-key environment.memory",
      "deprecated-key environment.storage",
      "deprecated-key environment.allow_internet",
    ]);
    expect(task.schemaVersion).toBe("1.2");
    expect(task.config.environment).toMatchObject({
      memory_mb: 2048,
      storage_mb: 10240,
      network_mode: "no-network",
    });
    expect(task.config.environment).not.toHaveProperty("memory");
  });

  it("refuses a deprecated size that disagrees with the explicit one, or is not a size", async () => {
    const result = await loadHarborPath(fixture("deprecated-conflict"));
    expect(result.tasks).toEqual([]);
    expect(codesOf(result.failures[0]!.reasons)).toEqual([
      "conflicting-value environment.memory",
      "invalid-value environment.storage",
    ]);
  });

  it("loads a multi-step task: step order, canary-stripped step instructions, timeouts, paths", async () => {
    const { task, warnings } = await loadHarborTask(fixture("multi-step"));
    expect(codesOf(warnings)).toEqual(["ignored-root-instruction", "unlisted-step-dir"]);
    expect(task.instruction).toBe("");
    expect(task.config.multi_step_reward_strategy).toBe("final");
    const [create, append] = task.steps;
    expect(create).toMatchObject({
      name: "create-file",
      instruction: 'Create /app/hello.txt with "Hello".\n',
      agentTimeoutSec: 30,
      verifierTimeoutSec: 45,
      verifier: { mode: "shared" },
    });
    expect(create!.config.min_reward).toBe(1);
    expect(create!.config.verifier?.env).toEqual({ EXPECTED: "Hello" });
    expect(create!.paths.setupScript).toBe(join(task.dir, "steps", "create-file", "workdir", "setup.sh"));
    // No [steps.agent]: the task's agent timeout. No [steps.verifier]: 600, not the task's 50.
    expect(append).toMatchObject({ name: "append-content", agentTimeoutSec: 200, verifierTimeoutSec: 600 });
    expect(append!.config.min_reward).toEqual({ reward: 1, style: 0.5 });
    expect(append!.paths.testScript).toBeUndefined();
    expect(append!.paths.solution).toBeUndefined();
  });
});

describe("loadHarborPath over a dataset with bad children", () => {
  it("loads the good tasks and reports each skipped folder with its reason", async () => {
    const result = await loadHarborPath(fixture("mixed-dataset"));
    expect(result.kind).toBe("dataset");
    expect(result.tasks.map((task) => task.name)).toEqual(["mixed/good-one", "mixed/good-two"]);
    expect(result.failures.map((failure) => [failure.name, failure.message])).toEqual([
      ["no-instruction", "missing-instruction: instruction.md is missing"],
      ["notes", "not-a-task-dir: no task.toml: not a Harbor task folder, skipped"],
    ]);
    expect(result.failures[0]!.path).toBe(join(fixture("mixed-dataset"), "no-instruction"));
  });

  it("refuses Windows, GPU, TPU and compose tasks at load time, with a reason each", async () => {
    const result = await loadHarborPath(fixture("refused"));
    expect(result.tasks).toEqual([]);
    expect(result.failures.map((failure) => [failure.name, codesOf(failure.reasons)])).toEqual([
      ["compose", ["unsupported-compose"]],
      ["gpu", ["unsupported-gpu environment.gpus"]],
      ["tpu", ["unsupported-tpu environment.tpu"]],
      ["windows", ["unsupported-os environment.os"]],
    ]);
  });

  it("loads them for a runner that supports them; Windows tasks then use .bat scripts", async () => {
    const runner = { windows: true, gpu: true, tpu: true, compose: true };
    const result = await loadHarborPath(fixture("refused"), { runner });
    expect(result.failures).toEqual([]);
    const windows = result.tasks.find((task) => task.name === "windows")!;
    expect(windows.paths.testScript).toBe(join(windows.dir, "tests", "test.bat"));
    const compose = result.tasks.find((task) => task.name === "compose")!;
    expect(compose.paths.composeFile).toBe(join(compose.dir, "environment", "docker-compose.yaml"));
  });
});

describe("loadHarborPath on odd paths", () => {
  let dir: string | undefined;
  afterEach(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
    dir = undefined;
  });

  async function task(root: string, name: string, toml: string, files: string[]): Promise<void> {
    await mkdir(join(root, name, "environment"), { recursive: true });
    await writeFile(join(root, name, "task.toml"), toml);
    for (const file of files) {
      await mkdir(join(root, name, file, ".."), { recursive: true });
      await writeFile(join(root, name, file), "x\n");
    }
  }

  it("throws for a missing path and for a folder without tasks", async () => {
    dir = await mkdtemp(join(tmpdir(), "harbor-"));
    await expect(loadHarborPath(join(dir, "nope"))).rejects.toMatchObject({ code: "harbor-path-not-found" });
    await mkdir(join(dir, "empty-child"));
    await expect(loadHarborPath(dir)).rejects.toMatchObject({ code: "no-harbor-tasks" });
  });

  it("accepts the path of a task.toml, and passes over hidden children of a dataset", async () => {
    dir = await mkdtemp(join(tmpdir(), "harbor-"));
    const files = ["instruction.md", "tests/test.sh", "environment/Dockerfile"];
    await task(dir, "one", "", files);
    await mkdir(join(dir, ".git"));
    expect((await loadHarborPath(dir)).failures).toEqual([]);
    const single = await loadHarborPath(join(dir, "one", "task.toml"));
    expect([single.kind, single.tasks.map((t) => t.name)]).toEqual(["task", ["one"]]);
  });

  it("reports what a task folder lacks: environment/, a recipe, a test script, a step folder", async () => {
    dir = await mkdtemp(join(tmpdir(), "harbor-"));
    await task(dir, "no-recipe", "", ["instruction.md"]);
    await task(dir, "no-step", '[[steps]]\nname = "gone"\n', ["environment/Dockerfile", "tests/test.sh"]);
    await mkdir(join(dir, "no-env"));
    await writeFile(join(dir, "no-env", "task.toml"), "");
    const result = await loadHarborPath(dir);
    expect(result.failures.map((failure) => [failure.name, codesOf(failure.reasons)])).toEqual([
      ["no-env", ["missing-environment-dir"]],
      ["no-recipe", ["missing-environment-recipe", "missing-test-script"]],
      ["no-step", ["missing-step-dir steps[0].name"]],
    ]);
  });

  it("keeps the first of two tasks with one name and fails the second", async () => {
    dir = await mkdtemp(join(tmpdir(), "harbor-"));
    const toml = '[task]\nname = "org/same"\n';
    const files = ["instruction.md", "tests/test.sh", "environment/Dockerfile"];
    await task(dir, "a", toml, files);
    await task(dir, "b", toml, files);
    const result = await loadHarborPath(dir);
    expect(result.tasks.map((t) => t.dir)).toEqual([join(dir, "a")]);
    expect(codesOf(result.failures[0]!.reasons)).toEqual(["duplicate-task-name"]);
  });
});
