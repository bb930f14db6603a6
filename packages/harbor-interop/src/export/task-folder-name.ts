import { HudkitError } from "@hudkit/core";

/** Longer folder names risk file-system limits (255 bytes) once Harbor adds its own suffixes. */
const MAX_FOLDER_CHARS = 120;

/**
 * The Harbor task folder for a hudkit slug: `/` becomes `-` (the reference exporter's rule),
 * then anything Harbor's task-name pattern refuses (`[A-Za-z0-9._-]`, starting with a letter or
 * digit, no `..`) becomes `-` too, since the folder is also the short part of `[task].name`.
 *
 * @example
 * ```ts
 * harborFolderName("count_letter-1a2b3c4d"); // "count_letter-1a2b3c4d"
 * harborFolderName("math/add two");          // "math-add-two"
 * ```
 */
export function harborFolderName(slug: string): string {
  const name = slug
    .replaceAll("/", "-")
    .replace(/[^A-Za-z0-9._-]+/g, "-")
    .replace(/\.{2,}/g, ".")
    .replace(/^[^A-Za-z0-9]+/, "")
    .slice(0, MAX_FOLDER_CHARS);
  if (name === "") {
    throw new HudkitError(
      "harbor-export-folder-name",
      `task slug ${JSON.stringify(slug)} has no letter or digit to name a Harbor task folder after: give the task a slug`,
    );
  }
  return name;
}

/**
 * A folder name per slug, in order. Two slugs that normalise to the same folder (compared
 * case-insensitively, since macOS and Windows file systems are) are an error naming both:
 * renaming one silently would break the way back from a Harbor result to the hudkit task.
 *
 * @example
 * ```ts
 * harborFolderNames(["a/b", "c"]); // ["a-b", "c"]
 * harborFolderNames(["a/b", "a-b"]); // throws harbor-export-folder-clash
 * ```
 */
export function harborFolderNames(slugs: readonly string[]): string[] {
  const owners = new Map<string, string>();
  return slugs.map((slug) => {
    const name = harborFolderName(slug);
    const key = name.toLowerCase();
    const owner = owners.get(key);
    if (owner !== undefined) {
      throw new HudkitError(
        "harbor-export-folder-clash",
        `tasks ${JSON.stringify(owner)} and ${JSON.stringify(slug)} would both be exported to the folder ${name}: give one of them another slug`,
      );
    }
    owners.set(key, slug);
    return name;
  });
}
