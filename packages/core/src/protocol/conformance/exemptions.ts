import { type CaseLine, type CaseStep, type ConformanceCase, toStep } from "./case-file.js";
import { ANY_STRING, type Expected, isJsonObject, type JsonValue } from "./json-match.js";

/**
 * Every place where a hudkit server is expected to answer differently from the recorded Python
 * reference, and what it is expected to answer instead. Nothing here is skipped: the replayer
 * applies each entry to its line and asserts the replacement.
 *
 * - `code-only`: the recorded text is a rendering by the Python runtime (README, "Lines whose
 *   text comes from the Python runtime"). The reply must match in everything but the fields
 *   named in `loosen` (default `error.message`), which must still be strings matching `pattern`.
 * - `hudkit-behaviour`: the protocol superset of `DESIGN.md` (README, "Where hudkit differs on
 *   purpose"). The recorded line is replaced by `hudkitExpect`, a run of case lines (sends
 *   included, to show that a connection the reference closed is still usable).
 *
 * `tasks.list` schemas are compared exactly: the README allows pydantic's `title`s and `$defs`
 * names to differ, but hudkit's zod-to-JSON-Schema output reproduces them, so no entry is needed.
 */
export type ExemptionKind = "code-only" | "hudkit-behaviour";

/** A case line as written in `cases/*.jsonl`, except that expectations may hold `RegExp` leaves. */
export type ReplacementLine =
  | { conn: number; send: JsonValue; note?: string }
  | { conn: number; send_bytes: string; note?: string }
  | { conn: number; expect: Expected; note?: string }
  | { conn: number; expect_bytes: string; note?: string }
  | { conn: number; expect_close: true; note?: string };

export interface Exemption {
  case: string;
  /** The 1-based line of the case file this entry replaces or loosens. */
  line: number;
  /** The JSON-RPC `id` of the recorded reply on that line; checked against the case file. */
  id?: JsonValue;
  kind: ExemptionKind;
  reason: string;
  /** `code-only`: the fields compared as "any string matching `pattern`". */
  loosen?: readonly (readonly string[])[];
  /** `code-only`: what a loosened field must still match. Default: any string. */
  pattern?: RegExp;
  /** `hudkit-behaviour`: the lines that replace the recorded one, in order. */
  hudkitExpect?: readonly ReplacementLine[];
}

const ERROR_MESSAGE = [["error", "message"]] as const;
const ANSWER_RAW = [["result", "raw"]] as const;

const rpc = (
  id: JsonValue,
  body: { result: Expected } | { error: { code: number; message: Expected } },
): Expected => ({
  jsonrpc: "2.0",
  id,
  ...body,
});
const error = (id: JsonValue, code: number, message: Expected): Expected =>
  rpc(id, { error: { code, message } });

/** A non-JSON line: `-32700` with a null id (the message is hudkit's own). */
const parseError = (): Expected => error(null, -32700, ANY_STRING);
/** A JSON value that is not an object: `-32600` with a null id. */
const notAnObject = (): Expected => error(null, -32600, ANY_STRING);

/** Proves a connection is still open and still a control session after a rejected frame. */
function stillOpen(conn: number): ReplacementLine[] {
  const id = `alive-${conn}`;
  return [
    { conn, send: { jsonrpc: "2.0", id, method: "tasks.cancel" }, note: "hudkit kept the connection open" },
    { conn, expect: rpc(id, { result: { cancelled: true } }) },
  ];
}

const NOT_A_GRADE =
  "yield a number, an object with a numeric \\.reward, or a dict containing a numeric 'score'";
const GRADED_WITH_TYPE = new RegExp(`^task graded with \\S+: ${NOT_A_GRADE}$`);

const pythonRendering = (
  testCase: string,
  line: number,
  id: JsonValue,
  reason: string,
  extra: Partial<Exemption> = {},
): Exemption => ({ case: testCase, line, id, kind: "code-only", reason, loosen: ERROR_MESSAGE, ...extra });

const METHOD_STR = "Python str() of a non-string method (None / 5 / ['hello']); hudkit words it its own way";
const ATTRIBUTE_ERROR =
  "Python AttributeError text for non-object params ('list' object has no attribute 'get')";
const ANSWER_RAW_REASON =
  "Answer.raw of a non-string answer is Python str() (single quotes, True/None, 4.0 kept); JSON.parse cannot even see 4.0";
