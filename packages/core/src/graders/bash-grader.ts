import { stat } from "node:fs/promises";
import { HudkitError } from "../errors/hudkit-error.js";
import { SubScore } from "./evaluation-result.js";
import { type GraderOptions, graderLabel } from "./grader-options.js";
import { runProcessGroup } from "./process-group-run.js";

/** The reference's `BashGrader.default_timeout`: 10 minutes, enough for a slow test suite. */
export const DEFAULT_BASH_TIMEOUT_MS = 600_000;
/** Per stream. The reference keeps everything; an unbounded log would sit in the grade frame. */
export const BASH_OUTPUT_CAP_BYTES = 1024 * 1024;
/** Time a command gets to exit after SIGTERM before SIGKILL. */
export const BASH_KILL_GRACE_MS = 2_000;
const BASH = "/bin/bash";

/** Options of {@link bashGrader}. */
export interface BashGraderOptions extends GraderOptions {
  /** Run as `/bin/bash -lc <command>`. */
  command: string;
  /** Working directory, usually the workspace root (the grader runs on the env host). */
  cwd?: string;
  /** Default {@link DEFAULT_BASH_TIMEOUT_MS}. */
  timeoutMs?: number;
  /** Variables added to the server's environment; `undefined` removes one. */
  env?: Record<string, string | undefined>;
  /** Aborting kills the command's process group and rejects with the signal's reason. */
  signal?: AbortSignal;
}

/** `info` of a bash grader's SubScore (a type alias, so it is a plain JSON record). */
export type BashGraderInfo = {
  /** null when the command did not start, timed out, or was killed by a signal. */
  exit_code: number | null;
  stdout: string;
  stderr: string;
  timed_out: boolean;
  /** Set when timed out. */
  timeout_ms?: number;
  /** Set when a signal hudkit did not send ended the command. */
  signal?: string;
};

/**
 * Runs a shell command and scores its exit status: 1 for exit 0, else 0, as the reference's
 * `BashGrader`. The command runs as `/bin/bash -lc` in its own process group, with stdin
 * closed; once bash exits, times out or is aborted, the whole group is ended (SIGTERM, 2 s,
 * SIGKILL) so background children do not outlive the grade; a process that leaves the group
 * (`setsid`, a daemon) is out of its reach. stdout and stderr are decoded as
 * UTF-8 and capped at {@link BASH_OUTPUT_CAP_BYTES} each (first and last half kept, a marker
 * between). `info` is {@link BashGraderInfo}.
 *
 * Differences from the reference, on purpose: a timed-out run keeps the output it printed
 * (the reference sends empty strings), and a missing `cwd` scores 0 with a message instead of
 * reading as a missing bash. Default name `"bash"`.
 *
 * @example
 * ```ts
 * yield await combine([
 *   bashGrader({ command: "pytest -q", cwd: "/workspace", timeoutMs: 120_000, weight: 0.7 }),
 *   exactMatch(answer, "42", { weight: 0.3 }),
 * ]);
 * ```
 */
export async function bashGrader(options: BashGraderOptions): Promise<SubScore> {
  const { command, cwd, timeoutMs = DEFAULT_BASH_TIMEOUT_MS, env, signal } = options;
  if (typeof command !== "string" || command.trim() === "") {
    throw new HudkitError("invalid-command", "bashGrader: 'command' must be a non-empty string");
  }
  if (command.includes("\0")) {
    throw new HudkitError("invalid-command", "bashGrader: 'command' must not contain NUL characters");
  }
  if (!(Number.isFinite(timeoutMs) && timeoutMs > 0)) {
    throw new HudkitError(
      "invalid-timeout",
      `bashGrader: timeoutMs must be a positive number, got ${timeoutMs}`,
    );
  }
  const label = graderLabel("bash", options);
  signal?.throwIfAborted();
  const score = (value: number, info: BashGraderInfo) => new SubScore({ ...label, value, info });
  const notStarted = (stderr: string) => score(0, { exit_code: null, stdout: "", stderr, timed_out: false });

  if (cwd !== undefined && !(await isDirectory(cwd)))
    return notStarted(`working directory not found: ${cwd}`);
  const outcome = await runProcessGroup(BASH, ["-lc", command], {
    cwd,
    env: env ? { ...process.env, ...env } : process.env,
    timeoutMs,
    signal,
    outputCapBytes: BASH_OUTPUT_CAP_BYTES,
    killGraceMs: BASH_KILL_GRACE_MS,
  });
  if (!outcome.started) {
    return notStarted(
      outcome.error.code === "ENOENT"
        ? `${BASH} not found`
        : `${BASH} failed to start: ${outcome.error.message}`,
    );
  }
  const { stdout, stderr } = outcome;
  if (outcome.stopped === "abort") throw signal?.reason ?? new Error("bashGrader aborted");
  if (outcome.stopped === "timeout") {
    return score(0, { exit_code: null, stdout, stderr, timed_out: true, timeout_ms: timeoutMs });
  }
  const info: BashGraderInfo = { exit_code: outcome.exitCode, stdout, stderr, timed_out: false };
  if (outcome.exitSignal) info.signal = outcome.exitSignal;
  return score(outcome.exitCode === 0 ? 1 : 0, info);
}

async function isDirectory(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isDirectory();
  } catch {
    return false;
  }
}
