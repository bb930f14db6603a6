import { stringify } from "smol-toml";

/** Harbor's own build default, written out so the task does not depend on it. */
const BUILD_TIMEOUT_SEC = 600;
/** The `org` part of every exported task's `[task].name`. */
export const EXPORT_ORG = "hudkit";

/**
 * What an exported `task.toml` records.
 *
 * @example
 * ```ts
 * const settings: ExportedTaskTomlSettings = {
 *   folder: "count_letter-1a2b3c4d", slug: "count_letter-1a2b3c4d", env: "letter-count",
 *   taskId: "count_letter", args: { word: "kiwi" }, agentTimeoutSec: 600, verifierTimeoutSec: 600,
 * };
 * ```
 */
export interface ExportedTaskTomlSettings {
  /** The task folder: the short part of `[task].name`. */
  folder: string;
  slug: string;
  env: string;
  taskId: string;
  /** The task's args as the row holds them (only those passed explicitly). */
  args: Record<string, unknown>;
  agentTimeoutSec: number;
  verifierTimeoutSec: number;
}

/**
 * An exported task's `task.toml`: schema 1.4 with `[task] name = "hudkit/<folder>"` (Harbor reads
 * no root `name`, unlike what the reference exporter writes), the hudkit task in `[metadata]`
 * (`hudkit_args` as a JSON string, since TOML cannot hold JSON's null), and every timeout
 * written out. Nothing from the process environment is written.
 *
 * @example
 * ```ts
 * await writeFile(join(dir, "task.toml"), exportedTaskToml(settings));
 * ```
 */
export function exportedTaskToml(settings: ExportedTaskTomlSettings): string {
  const document = {
    schema_version: "1.4",
    task: { name: `${EXPORT_ORG}/${settings.folder}` },
    metadata: {
      hudkit_env: settings.env,
      hudkit_task: settings.taskId,
      hudkit_args: JSON.stringify(settings.args),
      hudkit_slug: settings.slug,
    },
    agent: { timeout_sec: settings.agentTimeoutSec },
    verifier: { timeout_sec: settings.verifierTimeoutSec },
    environment: { build_timeout_sec: BUILD_TIMEOUT_SEC },
  };
  return `# Written by hud harbor export; [metadata] names the hudkit task this folder runs.\n${stringify(document)}\n`;
}
