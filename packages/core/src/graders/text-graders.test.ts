import { describe, expect, it } from "vitest";
import { HudkitError } from "../errors/hudkit-error.js";
import { SubScore } from "./evaluation-result.js";
import {
  contains,
  containsAll,
  containsAny,
  exactMatch,
  f1Score,
  numericMatch,
  regexMatch,
} from "./text-graders.js";

function errorCode(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (error) {
    return HudkitError.isInstance(error) ? error.code : "not-hudkit";
  }
  return undefined;
}

describe("exactMatch", () => {
  it("compares normalised text and records both sides", () => {
    const score = exactMatch("The answer is: 42!", "answer is 42");
    expect(score).toBeInstanceOf(SubScore);
    expect(score.toJSON()).toEqual({
      name: "exact_match",
      weight: 1,
      value: 1,
      children: null,
      info: { expected: "answer is 42", got: "answer is 42" },
    });
    expect(exactMatch("43", "42").value).toBe(0);
  });

  it("without normalisation compares trimmed lowercase text", () => {
    expect(exactMatch("  PARIS ", "paris", { normalize: false }).value).toBe(1);
    const score = exactMatch("Paris!", "paris", { normalize: false });
    expect(score.value).toBe(0);
    expect(score.info).toEqual({ expected: "paris", got: "paris!" });
  });

  it("takes a name and a weight", () => {
    const score = exactMatch("a", "a", { name: "answer", weight: 0.3 });
    expect([score.name, score.weight]).toEqual(["answer", 0.3]);
  });

  it("rejects a weight that is not finite", () => {
    expect(errorCode(() => exactMatch("a", "a", { weight: Number.NaN }))).toBe("invalid-weight");
  });

  it("reads a missing answer as empty text", () => {
    expect(exactMatch(null, "").value).toBe(1);
    expect(exactMatch(undefined, "x").value).toBe(0);
  });
});

describe("contains", () => {
  it("is case-insensitive by default", () => {
    const score = contains("The capital is PARIS", "paris");
    expect(score.value).toBe(1);
    expect(score.name).toBe("contains");
    expect(score.info).toEqual({ expected: "paris", got: "The capital is PARIS" });
    expect(contains("The capital is PARIS", "paris", { caseSensitive: true }).value).toBe(0);
  });

  it("any and all record the needles found", () => {
    const any = containsAny("it is blue", ["red", "Blue"]);
    expect([any.name, any.value, any.info?.matched]).toEqual(["contains_any", 1, ["Blue"]]);
    expect(containsAny("it is green", ["red", "blue"]).value).toBe(0);
    const all = containsAll("red and blue", ["red", "blue", "green"]);
    expect([all.name, all.value, all.info?.matched]).toEqual(["contains_all", 0, ["red", "blue"]]);
    expect(containsAll("red and blue", ["RED", "blue"]).value).toBe(1);
  });

  it("follows Python's any([]) and all([]) for empty lists", () => {
    expect(containsAny("x", []).value).toBe(0);
    expect(containsAll("x", []).value).toBe(1);
  });
});

describe("regexMatch", () => {
  it("searches anywhere and records the match", () => {
    const score = regexMatch("Result: PASS (3 tests)", /\bpass\b/i);
    expect(score.value).toBe(1);
    expect(score.info).toEqual({ expected: "/\\bpass\\b/i", got: "Result: PASS (3 tests)", match: "PASS" });
    expect(regexMatch("fail", "pass").info?.match).toBeNull();
  });

  it("compiles strings with the given flags", () => {
    expect(regexMatch("ABC", "abc").value).toBe(0);
    expect(regexMatch("ABC", "abc", { flags: "i" }).value).toBe(1);
    expect(regexMatch("ABC", /abc/i, { flags: "" }).value).toBe(0);
  });

  it("does not carry lastIndex between calls with a global pattern", () => {
    const pattern = /x/g;
    expect(regexMatch("x", pattern).value).toBe(1);
    expect(regexMatch("x", pattern).value).toBe(1);
  });

  it("rejects an invalid pattern as a HudkitError", () => {
    expect(errorCode(() => regexMatch("x", "("))).toBe("invalid-pattern");
    expect(errorCode(() => regexMatch("x", "x", { flags: "q" }))).toBe("invalid-pattern");
  });
});

describe("numericMatch", () => {
  it("reads the first number with separators and exponents", () => {
    const score = numericMatch("About 1,000 people, not 2,000", 1000);
    expect(score.value).toBe(1);
    expect(score.info).toEqual({ expected: 1000, got: 1000, matched: "1,000" });
    expect(numericMatch("1.5e3", 1500).value).toBe(1);
    expect(numericMatch("first 3 then 4", 4).value).toBe(0);
  });

  it("applies absolute and relative tolerances", () => {
    expect(numericMatch("2.5", 2.504).value).toBe(0);
    expect(numericMatch("2.5", 2.504, { tolerance: 0.01 }).value).toBe(1);
    expect(numericMatch("6.0e23", 6.02e23, { relative: 0.01 }).value).toBe(1);
    expect(numericMatch("6.0e23", 6.02e23, { relative: 0.001 }).value).toBe(0);
  });

  it("scores 0 with got null when there is no number", () => {
    const score = numericMatch("no idea", 0, { tolerance: 100 });
    expect(score.value).toBe(0);
    expect(score.info).toEqual({ expected: 0, got: null, matched: null });
  });

  it("rejects bad tolerances and expectations", () => {
    expect(errorCode(() => numericMatch("1", 1, { tolerance: -1 }))).toBe("invalid-tolerance");
    expect(errorCode(() => numericMatch("1", 1, { relative: Number.NaN }))).toBe("invalid-tolerance");
    expect(errorCode(() => numericMatch("1", Number.POSITIVE_INFINITY))).toBe("invalid-expected");
  });
});

describe("f1Score", () => {
  it("gives the reference's examples", () => {
    expect(f1Score("The capital is Paris, France", "Paris").value).toBeCloseTo(0.4, 12);
    expect(f1Score("Paris", "Paris").value).toBe(1);
  });

  it("counts repeated tokens as a multiset", () => {
    const score = f1Score("cat cat cat", "cat dog");
    expect(score.info).toMatchObject({ precision: 1 / 3, recall: 0.5 });
    expect(score.value).toBeCloseTo(0.4, 12);
  });

  it("gives 0 for empty input or no overlap", () => {
    expect(f1Score("", "Paris").value).toBe(0);
    expect(f1Score("the", "the").value).toBe(0);
    expect(f1Score("London", "Paris").value).toBe(0);
    expect(f1Score("x", "x", { name: "f1" }).name).toBe("f1");
  });
});
