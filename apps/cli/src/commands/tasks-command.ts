import { extname } from "node:path";
import type { Taskset } from "@hudkit/core";
import { z } from "zod";
import { parseOptions } from "../option-parsing.js";
import { loadTasksetSource } from "../taskset-sources.js";
import { formatTable } from "../text-table.js";
import { UsageError } from "../usage-error.js";

const EXPORT_SUFFIXES = [".json", ".jsonl", ".csv"];

/** `hud tasks list`'s options. */
export const TasksListOptionsSchema = z.object({ json: z.boolean().default(false) });

/** `hud tasks export`'s output path. */
export const TasksExportOptionsSchema = z.object({
  out: z.string().refine((path) => EXPORT_SUFFIXES.includes(extname(path).toLowerCase()), {
    error: `must end in ${EXPORT_SUFFIXES.join(", ")}`,
  }),
});

/** `hud tasks list <source>`: each task's slug, id and args, loaded by `Taskset.fromFile`. */
export async function tasksListCommand(source: string, raw: Record<string, unknown>): Promise<number> {
  const options = parseOptions(TasksListOptionsSchema, raw);
  const taskset = await loadTaskset(source);
  if (options.json) {
    const rows = taskset.tasks.map((task) => ({
      slug: task.slug,
      id: task.id,
      env: task.env,
      args: task.args,
    }));
    process.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
    return 0;
  }
  const rows = taskset.tasks.map((task) => [task.slug, task.id, JSON.stringify(task.args)]);
  process.stdout.write(`${formatTable(["slug", "id", "args"], rows).join("\n")}\n`);
  return 0;
}

/** `hud tasks export <source> <out>`: writes the taskset with `Taskset.toFile` (by suffix). */
export async function tasksExportCommand(source: string, out: string): Promise<number> {
  parseOptions(TasksExportOptionsSchema, { out }, ["out"]);
  const taskset = await loadTaskset(source);
  const written = await taskset.toFile(out);
  process.stdout.write(`wrote ${taskset.size} tasks to ${written}\n`);
  return 0;
}

async function loadTaskset(source: string): Promise<Taskset> {
  const taskset = await loadTasksetSource(source);
  if (taskset.size === 0) {
    throw new UsageError(
      `no tasks in ${source}: export tasks from the module (export const tasks = [template({...})]) or list them in the file`,
    );
  }
  return taskset;
}
