import { createReadStream } from "node:fs";
import { lstat, readdir, readlink } from "node:fs/promises";
import path from "node:path";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import tar from "tar-stream";

/**
 * The contents of `localDir` as a tar stream, paths relative to the folder, modes kept (so an
 * executable stays executable). Symbolic links are stored as links; sockets and devices are
 * left out. Files are read one at a time as the consumer pulls.
 *
 * @example
 * ```ts
 * packFolder("./tests").pipe(createWriteStream("tests.tar"));
 * ```
 */
export function packFolder(localDir: string): Readable {
  const pack = tar.pack();
  addFolder(pack, localDir, "").then(
    () => pack.finalize(),
    (error: unknown) => pack.destroy(error as Error),
  );
  // tar-stream's streams are streamx, not Node streams; wrapping keeps backpressure and errors.
  return Readable.from(pack, { objectMode: false });
}

async function addFolder(pack: tar.Pack, root: string, relative: string): Promise<void> {
  const entries = await readdir(path.join(root, relative), { withFileTypes: true });
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const entry of entries) {
    const name = relative === "" ? entry.name : `${relative}/${entry.name}`;
    const full = path.join(root, name);
    const stats = await lstat(full);
    const header = { name, mode: stats.mode & 0o7777, mtime: stats.mtime };
    if (stats.isDirectory()) {
      pack.entry({ ...header, type: "directory" });
      await addFolder(pack, root, name);
    } else if (stats.isSymbolicLink()) {
      pack.entry({ ...header, type: "symlink", linkname: await readlink(full) });
    } else if (stats.isFile()) {
      await pipeline(createReadStream(full), pack.entry({ ...header, size: stats.size }));
    }
  }
}

/**
 * The bytes of the first regular file in a tar stream (an engine's archive download of one
 * file), or null when it holds none (the path was a folder).
 *
 * @example
 * ```ts
 * const bytes = await unpackFirstFile(await container.getArchive({ path: "/logs/verifier/reward.txt" }));
 * ```
 */
export function unpackFirstFile(archive: NodeJS.ReadableStream): Promise<Buffer | null> {
  return new Promise((resolve, reject) => {
    const reader = tar.extract();
    let found: Buffer | null = null;
    reader.on("entry", (header, stream, next) => {
      const chunks: Buffer[] = [];
      stream.on("data", (chunk: unknown) => {
        if (found === null && header.type === "file") chunks.push(chunk as Buffer);
      });
      stream.on("end", () => {
        if (found === null && header.type === "file") found = Buffer.concat(chunks);
        next();
      });
      stream.resume();
    });
    reader.on("finish", () => resolve(found));
    reader.on("error", reject);
    archive.pipe(reader);
  });
}
