import { randomBytes } from "node:crypto";
import { mkdir, readdir, rename, rm, rmdir, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { HudkitError } from "@hudkit/core";

/** Executable files: Harbor runs scripts directly (shebang), and the Dockerfile copies modes as they are. */
const SCRIPT_MODE = 0o755;
/** At most this many clashing folders are named in the error. */
const NAMED_CLASHES = 3;

/**
 * One file of a task folder, by path relative to the folder.
 *
 * @example
 * ```ts
 * const file: TaskFolderFile = { path: "tests/test.sh", contents: testScript(answerFile), executable: true };
 * ```
 */
export interface TaskFolderFile {
  /** Relative, `/`-separated. */
  path: string;
  contents: string | Uint8Array;
  executable?: boolean;
}

/**
 * Throws when any of `folders` already exists in `outDir` as a file or a non-empty folder, naming
 * them, before anything is written: an export never mixes its files with older ones.
 *
 * @example
 * ```ts
 * await refuseFolderClashes("out/harbor", ["count_letter-1a2b3c4d"]);
 * ```
 */
export async function refuseFolderClashes(outDir: string, folders: readonly string[]): Promise<void> {
  const clashes: string[] = [];
  for (const folder of folders) {
    const path = join(outDir, folder);
    const entries = await readdir(path).catch((error: NodeJS.ErrnoException) => {
      if (error.code === "ENOENT") return [];
      if (error.code === "ENOTDIR") return [path];
      throw error;
    });
    if (entries.length > 0) clashes.push(path);
  }
  if (clashes.length === 0) return;
  const named = clashes.slice(0, NAMED_CLASHES).join(", ");
  const more = clashes.length > NAMED_CLASHES ? ` and ${clashes.length - NAMED_CLASHES} more` : "";
  throw new HudkitError(
    "harbor-export-folder-exists",
    `${named}${more} already exist${clashes.length === 1 ? "s" : ""} and ${clashes.length === 1 ? "is" : "are"} not empty: remove ${clashes.length === 1 ? "it" : "them"} or export to another folder`,
  );
}

/**
 * Writes a task folder as a whole: into a hidden sibling first, then renamed into place, so an
 * export that fails part-way leaves no half-written task for Harbor to pick up.
 *
 * @example
 * ```ts
 * await writeTaskFolder("out/harbor/count_letter-1a2b3c4d", [{ path: "instruction.md", contents: text }]);
 * ```
 */
export async function writeTaskFolder(dir: string, files: readonly TaskFolderFile[]): Promise<void> {
  const staging = join(dirname(dir), `.${randomBytes(6).toString("hex")}.partial`);
  try {
    for (const file of files) {
      const path = join(staging, ...file.path.split("/"));
      await mkdir(dirname(path), { recursive: true });
      await writeFile(path, file.contents, file.executable ? { mode: SCRIPT_MODE } : {});
    }
    // An empty folder of that name may be there (refuseFolderClashes allows it); rename needs it gone.
    await rmdir(dir).catch((error: NodeJS.ErrnoException) => {
      if (error.code !== "ENOENT") throw error;
    });
    await rename(staging, dir);
  } catch (error) {
    await rm(staging, { recursive: true, force: true });
    throw error;
  }
}
