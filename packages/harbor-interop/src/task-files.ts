import { readdir, readFile, stat } from "node:fs/promises";

/**
 * What is at a path: a file, a directory, or nothing readable.
 *
 * @example
 * ```ts
 * await pathKind("tasks/hello/task.toml"); // "file"
 * ```
 */
export async function pathKind(path: string): Promise<"file" | "dir" | "none"> {
  try {
    const stats = await stat(path);
    if (stats.isDirectory()) return "dir";
    return stats.isFile() ? "file" : "none";
  } catch {
    return "none";
  }
}

/**
 * The names of the directories directly inside `dir`, sorted so that loads are reproducible.
 * Symbolic links to directories count, as Harbor follows them.
 *
 * @example
 * ```ts
 * await childDirs("datasets/hello"); // ["hello-user", "hello-workdir"]
 * ```
 */
export async function childDirs(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  const names: string[] = [];
  for (const entry of entries) {
    if (
      entry.isDirectory() ||
      (entry.isSymbolicLink() && (await pathKind(`${dir}/${entry.name}`)) === "dir")
    ) {
      names.push(entry.name);
    }
  }
  return names.sort();
}

/**
 * A UTF-8 text file without its byte-order mark, which editors on Windows add and TOML forbids.
 *
 * @example
 * ```ts
 * const text = await readText("tasks/hello/instruction.md");
 * ```
 */
export async function readText(path: string): Promise<string> {
  const text = await readFile(path, "utf8");
  return text.startsWith("\uFEFF") ? text.slice(1) : text;
}
