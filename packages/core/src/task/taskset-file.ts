import { mkdir, readdir, readFile, stat, writeFile } from "node:fs/promises";
import { basename, dirname, extname, join, resolve } from "node:path";
import { importSource } from "../environment/load-environment.js";
import { HudkitError } from "../errors/hudkit-error.js";
import { SlugHasher } from "./default-slug.js";
import { parseJsonLinesChunk } from "./jsonl-rows.js";
import { consoleWarning } from "./slug-collisions.js";
import { parseOwnedTask, parseTask, type Task, type VerifierTask } from "./task.js";
import { setTaskOrigin, taskOrigin } from "./task-origin.js";
import type { TasksetOptions } from "./taskset.js";
import { parseTasksetCsv, tasksetToCsv } from "./taskset-csv.js";

const MODULE_EXTENSIONS = new Set([".ts", ".mts", ".js", ".mjs"]);
/** Files in a module directory that are not task sources. */
const SKIPPED_MODULES = /\.(test|spec|d|config)\.[cm]?[jt]s$/;
const SOURCES = ".json, .jsonl, .csv, a .ts/.mts/.js/.mjs module or a directory of modules";
/** Lines a `.jsonl` file is parsed at once in; see parseJsonLinesChunk. */
const JSONL_CHUNK_LINES = 512;

/** Marks a Taskset across duplicate copies of `@hudkit/core` (see `Taskset`). */
export const TASKSET_MARKER = Symbol.for("hudkit.taskset");

/** A taskset file's contents: the name it implies and its validated tasks, in file order. */
export interface TasksetSource {
  name: string;
  tasks: Task[];
}

/** A module's row and where it came from, for error messages ("tasks.ts export tasks[2]"). */
interface ModuleRow {
  where: string;
  value: unknown;
  /** The module's absolute path: where `Taskset.run` serves the task from by default. */
  file: string;
}

/**
 * Reads and validates a taskset source: `.json` (one row or a list), `.jsonl` (one row a
 * line), `.csv` (see `parseTasksetCsv`), a module, or a directory of modules. The name is the
 * file stem or the directory name.
 *
 * @example
 * ```ts
 * const { name, tasks } = await readTasksetSource("examples/letter-count/tasks.jsonl");
 * ```
 */
export async function readTasksetSource(
  path: string,
  options: Pick<TasksetOptions, "sources" | "onWarning"> = {},
): Promise<TasksetSource> {
  const target = resolve(path);
  const info = await stat(target).catch(() => undefined);
  if (!info) throw new HudkitError("taskset-not-found", `no taskset at ${path}: check the path`);
  for (const loader of options.sources ?? []) {
    if (!(await loader.claims(target))) continue;
    const loaded = await loader.load(target);
    const warn = options.onWarning ?? consoleWarning;
    for (const warning of loaded.warnings ?? []) warn(warning);
    const tasks = loaded.tasks.map((row, index) =>
      validateOwnedRow(row, `${path} (${loader.name})`, "row", index + 1),
    );
    return { name: loaded.name, tasks };
  }
  if (info.isDirectory()) {
    return { name: basename(target), tasks: validateModuleRows(await moduleDirectoryRows(target, path)) };
  }
  const extension = extname(target).toLowerCase();
  const name = basename(target, extname(target));
  if (MODULE_EXTENSIONS.has(extension)) {
    return { name, tasks: validateModuleRows(await moduleRows(target, path, [], new Set())) };
  }
  if (extension !== ".json" && extension !== ".jsonl" && extension !== ".csv") {
    throw new HudkitError("unsupported-taskset-source", `cannot load a taskset from ${path}: use ${SOURCES}`);
  }
  // Decoding the whole buffer at once gives one flat string; readFile's own decoding joins a
  // string per 512 KiB chunk, which the parser must then copy into one.
  const text = stripBom((await readFile(target)).toString("utf8"));
  if (extension === ".jsonl") return { name, tasks: jsonLinesTasks(text, path) };
  if (extension === ".csv") {
    const rows = parseTasksetCsv(text, path);
    return { name, tasks: rows.map(({ line, row }) => validateOwnedRow(row, path, "line", line)) };
  }
  return { name, tasks: jsonTasks(text, path) };
}

