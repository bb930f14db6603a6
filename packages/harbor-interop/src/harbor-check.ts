import type { HarborFinding } from "./harbor-finding.js";
import { type HarborLoadOptions, inspectHarborPath } from "./harbor-loader.js";

/**
 * The findings of one task folder (or of a dataset child that is not one).
 *
 * @example
 * ```ts
 * const check: HarborTaskCheck = report.tasks[0]!;
 * check.loadable; // false when any finding is an error
 * ```
 */
export interface HarborTaskCheck {
  /** The absolute folder. */
  path: string;
  /** `[task].name`, else the folder name. */
  name: string;
  /** Whether {@link HarborTaskCheck.findings} has no error, so the task loads. */
  loadable: boolean;
  findings: HarborFinding[];
}

/**
 * What {@link checkHarborPath} returns.
 *
 * @example
 * ```ts
 * const report: HarborCheckReport = await checkHarborPath("datasets/hello");
 * process.exitCode = report.ok ? 0 : 1;
 * ```
 */
export interface HarborCheckReport {
  root: string;
  kind: "task" | "dataset";
  tasks: HarborTaskCheck[];
  errorCount: number;
  warningCount: number;
  /** No errors anywhere: every folder loads. */
  ok: boolean;
}

/**
 * Checks a Harbor task or dataset folder without stopping at the first problem: every finding
 * of every task, errors (the task would not load) and warnings (it loads, but something is
 * ignored, deprecated or unconventional), each with a stable kebab-case code. Backs
 * `hud harbor check <path>`. Throws only when the path is missing or holds no task at all.
 *
 * @example
 * ```ts
 * const report = await checkHarborPath("shared/harbor-samples");
 * for (const line of formatHarborCheck(report)) console.log(line);
 * ```
 */
export async function checkHarborPath(
  path: string,
  options: HarborLoadOptions = {},
): Promise<HarborCheckReport> {
  const { root, kind, inspections } = await inspectHarborPath(path, options);
  const tasks = inspections.map(({ dir, name, task, findings }) => ({
    path: dir,
    name,
    loadable: task !== undefined,
    findings,
  }));
  const all = tasks.flatMap((task) => task.findings);
  const errorCount = all.filter((finding) => finding.severity === "error").length;
  return { root, kind, tasks, errorCount, warningCount: all.length - errorCount, ok: errorCount === 0 };
}

/**
 * A check report as text: one line per finding (`error <task> <code> <file>: <message>`), an
 * `ok <task>` line for a task with none, and a summary line last.
 *
 * @example
 * ```ts
 * formatHarborCheck(await checkHarborPath("tasks/broken"));
 * // ["error broken missing-instruction instruction.md: instruction.md is missing",
 * //  "1 folder: 0 loadable, 1 not; 1 error, 0 warnings"]
 * ```
 */
export function formatHarborCheck(report: HarborCheckReport): string[] {
  const lines: string[] = [];
  for (const task of report.tasks) {
    if (task.findings.length === 0) lines.push(`ok ${task.name}`);
    for (const finding of task.findings) {
      const where = finding.file === undefined ? "" : ` ${finding.file}`;
      lines.push(`${finding.severity} ${task.name} ${finding.code}${where}: ${finding.message}`);
    }
  }
  const count = report.tasks.length;
  const loadable = report.tasks.filter((task) => task.loadable).length;
  const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"}`;
  lines.push(
    `${plural(count, "folder")}: ${loadable} loadable, ${count - loadable} not; ${plural(report.errorCount, "error")}, ${plural(report.warningCount, "warning")}`,
  );
  return lines;
}
