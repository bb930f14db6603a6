/**
 * `@hudkit/cli`: the `hud` command line, also usable as a library.
 *
 * @example
 * ```ts
 * import { runCli } from "@hudkit/cli";
 * process.exitCode = await runCli(["node", "hud", "jobs", "list", "--json"]);
 * ```
 */
export { createProgram, runCli } from "./program.js";
export { UsageError } from "./usage-error.js";
