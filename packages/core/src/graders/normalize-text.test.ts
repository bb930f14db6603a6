import { describe, expect, it } from "vitest";
import { normalizeText } from "./normalize-text.js";

describe("normalizeText", () => {
  it("gives the reference's example", () => {
    expect(normalizeText("  The Answer is: 42! ")).toBe("answer is 42");
  });

  it("drops articles only as whole words", () => {
    expect(normalizeText("A cat, an owl and THE theme")).toBe("cat owl and theme");
    expect(normalizeText("banana")).toBe("banana");
  });

  it("keeps non-ASCII letters and digits, as Python's Unicode \\w", () => {
    expect(normalizeText("Café–Crème, ＡＢＣ ٤٢")).toBe("café crème ａｂｃ ٤٢");
    // JavaScript's ASCII \b would see a boundary between "é" and "a".
    expect(normalizeText("éa a")).toBe("éa");
  });

  it("keeps underscores and turns other punctuation into spaces", () => {
    expect(normalizeText("snake_case/kebab-case")).toBe("snake_case kebab case");
  });

  it("reads non-strings as text", () => {
    expect(normalizeText(null)).toBe("");
    expect(normalizeText(42)).toBe("42");
    expect(normalizeText({ x: 1 })).toBe("x 1");
  });
});
