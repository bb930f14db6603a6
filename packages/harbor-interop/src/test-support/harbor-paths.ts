import { existsSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

/** This package's fixture tasks and datasets (`src/fixtures/<name>`). */
export function fixture(name: string): string {
  return fileURLToPath(new URL(`../fixtures/${name}`, import.meta.url));
}

/**
 * The shared Harbor sample tasks: the nearest `shared/harbor-samples` above this file, as
 * `conformanceDir()` finds the shared conformance vectors.
 */
export function harborSamplesDir(): string {
  const start = path.dirname(fileURLToPath(import.meta.url));
  for (let dir = start; ; dir = path.dirname(dir)) {
    const candidate = path.join(dir, "shared", "harbor-samples");
    if (existsSync(path.join(candidate, "README.md"))) return candidate;
    if (path.dirname(dir) === dir) break;
  }
  throw new Error(`Harbor samples not found: no shared/harbor-samples above ${start}`);
}
