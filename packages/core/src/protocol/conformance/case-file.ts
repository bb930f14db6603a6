import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { z } from "zod";
import type { Expected, JsonValue } from "./json-match.js";

/**
 * The recorded conformance vectors of the Python reference server: `index.json` plus one
 * `cases/<case>.jsonl` per case, one step per line (format in the vectors' README).
 */

/** The three environments the vectors were recorded against (`envs.md`). */
export const CASE_ENVS = ["conformance", "conf-tunnel", "environment"] as const;
export type CaseEnv = (typeof CASE_ENVS)[number];

export const caseIndexEntrySchema = z.strictObject({
  case: z.string().regex(/^[a-z0-9_]+$/),
  file: z.string(),
  env: z.enum(CASE_ENVS),
  description: z.string(),
  lines: z.int().positive(),
});
export type CaseIndexEntry = z.infer<typeof caseIndexEntrySchema>;

export const caseIndexSchema = z.array(caseIndexEntrySchema).min(1);

const conn = z.int().positive();
const note = z.string().optional();
const present = z.unknown().refine((value) => value !== undefined, "required");

/** One line of a case file: `conn`, exactly one action key, and an optional `note`. */
export const caseLineSchema = z.union([
  z.strictObject({ conn, note, send: present }),
  z.strictObject({ conn, note, send_bytes: z.string() }),
  z.strictObject({ conn, note, expect: present, raw: z.string().optional() }),
  z.strictObject({ conn, note, expect_raw: z.string() }),
  z.strictObject({ conn, note, expect_bytes: z.string() }),
  z.strictObject({ conn, note, expect_close: z.literal(true) }),
  z.strictObject({ conn, note, close: z.literal(true) }),
  z.strictObject({ conn, note, half_close: z.literal(true) }),
]);
export type CaseLine = z.infer<typeof caseLineSchema>;

interface StepBase {
  conn: number;
  /** 1-based line in the case file. */
  line: number;
  /** How failure messages name the step: `line 6`, or `line 6 (hudkit replacement 2/3)`. */
  label: string;
  note?: string;
}

/** A case line, typed by its action. */
export type CaseStep =
  | (StepBase & { kind: "send"; value: JsonValue })
  | (StepBase & { kind: "send_raw"; text: string })
  | (StepBase & { kind: "send_bytes"; text: string })
  | (StepBase & { kind: "expect"; value: Expected; raw?: string })
  | (StepBase & { kind: "expect_raw"; text: string })
  | (StepBase & { kind: "expect_bytes"; text: string })
  | (StepBase & { kind: "expect_close" })
  | (StepBase & { kind: "close" })
  | (StepBase & { kind: "half_close" });

export type StepKind = CaseStep["kind"];

/** A loaded case: its index entry and its steps in file order. */
export interface ConformanceCase extends CaseIndexEntry {
  steps: CaseStep[];
}

/** Turns a validated case line into a step. */
export function toStep(line: CaseLine, lineNumber: number, label = `line ${lineNumber}`): CaseStep {
  const base: StepBase = { conn: line.conn, line: lineNumber, label };
  if (line.note !== undefined) base.note = line.note;
  if ("send" in line) {
    return typeof line.send === "string"
      ? { ...base, kind: "send_raw", text: line.send }
      : { ...base, kind: "send", value: line.send as JsonValue };
  }
  if ("send_bytes" in line) return { ...base, kind: "send_bytes", text: line.send_bytes };
  if ("expect" in line) {
    const step: CaseStep = { ...base, kind: "expect", value: line.expect as Expected };
    if (line.raw !== undefined) step.raw = line.raw;
    return step;
  }
  if ("expect_raw" in line) return { ...base, kind: "expect_raw", text: line.expect_raw };
  if ("expect_bytes" in line) return { ...base, kind: "expect_bytes", text: line.expect_bytes };
  if ("expect_close" in line) return { ...base, kind: "expect_close" };
  if ("close" in line) return { ...base, kind: "close" };
  return { ...base, kind: "half_close" };
}

/** Parses the text of a case file (JSON lines; `JSON.parse` keeps lone surrogates). */
export function parseCaseText(text: string, file: string): CaseStep[] {
  const lines = text.split("\n");
  if (lines.at(-1) === "") lines.pop();
  return lines.map((source, index) => {
    const lineNumber = index + 1;
    let parsed: unknown;
    try {
      parsed = JSON.parse(source);
    } catch (error) {
      throw new Error(`${file}:${lineNumber}: not JSON (${(error as Error).message})`);
    }
    const result = caseLineSchema.safeParse(parsed);
    if (!result.success) {
      throw new Error(`${file}:${lineNumber}: not a case line: ${z.prettifyError(result.error)}`);
    }
    return toStep(result.data, lineNumber);
  });
}

const ENV_VAR = "HUD_CONFORMANCE_DIR";

/**
 * The vectors' directory: `$HUD_CONFORMANCE_DIR`, else the first `shared/conformance/` found
 * walking up from this file (the repository keeps them beside the checkout).
 */
export function conformanceDir(): string {
  const override = process.env[ENV_VAR];
  if (override) {
    if (!existsSync(path.join(override, "index.json"))) {
      throw new Error(
        `${ENV_VAR}=${override} has no index.json; point it at the conformance vectors directory`,
      );
    }
    return override;
  }
  const start = path.dirname(fileURLToPath(import.meta.url));
  for (let dir = start; ; dir = path.dirname(dir)) {
    const candidate = path.join(dir, "shared", "conformance");
    if (existsSync(path.join(candidate, "index.json"))) return candidate;
    if (path.dirname(dir) === dir) break;
  }
  throw new Error(
    `conformance vectors not found: no shared/conformance/index.json above ${start}. ` +
      `Check out the shared vectors next to the repository, or set ${ENV_VAR} to their directory.`,
  );
}

/** Reads and validates `index.json`. */
export function loadIndex(dir: string = conformanceDir()): CaseIndexEntry[] {
  const file = path.join(dir, "index.json");
  const result = caseIndexSchema.safeParse(JSON.parse(readFileSync(file, "utf8")));
  if (!result.success) throw new Error(`${file}: ${z.prettifyError(result.error)}`);
  const names = new Set<string>();
  for (const entry of result.data) {
    if (names.has(entry.case)) throw new Error(`${file}: case ${entry.case} is listed twice`);
    names.add(entry.case);
  }
  return result.data;
}

/** Reads one case file and checks its line count against the index. */
export function loadCase(entry: CaseIndexEntry, dir: string = conformanceDir()): ConformanceCase {
  const file = path.join(dir, entry.file);
  if (!existsSync(file)) throw new Error(`${file}: missing (listed in index.json as case ${entry.case})`);
  const steps = parseCaseText(readFileSync(file, "utf8"), file);
  if (steps.length !== entry.lines) {
    throw new Error(`${file}: ${steps.length} lines, index.json says ${entry.lines}`);
  }
  // Execution rule 3: connection numbers are first used in ascending order, 1, 2, 3, ...
  let opened = 0;
  for (const step of steps) {
    if (step.conn > opened + 1)
      throw new Error(`${file}:${step.line}: conn ${step.conn} is used before conn ${opened + 1}`);
    opened = Math.max(opened, step.conn);
  }
  return { ...entry, steps };
}

/** Every case of the index, loaded. */
export function loadAllCases(dir: string = conformanceDir()): ConformanceCase[] {
  return loadIndex(dir).map((entry) => loadCase(entry, dir));
}
