import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { HudkitError } from "../errors/hudkit-error.js";
import { unwrapDefault } from "./unwrap-default.js";

/**
 * Resolves `pkg` from each directory in turn, the way Node would resolve an `import` in a file
 * there (its `exports` map honoured, no `node_modules` scanning), imports the first hit and
 * returns its default export. Undefined when no directory has the package installed; a package
 * that is installed but broken is an error, not a miss.
 *
 * @example
 * ```ts
 * const plugin = await importPluginPackage("hudkit-runtime-echo", [process.cwd(), cliDir]);
 * ```
 */
export async function importPluginPackage(pkg: string, fromDirs: readonly string[]): Promise<unknown> {
  // Loaded on demand: resolving plugins is a CLI start-up step, not something every user pays for.
  const { resolve } = await import("import-meta-resolve");
  for (const dir of fromDirs) {
    let url: string;
    try {
      url = resolve(pkg, pathToFileURL(join(dir, "hudkit-plugin-lookup.js")).href);
    } catch (error) {
      if (isMissingPackage(error, pkg)) continue;
      throw new HudkitError(
        "plugin-invalid",
        `${pkg} is installed but cannot be resolved: ${messageOf(error)}`,
        {
          cause: error,
        },
      );
    }
    try {
      return unwrapDefault(await import(url));
    } catch (error) {
      throw new HudkitError(
        "plugin-import-failed",
        `cannot load runtime plugin ${pkg}: ${messageOf(error)}`,
        {
          cause: error,
        },
      );
    }
  }
  return undefined;
}

/** Node's "Cannot find package 'x'" (the package itself is absent, not a file inside it). */
function isMissingPackage(error: unknown, pkg: string): boolean {
  return (
    (error as NodeJS.ErrnoException).code === "ERR_MODULE_NOT_FOUND" &&
    messageOf(error).includes(`Cannot find package '${pkg}'`)
  );
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
