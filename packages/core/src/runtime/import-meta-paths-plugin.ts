import { readFile } from "node:fs/promises";
import { dirname, extname } from "node:path";
import { pathToFileURL } from "node:url";
import type { Loader, Plugin } from "esbuild";

const LOADERS: Record<string, Loader> = {
  ".ts": "ts",
  ".mts": "ts",
  ".cts": "ts",
  ".tsx": "tsx",
  ".js": "js",
  ".mjs": "js",
  ".cjs": "js",
  ".jsx": "jsx",
};

const IMPORT_META_PATH = /\bimport\.meta\.(url|filename|dirname)\b/g;

/**
 * Keeps `import.meta.url`, `import.meta.filename` and `import.meta.dirname` pointing at each
 * module's own source file after bundling. Without it they would all name the bundle in the cache
 * directory, and an env reading `new URL("./data.json", import.meta.url)` would look there.
 *
 * @example
 * ```ts
 * await esbuild.build({ bundle: true, plugins: [importMetaPathsPlugin()], ... });
 * ```
 */
export function importMetaPathsPlugin(): Plugin {
  return {
    name: "hudkit-import-meta-paths",
    setup(build) {
      build.onLoad({ filter: /\.[cm]?[jt]sx?$/, namespace: "file" }, async (args) => {
        const text = await readFile(args.path, "utf8");
        if (!text.includes("import.meta.")) return undefined;
        const values: Record<string, string> = {
          url: pathToFileURL(args.path).href,
          filename: args.path,
          dirname: dirname(args.path),
        };
        return {
          contents: text.replace(IMPORT_META_PATH, (_match, key: string) => JSON.stringify(values[key])),
          loader: LOADERS[extname(args.path)] ?? "js",
        };
      });
    },
  };
}
