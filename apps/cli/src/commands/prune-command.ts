import type { PrunedResource } from "@hudkit/core";
import { CLI_DIR } from "../cli-dir.js";
import { parseOptions } from "../option-parsing.js";
import { formatTable } from "../text-table.js";
import { PruneOptionsSchema } from "./docker-command.js";

/**
 * `hud <provider> prune [--job ID] [--json]` for a runtime plugin with a `prune` hook (modal,
 * e2b, daytona): the plugin is resolved as `--runtime <provider>:...` would be, so a plugin that
 * is not installed is one line naming the package, and missing credentials one line naming the
 * variables.
 */
export async function pluginPruneCommand(provider: string, raw: Record<string, unknown>): Promise<number> {
  const options = parseOptions(PruneOptionsSchema, raw);
  const { HudkitError, resolveRuntimePlugin } = await import("@hudkit/core");
  const plugin = await resolveRuntimePlugin(provider, { cliDir: CLI_DIR });
  if (plugin.prune === undefined) {
    throw new HudkitError("prune-unsupported", `the ${provider} runtime plugin has no prune`);
  }
  const removed = await plugin.prune(options.job === undefined ? {} : { jobId: options.job });
  process.stdout.write(
    prunedReport(removed, { noun: `${provider} sandbox`, jobId: options.job, json: options.json }),
  );
  return 0;
}

/**
 * What a prune prints: the removed resources as a table (or JSON), or one line saying there
 * were none.
 *
 * @example
 * ```ts
 * prunedReport([], { noun: "container", jobId: undefined, json: false }); // "no containers left by any job\n"
 * ```
 */
export function prunedReport(
  removed: readonly PrunedResource[],
  options: { noun: string; jobId: string | undefined; json: boolean },
): string {
  if (options.json) return `${JSON.stringify(removed, null, 2)}\n`;
  const plural = `${options.noun}${options.noun.endsWith("x") ? "es" : "s"}`;
  if (removed.length === 0) {
    return `no ${plural} left by ${options.jobId === undefined ? "any job" : `job ${options.jobId}`}\n`;
  }
  const kind = options.noun.split(" ").at(-1) ?? options.noun;
  const rows = removed.map((resource) => [resource.id.slice(0, 12), resource.jobId, resource.runId]);
  const heading = `removed ${removed.length} ${removed.length === 1 ? options.noun : plural}`;
  return `${[heading, ...formatTable([kind, "job", "run"], rows)].join("\n")}\n`;
}
