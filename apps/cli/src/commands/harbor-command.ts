import { isAbsolute, relative } from "node:path";
import { z } from "zod";
import { parseOptions } from "../option-parsing.js";

/** `hud harbor check`'s options. */
export const HarborCheckOptionsSchema = z.object({ json: z.boolean().default(false) });

/** Exit code of a check that found errors: the command ran, the tasks did not pass. */
const EXIT_FINDINGS = 1;

/**
 * `hud harbor check <path>`: every finding of every Harbor task under `path`, one line each
 * with a stable code (`checkHarborPath`). Exit 0 when every task loads, 1 when some do not.
 */
export async function harborCheckCommand(path: string, raw: Record<string, unknown>): Promise<number> {
  const options = parseOptions(HarborCheckOptionsSchema, raw);
  const { checkHarborPath, formatHarborCheck } = await import("@hudkit/harbor");
  const report = await checkHarborPath(path);
  const text = options.json ? JSON.stringify(report, null, 2) : formatHarborCheck(report).join("\n");
  process.stdout.write(`${text}\n`);
  return report.ok ? 0 : EXIT_FINDINGS;
}

/** A positive number of seconds written on the command line (`--agent-timeout 900`). */
function positiveSeconds() {
  return z
    .string()
    .regex(/^\s*\d+(\.\d+)?\s*$/, { error: "must be a number of seconds greater than 0" })
    .transform(Number)
    .pipe(z.number().positive({ error: "must be a number of seconds greater than 0" }));
}

/** `hud harbor export`'s arguments and options. */
export const HarborExportOptionsSchema = z.object({
  source: z.string().min(1, { error: "needs the taskset to export" }),
  outDir: z.string().min(1, { error: "needs the folder to write the Harbor tasks to" }),
  envFile: z.string().min(1, { error: "needs the env module's path" }).optional(),
  dockerfile: z.string().min(1, { error: "needs the Dockerfile's path" }).optional(),
  answerFile: z
    .string()
    .regex(/^\//, {
      error: "must be an absolute path inside the task's container, such as /workspace/answer.txt",
    })
    .optional(),
  agentTimeout: positiveSeconds().optional(),
  verifierTimeout: positiveSeconds().optional(),
});

/**
 * `hud harbor export <source> <out-dir>`: every task of the taskset as a Harbor task folder
 * (`exportHarborTasks`), a line per folder on stdout, then a summary. Progress goes to stderr.
 */
export async function harborExportCommand(
  source: string,
  outDir: string,
  raw: Record<string, unknown>,
): Promise<number> {
  const options = parseOptions(HarborExportOptionsSchema, { ...raw, source, outDir }, ["source", "outDir"]);
  const { exportHarborTasks } = await import("@hudkit/harbor");
  const controller = new AbortController();
  const stop = () => controller.abort(new Error("interrupted (Ctrl-C)"));
  process.once("SIGINT", stop);
  try {
    const { written } = await exportHarborTasks({
      source: options.source,
      outDir: options.outDir,
      ...(options.envFile === undefined ? {} : { envFile: options.envFile }),
      ...(options.dockerfile === undefined ? {} : { dockerfile: options.dockerfile }),
      ...(options.answerFile === undefined ? {} : { answerFile: options.answerFile }),
      ...(options.agentTimeout === undefined ? {} : { agentTimeoutSec: options.agentTimeout }),
      ...(options.verifierTimeout === undefined ? {} : { verifierTimeoutSec: options.verifierTimeout }),
      signal: controller.signal,
      onLog: (line) => process.stderr.write(`${line}\n`),
    });
    const lines = written.map(
      (task) =>
        `wrote ${displayPath(task.dir)} (${task.slug}${task.solution ? ", with solution/solve.sh" : ", no solution"})`,
    );
    const solved = written.filter((task) => task.solution).length;
    const noun = written.length === 1 ? "task" : "tasks";
    lines.push(
      `exported ${written.length} ${noun} to ${options.outDir}, ${solved} with a reference solution for Harbor's oracle`,
      `check them: hud harbor check ${options.outDir}`,
    );
    process.stdout.write(`${lines.join("\n")}\n`);
    return 0;
  } finally {
    process.off("SIGINT", stop);
  }
}

/** Relative to the current directory when below it, else absolute. */
function displayPath(path: string): string {
  const relativePath = relative(process.cwd(), path);
  return relativePath === "" || relativePath.startsWith("..") || isAbsolute(relativePath)
    ? path
    : relativePath;
}
