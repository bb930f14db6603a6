import { readFile, stat } from "node:fs/promises";
import { isBuiltin } from "node:module";
import { dirname, join } from "node:path";
import type { Plugin } from "esbuild";

/**
 * Packages core imports lazily for loading and bundling (tsx, esbuild, import-meta-resolve).
 * Those code paths never run in an env child, so they stay out of the bundle.
 */
const LOADER_PACKAGES = ["esbuild", "tsx", "import-meta-resolve"];

/** A dependency on one of these means the package loads a compiled `.node` addon. */
const ADDON_LOADERS = [
  "bindings",
  "node-gyp-build",
  "prebuild-install",
  "node-pre-gyp",
  "@mapbox/node-pre-gyp",
  "node-addon-api",
  "nan",
];

/** Tells a resolve call made from inside the plugin apart from esbuild's own. */
const NESTED = { hudkitNestedResolve: true };

/** Options of {@link unbundledPackagesPlugin}. */
export interface UnbundledPackagesOptions {
  /** Packages to leave out of the bundle as well (they locate files through `__dirname`, say). */
  external?: readonly string[];
}

/**
 * Leaves native addons (and `external` packages) out of the bundle: a compiled `.node` file
 * cannot be inlined, and addon loaders find it relative to their own directory. Each such import
 * is rewritten to the package's resolved absolute path, so the bundle, which lives in a cache
 * directory, still loads it from where it is installed. Detected as an addon: a package with
 * `gypfile`, a `binding.gyp`, a `napi` section, or a dependency on an addon loader.
 *
 * @example
 * ```ts
 * await esbuild.build({ bundle: true, plugins: [unbundledPackagesPlugin({ external: ["sharp"] })], ... });
 * ```
 */
export function unbundledPackagesPlugin(options: UnbundledPackagesOptions = {}): Plugin {
  const chosen = new Set(options.external ?? []);
  const loaders = new Set(LOADER_PACKAGES);
  return {
    name: "hudkit-unbundled-packages",
    setup(build) {
      const addonByRoot = new Map<string, Promise<boolean>>();
      const resolveNested = (path: string, args: { kind: string; resolveDir: string; importer: string }) =>
        build.resolve(path, {
          kind: args.kind as "import-statement",
          resolveDir: args.resolveDir,
          importer: args.importer,
          pluginData: NESTED,
        });

      build.onResolve({ filter: /\.node$/ }, async (args) => {
        if (args.pluginData === NESTED) return undefined;
        const found = await resolveNested(args.path, args);
        return found.errors.length === 0 ? { path: found.path, external: true } : undefined;
      });

      // Bare specifiers only (relative and absolute imports are the project's own files). The
      // filter is Go regex syntax, which has no lookahead.
      build.onResolve({ filter: /^[^./]/ }, async (args) => {
        if (args.pluginData === NESTED || args.path.startsWith("node:") || isBuiltin(args.path))
          return undefined;
        const name = packageName(args.path);
        const found = await resolveNested(args.path, args);
        if (found.errors.length > 0 || found.external) {
          // A loader package that is not installed here is never needed at run time anyway.
          return loaders.has(name) ? { path: args.path, external: true } : undefined;
        }
        if (loaders.has(name) || chosen.has(name)) return { path: found.path, external: true };
        const root = await packageRoot(found.path, name);
        if (root === undefined) return undefined;
        let addon = addonByRoot.get(root);
        if (addon === undefined) {
          addon = isNativeAddon(root);
          addonByRoot.set(root, addon);
        }
        return (await addon) ? { path: found.path, external: true } : undefined;
      });
    },
  };
}

/** `@scope/pkg/sub/path` → `@scope/pkg`; `pkg/sub` → `pkg`. */
export function packageName(specifier: string): string {
  const parts = specifier.split("/");
  return specifier.startsWith("@") ? parts.slice(0, 2).join("/") : parts[0]!;
}

/** The directory of the installed package `name` that contains `file`. */
async function packageRoot(file: string, name: string): Promise<string | undefined> {
  for (let dir = dirname(file), depth = 0; depth < 12; dir = dirname(dir), depth++) {
    const manifest = await readJson(join(dir, "package.json"));
    if (manifest?.name === name) return dir;
    if (dirname(dir) === dir) return undefined;
  }
  return undefined;
}

async function isNativeAddon(root: string): Promise<boolean> {
  const manifest = await readJson(join(root, "package.json"));
  if (manifest === undefined) return false;
  if (manifest.gypfile === true || manifest.napi !== undefined) return true;
  const dependencies = { ...asRecord(manifest.dependencies), ...asRecord(manifest.optionalDependencies) };
  if (ADDON_LOADERS.some((loader) => loader in dependencies)) return true;
  return (await stat(join(root, "binding.gyp")).catch(() => undefined)) !== undefined;
}

async function readJson(path: string): Promise<Record<string, unknown> | undefined> {
  try {
    return asRecord(JSON.parse(await readFile(path, "utf8")));
  } catch {
    return undefined;
  }
}

function asRecord(value: unknown): Record<string, unknown> {
  return typeof value === "object" && value !== null ? (value as Record<string, unknown>) : {};
}
