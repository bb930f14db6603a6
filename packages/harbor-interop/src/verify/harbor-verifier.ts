import { stat } from "node:fs/promises";
import { HudkitError } from "@hudkit/core";
import type { ContainerAccess } from "../container/container-access.js";
import type { HarborStep, HarborTask } from "../harbor-task.js";
import { resolveEnvTemplates } from "./env-templates.js";
import { REWARD_JSON_PATH, REWARD_TXT_PATH, type RewardErrorCode, readRewards } from "./reward-file.js";

const VERIFIER_LOGS_DIR = "/logs/verifier";
const TESTS_DIR = "/tests";
const TEST_SCRIPT = `${TESTS_DIR}/test.sh`;

/**
 * Where the verifier's combined stdout and stderr go, as in Harbor.
 *
 * @example
 * ```ts
 * const log = await access.readFile(TEST_STDOUT_PATH);
 * ```
 */
export const TEST_STDOUT_PATH = `${VERIFIER_LOGS_DIR}/test-stdout.txt`;

/** Enough of a test log to see why it failed, small enough to travel in a grade frame. */
const TEST_STDOUT_TAIL_BYTES = 64 * 1024;
/** The part of the test log an error message carries; the frame's info has the 64 KiB tail. */
const ERROR_OUTPUT_LINES = 20;

/**
 * Options of {@link runHarborVerifier}.
 *
 * @example
 * ```ts
 * const options: HarborVerifierOptions = { step: task.steps[0], hostEnv: { API_KEY: "sk-1" } };
 * ```
 */
export interface HarborVerifierOptions {
  /** Verify this step of a multi-step task: its tests over the task's, its env and timeout. */
  step?: HarborStep;
  /** Where `${VAR}` templates of the env tables are resolved. Default `process.env`. */
  hostEnv?: Record<string, string | undefined>;
  /** Aborts the run: the verifier is then neither scored nor an outcome; the call rejects. */
  signal?: AbortSignal;
}

/**
 * Why a verification has no reward: a reward-file problem, or a test.sh that outran
 * `[verifier].timeout_sec`.
 *
 * @example
 * ```ts
 * const code: VerifierErrorCode = "verifier-timeout";
 * ```
 */
export type VerifierErrorCode = RewardErrorCode | "verifier-timeout";

/**
 * What one verification gave. The exit code of test.sh never decides the score (Harbor ignores
 * it) but is kept, as is the end of its output, for whoever reads the result.
 *
 * @example
 * ```ts
 * const outcome: VerifierOutcome = await runHarborVerifier(access, task, {});
 * if (outcome.ok) console.log(outcome.primary, outcome.rewards);
 * else console.error(outcome.code, outcome.message, outcome.testStdout);
 * ```
 */
export type VerifierOutcome =
  | {
      ok: true;
      rewards: Record<string, number>;
      primary: number;
      warnings: string[];
      exitCode: number;
      /** The last 64 KiB of `/logs/verifier/test-stdout.txt`. */
      testStdout: string;
      /** The whole verification: clearing, uploads, test.sh and reading the reward. */
      durationMs: number;
    }
  | {
      ok: false;
      code: VerifierErrorCode;
      message: string;
      /** null when test.sh did not finish. */
      exitCode: number | null;
      testStdout: string;
      durationMs: number;
    };

/**
 * Runs a Harbor task's verifier in the task's own container (shared mode) and reads its reward,
 * as Harbor does (spec §1.6, §1.7 step 7, §5 items 22-31), with one safety step Harbor takes
 * only between the steps of a multi-step task: `/logs/verifier` and `/tests` are emptied first,
 * so a reward file the agent wrote in advance never counts.
 *
 * In order: as root, empty `/logs/verifier` (then `chmod 777`, so any verifier user can write)
 * and `/tests`; upload the task's `tests/` to `/tests`, then the step's `tests/` over it (its
 * files win); `chmod +x /tests/test.sh`; run it, output to `/logs/verifier/test-stdout.txt`, as
 * the step's `[steps.verifier].user`, else `[verifier].user` (unset: the image's user), in
 * `[environment].workdir` (unset: the image's WORKDIR), with `[environment].env`,
 * `[verifier].env` and the step's `[verifier].env` (later wins, `${VAR}` templates resolved from
 * `hostEnv`), bounded by the task's `[verifier].timeout_sec` or the step's (600 s when unset, as
 * in Harbor; the bound covers test.sh alone); read the reward files, and the end of the log
 * through `tail`, so that a test that printed gigabytes costs 64 KiB to read.
 *
 * A missing reward, an unreadable one or a timeout is an `{ ok: false }` outcome, never a 0.
 * Throws a {@link HudkitError} for what is not the task's fault to score: a separate-mode
 * verifier (`harbor-separate-verifier-unsupported`), a Windows task, a missing env variable
 * (`harbor-env-missing`, before the container is touched), a failed preparation command; and
 * rejects with whatever the container access throws (a dead container, an abort).
 *
 * @example
 * ```ts
 * const { task } = await loadHarborTask("tasks/hello-user");
 * const access = createDockerContainerAccess(new Docker(), containerId);
 * // ... the agent works in the container ...
 * const outcome = await runHarborVerifier(access, task, { signal });
 * yield verifierGradeFrame(outcome); // { score: 1, info: { rewards: { reward: 1 }, ... } }
 * ```
 */
