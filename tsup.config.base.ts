import type { Options } from "tsup";

/**
 * The one build configuration every package reuses:
 * `export default defineConfig(packageBuild({ entry: [...] }))`.
 */
export function packageBuild(overrides: Options = {}): Options {
  return {
    format: ["esm"],
    target: "node20",
    platform: "node",
    dts: true,
    sourcemap: true,
    clean: true,
    splitting: true,
    treeshake: true,
    ...overrides,
  };
}
