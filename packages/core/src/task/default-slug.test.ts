import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { conformanceDir } from "../protocol/conformance/case-file.js";
import { defaultSlug, SlugHasher, slugWithDigits } from "./default-slug.js";
import { pythonCanonicalJson } from "./python-json.js";

interface SlugVector {
  id: string;
  args: Record<string, unknown> | null;
  canonical: string | null;
  slug: string;
  note?: string;
  args_python?: string;
}

// shared/conformance/slugs.json (computed with the reference `hud.eval.Task`), one vector per
// line, in the text Python wrote: a float such as `1.0` stays `1.0` here, and JSON.parse reads it
// as 1, which is exactly what a JavaScript caller holding parsed args has.
const SLUG_VECTORS_JSONL = String.raw`
{"id":"i","args":{},"canonical":null,"slug":"i","note":"empty args: the slug is the id alone, nothing is hashed"}
{"id":"i","args":{"n":1},"canonical":"{\"n\": 1}","slug":"i-bae34777"}
{"id":"i","args":{"n":1.0},"canonical":"{\"n\": 1.0}","slug":"i-308d1f95","note":"Python float: JSON.parse in JS cannot tell it from an integer, and Python's float repr differs from JS Number#toString (1.0 -> '1.0', JS would give '1')"}
{"id":"i","args":{"n":1e+16},"canonical":"{\"n\": 1e+16}","slug":"i-ad8cf7e2","note":"Python float: JSON.parse in JS cannot tell it from an integer, and Python's float repr differs from JS Number#toString (1e16 -> '1e+16', JS would give '10000000000000000')"}
{"id":"i","args":{"n":10000000000000000},"canonical":"{\"n\": 10000000000000000}","slug":"i-e0a2054d","note":"integer 10^16 (exact in both)"}
{"id":"i","args":{"n":-0.0},"canonical":"{\"n\": -0.0}","slug":"i-326e469d","note":"Python float: JSON.parse in JS cannot tell it from an integer, and Python's float repr differs from JS Number#toString (negative zero -> '-0.0', JS JSON.stringify gives '0')"}
{"id":"i","args":{"n":0},"canonical":"{\"n\": 0}","slug":"i-5fe4d610"}
{"id":"i","args":{"n":-5,"m":-1.5},"canonical":"{\"m\": -1.5, \"n\": -5}","slug":"i-eafe6ce8"}
{"id":"i","args":{"n":9007199254740993},"canonical":"{\"n\": 9007199254740993}","slug":"i-48badc76","note":"integer beyond 2^53: JSON.parse in JS loses precision; Python keeps it exact"}
{"id":"i","args":{"n":12345678901234567890123},"canonical":"{\"n\": 12345678901234567890123}","slug":"i-a19d0166","note":"integer beyond 2^53: JSON.parse in JS loses precision; Python keeps it exact"}
{"id":"i","args":{"n":9007199254740992.0},"canonical":"{\"n\": 9007199254740992.0}","slug":"i-81326650","note":"Python float: JSON.parse in JS cannot tell it from an integer, and Python's float repr differs from JS Number#toString (9007199254740992.0)"}
{"id":"i","args":{"n":0.1},"canonical":"{\"n\": 0.1}","slug":"i-2bc473d2"}
{"id":"i","args":{"n":0.30000000000000004},"canonical":"{\"n\": 0.30000000000000004}","slug":"i-6a710dcd"}
{"id":"i","args":{"f":[1e-07,1e-05,0.0001,1000000000000000.0,1e+21,1e+22,123456789.125,5e-324,1.7976931348623157e+308,2.5e-05,100.0,1.5]},"canonical":"{\"f\": [1e-07, 1e-05, 0.0001, 1000000000000000.0, 1e+21, 1e+22, 123456789.125, 5e-324, 1.7976931348623157e+308, 2.5e-05, 100.0, 1.5]}","slug":"i-6b24ee0b","note":"Python float: JSON.parse in JS cannot tell it from an integer, and Python's float repr differs from JS Number#toString (exponent formatting: Python repr switches to exponent notation below 1e-4 and from 1e16, writes 'e-07'/'e+16' with at least two exponent digits)"}
{"id":"i","args":{"b":{"z":1,"a":2},"a":[3,{"y":null,"x":true}]},"canonical":"{\"a\": [3, {\"x\": true, \"y\": null}], \"b\": {\"a\": 2, \"z\": 1}}","slug":"i-55e36886","note":"nested dicts with unsorted keys: sorted recursively; list order kept"}
{"id":"i","args":{"l":[1,"a",null,true,false,[],{}]},"canonical":"{\"l\": [1, \"a\", null, true, false, [], {}]}","slug":"i-3d040168"}
{"id":"i","args":{"k":null},"canonical":"{\"k\": null}","slug":"i-af3f6600"}
{"id":"i","args":{"t":true,"f":false},"canonical":"{\"f\": false, \"t\": true}","slug":"i-488f3417"}
{"id":"i","args":{"n":true},"canonical":"{\"n\": true}","slug":"i-ae21b0b7","note":"boolean true vs integer 1 give different slugs"}
{"id":"i","args":{"n":"1"},"canonical":"{\"n\": \"1\"}","slug":"i-9f29b1d2","note":"string '1' vs integer 1 give different slugs"}
{"id":"i","args":{"s":"caf\u00e9"},"canonical":"{\"s\": \"caf\\u00e9\"}","slug":"i-f852dbc8","note":"non-ASCII escaped as \\uXXXX (lowercase hex)"}
{"id":"i","args":{"s":"\ud83d\ude00"},"canonical":"{\"s\": \"\\ud83d\\ude00\"}","slug":"i-2b888d12","note":"astral character escaped as a UTF-16 surrogate pair"}
{"id":"i","args":{"s":"\u4e2d\u6587"},"canonical":"{\"s\": \"\\u4e2d\\u6587\"}","slug":"i-2d713a1e","note":"CJK"}
{"id":"i","args":{"s":"e\u0301","t":"\u00e9"},"canonical":"{\"s\": \"e\\u0301\", \"t\": \"\\u00e9\"}","slug":"i-717f4141","note":"no Unicode normalisation"}
{"id":"i","args":{"s":"a\"b\\c\nd\te\rf\fg\bh/i"},"canonical":"{\"s\": \"a\\\"b\\\\c\\nd\\te\\rf\\fg\\bh/i\"}","slug":"i-492f6abf","note":"quotes, backslash and control characters; '/' is not escaped"}
{"id":"i","args":{"s":"\u0000\u0001\u001f\u007f\u0080\u2028\u2029"},"canonical":"{\"s\": \"\\u0000\\u0001\\u001f\\u007f\\u0080\\u2028\\u2029\"}","slug":"i-2658afdc","note":"control characters, DEL, C1, line/paragraph separators"}
{"id":"i","args":{"s":"\ud800"},"canonical":"{\"s\": \"\\ud800\"}","slug":"i-b51e2402","note":"lone surrogate (valid in a JSON string escape, not in UTF-8)"}
{"id":"i","args":{"\u00e9":1,"e":2,"z":3,"E":4},"canonical":"{\"E\": 4, \"e\": 2, \"z\": 3, \"\\u00e9\": 1}","slug":"i-3c0f0301","note":"non-ASCII key sorts after ASCII"}
{"id":"i","args":{"\uff61":1,"\ud83d\ude00":2,"a":3},"canonical":"{\"a\": 3, \"\\uff61\": 1, \"\\ud83d\\ude00\": 2}","slug":"i-30bf9424","note":"keys sort by code point in Python (U+FF61 before U+1F600); a UTF-16 code-unit sort (JS default) puts U+1F600 first"}
{"id":"i","args":{"b":1,"B":2,"a":3,"_":4,"1":5,"10":6,"2":7,"":8},"canonical":"{\"\": 8, \"1\": 5, \"10\": 6, \"2\": 7, \"B\": 2, \"_\": 4, \"a\": 3, \"b\": 1}","slug":"i-646cab77","note":"key order: code point, not numeric, not case-folded"}
{"id":"t\u00e2che","args":{"a":1},"canonical":"{\"a\": 1}","slug":"t\u00e2che-e4ad4daa","note":"non-ASCII id is used as is in the slug"}
{"id":"math.add","args":{"a":2,"b":3},"canonical":"{\"a\": 2, \"b\": 3}","slug":"math.add-001a8858"}
{"id":"x","args":{"":""},"canonical":"{\"\": \"\"}","slug":"x-259192b7","note":"empty key and empty string still make args non-empty"}
{"id":"x","args":{"a":{}},"canonical":"{\"a\": {}}","slug":"x-143885bd"}
{"id":"x","args":{"a":[]},"canonical":"{\"a\": []}","slug":"x-3e0ccf0c"}
{"id":"x","args":{"a":""},"canonical":"{\"a\": \"\"}","slug":"x-6cc8dda9"}
{"id":"x","args":{"deep":{"l1":{"l2":{"l3":[{"l4":{"b":1,"a":[null]}}]}}}},"canonical":"{\"deep\": {\"l1\": {\"l2\": {\"l3\": [{\"l4\": {\"a\": [null], \"b\": 1}}]}}}}","slug":"x-5ff2e646"}
{"id":"x","args":null,"args_python":"{'x': nan}","canonical":"{\"x\": NaN}","slug":"x-615c4d5a","note":"not representable in JSON: 'args' is null here and 'args_python' gives the Python value; Python's json.dumps writes the non-standard token into the canonical text"}
{"id":"x","args":null,"args_python":"{'x': inf, 'y': -inf}","canonical":"{\"x\": Infinity, \"y\": -Infinity}","slug":"x-2938e31f","note":"not representable in JSON: 'args' is null here and 'args_python' gives the Python value; Python's json.dumps writes the non-standard token into the canonical text"}
`;

