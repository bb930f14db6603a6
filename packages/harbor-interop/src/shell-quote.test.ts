import { execFileSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { shellQuote } from "./shell-quote.js";

describe("shellQuote", () => {
  it.each(["3", "", "it's", "''", 'a "b" $HOME `id` $(id) \\n', "two\nlines\n", "*?[a] ~ ; & | < > # !"])(
    "survives sh as one word: %j",
    (text) => {
      const echoed = execFileSync("sh", ["-c", `printf '%s' ${shellQuote(text)}`], { encoding: "utf8" });
      expect(echoed).toBe(text);
    },
  );

  it("refuses NUL, which no shell word can hold", () => {
    expect(() => shellQuote("a\0b")).toThrow(/NUL/);
  });
});
