import { describe, expect, it } from "vitest";
import { firstNumber } from "./first-number.js";

describe("firstNumber", () => {
  it.each([
    ["42", 42],
    ["The answer is 42.", 42],
    ["-3.5 degrees", -3.5],
    ["\u22127 (typographic minus)", -7],
    ["1,000", 1000],
    ["about 1,234,567.89 units", 1234567.89],
    ["6.02e23", 6.02e23],
    ["1E-3", 0.001],
    ["2.5e+2 and 7", 250],
    [".5", 0.5],
    ["x = -.25", -0.25],
    ["covid-19", 19],
    ["x=-5", -5],
    ["1234,567", 1234],
    ["1,0000", 1],
    ["1,2,3", 1],
    ["3 apples and 4 pears", 3],
    ["abc123", 123],
    ["v1.2.3", 1.2],
    ["file.5", 5],
    ["42.", 42],
    ["5e", 5],
  ])("%j reads %d", (text, value) => {
    expect(firstNumber(text)?.value).toBe(value);
  });

  it("returns the matched text", () => {
    expect(firstNumber("total: 1,000 items")).toEqual({ text: "1,000", value: 1000 });
  });

  it("returns null without a number", () => {
    expect(firstNumber("no digits here")).toBeNull();
    expect(firstNumber("")).toBeNull();
  });
});
