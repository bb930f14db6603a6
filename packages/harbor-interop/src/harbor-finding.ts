/**
 * The stable codes of what the loader and `checkHarborPath` find. Kebab-case, never renamed:
 * a future `hud harbor check` prints them and scripts may filter on them.
 */
export const HARBOR_FINDING_CODES = [
  // task.toml
  "invalid-toml",
  "invalid-value",
  "unknown-key",
  "unknown-metadata-key",
  "deprecated-key",
  "conflicting-value",
  "unknown-schema-version",
  // task folder
  "not-a-task-dir",
  "missing-task-toml",
  "missing-environment-dir",
  "missing-environment-recipe",
  "missing-instruction",
  "empty-instruction",
  "ignored-root-instruction",
  "missing-test-script",
  "missing-step-dir",
  "unlisted-step-dir",
  "unreadable-file",
  "duplicate-task-name",
  // what a CPU-only Linux Docker runner cannot run (spec §5 item 21)
  "unsupported-os",
  "unsupported-gpu",
  "unsupported-tpu",
  "unsupported-compose",
] as const;

/**
 * One of {@link HARBOR_FINDING_CODES}.
 *
 * @example
 * ```ts
 * const code: HarborFindingCode = "unknown-key";
 * ```
 */
export type HarborFindingCode = (typeof HARBOR_FINDING_CODES)[number];

/**
 * An error makes a task unloadable; a warning is reported and the task still loads.
 *
 * @example
 * ```ts
 * const severity: HarborFindingSeverity = "warning";
 * ```
 */
export type HarborFindingSeverity = "error" | "warning";

/**
 * One thing found in a Harbor task.
 *
 * @example
 * ```ts
 * const finding: HarborFinding = {
 *   code: "invalid-value",
 *   severity: "error",
 *   file: "task.toml",
 *   key: "environment.cpus",
 *   message: "Too small: expected number to be >0",
 * };
 * ```
 */
export interface HarborFinding {
  code: HarborFindingCode;
  severity: HarborFindingSeverity;
  message: string;
  /** The file the finding is about, relative to the task folder (`task.toml`, `steps/a/instruction.md`). */
  file?: string;
  /** The TOML key path, for `task.toml` findings: `environment.memory_mb`, `steps[1].agent.user`. */
  key?: string;
}

/**
 * A key path as a reader of `task.toml` writes it: dots between tables, `[i]` for array items
 * (`steps[0].verifier.timeout_sec`).
 *
 * @example
 * ```ts
 * formatKeyPath(["steps", 0, "agent", "user"]); // "steps[0].agent.user"
 * ```
 */
export function formatKeyPath(path: readonly PropertyKey[]): string {
  let out = "";
  for (const part of path) {
    if (typeof part === "number") out += `[${part}]`;
    else {
      const name = String(part);
      // Quoted like TOML quotes a key that is not bare, so the path stays unambiguous.
      const key = /^[A-Za-z0-9_-]+$/.test(name) ? name : JSON.stringify(name);
      out += out === "" ? key : `.${key}`;
    }
  }
  return out;
}

/**
 * Whether any finding is an error, which makes the task unloadable.
 *
 * @example
 * ```ts
 * hasErrors([{ code: "unknown-key", severity: "warning", message: "..." }]); // false
 * ```
 */
export function hasErrors(findings: readonly HarborFinding[]): boolean {
  return findings.some((finding) => finding.severity === "error");
}
