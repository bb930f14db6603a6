import { describe, expect, it } from "vitest";
import { compareCodePoints } from "../python-values.js";
import { ANY_STRING, matchJson, SessionIds, substitutePlaceholders } from "./json-match.js";

const A = "sess-0123abcd";
const B = "sess-89abcdef";

describe("matchJson: structure", () => {
  it("ignores object key order and compares arrays in order", () => {
    expect(matchJson({ a: 1, b: [1, 2] }, { b: [1, 2], a: 1 }).ok).toBe(true);
    expect(matchJson([1, 2], [2, 1])).toMatchObject({ ok: false, path: "$[0]" });
  });

  it("compares numbers by value: 1.0 equals 1, 1e+20 equals 100000000000000000000", () => {
    expect(matchJson(JSON.parse('{"score":1.0}'), JSON.parse('{"score":1}')).ok).toBe(true);
    expect(matchJson(JSON.parse('{"score":1e+20}'), JSON.parse('{"score":100000000000000000000}')).ok).toBe(
      true,
    );
    expect(matchJson(JSON.parse('{"score":-2.0}'), { score: -2 }).ok).toBe(true);
    expect(matchJson({ score: 1 }, { score: 1.5 }).ok).toBe(false);
  });

  it("does not equate numbers with booleans, strings or null", () => {
    expect(matchJson(1, true).ok).toBe(false);
    expect(matchJson(1, "1").ok).toBe(false);
    expect(matchJson(0, null).ok).toBe(false);
    expect(matchJson(true, { score: true }).ok).toBe(false);
  });

  it("treats the ids beyond 2^53 alike when both sides go through JSON.parse", () => {
    expect(matchJson(JSON.parse("9007199254740993"), JSON.parse("9007199254740992")).ok).toBe(true);
  });

  it("reports missing and unexpected keys with a path", () => {
    const result = matchJson({ result: { score: 1, answer: "x" } }, { result: { score: 1, extra: 2 } });
    expect(result).toEqual({
      ok: false,
      path: "$.result",
      reason: 'missing keys "answer"; unexpected keys "extra"',
    });
  });

  it("keeps lone surrogates and compares them exactly", () => {
    const expected = JSON.parse('{"prompt":"Say \\ud800x"}');
    expect(matchJson(expected, JSON.parse('{"prompt":"Say \\ud800x"}')).ok).toBe(true);
    expect(matchJson(expected, { prompt: "Say \ufffdx" }).ok).toBe(false);
    expect(matchJson(expected, { prompt: "Say \udc00x" }).ok).toBe(false);
  });

  it("treats RegExp leaves as 'a string matching'", () => {
    expect(
      matchJson({ error: { code: -32000, message: ANY_STRING } }, { error: { code: -32000, message: "" } })
        .ok,
    ).toBe(true);
    expect(matchJson({ message: ANY_STRING }, { message: 5 }).ok).toBe(false);
    expect(matchJson({ message: /finite/ }, { message: "score must be finite" }).ok).toBe(true);
    expect(matchJson({ message: /finite/ }, { message: "nope" }).ok).toBe(false);
  });
});

