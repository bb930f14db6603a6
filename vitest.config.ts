import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["packages/*/src/**/*.test.ts", "apps/*/src/**/*.test.ts", "examples/*/**/*.test.ts"],
    // A hang guard, not a speed check: on a 2-core CI machine the CLI tests that spawn `hud`
    // processes take 20-30 s while Docker builds run beside them.
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: "forks",
  },
});
