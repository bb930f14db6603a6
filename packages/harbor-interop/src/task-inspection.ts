import { basename, join, relative } from "node:path";
import { stripCanary } from "./canary.js";
import { type HarborFinding, hasErrors } from "./harbor-finding.js";
import type {
  HarborEnvironmentRecipe,
  HarborStep,
  HarborStepPaths,
  HarborTask,
  HarborTaskPaths,
} from "./harbor-task.js";
import { composeRefusal, environmentRefusals, type HarborRunnerSupport } from "./runner-support.js";
import { childDirs, pathKind, readText } from "./task-files.js";
import { parseTaskToml } from "./task-toml.js";
import { DEFAULT_VERIFIER_TIMEOUT_SEC, type HarborTaskConfig } from "./task-toml-schema.js";
import { type HarborVerifierMode, resolveVerifierMode } from "./verifier-mode.js";

/**
 * Everything found in one task folder: the task when nothing is an error, and every finding.
 *
 * @example
 * ```ts
 * const inspection: HarborTaskInspection = await inspectTaskDir("/data/tasks/hello", {});
 * ```
 */
export interface HarborTaskInspection {
  /** The absolute task folder. */
  dir: string;
  /** `[task].name` when the config could be read, else the folder name. */
  name: string;
  task?: HarborTask;
  findings: HarborFinding[];
}

interface Context {
  dir: string;
  runner: HarborRunnerSupport;
  findings: HarborFinding[];
}

/** `fields` without its undefined entries, so optional paths are absent rather than undefined. */
function compact<T extends object>(fields: T): T {
  return Object.fromEntries(Object.entries(fields).filter(([, value]) => value !== undefined)) as T;
}

async function existing(path: string, kind: "file" | "dir"): Promise<string | undefined> {
  return (await pathKind(path)) === kind ? path : undefined;
}

/** The canary-stripped instruction at `file`, or undefined with a finding when it is missing. */
async function readInstruction(ctx: Context, file: string): Promise<string | undefined> {
  const where = relative(ctx.dir, file);
  if ((await pathKind(file)) !== "file") {
    ctx.findings.push({
      code: "missing-instruction",
      severity: "error",
      file: where,
      message: `${where} is missing`,
    });
    return undefined;
  }
  let text: string;
  try {
    text = stripCanary(await readText(file));
  } catch (error) {
    ctx.findings.push({
      code: "unreadable-file",
      severity: "error",
      file: where,
      message: `${where}: ${String(error)}`,
    });
    return undefined;
  }
  if (text.trim() === "") {
    ctx.findings.push({
      code: "empty-instruction",
      severity: "warning",
      file: where,
      message: `${where} is empty once canary lines are removed: the agent gets no instruction`,
    });
  }
  return text;
}

async function readConfig(ctx: Context, file: string): Promise<HarborTaskConfig | undefined> {
  let text: string;
  try {
    text = await readText(file);
  } catch (error) {
    ctx.findings.push({
      code: "unreadable-file",
      severity: "error",
      file: "task.toml",
      message: String(error),
    });
    return undefined;
  }
  const { config, findings } = parseTaskToml(text);
  ctx.findings.push(...findings.map((finding) => ({ file: "task.toml", ...finding })));
  return config;
}

function recipeOf(
  config: HarborTaskConfig,
  paths: Pick<HarborTaskPaths, "dockerfile" | "composeFile">,
): HarborEnvironmentRecipe | undefined {
  if (config.environment.docker_image !== undefined) return "docker-image";
  if (paths.dockerfile !== undefined) return "dockerfile";
  return paths.composeFile !== undefined ? "compose" : undefined;
}

function missingTestScript(ctx: Context, expected: string[], why: string): void {
  const names = expected.map((path) => relative(ctx.dir, path)).join(" or ");
  ctx.findings.push({
    code: "missing-test-script",
    severity: "error",
    file: relative(ctx.dir, expected[0]!),
    message: `${names} is missing: ${why}`,
  });
}

