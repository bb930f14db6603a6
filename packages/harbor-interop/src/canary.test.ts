import { describe, expect, it } from "vitest";
import { stripCanary } from "./canary.js";

describe("stripCanary", () => {
  it("removes leading HTML and hash canary lines, any case, then the blank lines after them", () => {
    const text = "<!-- harbor-canary GUID 26b5 -->\n# BENCHMARK DATA ... CANARY GUID 26b5\n\n\nSolve it.\n";
    expect(stripCanary(text)).toBe("Solve it.\n");
  });

  it("keeps canary lines that come after the instruction starts", () => {
    const text = "Solve it.\n<!-- canary 1 -->\n";
    expect(stripCanary(text)).toBe(text);
  });

  it("leaves a text without canary lines alone, except leading blank lines (as Harbor does)", () => {
    expect(stripCanary("Solve it.\n\nThen stop.\n")).toBe("Solve it.\n\nThen stop.\n");
    expect(stripCanary("\n\nSolve it.")).toBe("Solve it.");
  });

  it("matches lines with surrounding whitespace and CRLF endings", () => {
    expect(stripCanary("  <!-- Canary -->  \r\n\r\nSolve it.\r\n")).toBe("Solve it.\r\n");
  });

  it("does not treat a comment without the word canary as one", () => {
    expect(stripCanary("<!-- note -->\nSolve it.")).toBe("<!-- note -->\nSolve it.");
    expect(stripCanary("#!/bin/bash\n")).toBe("#!/bin/bash\n");
  });

  it("strips an instruction that is only canary lines to the empty string", () => {
    expect(stripCanary("# canary\n\n")).toBe("");
  });
});
