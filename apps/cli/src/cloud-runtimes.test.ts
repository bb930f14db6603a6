import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BUILD_TIMEOUT_MS, ensureBuilt, linesOf, runHud } from "./test-support/hud-process.js";

// The cloud plugins resolve through the same resolver as `--runtime`, and without credentials
// each says, in one line, which variables to set: before any job starts, never per rollout.
let home: string;
let noCredentials: Record<string, string>;

beforeAll(async () => {
  await ensureBuilt();
  home = await mkdtemp(join(tmpdir(), "hudkit-cloud-home-"));
  noCredentials = {
    HOME: home,
    MODAL_CONFIG_PATH: join(home, "absent.toml"),
    MODAL_TOKEN_ID: "",
    MODAL_TOKEN_SECRET: "",
    E2B_API_KEY: "",
    DAYTONA_API_KEY: "",
  };
}, BUILD_TIMEOUT_MS);
afterAll(async () => {
  await rm(home, { recursive: true, force: true });
});

describe("cloud runtimes without credentials", () => {
  it.each([
    ["e2b", "e2b: no credentials: set E2B_API_KEY"],
    ["daytona", "daytona: no credentials: set DAYTONA_API_KEY"],
    ["modal", "modal: no credentials: set MODAL_TOKEN_ID and MODAL_TOKEN_SECRET"],
  ])("hud %s prune names the variables to set", async (provider, message) => {
    const result = await runHud([provider, "prune", "--job", "hudkit-cli-cloud"], noCredentials);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe("");
    const lines = linesOf(result.stderr);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain(message);
  });

  it("hud eval --runtime e2b:<template> stops before the job starts", async () => {
    const jobsDir = join(home, "jobs");
    const result = await runHud(
      [
        "eval",
        "examples/letter-count/tasks.ts",
        "--agent",
        "examples/letter-count/agent.ts",
        "--runtime",
        "e2b:letter-count",
        "--jobs-dir",
        jobsDir,
      ],
      noCredentials,
    );
    expect(result.code).toBe(2);
    expect(linesOf(result.stderr).at(-1)).toContain("e2b: no credentials: set E2B_API_KEY");
  });
});
