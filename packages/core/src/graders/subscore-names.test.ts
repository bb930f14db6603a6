import { describe, expect, it } from "vitest";
import { uniqueSubScoreNames } from "./subscore-names.js";

describe("uniqueSubScoreNames", () => {
  it.each([
    [
      ["a", "b"],
      ["a", "b"],
    ],
    [
      ["a", "a", "b"],
      ["a-1", "a-2", "b"],
    ],
    [
      ["a", "a", "a-1"],
      ["a-2", "a-3", "a-1"],
    ],
    [
      ["a", "a-1", "a", "a-2"],
      ["a-3", "a-1", "a-4", "a-2"],
    ],
    [
      ["x", "x", "x"],
      ["x-1", "x-2", "x-3"],
    ],
    [[], []],
  ])("%j becomes %j", (names, expected) => {
    expect(uniqueSubScoreNames(names)).toEqual(expected);
  });
});
