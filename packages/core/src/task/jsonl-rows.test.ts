import { describe, expect, it } from "vitest";
import { parseJsonLinesChunk } from "./jsonl-rows.js";

describe("parseJsonLinesChunk", () => {
  it("parses whole lines, up to a number of them, and says where it stopped", () => {
    const text = '{"a":1}\r\n [2, "x"] \n"s"\n';
    expect(parseJsonLinesChunk(text, 0, 2)).toEqual({ rows: [{ a: 1 }, [2, "x"]], end: 20 });
    expect(parseJsonLinesChunk(text, 20, 2)).toEqual({ rows: ["s"], end: text.length });
    expect(parseJsonLinesChunk('{"a":1}\n{"b":2}', 0, 10)).toEqual({ rows: [{ a: 1 }, { b: 2 }], end: 15 });
  });

  it.each([
    ["a blank line", '{"a":1}\n\n{"a":2}\n'],
    ["a whitespace-only line", '{"a":1}\n \t\r\n{"a":2}\n'],
    ["trailing whitespace after the last line break", '{"a":1}\n  '],
    ["a line that is not JSON", '{"a":1}\n{"a":\n'],
    ["two values on a line", "1, 2\n3\n"],
    ["a value over two lines", '{"a":[1,\n2]}\n'],
    ["a line break in a string", '{"a":"x\ny"}\n'],
    // Each line alone is invalid, yet joined they parse into as many elements as lines.
    ["lines that only parse joined", '{"a":"}\n{"}\n{},{}\n'],
    ["a closing bracket too many", "1]\n[2\n"],
    ["non-JSON whitespace", "\u00a0\n1\n"],
  ])("leaves %s to the line-by-line parse", (_name, text) => {
    expect(parseJsonLinesChunk(text, 0, 100)).toBeUndefined();
  });
});
