import { readdir, readFile } from "node:fs/promises";
import { join, posix } from "node:path";

/** Never sent to the engine: dependencies, history and local job records. */
const ALWAYS_EXCLUDED = ["node_modules", ".git", ".hud/jobs"];

/**
 * The files of a build context, relative to `dir` with `/` separators: everything but
 * `node_modules`, `.git`, `.hud/jobs` and what `.dockerignore` excludes. `.dockerignore`
 * patterns are matched the way the engine does for the common forms: a path, a directory (and so
 * everything under it), `*` and `?` within one segment, `**` across segments, and `!` to
 * re-include.
 *
 * @example
 * ```ts
 * await buildContextFiles("examples/letter-count"); // ["Dockerfile.hud", ".hud/build/env.mjs", ...]
 * ```
 */
export async function buildContextFiles(dir: string): Promise<string[]> {
  const rules = await dockerignoreRules(dir);
  const files: string[] = [];
  const walk = async (relative: string): Promise<void> => {
    const entries = await readdir(join(dir, relative), { withFileTypes: true });
    for (const entry of entries) {
      const path = relative === "" ? entry.name : `${relative}/${entry.name}`;
      if (ALWAYS_EXCLUDED.includes(path)) continue;
      if (entry.isDirectory()) await walk(path);
      else if ((entry.isFile() || entry.isSymbolicLink()) && !excluded(path, rules)) files.push(path);
    }
  };
  await walk("");
  return files.sort();
}

interface Rule {
  pattern: RegExp;
  negated: boolean;
}

async function dockerignoreRules(dir: string): Promise<Rule[]> {
  const text = await readFile(join(dir, ".dockerignore"), "utf8").catch(() => "");
  return text
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line !== "" && !line.startsWith("#"))
    .map((line) => {
      const negated = line.startsWith("!");
      const cleaned = posix.normalize((negated ? line.slice(1) : line).trim()).replace(/^\/+|\/+$/g, "");
      return { pattern: globToRegExp(cleaned), negated };
    });
}

/** The last matching rule decides, as in the engine; a match on a parent directory counts. */
function excluded(path: string, rules: readonly Rule[]): boolean {
  let out = false;
  for (const rule of rules) {
    if (rule.pattern.test(path)) out = !rule.negated;
  }
  return out;
}

function globToRegExp(glob: string): RegExp {
  let source = "";
  for (let i = 0; i < glob.length; i++) {
    const char = glob[i]!;
    if (char === "*" && glob[i + 1] === "*") {
      source += ".*";
      i += glob[i + 2] === "/" ? 2 : 1;
    } else if (char === "*") source += "[^/]*";
    else if (char === "?") source += "[^/]";
    else source += char.replace(/[.+^${}()|[\]\\]/g, "\\$&");
  }
  // A pattern naming a directory excludes everything under it.
  return new RegExp(`^${source}(?:/.*)?$`);
}