const VECTORS: readonly SlugVector[] = SLUG_VECTORS_JSONL.trim()
  .split("\n")
  .map((line) => JSON.parse(line) as SlugVector);

/** The vectors slugs.json marks as not reproducible from JSON.parse'd args. */
const MARKED_NOT_FROM_PARSED_ARGS = VECTORS.filter(
  (vector) => vector.note?.includes("JSON.parse in JS") || vector.note?.includes("not representable in JSON"),
).map((vector) => vector.slug);

// Marked vectors that JavaScript can still express, built here the way a caller would.
const CONSTRUCTED_ARGS: Readonly<Record<string, Record<string, unknown>>> = {
  // Integers beyond 2^53: exact as bigint.
  "i-48badc76": { n: 9007199254740993n },
  "i-a19d0166": { n: 12345678901234567890123n },
  // args is null in the file; args_python is {'x': nan} and {'x': inf, 'y': -inf}.
  "x-615c4d5a": { x: Number.NaN },
  "x-2938e31f": { x: Number.POSITIVE_INFINITY, y: Number.NEGATIVE_INFINITY },
};

// Known divergences: Python floats with an integral value. JavaScript has a single number type,
// and an integral number hashes as a Python int (see pythonCanonicalJson), so these slugs cannot
// be produced from JavaScript numbers at all.
const EXEMPT_FLOAT_VECTORS: readonly string[] = [
  "i-308d1f95", // {"n": 1.0}
  "i-ad8cf7e2", // {"n": 1e+16}
  "i-326e469d", // {"n": -0.0}
  "i-81326650", // {"n": 9007199254740992.0}
  "i-6b24ee0b", // {"f": [1e-07, ..., 1000000000000000.0, 1e+21, ...]}: integral floats among others
];