const GRADED_WITH = "Python type(x).__name__ in 'task graded with <Type>'";

/** The table. Line numbers are 1-based lines of `cases/<case>.jsonl`. */
export const EXEMPTIONS: readonly Exemption[] = [
  // ---- code-only: Python runtime renderings -------------------------------------------------
  pythonRendering("unknown_method", 12, 6, METHOD_STR),
  pythonRendering("unknown_method", 14, 7, METHOD_STR),
  pythonRendering("unknown_method", 16, 8, METHOD_STR),
  pythonRendering("envelope_lenient", 8, 4, ATTRIBUTE_ERROR),
  pythonRendering("envelope_lenient", 10, 5, ATTRIBUTE_ERROR),
  pythonRendering("envelope_lenient", 16, 8, ATTRIBUTE_ERROR),
  pythonRendering("envelope_lenient", 18, 9, ATTRIBUTE_ERROR),
  pythonRendering("grade_answer_payloads", 24, 12, ATTRIBUTE_ERROR),
  pythonRendering("grade_answer_payloads", 30, 15, ATTRIBUTE_ERROR),
  pythonRendering("tunnel_missing_capability", 14, 1, `${ATTRIBUTE_ERROR}, conn 5`),
  pythonRendering(
    "coercion_int",
    34,
    17,
    'TypeError text of the template body: Python\'s `can only concatenate str (not "int") to str`; JS string + number does not even throw, the env throws its own TypeError',
  ),
  pythonRendering(
    "tunnel_dead_backend",
    2,
    1,
    "OS error text: Python's `[Errno 111] Connect call failed ('127.0.0.1', 18999)` vs Node's ECONNREFUSED text",
  ),
  pythonRendering("grade_scores", 56, 28, `${GRADED_WITH} (NoneType)`, { pattern: GRADED_WITH_TYPE }),
  pythonRendering("grade_scores", 60, 30, `${GRADED_WITH} (str)`, { pattern: GRADED_WITH_TYPE }),
  pythonRendering("grade_scores", 64, 32, `${GRADED_WITH} (list)`, { pattern: GRADED_WITH_TYPE }),
  pythonRendering("grade_scores", 84, 42, `${GRADED_WITH} (RewardBox)`, { pattern: GRADED_WITH_TYPE }),
  pythonRendering(
    "grade_scores",
    88,
    44,
    `${GRADED_WITH} (Point): in JS the model is a plain object, so hudkit may report it as a dict without a numeric 'score'`,
    {
      pattern: new RegExp(
        `^(?:task graded with \\S+: ${NOT_A_GRADE}|task 'score' graded with a dict missing a numeric 'score' \\(keys: \\['x', 'y'\\]\\))$`,
      ),
    },
  ),
  pythonRendering("grade_scores", 98, 49, `${GRADED_WITH} (NoneType)`, { pattern: GRADED_WITH_TYPE }),
  ...[
    [32, 16],
    [36, 18],
    [40, 20],
    [44, 22],
    [48, 24],
    [52, 26],
    [56, 28],
    [60, 30],
    [76, 105],
    [80, 107],
  ].map(
    ([line, id]): Exemption => ({
      case: "structured_answers",
      line: line!,
      id: id!,
      kind: "code-only",
      reason: ANSWER_RAW_REASON,
      loosen: ANSWER_RAW,
    }),
  ),

  // ---- hudkit-behaviour: the protocol superset ------------------------------------------------
  {
    case: "failed_start_destroys_task",
    line: 16,
    id: 8,
    kind: "hudkit-behaviour",
    reason:
      "boom kind=key: JS has no KeyError, the template throws Error('missing'); the reference's `except KeyError` misreports it as -32602 unknown task, hudkit reports the template's failure as -32000",
    hudkitExpect: [{ conn: 1, expect: error(8, -32000, /missing/) }],
  },
  ...[
    [4, 2, "NaN"],
    [8, 4, "Infinity"],
  ].map(
    ([line, id, token]): Exemption => ({
      case: "grade_nonfinite",
      line: line as number,
      kind: "hudkit-behaviour",
      reason: `the reference writes the non-JSON token ${token}; hudkit answers a grading error saying the score must be finite`,
      hudkitExpect: [{ conn: 1, expect: error(id as number, -32000, /finite/) }],
    }),
  ),
  ...[
    [2, 1, "{not json", parseError],
    [4, 2, "an empty line", parseError],
    [6, 3, "[1,2]", notAnObject],
    [8, 4, '"hello"', notAnObject],
    [10, 5, "null", notAnObject],
    [15, 7, "42", notAnObject],
  ].map(
    ([line, conn, frame, reply]): Exemption => ({
      case: "malformed_first_frame",
      line: line as number,
      kind: "hudkit-behaviour",
      reason: `first frame ${frame}: the reference closes silently; hudkit answers ${reply === parseError ? "-32700" : "-32600"} with id null and keeps the connection`,
      hudkitExpect: [
        { conn: conn as number, expect: (reply as () => Expected)() },
        ...stillOpen(conn as number),
      ],
    }),
  ),
  {
    case: "malformed_mid_session",
    line: 6,
    kind: "hudkit-behaviour",
    reason:
      "truncated JSON mid-session: hudkit answers -32700 and keeps the connection, so the session is not parked",
    hudkitExpect: [{ conn: 1, expect: parseError() }],
  },
  {
    case: "malformed_mid_session",
    line: 8,
    id: 1,
    kind: "hudkit-behaviour",
    reason:
      "conn 1 is still live in hudkit, so there is no parked task for conn 2 to adopt; conn 1 then grades its own untouched task",
    hudkitExpect: [
      { conn: 2, expect: error(1, -32600, "no task in progress") },
      { conn: 1, send: { jsonrpc: "2.0", id: 4, method: "tasks.grade", params: { answer: "m" } } },
      { conn: 1, expect: rpc(4, { result: { score: 1, answer: "m" } }) },
    ],
  },
  {
    case: "malformed_mid_session",
    line: 12,
    kind: "hudkit-behaviour",
    reason: "[1] mid-session: hudkit answers -32600 with id null and keeps the connection",
    hudkitExpect: [{ conn: 3, expect: notAnObject() }, ...stillOpen(3)],
  },
  {
    case: "malformed_mid_session",
    line: 16,
    kind: "hudkit-behaviour",
    reason:
      "an empty line mid-session is not JSON: hudkit answers -32700 with id null and keeps the connection",
    hudkitExpect: [{ conn: 4, expect: parseError() }, ...stillOpen(4)],
  },
  {
    case: "encoding_edges",
    line: 10,
    kind: "hudkit-behaviour",
    reason:
      "two BOMs: one is accepted as in the reference, the second leaves a line that is not JSON; hudkit's rule for such a line is -32700 with the connection kept (the reference closes)",
    hudkitExpect: [{ conn: 2, expect: parseError() }, ...stillOpen(2)],
  },
  {
    case: "line_limit",
    line: 4,
    kind: "hudkit-behaviour",
    reason:
      "a 65 537-byte frame: the reference's 64 KiB limit closes; hudkit accepts frames up to 16 MiB and answers it",
    hudkitExpect: [{ conn: 2, expect: error(1, -32600, "no task in progress") }],
  },
  {
    case: "line_limit",
    line: 8,
    kind: "hudkit-behaviour",
    reason: "a 70 070-byte grade frame: hudkit grades it (the answer is not the tag) instead of closing",
    hudkitExpect: [{ conn: 3, expect: rpc(2, { result: { score: 0, answer: "b".repeat(70_000) } }) }],
  },
  {
    case: "line_limit",
    line: 10,
    id: 1,
    kind: "hudkit-behaviour",
    reason:
      "conn 3 was not closed and its task was consumed by the grade above, so nothing is parked for conn 4",
    hudkitExpect: [{ conn: 4, expect: error(1, -32600, "no task in progress") }],
  },
  {
    case: "tunnel_preface_too_long",
    line: 2,
    kind: "hudkit-behaviour",
    reason:
      "a 70 087-byte tunnel.open preface: the reference closes; hudkit opens the tunnel, and it carries bytes",
    hudkitExpect: [
      { conn: 1, expect: rpc(1, { result: { capability: "echo" } }) },
      { conn: 1, send_bytes: "after a long preface" },
      { conn: 1, expect_bytes: "after a long preface" },
    ],
  },
];