export async function runHarborVerifier(
  access: ContainerAccess,
  task: HarborTask,
  options: HarborVerifierOptions = {},
): Promise<VerifierOutcome> {
  const started = performance.now();
  const { step, signal } = options;
  const label = step === undefined ? task.name : `${task.name}, step "${step.name}"`;
  const mode = step?.verifier ?? task.verifier;
  if (mode.mode === "separate") {
    throw new HudkitError(
      "harbor-separate-verifier-unsupported",
      `${label}: its verifier runs in a separate environment ([verifier].environment_mode = "separate" or a [verifier.environment] table); hudkit does not support separate verifiers yet`,
    );
  }
  if (task.config.environment.os === "windows") {
    throw new HudkitError(
      "harbor-windows-unsupported",
      `${label}: a Windows task (test.bat) cannot be verified; hudkit runs Linux containers only`,
    );
  }
  const env = verifierEnv(task, step, options.hostEnv ?? process.env);
  const user = step?.config.verifier?.user ?? task.config.verifier.user;
  const timeoutSec = step === undefined ? task.config.verifier.timeout_sec : step.verifierTimeoutSec;
  const timeoutKey =
    step === undefined ? "[verifier].timeout_sec" : "the step's [steps.verifier].timeout_sec, 600 when unset";

  await asRoot(
    access,
    `mkdir -p ${VERIFIER_LOGS_DIR} ${TESTS_DIR}` +
      ` && find ${VERIFIER_LOGS_DIR} ${TESTS_DIR} -mindepth 1 -maxdepth 1 -exec rm -rf -- {} +` +
      ` && chmod 777 ${VERIFIER_LOGS_DIR}`,
    `${label}: could not clear ${VERIFIER_LOGS_DIR} and ${TESTS_DIR}`,
    signal,
  );
  // A multi-step task may keep every test in its steps, so the task's tests/ can be absent.
  if (await isDirectory(task.paths.tests)) await access.upload(task.paths.tests, TESTS_DIR, { signal });
  if (step?.paths.tests !== undefined) await access.upload(step.paths.tests, TESTS_DIR, { signal });
  await asRoot(
    access,
    `chmod +x ${TEST_SCRIPT}`,
    `${label}: could not make ${TEST_SCRIPT} executable`,
    signal,
  );

  const finish = (fields: DistributiveOmit<VerifierOutcome, "durationMs">): VerifierOutcome => ({
    ...fields,
    durationMs: Math.round(performance.now() - started),
  });

  let exitCode: number;
  try {
    // Run directly so that its shebang picks the interpreter, in the very words Harbor uses.
    const result = await access.exec(`(${TEST_SCRIPT}) > ${TEST_STDOUT_PATH} 2>&1`, {
      ...(user === undefined ? {} : { user: String(user) }),
      ...(task.config.environment.workdir === undefined ? {} : { workdir: task.config.environment.workdir }),
      env,
      timeoutMs: timeoutSec * 1000,
      signal,
    });
    exitCode = result.exitCode;
  } catch (error) {
    if (!(HudkitError.isInstance(error) && error.code === "exec-timeout") || signal?.aborted) throw error;
    return finish({
      ok: false,
      code: "verifier-timeout",
      message: `${TEST_SCRIPT} did not finish within ${timeoutSec} s (${timeoutKey})`,
      exitCode: null,
      testStdout: await readTestStdout(access, signal),
    });
  }

  const [json, txt, testStdout] = await Promise.all([
    access.readFile(REWARD_JSON_PATH, { signal }),
    access.readFile(REWARD_TXT_PATH, { signal }),
    readTestStdout(access, signal),
  ]);
  const reading = readRewards({ json, txt });
  if (!reading.ok) return finish({ ...reading, exitCode, testStdout });
  const { rewards, primary, warnings } = reading;
  return finish({ ok: true, rewards, primary, warnings, exitCode, testStdout });
}

