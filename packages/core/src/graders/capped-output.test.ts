import { describe, expect, it } from "vitest";
import { CappedOutput } from "./capped-output.js";

describe("CappedOutput", () => {
  it("keeps everything under the cap, across chunks", () => {
    const out = new CappedOutput(16);
    out.push(Buffer.from("hello "));
    out.push(Buffer.from("wörld"));
    expect(out.text()).toBe("hello wörld");
    expect(out.omittedBytes).toBe(0);
  });

  it("keeps the first and last halves with a marker between", () => {
    const out = new CappedOutput(8);
    for (const chunk of ["abc", "defgh", "ijklm", "nop"]) out.push(Buffer.from(chunk));
    expect(out.text()).toBe("abcd\n[... 8 bytes of output omitted ...]\nmnop");
    expect(out.omittedBytes).toBe(8);
  });

  it("does not split a character at either cut", () => {
    const out = new CappedOutput(6);
    // "ééééé" is 10 bytes: the head keeps "é" and half of the next, the tail starts mid-character.
    out.push(Buffer.from("ééééé"));
    expect(out.text()).toBe("é\n[... 4 bytes of output omitted ...]\né");
  });

  it("replaces invalid UTF-8", () => {
    const out = new CappedOutput(16);
    out.push(Buffer.from([0x61, 0xff, 0x62]));
    expect(out.text()).toBe("a\ufffdb");
  });
});