function vector(slug: string): SlugVector {
  const found = VECTORS.find((v) => v.slug === slug);
  if (!found) throw new Error(`no vector with slug ${slug}`);
  return found;
}

describe("default slug vectors (shared/conformance/slugs.json)", () => {
  it("replays the whole file", () => {
    expect(VECTORS).toHaveLength(39);
  });

  it("classifies every marked vector as constructed or exempt, and nothing else", () => {
    const handled = [...Object.keys(CONSTRUCTED_ARGS), ...EXEMPT_FLOAT_VECTORS];
    expect([...handled].sort()).toEqual([...MARKED_NOT_FROM_PARSED_ARGS].sort());
  });

  const reproducible = VECTORS.filter((v) => !MARKED_NOT_FROM_PARSED_ARGS.includes(v.slug));

  it.each(reproducible.map((v) => [v.slug, v] as const))("reproduces %s from the parsed args", (_slug, v) => {
    const args = v.args ?? {};
    expect(defaultSlug(v.id, args)).toBe(v.slug);
    if (v.canonical !== null) expect(pythonCanonicalJson(args)).toBe(v.canonical);
  });

  it.each(Object.entries(CONSTRUCTED_ARGS))(
    "reproduces %s from args built without JSON.parse",
    (slug, args) => {
      const v = vector(slug);
      expect(pythonCanonicalJson(args)).toBe(v.canonical);
      expect(defaultSlug(v.id, args)).toBe(v.slug);
    },
  );

  it.each(EXEMPT_FLOAT_VECTORS)("%s differs, as documented, when hashed from the parsed args", (slug) => {
    const v = vector(slug);
    expect(v.args).not.toBeNull();
    expect(pythonCanonicalJson(v.args)).not.toBe(v.canonical);
    expect(defaultSlug(v.id, v.args ?? {})).not.toBe(v.slug);
  });
});

