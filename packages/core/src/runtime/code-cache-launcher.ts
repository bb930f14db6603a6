import { readFile } from "node:fs/promises";
import { join } from "node:path";

/** Bump when the launcher's text changes, so a cache directory never runs an older one. */
const LAUNCHER_VERSION = 1;

/**
 * `node <launcher> <bundle.cjs> [args...]` runs a CommonJS env bundle as `node <bundle.cjs>`
 * would, but compiles it with the V8 code cache kept beside it: most of a child's start-up is V8
 * compiling the bundle (zod alone is half a megabyte), and Node 20 has no compile cache of its
 * own. A child that found no usable cache writes one when it exits, by then holding every
 * function its rollout ran; V8 rejects a cache made by another Node version or for other source,
 * and the name carries the Node version and architecture so two Nodes sharing a cache directory
 * do not overwrite each other's.
 */
const LAUNCHER_SOURCE = `"use strict";
// Written by @hudkit/core: runs an env bundle with a V8 code cache. Safe to delete.
const { readFileSync, renameSync, writeFileSync } = require("node:fs");
const Module = require("node:module");
const { dirname, resolve } = require("node:path");
const vm = require("node:vm");

const file = resolve(process.argv[2]);
// The bundle sees the command line it would see run directly: argv[1] is itself.
process.argv.splice(1, 1);
const cacheFile = \`\${file}.\${process.version}-\${process.arch}.v8cache\`;
let cachedData;
try {
  cachedData = readFileSync(cacheFile);
} catch {}
const script = new vm.Script(
  \`(function (exports, require, module, __filename, __dirname) {\${readFileSync(file, "utf8")}\\n})\`,
  { filename: file, cachedData, importModuleDynamically: vm.constants.USE_MAIN_CONTEXT_DEFAULT_LOADER },
);
if (cachedData === undefined || script.cachedDataRejected) {
  process.once("exit", () => {
    const temporary = \`\${cacheFile}.\${process.pid}.tmp\`;
    try {
      writeFileSync(temporary, script.createCachedData());
      renameSync(temporary, cacheFile);
    } catch {}
  });
}
const module_ = new Module(file, null);
module_.filename = file;
module_.paths = Module._nodeModulePaths(dirname(file));
module_.loaded = true;
script.runInThisContext()(module_.exports, Module.createRequire(file), module_, file, dirname(file));
`;

/**
 * Writes the code-cache launcher into `cacheDir` unless it is there already, and returns its
 * path. Another process may be writing it at the same moment: both write the same text, and
 * each renames a whole file into place.
 *
 * @example
 * ```ts
 * const launcher = await ensureCodeCacheLauncher(cacheDir, writeAtomically);
 * spawn(process.execPath, [launcher, bundle.file, "--task-env", "bench"]);
 * ```
 */
export async function ensureCodeCacheLauncher(
  cacheDir: string,
  write: (file: string, contents: string) => Promise<void>,
): Promise<string> {
  const file = join(cacheDir, `hudkit-code-cache-launcher-${LAUNCHER_VERSION}.cjs`);
  const present = await readFile(file, "utf8").catch(() => undefined);
  if (present !== LAUNCHER_SOURCE) await write(file, LAUNCHER_SOURCE);
  return file;
}
