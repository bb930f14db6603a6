import { describe, expect, it } from "vitest";
import { harborFolderName, harborFolderNames } from "./task-folder-name.js";

// Harbor's [task].name short part (spec/harbor.md §1.3).
const HARBOR_SHORT_NAME = /^[a-zA-Z0-9][a-zA-Z0-9._-]*$/;

describe("harborFolderName", () => {
  it.each([
    ["count_letter-1a2b3c4d", "count_letter-1a2b3c4d"],
    ["math/add", "math-add"],
    ["a b:c", "a-b-c"],
    ["../escape", "escape"],
    ["-lead", "lead"],
    ["v1..2", "v1.2"],
    ["é-accent", "accent"],
  ])("%j → %j", (slug, folder) => {
    expect(harborFolderName(slug)).toBe(folder);
    expect(folder).toMatch(HARBOR_SHORT_NAME);
  });

  it("refuses a slug with nothing to keep", () => {
    expect(() => harborFolderName("//")).toThrow(/no letter or digit/);
  });
});

describe("harborFolderNames", () => {
  it("keeps order", () => {
    expect(harborFolderNames(["b", "a/x"])).toEqual(["b", "a-x"]);
  });

  it("refuses two slugs with one folder, case-insensitively, naming both", () => {
    expect(() => harborFolderNames(["a/b", "a-b"])).toThrow(
      /"a\/b" and "a-b" would both be exported to the folder a-b/,
    );
    expect(() => harborFolderNames(["Task", "task"])).toThrow(/would both be exported/);
  });
});