/** The exemptions of one case, by line. Throws on two entries for the same line. */
export function exemptionsFor(
  testCase: string,
  table: readonly Exemption[] = EXEMPTIONS,
): Map<number, Exemption> {
  const byLine = new Map<number, Exemption>();
  for (const exemption of table) {
    if (exemption.case !== testCase) continue;
    if (byLine.has(exemption.line))
      throw new Error(`exemptions: ${testCase} line ${exemption.line} is listed twice`);
    byLine.set(exemption.line, exemption);
  }
  return byLine;
}

/**
 * Checks that an exemption fits its case: the line exists and is an expectation, the `id`
 * matches, loosened fields exist and are strings, and replacements are given where needed.
 * Returns the problems found (empty when it fits).
 */
export function checkExemption(exemption: Exemption, testCase: ConformanceCase): string[] {
  const problems: string[] = [];
  const where = `${exemption.case} line ${exemption.line}`;
  const step = testCase.steps[exemption.line - 1];
  if (!step) return [`${where}: the case has only ${testCase.steps.length} lines`];
  if (!step.kind.startsWith("expect")) problems.push(`${where}: is a ${step.kind}, not an expectation`);
  if (exemption.id !== undefined) {
    const id = step.kind === "expect" && isJsonObject(step.value) ? step.value.id : undefined;
    if (JSON.stringify(id) !== JSON.stringify(exemption.id)) {
      problems.push(
        `${where}: recorded id is ${JSON.stringify(id)}, the exemption says ${JSON.stringify(exemption.id)}`,
      );
    }
  }
  switch (exemption.kind) {
    case "code-only": {
      if (step.kind !== "expect") break;
      for (const fieldPath of exemption.loosen ?? ERROR_MESSAGE) {
        if (typeof getPath(step.value, fieldPath) !== "string") {
          problems.push(`${where}: no string at ${fieldPath.join(".")} to loosen`);
        }
      }
      if (exemption.hudkitExpect) problems.push(`${where}: code-only entries take no hudkitExpect`);
      break;
    }
    case "hudkit-behaviour":
      if (!exemption.hudkitExpect || exemption.hudkitExpect.length === 0) {
        problems.push(`${where}: hudkit-behaviour needs hudkitExpect`);
      }
      break;
  }
  if (exemption.reason.trim().length === 0) problems.push(`${where}: no reason given`);
  return problems;
}

