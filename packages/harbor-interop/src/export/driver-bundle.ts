import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { HudkitError } from "@hudkit/core";

/**
 * Packages core loads lazily for loading and bundling envs, and for the gym handle's ssh/2
 * client. The driver never reaches those code paths, so they stay out of its bundle (the image
 * has none of them).
 */
const UNUSED_LOADERS = ["esbuild", "tsx", "import-meta-resolve", "ssh2"];

/** The part of esbuild's API this module calls. */
interface Esbuild {
  build(options: Record<string, unknown>): Promise<{ outputFiles?: Array<{ contents: Uint8Array }> }>;
}

/**
 * The task driver (`runTaskDriver`, with `@hudkit/core` and its dependencies) bundled into one
 * ESM file that plain `node` runs with no `node_modules`: `task.mjs` in an exported task's
 * image. Built once per export; the contents are the same for every task.
 *
 * @example
 * ```ts
 * await writeFile("environment/hudkit/task.mjs", await bundleTaskDriver());
 * ```
 */
export async function bundleTaskDriver(): Promise<Uint8Array> {
  const esbuild = await loadEsbuild();
  const entry = [
    `import { runTaskDriver } from ${JSON.stringify(driverModule())};`,
    // exit() rather than exitCode: a lingering socket must not keep a verifier waiting.
    "process.exit(await runTaskDriver(process.argv.slice(2)));",
    "",
  ].join("\n");
  try {
    const result = await esbuild.build({
      stdin: { contents: entry, resolveDir: fileURLToPath(new URL(".", import.meta.url)), loader: "js" },
      bundle: true,
      platform: "node",
      format: "esm",
      target: "node20",
      write: false,
      logLevel: "silent",
      legalComments: "none",
      minifyWhitespace: true,
      minifySyntax: true,
      external: UNUSED_LOADERS,
      // CommonJS dependencies (ws) call require() for Node built-ins; an ESM bundle has none.
      banner: {
        js: 'import { createRequire as __hudkitCreateRequire } from "node:module";\nvar require = __hudkitCreateRequire(import.meta.url);',
      },
    });
    return result.outputFiles![0]!.contents;
  } catch (error) {
    throw new HudkitError(
      "harbor-export-driver",
      `cannot bundle the task driver: ${(error as Error).message}`,
      {
        cause: error,
      },
    );
  }
}

/**
 * The driver's module in this copy of the package: the TypeScript source beside this file when
 * running from source (tests), else the `task-driver.js` entry the build writes next to it.
 */
function driverModule(): string {
  for (const name of ["task-driver.ts", "task-driver.js"]) {
    const file = fileURLToPath(new URL(`./${name}`, import.meta.url));
    if (existsSync(file)) return file;
  }
  throw new HudkitError(
    "harbor-export-driver",
    `the task driver is missing beside ${fileURLToPath(import.meta.url)}: reinstall @hudkit/harbor`,
  );
}

/** esbuild, loaded only when an export runs (it is a large module). */
async function loadEsbuild(): Promise<Esbuild> {
  const module = (await import("esbuild")) as Partial<Esbuild> & { default?: Esbuild };
  return typeof module.build === "function" ? (module as Esbuild) : module.default!;
}
