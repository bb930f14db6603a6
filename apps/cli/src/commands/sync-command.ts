import type { SyncPlan } from "@hudkit/core";
import { z } from "zod";
import { parseOptions } from "../option-parsing.js";
import { loadTasksetSource } from "../taskset-sources.js";
import { formatTable } from "../text-table.js";

/** `hud sync plan`'s options. */
export const SyncPlanOptionsSchema = z.object({
  json: z.boolean().default(false),
  unchanged: z.boolean().default(false),
});

/** The `--json` form of a plan: slugs, and for updates the fields that differ. */
export interface SyncPlanJson {
  taskset_name: string;
  create: string[];
  update: Array<{ slug: string; changed: string[] }>;
  unchanged: string[];
  remote_only: string[];
}

/**
 * `hud sync plan <local> <remote>`: what a sync would create and update to make the remote
 * taskset match the local one, what is already in place, and what exists only remotely.
 */
export async function syncPlanCommand(
  localSource: string,
  remoteSource: string,
  raw: Record<string, unknown>,
): Promise<number> {
  const options = parseOptions(SyncPlanOptionsSchema, raw);
  const { planSync, syncPlanSummary } = await import("@hudkit/core");
  const [local, remote] = await Promise.all([
    loadTasksetSource(localSource),
    loadTasksetSource(remoteSource),
  ]);
  const plan = planSync(local, remote);
  if (options.json) {
    process.stdout.write(`${JSON.stringify(planJson(plan), null, 2)}\n`);
    return 0;
  }
  const lines = syncPlanSummary(plan);
  const rows = planRows(plan, options.unchanged);
  if (rows.length > 0) lines.push("", ...formatTable(["action", "slug", "changed"], rows));
  else lines.push("", "nothing to do: the remote taskset already matches");
  process.stdout.write(`${lines.join("\n")}\n`);
  return 0;
}

function planRows(plan: SyncPlan, withUnchanged: boolean): string[][] {
  return [
    ...plan.toCreate.map((task) => ["create", task.slug, ""]),
    ...plan.toUpdate.map((update) => ["update", update.slug, update.changed.join(",")]),
    ...(withUnchanged ? plan.unchanged.map((task) => ["unchanged", task.slug, ""]) : []),
    ...plan.remoteOnly.map((task) => ["remote-only", task.slug, ""]),
  ];
}

function planJson(plan: SyncPlan): SyncPlanJson {
  return {
    taskset_name: plan.tasksetName,
    create: plan.toCreate.map((task) => task.slug),
    update: plan.toUpdate.map(({ slug, changed }) => ({ slug, changed })),
    unchanged: plan.unchanged.map((task) => task.slug),
    remote_only: plan.remoteOnly.map((task) => task.slug),
  };
}