describe("matchJson: session-id placeholders", () => {
  it("matches <session_id> against the id pattern only", () => {
    expect(matchJson({ session_id: "<session_id>" }, { session_id: A }).ok).toBe(true);
    expect(matchJson({ session_id: "<session_id>" }, { session_id: "sess-0123ABCD" }).ok).toBe(false);
    expect(matchJson({ session_id: "<session_id>" }, { session_id: "sess-0123abc" }).ok).toBe(false);
    expect(matchJson({ session_id: "<session_id>" }, { session_id: `${A}0` }).ok).toBe(false);
    expect(matchJson({ session_id: "<session_id>" }, { session_id: 5 }).ok).toBe(false);
  });

  it("requires every anonymous <session_id> to be an id not seen before", () => {
    const ids = new SessionIds();
    expect(matchJson("<session_id>", A, ids).ok).toBe(true);
    expect(matchJson("<session_id>", A, ids)).toMatchObject({
      ok: false,
      reason: expect.stringContaining("already seen"),
    });
    expect(matchJson("<session_id>", B, ids).ok).toBe(true);
  });

  it("binds <session_id:NAME> at its first match and holds it afterwards", () => {
    const ids = new SessionIds();
    expect(matchJson({ session_id: "<session_id:conn1>" }, { session_id: A }, ids).ok).toBe(true);
    expect(ids.bound("conn1")).toBe(A);
    expect(matchJson({ session_id: "<session_id:conn1>" }, { session_id: A }, ids).ok).toBe(true);
    expect(matchJson({ session_id: "<session_id:conn1>" }, { session_id: B }, ids).ok).toBe(false);
  });

  it("keeps distinct names distinct, and anonymous ids distinct from bound ones", () => {
    const ids = new SessionIds();
    expect(matchJson("<session_id:conn1>", A, ids).ok).toBe(true);
    expect(matchJson("<session_id:conn2>", A, ids)).toMatchObject({
      ok: false,
      reason: expect.stringContaining("already <session_id:conn1>"),
    });
    expect(matchJson("<session_id>", A, ids).ok).toBe(false);
    expect(matchJson("<session_id:conn2>", B, ids).ok).toBe(true);
    const later = new SessionIds();
    expect(matchJson("<session_id>", A, later).ok).toBe(true);
    expect(matchJson("<session_id:conn3>", A, later).ok).toBe(false);
  });

  it("matches placeholders inside longer strings, escaping the literal parts", () => {
    const ids = new SessionIds();
    expect(
      matchJson(
        "session '<session_id:conn1>' has a live connection",
        `session '${A}' has a live connection`,
        ids,
      ).ok,
    ).toBe(true);
    expect(matchJson("unknown session: '<session_id:conn1>'", `unknown session: '${A}'`, ids).ok).toBe(true);
    expect(matchJson("unknown session: '<session_id:conn1>'", `unknown session: '${B}'`, ids).ok).toBe(false);
    expect(matchJson("a.b (<session_id>)", `a.b (${B})`, new SessionIds()).ok).toBe(true);
    expect(matchJson("a.b (<session_id>)", `axb (${B})`, new SessionIds()).ok).toBe(false);
    expect(matchJson("x <session_id:c1> y", `x ${A} y!`, new SessionIds()).ok).toBe(false);
  });

  it("binds once when an unbound name appears twice in one string", () => {
    expect(matchJson("<session_id:c1>/<session_id:c1>", `${A}/${A}`, new SessionIds()).ok).toBe(true);
    expect(matchJson("<session_id:c1>/<session_id:c1>", `${A}/${B}`, new SessionIds()).ok).toBe(false);
  });

  it("expands <sorted_session_ids:a,b> to the bound ids sorted and joined with ', '", () => {
    const ids = new SessionIds();
    matchJson({ x: "<session_id:conn1>", y: "<session_id:conn2>" }, { x: B, y: A }, ids);
    const message =
      "2 parked sessions (<sorted_session_ids:conn1,conn2>); resume one by sending hello with its session_id";
    expect(
      matchJson(
        message,
        `2 parked sessions (${A}, ${B}); resume one by sending hello with its session_id`,
        ids,
      ).ok,
    ).toBe(true);
    expect(
      matchJson(
        message,
        `2 parked sessions (${B}, ${A}); resume one by sending hello with its session_id`,
        ids,
      ).ok,
    ).toBe(false);
    expect(matchJson("<sorted_session_ids:conn1,conn9>", A, ids)).toMatchObject({
      ok: false,
      reason: expect.stringContaining("not bound"),
    });
  });

  it("commits bindings only when the whole value matched", () => {
    const ids = new SessionIds();
    expect(matchJson({ a: "<session_id:conn1>", b: 2 }, { a: A, b: 3 }, ids).ok).toBe(false);
    expect(ids.bound("conn1")).toBeUndefined();
    expect(matchJson("<session_id>", A, ids).ok).toBe(true);
  });

  it("leaves sess-00000000 literal when it is not a placeholder", () => {
    expect(matchJson("unknown session: 'sess-00000000'", "unknown session: 'sess-00000000'").ok).toBe(true);
    expect(matchJson("<not a placeholder>", "<not a placeholder>").ok).toBe(true);
  });
});

describe("substitutePlaceholders", () => {
  it("substitutes bound ids into sends, nested and inside strings", () => {
    const ids = new SessionIds([
      ["conn1", A],
      ["conn2", B],
    ]);
    const send = {
      method: "hello",
      params: { session_id: "<session_id:conn1>", list: ["x <session_id:conn2> y"] },
    };
    expect(substitutePlaceholders(send, ids)).toEqual({
      method: "hello",
      params: { session_id: A, list: [`x ${B} y`] },
    });
    expect(substitutePlaceholders("(<sorted_session_ids:conn2,conn1>)", ids)).toBe(`(${A}, ${B})`);
    expect(substitutePlaceholders({ n: 1, b: null, t: true }, ids)).toEqual({ n: 1, b: null, t: true });
  });

  it("throws on an unbound or anonymous placeholder in a send", () => {
    expect(() => substitutePlaceholders("<session_id:conn7>", new SessionIds())).toThrow(/conn7/);
    expect(() => substitutePlaceholders("<session_id>", new SessionIds())).toThrow(/no bound session id/);
  });
});

describe("compareCodePoints", () => {
  it("orders by code point, not by UTF-16 unit", () => {
    // U+FF5E (one unit 0xFF5E) sorts before U+1F600 (units 0xD83D 0xDE00) by code point only.
    expect(["\u{1F600}", "\uFF5E"].sort(compareCodePoints)).toEqual(["\uFF5E", "\u{1F600}"]);
    expect(["b", "a", "ab"].sort(compareCodePoints)).toEqual(["a", "ab", "b"]);
  });
});
