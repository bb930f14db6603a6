import { existsSync } from "node:fs";
import { mkdir, readdir, realpath, symlink, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { basename, dirname, join, relative, resolve } from "node:path";
import { z } from "zod";
import { parseOptions } from "../option-parsing.js";
import { envNameFor, projectFiles } from "../scaffold/project-files.js";
import { UsageError } from "../usage-error.js";

/** `hud init`'s options. */
export const InitOptionsSchema = z.object({
  name: z
    .string()
    .regex(/^[a-z0-9][a-z0-9-]*$/, { error: "must be lower case letters, digits and dashes" })
    .optional(),
  force: z.boolean().default(false),
  link: z.boolean().default(true),
});

/** Entries a fresh directory may already hold without being "not empty". */
const IGNORED_ENTRIES = new Set([".git", ".DS_Store"]);

/**
 * `hud init [dir]`: writes a runnable environment project into `dir` (default: the current
 * directory), which must be empty unless `--force`. Unless `--no-link`, and when the project
 * cannot already import `@hudkit/core`, the copy of core this `hud` runs on is linked into its
 * `node_modules`, so that `hud eval tasks.ts --agent agent.ts` works at once, offline.
 */
export async function initCommand(dir: string | undefined, raw: Record<string, unknown>): Promise<number> {
  const options = parseOptions(InitOptionsSchema, raw);
  const target = resolve(dir ?? ".");
  await ensureWritable(target, dir ?? ".", options.force);
  const name = options.name ?? envNameFor(basename(target));
  const own = createRequire(import.meta.url);
  const cliVersion = (own("../package.json") as { version: string }).version;
  const coreManifest = own.resolve("@hudkit/core/package.json");
  const coreVersion = (own(coreManifest) as { version: string }).version;
  const files = projectFiles({ name, coreRange: `^${coreVersion}`, cliRange: `^${cliVersion}` });

  await mkdir(target, { recursive: true });
  for (const [path, text] of Object.entries(files)) {
    await writeFile(join(target, path), text, { flag: options.force ? "w" : "wx" });
  }
  const shown = relative(process.cwd(), target) || ".";
  const lines = [`created ${name} in ${shown}: ${Object.keys(files).join(", ")}`];
  if (options.link && !canImportCore(target)) {
    await linkCore(target, dirname(coreManifest));
    lines.push(
      `linked node_modules/@hudkit/core to this hud's own copy (${coreVersion}), so it runs offline; npm install replaces the link`,
    );
  }
  lines.push("", "next:");
  if (shown !== ".") lines.push(`  cd ${shown}`);
  if (!canImportCore(target)) lines.push("  npm install");
  lines.push("  hud eval tasks.ts --agent agent.ts --group 3");
  process.stdout.write(`${lines.join("\n")}\n`);
  return 0;
}

async function ensureWritable(target: string, shown: string, force: boolean): Promise<void> {
  const entries = await readdir(target).catch((error: NodeJS.ErrnoException) => {
    if (error.code === "ENOENT") return [];
    if (error.code === "ENOTDIR")
      throw new UsageError(`${shown} is a file: pick a directory for the project`);
    throw error;
  });
  const existing = entries.filter((entry) => !IGNORED_ENTRIES.has(entry));
  if (existing.length > 0 && !force) {
    throw new UsageError(
      `${shown} is not empty (${existing.slice(0, 3).join(", ")}${existing.length > 3 ? ", ..." : ""}): pick an empty directory, or pass --force to write the project's files over what is there`,
    );
  }
}

/**
 * Whether an `import "@hudkit/core"` in the project would resolve: a `node_modules` holding it in
 * the project or above. (Not `require.resolve`, which also honours `NODE_PATH`; imports do not.)
 */
function canImportCore(target: string): boolean {
  for (let dir = target; ; dir = dirname(dir)) {
    if (existsSync(join(dir, "node_modules", "@hudkit", "core", "package.json"))) return true;
    if (dirname(dir) === dir) return false;
  }
}

async function linkCore(target: string, coreDir: string): Promise<void> {
  const scope = join(target, "node_modules", "@hudkit");
  await mkdir(scope, { recursive: true });
  // "junction" matters only on Windows, where it needs no privileges; elsewhere it is ignored.
  await symlink(await realpath(coreDir), join(scope, "core"), "junction");
}