/**
 * The steps hudkit must pass for a case: the recorded ones, with every exemption applied.
 * Replacement lines keep the recorded line number and are labelled as replacements.
 */
export function hudkitSteps(testCase: ConformanceCase, table: readonly Exemption[] = EXEMPTIONS): CaseStep[] {
  const byLine = exemptionsFor(testCase.case, table);
  const steps: CaseStep[] = [];
  for (const step of testCase.steps) {
    const exemption = byLine.get(step.line);
    if (!exemption) {
      steps.push(step);
      continue;
    }
    const problems = checkExemption(exemption, testCase);
    if (problems.length > 0) throw new Error(`exemption does not fit its case: ${problems.join("; ")}`);
    const tag = `${exemption.kind}: ${exemption.reason}`;
    switch (exemption.kind) {
      case "code-only": {
        if (step.kind !== "expect")
          throw new Error(`${testCase.case} line ${step.line}: code-only needs an expect line`);
        let value = step.value;
        for (const fieldPath of exemption.loosen ?? ERROR_MESSAGE) {
          value = setPath(value, fieldPath, exemption.pattern ?? ANY_STRING);
        }
        steps.push({ ...step, value, label: `line ${step.line} [${tag}]` });
        break;
      }
      case "hudkit-behaviour": {
        const lines = exemption.hudkitExpect ?? [];
        lines.forEach((line, index) => {
          const label = `line ${step.line} (hudkit replacement ${index + 1}/${lines.length}) [${tag}]`;
          steps.push(toStep(line as CaseLine, step.line, label));
        });
        break;
      }
    }
  }
  return steps;
}

function getPath(value: Expected, fieldPath: readonly string[]): Expected | undefined {
  let current: Expected | undefined = value;
  for (const key of fieldPath) {
    if (!isJsonObject(current)) return undefined;
    current = (current as Record<string, Expected>)[key];
  }
  return current;
}

function setPath(value: Expected, fieldPath: readonly string[], leaf: Expected): Expected {
  const [key, ...rest] = fieldPath;
  if (key === undefined) return leaf;
  if (!isJsonObject(value)) throw new Error(`cannot loosen ${fieldPath.join(".")}: not an object`);
  const object = value as Record<string, Expected>;
  return { ...object, [key]: setPath(object[key] ?? null, rest, leaf) };
}