/**
 * The `tasks.grade` frame a hudkit environment yields for a verification: the primary reward as
 * `score`, everything else under `info`. An outcome with no reward throws a {@link HudkitError}
 * with its code, so the run ends as an error rather than as a 0 (spec §5 item 31); the message
 * carries test.sh's exit code and the end of its output.
 *
 * @example
 * ```ts
 * verifierGradeFrame(await runHarborVerifier(access, task));
 * // { score: 1, info: { rewards: { reward: 1 }, warnings: [], exit_code: 0, test_stdout: "..." } }
 * ```
 */
export function verifierGradeFrame(outcome: VerifierOutcome): HarborGradeFrame {
  if (outcome.ok) {
    return {
      score: outcome.primary,
      info: {
        rewards: outcome.rewards,
        warnings: outcome.warnings,
        exit_code: outcome.exitCode,
        test_stdout: outcome.testStdout,
      },
    };
  }
  const exit = outcome.exitCode === null ? "" : `; ${TEST_SCRIPT} exited with code ${outcome.exitCode}`;
  const output = lastLines(outcome.testStdout, ERROR_OUTPUT_LINES);
  const tail = output === "" ? ", with no output" : `; the end of its output:\n${output}`;
  throw new HudkitError(outcome.code, `${outcome.message}${exit}${tail}`);
}

/**
 * The grade frame of a Harbor verification, in the keys the HUD wire format uses.
 *
 * @example
 * ```ts
 * const frame: HarborGradeFrame = { score: 1, info: { rewards: { reward: 1 }, warnings: [], exit_code: 0, test_stdout: "" } };
 * ```
 */
export interface HarborGradeFrame {
  score: number;
  info: {
    rewards: Record<string, number>;
    warnings: string[];
    exit_code: number;
    test_stdout: string;
  };
}

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

function verifierEnv(
  task: HarborTask,
  step: HarborStep | undefined,
  hostEnv: Record<string, string | undefined>,
): Record<string, string> {
  const env = {
    ...resolveEnvTemplates(task.config.environment.env, hostEnv, "environment.env"),
    ...resolveEnvTemplates(task.config.verifier.env, hostEnv, "verifier.env"),
  };
  if (step === undefined) return env;
  const index = task.config.steps?.findIndex((candidate) => candidate.name === step.name) ?? -1;
  const where = index < 0 ? `steps.${step.name}.verifier.env` : `steps[${index}].verifier.env`;
  return { ...env, ...resolveEnvTemplates(step.config.verifier?.env ?? {}, hostEnv, where) };
}

async function asRoot(
  access: ContainerAccess,
  command: string,
  failure: string,
  signal: AbortSignal | undefined,
): Promise<void> {
  // "/" exists in every image, whereas the image's WORKDIR or the task's may not exist yet.
  const result = await access.exec(command, { user: "root", workdir: "/", signal });
  if (result.exitCode !== 0) {
    const detail = (result.stderr.trim() || result.stdout.trim()).split("\n").at(-1) ?? "";
    throw new HudkitError(
      "harbor-verifier-setup-failed",
      `${failure} (exit code ${result.exitCode}${detail === "" ? "" : `: ${detail}`})`,
    );
  }
}

async function readTestStdout(access: ContainerAccess, signal: AbortSignal | undefined): Promise<string> {
  const result = await access.exec(
    `tail -c ${TEST_STDOUT_TAIL_BYTES} ${TEST_STDOUT_PATH} 2>/dev/null || true`,
    {
      user: "root",
      workdir: "/",
      maxOutputBytes: TEST_STDOUT_TAIL_BYTES,
      signal,
    },
  );
  return result.stdout;
}

async function isDirectory(path: string): Promise<boolean> {
  return stat(path).then(
    (stats) => stats.isDirectory(),
    () => false,
  );
}

function lastLines(text: string, count: number): string {
  return text.trimEnd().split("\n").slice(-count).join("\n");
}