async function loadStep(
  ctx: Context,
  config: HarborTaskConfig,
  index: number,
  taskVerifier: HarborVerifierMode,
  ext: string,
  sharedTestScript: string | undefined,
): Promise<HarborStep | undefined> {
  const stepConfig = config.steps![index]!;
  const dir = join(ctx.dir, "steps", stepConfig.name);
  if ((await pathKind(dir)) !== "dir") {
    ctx.findings.push({
      code: "missing-step-dir",
      severity: "error",
      file: `steps/${stepConfig.name}`,
      key: `steps[${index}].name`,
      message: `step "${stepConfig.name}" has no folder steps/${stepConfig.name}/`,
    });
    return undefined;
  }
  const instruction = await readInstruction(ctx, join(dir, "instruction.md"));
  const paths: HarborStepPaths = compact({
    dir,
    instruction: join(dir, "instruction.md"),
    tests: await existing(join(dir, "tests"), "dir"),
    testScript: await existing(join(dir, "tests", `test${ext}`), "file"),
    solution: await existing(join(dir, "solution"), "dir"),
    solveScript: await existing(join(dir, "solution", `solve${ext}`), "file"),
    workdir: await existing(join(dir, "workdir"), "dir"),
    setupScript: await existing(join(dir, "workdir", "setup.sh"), "file"),
  });

  const stepVerifier = stepConfig.verifier;
  // The step's own mode or environment wins; otherwise the step verifies like the task.
  const verifier =
    stepVerifier?.environment_mode !== undefined || stepVerifier?.environment !== undefined
      ? resolveVerifierMode(stepVerifier, config.environment)
      : taskVerifier;
  if (verifier.mode === "shared" && paths.testScript === undefined && sharedTestScript === undefined) {
    missingTestScript(
      ctx,
      [join(dir, "tests", `test${ext}`), join(ctx.dir, "tests", `test${ext}`)],
      `step "${stepConfig.name}" has nothing to verify it with`,
    );
  }
  if (stepVerifier?.environment !== undefined) {
    ctx.findings.push(
      ...environmentRefusals(stepVerifier.environment, `steps[${index}].verifier.environment`, ctx.runner),
    );
  }
  if (instruction === undefined) return undefined;
  return {
    name: stepConfig.name,
    instruction,
    config: stepConfig,
    agentTimeoutSec: stepConfig.agent?.timeout_sec ?? config.agent.timeout_sec,
    verifierTimeoutSec: stepVerifier?.timeout_sec ?? DEFAULT_VERIFIER_TIMEOUT_SEC,
    verifier,
    paths,
  };
}

async function reportUnlistedSteps(ctx: Context, config: HarborTaskConfig): Promise<void> {
  const stepsDir = join(ctx.dir, "steps");
  if ((await pathKind(stepsDir)) !== "dir") return;
  const listed = new Set((config.steps ?? []).map((step) => step.name));
  for (const name of await childDirs(stepsDir)) {
    if (listed.has(name)) continue;
    ctx.findings.push({
      code: "unlisted-step-dir",
      severity: "warning",
      file: `steps/${name}`,
      message: `steps/${name}/ is not listed in [[steps]]; Harbor never runs it`,
    });
  }
}

/**
 * Reads and validates one Harbor task folder (spec §1.1): `task.toml` and `environment/` must
 * exist, the TOML must validate, a single-step task needs `instruction.md` and an OS-matching
 * `tests/test.sh` (unless its verifier is separate), and a multi-step task needs every
 * `steps/<name>/instruction.md` and a step or shared test script. The runner's limits turn
 * Windows, GPU, TPU and compose tasks into errors. Never throws for a bad task: every problem is
 * a finding.
 *
 * @example
 * ```ts
 * const { task, findings } = await inspectTaskDir("/data/tasks/hello-user", {});
 * if (task) console.log(task.name, task.instruction);
 * else for (const f of findings) console.log(f.code, f.message);
 * ```
 */
