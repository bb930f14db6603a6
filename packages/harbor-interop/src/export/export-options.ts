import { HudkitError, z } from "@hudkit/core";

/** Where the agent writes its answer unless told otherwise: the reference exporter's path. */
export const DEFAULT_ANSWER_FILE = "/workspace/answer.txt";
/** Harbor's agent default before it became "no limit" (2026-03), and the reference exporter's. */
export const DEFAULT_AGENT_TIMEOUT_SEC = 600;
/** Harbor's own verifier default, written out so the task does not depend on it. */
export const DEFAULT_VERIFIER_TIMEOUT_SEC = 600;

/**
 * An absolute path of plain characters: it is written into a Dockerfile `RUN`, shell scripts
 * and the Markdown instruction, so nothing in it may need quoting to be read right everywhere.
 */
const ANSWER_FILE = /^\/(?:[A-Za-z0-9._-]+\/)*[A-Za-z0-9._-]+$/;

/**
 * Options of {@link exportHarborTasks}. Paths are relative to the current directory.
 *
 * @example
 * ```ts
 * const options: ExportHarborOptions = { source: "examples/letter-count/tasks.ts", outDir: "out/harbor" };
 * ```
 */
export interface ExportHarborOptions {
  /** The taskset: anything `Taskset.fromFile` reads (a tasks module, `.jsonl`, ...). */
  source: string;
  /** Where the task folders are written, one per task; created if missing. */
  outDir: string;
  /**
   * The env module served in the image, and used here for prompts and solutions. Default: the
   * module each task was loaded from (so a `.json`/`.jsonl`/`.csv` taskset needs it).
   */
  envFile?: string;
  /** The Dockerfile whose base image the tasks use. Default: `Dockerfile.hud` beside the env module. */
  dockerfile?: string;
  /** The absolute path the agent writes its final answer to. Default {@link DEFAULT_ANSWER_FILE}. */
  answerFile?: string;
  /** `[agent] timeout_sec`. Default {@link DEFAULT_AGENT_TIMEOUT_SEC}. */
  agentTimeoutSec?: number;
  /** `[verifier] timeout_sec`. Default {@link DEFAULT_VERIFIER_TIMEOUT_SEC}. */
  verifierTimeoutSec?: number;
  signal?: AbortSignal;
  /** Progress lines (bundling, starting tasks for their prompts) and taskset warnings. */
  onLog?: (line: string) => void;
}

const ExportHarborOptionsSchema = z.object({
  source: z.string().min(1, { error: "needs the taskset to export" }),
  outDir: z.string().min(1, { error: "needs the folder to write the tasks to" }),
  envFile: z.string().min(1).optional(),
  dockerfile: z.string().min(1).optional(),
  answerFile: z
    .string()
    .regex(ANSWER_FILE, {
      error:
        "must be an absolute path of letters, digits, '.', '_', '-' and '/', such as /workspace/answer.txt",
    })
    .default(DEFAULT_ANSWER_FILE),
  agentTimeoutSec: z.number().positive().finite().default(DEFAULT_AGENT_TIMEOUT_SEC),
  verifierTimeoutSec: z.number().positive().finite().default(DEFAULT_VERIFIER_TIMEOUT_SEC),
  signal: z.instanceof(AbortSignal).optional(),
  onLog: z.custom<(line: string) => void>((value) => typeof value === "function").optional(),
});

/**
 * {@link ExportHarborOptions} checked, defaults filled in.
 *
 * @example
 * ```ts
 * const settings: ExportHarborSettings = parseExportOptions({ source, outDir });
 * settings.answerFile; // "/workspace/answer.txt"
 * ```
 */
export type ExportHarborSettings = z.output<typeof ExportHarborOptionsSchema>;

/**
 * Validates the options of {@link exportHarborTasks}; the first problem is a `HudkitError`
 * (`invalid-options`) naming the option.
 *
 * @example
 * ```ts
 * parseExportOptions({ source: "tasks.ts", outDir: "out", answerFile: "answer.txt" });
 * // throws: exportHarborTasks: answerFile must be an absolute path ...
 * ```
 */
export function parseExportOptions(options: ExportHarborOptions): ExportHarborSettings {
  const parsed = ExportHarborOptionsSchema.safeParse(options, { reportInput: true });
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0]!;
  throw new HudkitError(
    "invalid-options",
    `exportHarborTasks: ${issue.path.join(".")} ${issue.message} (got ${describeInput(issue.input)})`,
  );
}

function describeInput(input: unknown): string {
  return typeof input === "function" ? "a function" : (JSON.stringify(input) ?? String(input));
}
