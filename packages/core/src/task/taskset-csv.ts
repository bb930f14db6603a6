import { HudkitError } from "../errors/hudkit-error.js";
import type { Task } from "./task.js";

/** The reference's fixed leading columns (`hud sync tasks --export x.csv`). */
const FIXED_COLUMNS = ["slug", "id", "env"] as const;
const ARG_PREFIX = "arg:";
/**
 * Task fields the reference's CSV leaves out. They get a JSON column of their own, only when
 * some row has them, so that a CSV round trip loses nothing and plain tasksets keep the
 * reference's exact columns.
 */
const JSON_COLUMNS = ["validation", "agent_config", "columns", "runtime_config", "verifier"] as const;
type JsonColumn = (typeof JSON_COLUMNS)[number];

/** RFC 4180 line ending; the reader takes LF too. */
const CRLF = "\r\n";
const NEEDS_QUOTES = /[",\r\n]/;
/** A cell can only be JSON text when it starts (after blanks) with one of these. */
const MAY_BE_JSON = /^[\s]*[-{["0-9tfn]/;

function quote(cell: string): string {
  return NEEDS_QUOTES.test(cell) ? `"${cell.replaceAll('"', '""')}"` : cell;
}

function parsesAsJson(text: string): boolean {
  if (!MAY_BE_JSON.test(text)) return false;
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

/**
 * An argument cell. A string is written as it is, unless reading it back would give something
 * else (an empty cell means "absent", and `42` or `true` would come back as JSON): then it is
 * written as a JSON string.
 */
function argCell(value: unknown): string {
  if (value === undefined) return "";
  if (typeof value === "string") return value === "" || parsesAsJson(value) ? JSON.stringify(value) : value;
  return JSON.stringify(value);
}

function jsonCell(value: unknown): string {
  return value == null ? "" : JSON.stringify(value);
}

/**
 * A taskset as CSV: the reference's columns `slug,id,env,arg:<k>...` (argument keys are the
 * sorted union across rows; objects, arrays, numbers and booleans as JSON text, strings raw,
 * missing as an empty cell), then a JSON column for each other task field some row sets.
 * RFC 4180 quoting, CRLF line endings. {@link parseTasksetCsv} reads it back unchanged.
 *
 * @example
 * ```ts
 * tasksetToCsv([{ env: "e", id: "add", args: { a: 1, b: "x" }, slug: "add-1" }]);
 * // "slug,id,env,arg:a,arg:b\r\nadd-1,add,e,1,x\r\n"
 * ```
 */
export function tasksetToCsv(tasks: readonly Task[]): string {
  const argKeys = new Set<string>();
  const jsonColumns = new Set<JsonColumn>();
  for (const task of tasks) {
    for (const key of Object.keys(task.args ?? {})) argKeys.add(key);
    for (const column of JSON_COLUMNS) if (task[column] != null) jsonColumns.add(column);
  }
  const args = [...argKeys].sort();
  const extra = JSON_COLUMNS.filter((column) => jsonColumns.has(column));
  const header = [...FIXED_COLUMNS, ...args.map((key) => `${ARG_PREFIX}${key}`), ...extra];
  const lines = [header.map(quote).join(",")];
  for (const task of tasks) {
    const cells = [task.slug, task.id, task.env];
    // hasOwn: an argument named __proto__ must not read the prototype of rows without one.
    for (const key of args)
      cells.push(argCell(task.args && Object.hasOwn(task.args, key) ? task.args[key] : undefined));
    for (const column of extra) cells.push(jsonCell(task[column]));
    lines.push(cells.map(quote).join(","));
  }
  return lines.join(CRLF) + CRLF;
}

/** One parsed CSV record: its cells and the line it starts on (1-based), for error messages. */
interface CsvRecord {
  line: number;
  cells: string[];
}

function csvError(file: string, line: number, message: string): HudkitError {
  return new HudkitError("invalid-csv", `${file} line ${line}: ${message}`);
}

/** RFC 4180 records. Blank lines are skipped; a quoted cell may hold commas and line breaks. */
function readRecords(text: string, file: string): CsvRecord[] {
  const records: CsvRecord[] = [];
  let cells: string[] = [];
  let line = 1;
  let recordLine = 1;
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  const endRecord = () => {
    // A line with nothing on it is a blank line, not a record with one empty cell.
    if (cells.length > 1 || cells[0] !== "") records.push({ line: recordLine, cells });
    cells = [];
  };
  while (i <= text.length) {
    if (cells.length === 0) recordLine = line;
    let cell: string;
    if (text[i] === '"') {
      const start = line;
      cell = "";
      i++;
      for (;;) {
        const close = text.indexOf('"', i);
        if (close === -1)
          throw csvError(file, start, "a quoted cell never ends; close it with a double quote");
        const part = text.slice(i, close);
        for (const char of part) if (char === "\n") line++;
        cell += part;
        if (text[close + 1] === '"') {
          cell += '"';
          i = close + 2;
          continue;
        }
        i = close + 1;
        break;
      }
      const next = text[i];
      if (next !== undefined && next !== "," && next !== "\r" && next !== "\n") {
        throw csvError(file, line, 'text after a closing quote; write a quote inside a quoted cell as ""');
      }
    } else {
      let end = i;
      while (end < text.length) {
        const char = text[end];
        if (char === "," || char === "\r" || char === "\n") break;
        if (char === '"') {
          throw csvError(
            file,
            line,
            'a quote inside an unquoted cell; quote the cell and write the quote as ""',
          );
        }
        end++;
      }
      cell = text.slice(i, end);
      i = end;
    }
    cells.push(cell);
    if (text[i] === ",") {
      i++;
      continue;
    }
    if (text[i] === "\r") i++;
    if (text[i] === "\n") {
      i++;
      line++;
    }
    endRecord();
    if (i >= text.length) break;
  }
  return records;
}

function parseArgCell(cell: string): unknown {
  try {
    return JSON.parse(cell);
  } catch {
    return cell;
  }
}

/** A row read from a CSV taskset, before validation, and the line it starts on. */
export interface CsvTaskRow {
  line: number;
  row: Record<string, unknown>;
}

/**
 * Reads the CSV {@link tasksetToCsv} writes back into task rows (not yet validated). An argument
 * cell is parsed as JSON when it parses and kept as a string otherwise; an empty cell means the
 * argument (or field) is absent. `file` names the source in error messages.
 *
 * @example
 * ```ts
 * parseTasksetCsv("slug,id,env,arg:a\r\n,add,e,1\r\n", "tasks.csv");
 * // [{ line: 2, row: { env: "e", id: "add", args: { a: 1 } } }]
 * ```
 */
export function parseTasksetCsv(text: string, file: string): CsvTaskRow[] {
  const [header, ...records] = readRecords(text, file);
  if (header === undefined) return [];
  const seen = new Set<string>();
  for (const column of header.cells) {
    const known =
      (FIXED_COLUMNS as readonly string[]).includes(column) ||
      (JSON_COLUMNS as readonly string[]).includes(column) ||
      (column.startsWith(ARG_PREFIX) && column.length > ARG_PREFIX.length);
    if (!known) {
      throw csvError(
        file,
        header.line,
        `unknown column "${column}"; columns are slug, id, env, arg:<name> and ${JSON_COLUMNS.join(", ")}`,
      );
    }
    if (seen.has(column)) throw csvError(file, header.line, `column "${column}" appears twice`);
    seen.add(column);
  }
  return records.map(({ line, cells }) => {
    if (cells.length !== header.cells.length) {
      throw csvError(file, line, `${cells.length} cells where the header has ${header.cells.length}`);
    }
    const row: Record<string, unknown> = {};
    const args: Record<string, unknown> = {};
    header.cells.forEach((column, index) => {
      const cell = cells[index]!;
      if (cell === "") return;
      if (column.startsWith(ARG_PREFIX)) {
        // defineProperty, so an argument named __proto__ stays a plain key.
        Object.defineProperty(args, column.slice(ARG_PREFIX.length), {
          value: parseArgCell(cell),
          enumerable: true,
          writable: true,
          configurable: true,
        });
      } else if ((FIXED_COLUMNS as readonly string[]).includes(column)) {
        row[column] = cell;
      } else {
        try {
          row[column] = JSON.parse(cell);
        } catch {
          throw csvError(file, line, `the ${column} cell is not JSON: ${cell.slice(0, 60)}`);
        }
      }
    });
    row.args = args;
    return { line, row };
  });
}
