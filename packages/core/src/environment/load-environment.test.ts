import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { loadEnvironment } from "./load-environment.js";

const fixtures = fileURLToPath(new URL("./fixtures/", import.meta.url));

describe("loadEnvironment", () => {
  it("loads a TypeScript file", async () => {
    const env = await loadEnvironment(join(fixtures, "env-dir/alpha.ts"));
    expect([env.name, env.version]).toEqual(["alpha", "1.0.0"]);
  });

  it("scans a directory's modules, skipping test files", async () => {
    const env = await loadEnvironment(join(fixtures, "env-dir"));
    expect(env.name).toBe("alpha");
  });

  it("names what it found when the requested name is missing", async () => {
    await expect(loadEnvironment(join(fixtures, "env-dir"), { name: "gamma" })).rejects.toThrow(
      /no Environment named 'gamma' found in .*env-dir \(exported: env \(alpha\)\)/,
    );
  });

  it("says so when a file exports no environment", async () => {
    await expect(loadEnvironment(join(fixtures, "env-dir/beta.mjs"))).rejects.toMatchObject({
      code: "env-not-found",
      message: expect.stringContaining("(exported: none)"),
    });
  });

  it("reports a missing path and a broken module with the file name", async () => {
    await expect(loadEnvironment("no/such/env.ts")).rejects.toMatchObject({ code: "env-not-found" });
    const dir = mkdtempSync(join(tmpdir(), "hudkit-load-"));
    writeFileSync(join(dir, "broken.mjs"), "throw new Error('kaput');\n");
    await expect(loadEnvironment(join(dir, "broken.mjs"))).rejects.toMatchObject({
      code: "env-import-failed",
      message: expect.stringMatching(/cannot import .*broken\.mjs: kaput/),
    });
  });
});
