import { execFile } from "node:child_process";
import { lstat, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BUILD_TIMEOUT_MS, ensureBuilt, linesOf, REPO_ROOT, runHud } from "./test-support/hud-process.js";

const SCAFFOLD = [
  ".dockerignore",
  ".gitignore",
  "Dockerfile.hud",
  "README.md",
  "agent.ts",
  "env.ts",
  "package.json",
  "tasks.ts",
  "tsconfig.json",
];
/** A scaffold, an eval in it and a type check, all real processes on a busy machine. */
const SLOW = { timeout: 180_000 };
let root: string;

beforeAll(async () => {
  await ensureBuilt();
  root = await mkdtemp(join(tmpdir(), "hud-init-"));
}, BUILD_TIMEOUT_MS);
afterAll(() => rm(root, { recursive: true, force: true }));

describe("hud init", SLOW, () => {
  it("scaffolds a project in which hud eval tasks.ts --agent agent.ts scores 1.0 right away", async () => {
    const result = await runHud(["init", "My_Env"], {}, root);
    expect(result.code, result.stderr).toBe(0);
    const project = join(root, "My_Env");
    expect(linesOf(result.stdout)).toEqual([
      `created my-env in My_Env: ${SCAFFOLD_ORDER.join(", ")}`,
      "linked node_modules/@hudkit/core to this hud's own copy (0.1.0), so it runs offline; npm install replaces the link",
      "",
      "next:",
      "  cd My_Env",
      "  hud eval tasks.ts --agent agent.ts --group 3",
    ]);
    expect((await readdir(project)).sort()).toEqual([...SCAFFOLD, "node_modules"].sort());
    expect((await lstat(join(project, "node_modules/@hudkit/core"))).isSymbolicLink()).toBe(true);
    const manifest = JSON.parse(await readFile(join(project, "package.json"), "utf8"));
    expect(manifest).toMatchObject({
      name: "my-env",
      type: "module",
      dependencies: { "@hudkit/core": "^0.1.0" },
    });
    expect(await readFile(join(project, "env.ts"), "utf8")).toContain('name: "my-env"');
    const dockerfile = await readFile(join(project, "Dockerfile.hud"), "utf8");
    expect(dockerfile).toMatch(/^FROM node:24-bookworm-slim$/m);
    expect(dockerfile).toMatch(/^EXPOSE 8765$/m);

    const evaluated = await runHud(
      ["eval", "tasks.ts", "--agent", "agent.ts", "--group", "2", "--json"],
      {},
      project,
    );
    expect(evaluated.code, evaluated.stderr).toBe(0);
    const report = JSON.parse(evaluated.stdout);
    expect(report.summary).toEqual({ runs: 6, reward: 1, errors: 0, errorsByPhase: {} });
    expect(report).toMatchObject({ status: "completed", agent: "agent", dir: join(".hud/jobs", report.id) });
    expect(await readdir(join(project, ".hud/jobs"))).toEqual([report.id]);
  });

  it("writes TypeScript that type-checks against @hudkit/core", async () => {
    const project = join(root, "typed");
    expect((await runHud(["init", project], {}, root)).code).toBe(0);
    const tsc = join(REPO_ROOT, "node_modules/typescript/bin/tsc");
    await expect(promisify(execFile)(process.execPath, [tsc, "-p", project])).resolves.toMatchObject({
      stdout: "",
    });
  });

  it("refuses a directory that is not empty, in one line, and writes over it with --force", async () => {
    const project = join(root, "busy");
    await mkdir(project);
    await writeFile(join(project, "env.ts"), "// mine\n");
    const refused = await runHud(["init", project], {}, root);
    expect(refused.code).toBe(2);
    expect(linesOf(refused.stderr)).toEqual([
      expect.stringMatching(
        /^hud: .*busy is not empty \(env\.ts\): pick an empty directory, or pass --force/,
      ),
    ]);
    expect(await readFile(join(project, "env.ts"), "utf8")).toBe("// mine\n");

    const forced = await runHud(["init", project, "--force", "--name", "letters"], {}, root);
    expect(forced.code, forced.stderr).toBe(0);
    expect(await readFile(join(project, "env.ts"), "utf8")).toContain('name: "letters"');
  });

  it("leaves node_modules alone with --no-link", async () => {
    const project = join(root, "bare");
    const result = await runHud(["init", project, "--no-link"], {}, root);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).not.toContain("node_modules");
    expect(linesOf(result.stdout).slice(-3)).toEqual([
      "  cd bare",
      "  npm install",
      "  hud eval tasks.ts --agent agent.ts --group 3",
    ]);
    expect((await readdir(project)).sort()).toEqual(SCAFFOLD);
  });

  it("rejects a --name that is not lower case letters, digits and dashes", async () => {
    const result = await runHud(["init", join(root, "named"), "--name", "My Env"], {}, root);
    expect(result.code).toBe(2);
    expect(linesOf(result.stderr)).toEqual([
      expect.stringMatching(/^hud: --name must be lower case letters/),
    ]);
  });
});

/** The order `hud init` reports the files in. */
const SCAFFOLD_ORDER = [
  "env.ts",
  "tasks.ts",
  "agent.ts",
  "Dockerfile.hud",
  "package.json",
  "tsconfig.json",
  "README.md",
  ".gitignore",
  ".dockerignore",
];