function stripBom(text: string): string {
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

/** Prefixes a row's validation error with where the row is ("tasks.jsonl line 7: invalid task: ..."). */
function inRow(error: unknown, where: string): unknown {
  if (!HudkitError.isInstance(error)) return error;
  return new HudkitError(error.code, `${where}: ${error.message}`, { cause: error });
}

/** Module exports belong to the module, so they are copied (parseTask), never kept. */
function validateModuleRows(rows: readonly ModuleRow[]): Task[] {
  return rows.map(({ where, value, file }) => {
    let task: Task;
    try {
      task = parseTask(value);
    } catch (error) {
      throw inRow(error, where);
    }
    const minted = taskOrigin(value as Task);
    return setTaskOrigin(task, { ...minted, file });
  });
}

/**
 * A row this loader just parsed, so nothing else holds it (parseOwnedTask). The place is passed
 * in parts so that the text naming it is only built for an error, not for each of 100k rows.
 */
function validateOwnedRow(
  value: unknown,
  path: string,
  unit: "line" | "row",
  at: number,
  hasher?: SlugHasher,
): Task {
  try {
    return parseOwnedTask(value, hasher);
  } catch (error) {
    throw inRow(error, `${path} ${unit} ${at}`);
  }
}

function jsonTasks(text: string, path: string): Task[] {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    throw new HudkitError("invalid-json", `${path} is not valid JSON: ${(error as Error).message}`);
  }
  if (Array.isArray(data)) return data.map((value, index) => validateOwnedRow(value, path, "row", index + 1));
  if (typeof data === "object" && data !== null) {
    try {
      return [parseOwnedTask(data)];
    } catch (error) {
      throw inRow(error, path);
    }
  }
  throw new HudkitError(
    "invalid-taskset",
    `${path} holds a JSON ${data === null ? "null" : typeof data}; expected a task object or a list of them`,
  );
}

/**
 * The hot path of loading a large taskset. A well-formed file is parsed in one go and its rows
 * validated in place; anything else goes line by line, parsed and validated right away, so that
 * errors name their line and the first bad line (JSON or task) is the one reported.
 */
function jsonLinesTasks(text: string, path: string): Task[] {
  const hasher = new SlugHasher();
  const tasks: Task[] = [];
  let start = 0;
  let line = 1;
  while (start < text.length) {
    const chunk = parseJsonLinesChunk(text, start, JSONL_CHUNK_LINES);
    if (chunk === undefined) break;
    const rows = chunk.rows;
    for (let i = 0; i < rows.length; i++) tasks.push(validateOwnedRow(rows[i], path, "line", line++, hasher));
    start = chunk.end;
  }
  // From the first chunk that cannot be parsed at once, line by line.
  for (; start < text.length; line++) {
    let end = text.indexOf("\n", start);
    if (end === -1) end = text.length;
    const content = text.slice(start, end);
    start = end + 1;
    // Blank lines (and a CRLF file's lone "\r") carry no row.
    if (content.trim() === "") continue;
    let value: unknown;
    try {
      value = JSON.parse(content);
    } catch (error) {
      throw new HudkitError(
        "invalid-json",
        `${path} line ${line} is not valid JSON: ${(error as Error).message}`,
      );
    }
    tasks.push(validateOwnedRow(value, path, "line", line, hasher));
  }
  return tasks;
}

/** The modules of a directory (top level, sorted, no tests, specs, `.d.ts` or configs), in turn. */
async function moduleDirectoryRows(dir: string, label: string): Promise<ModuleRow[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  const files = entries
    .filter((e) => e.isFile() && MODULE_EXTENSIONS.has(extname(e.name)) && !SKIPPED_MODULES.test(e.name))
    .map((e) => e.name)
    .sort();
  const rows: ModuleRow[] = [];
  const seen = new Set<object>();
  for (const file of files) await moduleRows(join(dir, file), join(label, file), rows, seen);
  return rows;
}

