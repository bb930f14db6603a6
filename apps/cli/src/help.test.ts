import { beforeAll, describe, expect, it } from "vitest";
import { BUILD_TIMEOUT_MS, ensureBuilt, runHud } from "./test-support/hud-process.js";

beforeAll(ensureBuilt, BUILD_TIMEOUT_MS);

describe("hud --help", () => {
  it("lists every command and exits 0", async () => {
    const result = await runHud(["--help"]);
    expect(result.code, result.stderr).toBe(0);
    for (const command of [
      "init",
      "eval",
      "jobs",
      "tasks",
      "task",
      "sync",
      "serve",
      "build",
      "docker",
      "harbor",
    ])
      expect(result.stdout).toContain(command);
    expect(result.stderr).toBe("");
  });

  it.each([
    [["eval"], "--agent <module>"],
    [["jobs"], "list"],
    [["jobs", "list"], "--jobs-dir <dir>"],
    [["jobs", "show"], "--runs"],
    [["tasks"], "export"],
    [["tasks", "list"], "--json"],
    [["tasks", "export"], "<out>"],
    [["task"], "grade"],
    [["task", "list"], "--url <url>"],
    [["task", "start"], "--args <json>"],
    [["task", "grade"], "--answer-file <file>"],
    [["serve"], "--port <port>"],
    [["init"], "--no-link"],
    [["sync"], "plan"],
    [["sync", "plan"], "--unchanged"],
    [["build"], "--tag <image>"],
    [["docker"], "prune"],
    [["docker", "prune"], "--job <id>"],
    [["modal"], "prune"],
    [["modal", "prune"], "--job <id>"],
    [["e2b"], "prune"],
    [["e2b", "prune"], "--job <id>"],
    [["daytona"], "prune"],
    [["daytona", "prune"], "--json"],
    [["harbor"], "check"],
    [["harbor", "check"], "--json"],
  ])("hud %j --help shows its options and an example", async (command, option) => {
    const result = await runHud([...command, "--help"]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain(option);
    expect(result.stdout).toContain("Examples:");
    expect(result.stdout).toContain(`$ hud ${command.join(" ")}`);
  });

  it("prints the version", async () => {
    const result = await runHud(["--version"]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout.trim()).toMatch(/^\d+\.\d+\.\d+/);
  });
});
