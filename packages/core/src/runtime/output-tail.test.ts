import { describe, expect, it } from "vitest";
import { OutputTail, TAIL_LINES } from "./output-tail.js";

describe("OutputTail", () => {
  it("keeps the last lines of several streams without splicing their partial lines", () => {
    const seen: string[] = [];
    const tail = new OutputTail((line) => seen.push(line));
    const stdout = tail.writer();
    const stderr = tail.writer();
    stdout("HUD_SERVE");
    stderr("warn: slow\r\n");
    stdout("_PORT=123\nlast");
    tail.flush();
    expect(seen).toEqual(["warn: slow", "HUD_SERVE_PORT=123", "last"]);
    expect(tail.text()).toBe("warn: slow\nHUD_SERVE_PORT=123\nlast");
  });

  it(`keeps only ${TAIL_LINES} lines and cuts a runaway line`, () => {
    const tail = new OutputTail();
    const write = tail.writer();
    for (let i = 0; i < 120; i++) write(`line ${i}\n`);
    const lines = tail.text().split("\n");
    expect(lines).toHaveLength(TAIL_LINES);
    expect(lines[0]).toBe("line 70");
    write("x".repeat(10_000));
    expect(tail.text().split("\n").at(-1)!.length).toBeLessThan(5_000);
  });
});
