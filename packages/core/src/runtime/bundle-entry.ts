import { realpathSync } from "node:fs";
import { fileURLToPath } from "node:url";

/**
 * The module that exports `envChildMain` in the copy of core running this code: the source file
 * when core runs from TypeScript (tests, tsx), else the package entry beside this built chunk in
 * `dist/`. Using our own copy makes the served protocol the one the parent speaks; when the env
 * imports the same `@hudkit/core`, esbuild sees one file and bundles it once. (No
 * `import.meta.resolve` here: a CommonJS bundle of core could not keep it.)
 */
export function envChildMainModule(): string {
  const module = runningFromSource()
    ? new URL("./env-child-main.ts", import.meta.url)
    : new URL("./index.js", import.meta.url);
  return realpathSync(fileURLToPath(module));
}

/**
 * esbuild aliases for the bundle. When core itself runs from source (its own tests, benches and
 * examples), an env's `import "@hudkit/core"` is pointed at that same source: otherwise it would
 * get the built `dist/`, which may be stale or missing, and the bundle would hold two copies of
 * core. An installed core leaves the env's own resolution alone.
 */
export function coreAliases(): Record<string, string> {
  if (!runningFromSource()) return {};
  return { "@hudkit/core": realpathSync(fileURLToPath(new URL("../index.ts", import.meta.url))) };
}

function runningFromSource(): boolean {
  return /\.[cm]?ts$/.test(new URL(import.meta.url).pathname);
}

/**
 * The source of a bundle's entry: import `envChildMain` and every env module, then serve. A
 * CommonJS bundle cannot await at its top level; `envChildMain` reports its own errors and exits,
 * so nothing is lost by not awaiting it there.
 *
 * @example
 * ```ts
 * bundleEntrySource(envChildMainModule(), ["/abs/env.ts"], "/abs/env.ts", "esm");
 * ```
 */
export function bundleEntrySource(
  childMain: string,
  files: readonly string[],
  source: string,
  format: "esm" | "cjs",
): string {
  const imports = files.map((file, i) => `import * as m${i} from ${JSON.stringify(file)};`);
  const modules = files.map((_file, i) => `m${i}`).join(", ");
  const call = `envChildMain([${modules}], ${JSON.stringify(source)});`;
  return [
    `import { envChildMain } from ${JSON.stringify(childMain)};`,
    ...imports,
    format === "esm" ? `await ${call}` : call,
    "",
  ].join("\n");
}
