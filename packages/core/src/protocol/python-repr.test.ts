import { describe, expect, it } from "vitest";
import { pyRepr, pyReprList } from "./python-repr.js";

// The oracle: (sent id, message the Python reference server answered), copied from
// shared/conformance/cases/start_unknown_task.jsonl and unknown_session.jsonl.
const UNKNOWN_TASK_CASES: ReadonlyArray<[string, string]> = [
  ["nope", "unknown task: 'nope'"],
  ["it's", `unknown task: "it's"`],
  [`a'b"c\\d`, `unknown task: 'a\\'b"c\\\\d'`],
  ["caf\u00e9", "unknown task: 'caf\u00e9'"],
  ["", "unknown task: ''"],
  ["a\nb\tc", "unknown task: 'a\\nb\\tc'"],
  ["\ud83d\ude00", "unknown task: '\ud83d\ude00'"],
  ["\u0001", "unknown task: '\\x01'"],
  ["ECHO", "unknown task: 'ECHO'"],
];

const UNKNOWN_SESSION_CASES: ReadonlyArray<[string, string]> = [
  ["sess-00000000", "unknown session: 'sess-00000000'"],
  ["nope", "unknown session: 'nope'"],
  ["", "unknown session: ''"],
  ["it's", `unknown session: "it's"`],
];

// Expected values printed by CPython 3.11.7: `repr(text)`.
const PYTHON_REPR_CASES: ReadonlyArray<[string, string, string]> = [
  ["only a double quote keeps single quotes", 'a"b', `'a"b'`],
  ["both quotes: single quotes, escaped", `a'b"c`, `'a\\'b"c'`],
  ["backslash", "\\", "'\\\\'"],
  ["NUL, DEL and ESC", "\u0000\u007f\u001b", "'\\x00\\x7f\\x1b'"],
  [
    "Latin-1: C1, NBSP and soft hyphen escaped, letters kept",
    "\u0080\u00a0\u00ad\u00e9\u00ff",
    "'\\x80\\xa0\\xad\u00e9\u00ff'",
  ],
  [
    "BMP separators and format characters",
    "\u2028\u2029\u200b\ufeff\u3000",
    "'\\u2028\\u2029\\u200b\\ufeff\\u3000'",
  ],
  ["private use", "\ue000", "'\\ue000'"],
  ["unassigned BMP code point", "\u0378", "'\\u0378'"],
  ["astral format character", "\u{e0001}", "'\\U000e0001'"],
  ["last code point (noncharacter)", "\u{10ffff}", "'\\U0010ffff'"],
  ["printable astral kept", "\u{1d11e}", "'\u{1d11e}'"],
  ["lone high surrogate", "\ud800", "'\\ud800'"],
  ["lone low surrogate", "\udfff", "'\\udfff'"],
  ["lone surrogate between letters", "x\ud83dy", "'x\\ud83dy'"],
  ["pair followed by a lone surrogate", "\ud83d\ude00\ud800", "'\ud83d\ude00\\ud800'"],
  ["CR LF", "\r\n", "'\\r\\n'"],
  ["CJK kept", "\u4e2d\u6587", "'\u4e2d\u6587'"],
  ["ASCII space kept", " ", "' '"],
];

describe("pyRepr", () => {
  it.each(UNKNOWN_TASK_CASES)("renders the reference's unknown task message for %j", (id, message) => {
    expect(`unknown task: ${pyRepr(id)}`).toBe(message);
  });

  it.each(UNKNOWN_SESSION_CASES)("renders the reference's unknown session message for %j", (id, message) => {
    expect(`unknown session: ${pyRepr(id)}`).toBe(message);
  });

  it("reproduces str(KeyError) of the unknown capability message (a repr of a repr)", () => {
    // shared/conformance/cases/tunnel_unknown_capability.jsonl
    expect(pyRepr(`unknown capability: ${pyRepr("nope")}`)).toBe(`"unknown capability: 'nope'"`);
    expect(pyRepr(`unknown capability: ${pyRepr("it's")}`)).toBe(`'unknown capability: "it\\'s"'`);
    expect(pyRepr(`unknown capability: ${pyRepr("Echo")}`)).toBe(`"unknown capability: 'Echo'"`);
  });

  it.each(PYTHON_REPR_CASES)("matches CPython: %s", (_label, text, expected) => {
    expect(pyRepr(text)).toBe(expected);
  });
});

describe("pyReprList", () => {
  it("renders the reference's bad args messages", () => {
    // shared/conformance/cases/start_bad_args.jsonl
    expect(`task ${pyRepr("echo")}: bad args ${pyReprList(["tag", "x"])}`).toBe(
      "task 'echo': bad args ['tag', 'x']",
    );
    expect(pyReprList(["Z", "tag", "\u00e9"])).toBe("['Z', 'tag', '\u00e9']");
    expect(pyReprList(["b", "c"])).toBe("['b', 'c']");
  });

  it("renders an empty list as []", () => {
    expect(pyReprList([])).toBe("[]");
  });

  it("quotes each item on its own", () => {
    expect(pyReprList(["it's", "a\nb"])).toBe(`["it's", 'a\\nb']`);
  });
});