describe("defaultSlug", () => {
  it("matches the vectors of spec/execution.md §1 and checklist item 78", () => {
    expect(defaultSlug("verify", { expected: 3 })).toBe("verify-5579a3e5");
    expect(defaultSlug("solve", { a: 1, b: 2 })).toBe("solve-1744f53e");
    expect(defaultSlug("count", { sentence: "Strawberry world", letter: "r" })).toBe("count-4376680e");
    expect(defaultSlug("i", { k: [1, { z: 1, a: null }] })).toBe("i-f3736c91");
  });

  it("is the id alone when args are empty or missing", () => {
    expect(defaultSlug("i", undefined)).toBe("i");
    expect(defaultSlug("solve", {})).toBe("solve");
  });

  it("treats entries whose value is undefined as absent", () => {
    expect(defaultSlug("i", { a: undefined })).toBe("i");
    expect(defaultSlug("verify", { expected: 3, other: undefined })).toBe("verify-5579a3e5");
  });
});

describe("slugWithDigits", () => {
  it("keeps more of the same hash", () => {
    expect(slugWithDigits("verify", { expected: 3 }, 16)).toBe("verify-5579a3e5f7914bd5");
    expect(slugWithDigits("i", { k: [1, { z: 1, a: null }] }, 40)).toBe(
      "i-f3736c9103eb1d882433821eb135c320a6bda488",
    );
    expect(slugWithDigits("verify", { expected: 3 }, 8)).toBe(defaultSlug("verify", { expected: 3 }));
  });

  it("is the id alone when there are no args", () => {
    expect(slugWithDigits("solve", {}, 16)).toBe("solve");
  });

  it.each([0, 41, 2.5, Number.NaN])("refuses %s digits", (digits) => {
    expect(() => slugWithDigits("i", { a: 1 }, digits)).toThrow(RangeError);
  });
});

