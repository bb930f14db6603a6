import { describe, expect, it } from "vitest";
import { HudkitError } from "../errors/hudkit-error.js";
import { pythonCanonicalJson } from "./python-json.js";

// Every expected string below was printed by CPython 3.11.7:
// json.dumps(value, sort_keys=True, default=str)

describe("pythonCanonicalJson", () => {
  it("uses Python's separators and sorts keys recursively", () => {
    expect(pythonCanonicalJson({ f: 0.5, d: { b: 1, a: 2 }, l: [1, { z: 1, a: null }] })).toBe(
      '{"d": {"a": 2, "b": 1}, "f": 0.5, "l": [1, {"a": null, "z": 1}]}',
    );
  });

  it("sorts keys by code point, not by UTF-16 code unit", () => {
    // A code-unit sort would put the emoji (a surrogate pair starting 0xD83D) before U+E000.
    expect(pythonCanonicalJson({ "\uff61": 1, "\u{1f600}": 2, a: 3, "\ue000": 4 })).toBe(
      '{"a": 3, "\\ue000": 4, "\\uff61": 1, "\\ud83d\\ude00": 2}',
    );
  });

  it("escapes like ensure_ascii: lowercase hex, surrogate pairs, lone surrogates, '/' kept", () => {
    expect(
      pythonCanonicalJson([
        "\u007f",
        "\u00e9",
        "\u{1f600}",
        "\ud800",
        'a"b\\c\nd\te\rf\fg\bh/i',
        "\u0000\u001f",
      ]),
    ).toBe(
      '["\\u007f", "\\u00e9", "\\ud83d\\ude00", "\\ud800", "a\\"b\\\\c\\nd\\te\\rf\\fg\\bh/i", "\\u0000\\u001f"]',
    );
  });

  it("writes non-integral numbers as Python's float repr", () => {
    const floats = [
      1e-7, 1e-5, 0.0001, 123456789.125, 5e-324, 2.5e-5, 1.5, -1.5, 0.1, 0.30000000000000004,
      -2.2250738585072014e-308, 1234.5678,
    ];
    expect(pythonCanonicalJson(floats)).toBe(
      "[1e-07, 1e-05, 0.0001, 123456789.125, 5e-324, 2.5e-05, 1.5, -1.5, 0.1, 0.30000000000000004, -2.2250738585072014e-308, 1234.5678]",
    );
  });

  it("writes integral numbers and bigints as Python ints, in full", () => {
    expect(pythonCanonicalJson([1e21, 2 ** 53, -5, 0, -0, 12345678901234567890123n])).toBe(
      "[1000000000000000000000, 9007199254740992, -5, 0, 0, 12345678901234567890123]",
    );
  });

  it("writes NaN and the infinities as bare tokens", () => {
    expect(
      pythonCanonicalJson({ x: Number.NaN, y: Number.POSITIVE_INFINITY, z: Number.NEGATIVE_INFINITY }),
    ).toBe('{"x": NaN, "y": Infinity, "z": -Infinity}');
  });

  it("writes empty containers, null and booleans", () => {
    expect(pythonCanonicalJson({ b: [], a: {}, c: [[], {}], d: null, e: true, f: false })).toBe(
      '{"a": {}, "b": [], "c": [[], {}], "d": null, "e": true, "f": false}',
    );
    expect(pythonCanonicalJson("plain")).toBe('"plain"');
    expect(pythonCanonicalJson(3)).toBe("3");
  });

  it("leaves out undefined object entries, as JSON has none", () => {
    expect(pythonCanonicalJson({ a: 1, b: undefined })).toBe('{"a": 1}');
    expect(pythonCanonicalJson([undefined])).toBe("[null]");
  });

  it("encodes other values as default=str would: through toJSON, else as their string", () => {
    expect(pythonCanonicalJson({ when: new Date(Date.UTC(2024, 0, 2)) })).toBe(
      '{"when": "2024-01-02T00:00:00.000Z"}',
    );
    class Point {
      toString() {
        return "Point(1, 2)";
      }
    }
    expect(pythonCanonicalJson({ p: new Point() })).toBe('{"p": "Point(1, 2)"}');
    expect(pythonCanonicalJson(Symbol("s"))).toBe('"Symbol(s)"');
  });

  it("accepts objects without a prototype", () => {
    const bare: Record<string, unknown> = Object.create(null);
    bare.b = 1;
    bare.a = 2;
    expect(pythonCanonicalJson(bare)).toBe('{"a": 2, "b": 1}');
  });

  it("encodes a shared (non-circular) value every time it appears", () => {
    const shared = { k: 1 };
    expect(pythonCanonicalJson([shared, shared])).toBe('[{"k": 1}, {"k": 1}]');
  });

  it("refuses a value that contains itself", () => {
    const loop: Record<string, unknown> = { a: 1 };
    loop.self = loop;
    let caught: unknown;
    try {
      pythonCanonicalJson(loop);
    } catch (error) {
      caught = error;
    }
    expect(HudkitError.isInstance(caught)).toBe(true);
    expect((caught as HudkitError).code).toBe("circular-json");
  });
});