export async function inspectTaskDir(
  dir: string,
  runner: HarborRunnerSupport,
  dataset?: string,
): Promise<HarborTaskInspection> {
  const ctx: Context = { dir, runner, findings: [] };
  const folderName = basename(dir);
  const configFile = join(dir, "task.toml");
  const environment = join(dir, "environment");
  if ((await pathKind(configFile)) !== "file") {
    ctx.findings.push({
      code: "missing-task-toml",
      severity: "error",
      file: "task.toml",
      message: "task.toml is missing",
    });
  }
  if ((await pathKind(environment)) !== "dir") {
    ctx.findings.push({
      code: "missing-environment-dir",
      severity: "error",
      file: "environment",
      message: "environment/ is missing (Harbor requires the folder even for a prebuilt docker_image)",
    });
  }
  if (hasErrors(ctx.findings)) return { dir, name: folderName, findings: ctx.findings };

  const config = await readConfig(ctx, configFile);
  if (config === undefined) return { dir, name: folderName, findings: ctx.findings };
  const name = config.task?.name ?? folderName;
  const ext = config.environment.os === "windows" ? ".bat" : ".sh";
  const paths: HarborTaskPaths = compact({
    dir,
    config: configFile,
    instruction: await existing(join(dir, "instruction.md"), "file"),
    environment,
    dockerfile: await existing(join(environment, "Dockerfile"), "file"),
    composeFile: await existing(join(environment, "docker-compose.yaml"), "file"),
    tests: join(dir, "tests"),
    testScript: await existing(join(dir, "tests", `test${ext}`), "file"),
    solution: await existing(join(dir, "solution"), "dir"),
    solveScript: await existing(join(dir, "solution", `solve${ext}`), "file"),
    trajectory: await existing(join(dir, "trajectory.json"), "file"),
  });

  const recipe = recipeOf(config, paths);
  if (recipe === undefined) {
    ctx.findings.push({
      code: "missing-environment-recipe",
      severity: "error",
      file: "environment",
      message:
        "nothing to build or pull: no [environment].docker_image, environment/Dockerfile or environment/docker-compose.yaml",
    });
  }
  ctx.findings.push(...environmentRefusals(config.environment, "environment", runner));
  if (config.verifier.environment !== undefined) {
    ctx.findings.push(...environmentRefusals(config.verifier.environment, "verifier.environment", runner));
  }
  ctx.findings.push(...composeRefusal(paths.composeFile !== undefined, runner));

  const verifier = resolveVerifierMode(config.verifier, config.environment);
  const multiStep = config.steps !== undefined && config.steps.length > 0;
  let instruction: string | undefined = "";
  const steps: HarborStep[] = [];
  if (multiStep) {
    if (paths.instruction !== undefined) {
      ctx.findings.push({
        code: "ignored-root-instruction",
        severity: "warning",
        file: "instruction.md",
        message:
          "instruction.md is ignored in a multi-step task; each step reads steps/<name>/instruction.md",
      });
    }
    for (let index = 0; index < config.steps!.length; index++) {
      const step = await loadStep(ctx, config, index, verifier, ext, paths.testScript);
      if (step) steps.push(step);
    }
    await reportUnlistedSteps(ctx, config);
  } else {
    instruction = await readInstruction(ctx, join(dir, "instruction.md"));
    if (verifier.mode === "shared" && paths.testScript === undefined) {
      missingTestScript(ctx, [join(dir, "tests", `test${ext}`)], "the verifier runs it to write the reward");
    }
    await reportUnlistedSteps(ctx, config);
  }

  if (hasErrors(ctx.findings) || instruction === undefined || recipe === undefined) {
    return { dir, name, findings: ctx.findings };
  }
  const task: HarborTask = {
    name,
    shortName: name.slice(name.lastIndexOf("/") + 1),
    dir,
    ...(dataset === undefined ? {} : { dataset }),
    schemaVersion: config.schema_version,
    config,
    instruction,
    multiStep,
    steps,
    recipe,
    verifier,
    paths,
  };
  return { dir, name, task, findings: ctx.findings };
}