describe("the embedded vectors", () => {
  it("are exactly shared/conformance/slugs.json, the oracle", () => {
    const shared = JSON.parse(readFileSync(join(conformanceDir(), "slugs.json"), "utf8")) as SlugVector[];
    expect(VECTORS).toEqual(shared);
  });
});

describe("the fast canonical encoder behind defaultSlug", () => {
  // defaultSlug encodes common args itself and leaves the rest to pythonCanonicalJson; either
  // way the hash must be of exactly pythonCanonicalJson's text.
  const reference = (id: string, args: Record<string, unknown>) =>
    `${id}-${createHash("sha1").update(pythonCanonicalJson(args), "utf8").digest("hex").slice(0, 8)}`;
  const holey: unknown[] = [1];
  holey[2] = 3;
  class Items extends Array<unknown> {}
  const nullProto = Object.assign(Object.create(null) as object, { b: 1, a: [2] });
  const cases: Array<[string, Record<string, unknown>]> = [
    ["printable ASCII", { s: " !#$%&'()*+,-./09:;<=>?@AZ[]^_`az{|}~" }],
    ["quote and backslash", { s: 'a"b\\c' }],
    ["DEL and controls", { s: "\u007f\u0000\n" }],
    ["non-ASCII", { s: "caf\u00e9" }],
    ["key order", { b: 1, B: 2, a: 3, _: 4, "1": 5, "10": 6, "2": 7, "": 8 }],
    ["many keys", Object.fromEntries(Array.from({ length: 40 }, (_, i) => [`k${(i * 7) % 40}`, i]))],
    ["non-ASCII key", { "\u00e9": 1, e: 2 }],
    ["astral and high BMP keys", { "\u{1f600}": 1, "\uff61": 2, a: 3 }],
    ["a long string", { s: "x\u00e9".repeat(5000) }],
    ["quote in a key", { 'a"': 1 }],
    ["integers", { a: 0, b: -0, c: -5, d: 2 ** 53 - 1, e: 2 ** 53 + 2, f: 1e20, g: 1e21, h: -1e21 }],
    ["an inexact large integer", { n: 1.2345678901234568e20 }],
    ["floats", { a: 0.1, b: -1.5, c: 1e-4, d: 9.99e-5, e: 1.5e-7, f: 4503599627370495.5, g: 123.456 }],
    ["non-finite", { a: Number.NaN, b: Number.POSITIVE_INFINITY }],
    ["booleans and null", { t: true, f: false, n: null }],
    ["undefined", { u: undefined, l: [undefined, 1] }],
    ["a hole", { l: holey }],
    ["nested", { o: { z: [1, { y: null, x: [] }], a: {} } }],
    ["a null-prototype object", { o: nullProto }],
    ["an array subclass", { l: Items.from([1, 2]) }],
    ["a Date", { d: new Date(0) }],
    ["toJSON on a plain object", { o: { toJSON: () => "x", a: 1 } as unknown as Record<string, unknown> }],
    ["a bigint", { n: 12345678901234567890n }],
    ["a symbol", { s: Symbol("s") }],
  ];

  it.each(cases)("hashes exactly pythonCanonicalJson's text: %s", (_name, args) => {
    expect(defaultSlug("i", args)).toBe(reference("i", args));
  });

  it("gives the same slugs from one reused SlugHasher, whatever came before", () => {
    const hasher = new SlugHasher();
    for (const [, args] of [...cases, ...cases.slice().reverse()]) {
      expect(hasher.slug("i", args)).toBe(reference("i", args));
    }
    expect(hasher.slug("verify", { expected: 3 }, 16)).toBe("verify-5579a3e5f7914bd5");
    expect(hasher.slug("other", { expected: 3 })).toBe("other-5579a3e5");
    expect(hasher.slug("solve", {})).toBe("solve");
  });

  it("still refuses circular args", () => {
    const args: Record<string, unknown> = {};
    args.self = args;
    expect(() => defaultSlug("i", args)).toThrow(/circular reference/);
  });
});
