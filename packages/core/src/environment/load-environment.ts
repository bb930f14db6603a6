import { readdir, stat } from "node:fs/promises";
import { extname, join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { HudkitError } from "../errors/hudkit-error.js";
import { type Environment, isEnvironment } from "./environment.js";

const SOURCE_EXTENSIONS = new Set([".ts", ".mts", ".js", ".mjs"]);
const SKIPPED = /\.(test|spec|d|config)\.[cm]?[jt]s$/;

/** Options of {@link loadEnvironment}. */
export interface LoadEnvironmentOptions {
  /** Pick one environment by export name or by `env.name` when the source has several. */
  name?: string;
}

/**
 * Imports an environment source: a `.ts`, `.mts`, `.js` or `.mjs` file, or a directory of them,
 * and returns the one `Environment` it exports. TypeScript is loaded with tsx.
 *
 * @example
 * ```ts
 * const env = await loadEnvironment("examples/letter-count/env.ts");
 * ```
 */
export async function loadEnvironment(
  path: string,
  options: LoadEnvironmentOptions = {},
): Promise<Environment> {
  const target = resolve(path);
  const info = await stat(target).catch(() => undefined);
  if (!info) throw new HudkitError("env-not-found", `no environment source at ${path}: check the path`);
  const files = info.isDirectory() ? await sourceFilesIn(target) : [target];
  const found: Array<{ exportName: string; env: Environment }> = [];
  for (const file of files) {
    const module = await importSource(file);
    for (const [exportName, value] of Object.entries(module)) {
      if (isEnvironment(value) && !found.some((f) => f.env === value)) found.push({ exportName, env: value });
    }
  }
  const matches = options.name
    ? found.filter((f) => f.exportName === options.name || f.env.name === options.name)
    : found;
  if (matches.length === 1) return matches[0]!.env;
  const names = found.map((f) => `${f.exportName} (${f.env.name})`).join(", ") || "none";
  if (matches.length === 0) {
    const what = options.name ? `no Environment named '${options.name}'` : "no Environment";
    throw new HudkitError("env-not-found", `${what} found in ${path} (exported: ${names})`);
  }
  throw new HudkitError(
    "env-ambiguous",
    `multiple Environments in ${path}: ${names}; select one by name (file.ts:<name> or { name })`,
  );
}

/** Imports a module, TypeScript through tsx. */
export async function importSource(file: string): Promise<Record<string, unknown>> {
  const url = pathToFileURL(file).href;
  const ext = extname(file);
  try {
    if (ext === ".ts" || ext === ".mts" || ext === ".cts" || ext === ".tsx") {
      const { tsImport } = await import("tsx/esm/api");
      return (await tsImport(url, import.meta.url)) as Record<string, unknown>;
    }
    return (await import(url)) as Record<string, unknown>;
  } catch (error) {
    throw new HudkitError("env-import-failed", `cannot import ${file}: ${(error as Error).message}`, {
      cause: error,
    });
  }
}

async function sourceFilesIn(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  return entries
    .filter((e) => e.isFile() && SOURCE_EXTENSIONS.has(extname(e.name)) && !SKIPPED.test(e.name))
    .map((e) => join(dir, e.name))
    .sort();
}