/**
 * Appends to `rows` the tasks a module exports: each exported Task, every task of an exported
 * Taskset, and the Tasks in an exported array. Module namespace order: export names sorted by
 * UTF-16 code unit, as ECMAScript lists them (a namespace does not keep declaration order).
 * Names starting with `_` are private; anything else (environments, template factories,
 * helpers) is ignored. A task object reached twice (exported alone and in a list, or
 * re-exported by a sibling module) counts once.
 */
async function moduleRows(
  file: string,
  label: string,
  rows: ModuleRow[],
  seen: Set<object>,
): Promise<ModuleRow[]> {
  const module = await importSource(file);
  const add = (value: object, where: string) => {
    if (seen.has(value)) return;
    seen.add(value);
    rows.push({ where: `${label} export ${where}`, value, file: resolve(file) });
  };
  const addAll = (items: readonly unknown[], where: string) => {
    for (const [i, item] of items.entries()) if (isTaskLike(item)) add(item, `${where}[${i}]`);
  };
  // Sorted explicitly: a real module namespace already lists its exports so, but a namespace
  // stand-in (a test runner's module loader, say) may list them in declaration order.
  for (const name of Object.keys(module).sort()) {
    if (name.startsWith("_")) continue;
    const value = module[name];
    if (isTaskLike(value)) add(value, name);
    else if (isTasksetLike(value)) addAll(value.tasks, `${name}.tasks`);
    else if (Array.isArray(value)) addAll(value, name);
  }
  return rows;
}

/**
 * A task by shape, not `instanceof`: a Task is a plain object, and one minted by another copy of
 * `@hudkit/core` must count too. Validation then checks the rest.
 */
function isTaskLike(value: unknown): value is object {
  if (typeof value !== "object" || value === null) return false;
  const proto = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) return false;
  const { env, id } = value as Record<string, unknown>;
  return typeof env === "string" && typeof id === "string";
}

function isTasksetLike(value: unknown): value is { tasks: readonly unknown[] } {
  return (
    typeof value === "object" &&
    value !== null &&
    (value as Record<symbol, unknown>)[TASKSET_MARKER] === true &&
    Array.isArray((value as { tasks?: unknown }).tasks)
  );
}

/** The compact JSON row: unset optional fields left out, `args` always there. */
function compactRow(task: VerifierTask & { verifier?: VerifierTask | null }): Record<string, unknown> {
  const row: Record<string, unknown> = { env: task.env, id: task.id, args: task.args ?? {}, slug: task.slug };
  if (task.validation != null) row.validation = task.validation;
  if (task.agent_config != null) row.agent_config = task.agent_config;
  if (task.columns != null) row.columns = task.columns;
  if (task.runtime_config != null) row.runtime_config = task.runtime_config;
  if (task.verifier != null) row.verifier = compactRow(task.verifier);
  return row;
}

/**
 * Writes tasks to `path` by its suffix: `.json` (an indented list), `.jsonl` (one compact row a
 * line) or `.csv` (see `tasksetToCsv`). Creates parent directories; returns the absolute path.
 *
 * @example
 * ```ts
 * await writeTasksetFile("out/tasks.jsonl", taskset.tasks);
 * ```
 */
export async function writeTasksetFile(path: string, tasks: readonly Task[]): Promise<string> {
  const target = resolve(path);
  const extension = extname(target).toLowerCase();
  const text = serialize(extension, tasks);
  if (text === undefined) {
    throw new HudkitError(
      "unsupported-taskset-format",
      `cannot write a taskset to ${path}: use a .json or .jsonl file (or .csv)`,
    );
  }
  await mkdir(dirname(target), { recursive: true });
  await writeFile(target, text);
  return target;
}

function serialize(extension: string, tasks: readonly Task[]): string | undefined {
  switch (extension) {
    case ".json":
      return `${JSON.stringify(tasks.map(compactRow), null, 2)}\n`;
    case ".jsonl":
      return tasks.map((task) => `${JSON.stringify(compactRow(task))}\n`).join("");
    case ".csv":
      return tasksetToCsv(tasks);
    default:
      return undefined;
  }
}
