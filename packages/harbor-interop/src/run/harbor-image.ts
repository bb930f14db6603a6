import { createHash } from "node:crypto";
import { lstat, readFile } from "node:fs/promises";
import { join } from "node:path";
import { Readable } from "node:stream";
import { HudkitError } from "@hudkit/core";
import { buildContextFiles, followImageBuild, statusOf } from "@hudkit/runtime-docker";
import type Docker from "dockerode";
import { pack } from "tar-stream";
import type { HarborTask } from "../harbor-task.js";
import { type ImageMap, mapImage, rewriteDockerfile } from "./dockerfile-rewrite.js";

/** Bumped when the way images are made changes, so old cached images are not reused. */
const RECIPE_VERSION = "1";

/**
 * Options of {@link ensureHarborImage}.
 *
 * @example
 * ```ts
 * const options: HarborImageOptions = { imageMap: { "ubuntu:24.04": "base:local" }, onLog: console.log };
 * ```
 */
export interface HarborImageOptions {
  imageMap?: ImageMap;
  onLog?: (line: string) => void;
  signal?: AbortSignal;
}

/**
 * The image a task's `main` container runs, and whether it was built just now.
 *
 * @example
 * ```ts
 * const image: HarborImage = { tag: "hudkit-harbor/hello-user:3f2a...", built: false };
 * ```
 */
export interface HarborImage {
  tag: string;
  built: boolean;
}

function repositoryName(task: HarborTask): string {
  const name = task.name
    .toLowerCase()
    .replace(/[^a-z0-9._-]+/g, "-")
    .replace(/^[-._]+|[-._]+$/g, "");
  return `hudkit-harbor/${name || "task"}`;
}

async function contextDigest(dir: string, files: string[], dockerfile: string): Promise<string> {
  const hash = createHash("sha256")
    .update(`hudkit-harbor-image ${RECIPE_VERSION}\0`)
    .update(dockerfile)
    .update("\0");
  for (const file of [...files].sort()) {
    const info = await lstat(join(dir, file));
    hash.update(`${file}\0${info.mode & 0o7777}\0`);
    if (info.isFile()) hash.update(await readFile(join(dir, file)));
    hash.update("\0");
  }
  return hash.digest("hex");
}

async function contextArchive(dir: string, files: string[], dockerfile: string): Promise<Buffer> {
  const archive = pack();
  const chunks: Buffer[] = [];
  archive.on("data", (chunk: unknown) => chunks.push(chunk as Buffer));
  const done = new Promise<void>((resolve, reject) => {
    archive.on("end", resolve);
    archive.on("error", reject);
  });
  for (const file of files) {
    if (file === "Dockerfile") continue;
    const info = await lstat(join(dir, file));
    if (info.isFile())
      archive.entry({ name: file, mode: info.mode & 0o7777 }, await readFile(join(dir, file)));
  }
  archive.entry({ name: "Dockerfile", mode: 0o644 }, dockerfile);
  archive.finalize();
  await done;
  return Buffer.concat(chunks);
}

async function imageExists(docker: Docker, tag: string): Promise<boolean> {
  try {
    await docker.getImage(tag).inspect();
    return true;
  } catch (error) {
    if (statusOf(error) === 404) return false;
    throw error;
  }
}

/**
 * Makes sure the image of a task's `main` container is in the engine and returns its tag:
 * - `[environment].docker_image`, retargeted through the image map, must already be there (no
 *   registry is assumed; the error says how to map it to a local image);
 * - otherwise `environment/Dockerfile` is built, with `FROM` retargeted and BuildKit-only
 *   `COPY --chmod` rewritten, and tagged by a hash of the build context, the rewritten
 *   Dockerfile and the recipe version, so an unchanged task is never rebuilt.
 *
 * @example
 * ```ts
 * const { tag, built } = await ensureHarborImage(new Docker(), task, { imageMap: { "ubuntu:24.04": "base:local" } });
 * ```
 */
export async function ensureHarborImage(
  docker: Docker,
  task: HarborTask,
  options: HarborImageOptions = {},
): Promise<HarborImage> {
  const map = options.imageMap ?? {};
  const prebuilt = task.config.environment.docker_image;
  if (prebuilt !== undefined) {
    const tag = mapImage(prebuilt, map);
    if (!(await imageExists(docker, tag))) {
      throw new HudkitError(
        "harbor-image-missing",
        `${task.name}: docker_image ${tag} is not in the Docker engine: load it, or map it to a local image with --image-map ${prebuilt}=<image>`,
      );
    }
    return { tag, built: false };
  }
  const dockerfilePath = task.paths.dockerfile;
  if (dockerfilePath === undefined) {
    throw new HudkitError(
      "harbor-no-recipe",
      `${task.name}: no environment/Dockerfile and no docker_image: nothing to build`,
    );
  }
  const dir = task.paths.environment;
  const dockerfile = rewriteDockerfile(await readFile(dockerfilePath, "utf8"), map);
  const files = await buildContextFiles(dir);
  const tag = `${repositoryName(task)}:${(await contextDigest(dir, files, dockerfile)).slice(0, 16)}`;
  if (await imageExists(docker, tag)) {
    options.onLog?.(`image ${tag} is cached`);
    return { tag, built: false };
  }
  options.onLog?.(`building ${tag} from ${task.name}/environment/Dockerfile`);
  const archive = await contextArchive(dir, files, dockerfile);
  const stream = await docker.buildImage(Readable.from([archive]) as unknown as NodeJS.ReadableStream, {
    t: tag,
    rm: true,
    forcerm: true,
    labels: { "hudkit.harbor.task": task.name },
    ...(options.signal ? { abortSignal: options.signal } : {}),
  });
  try {
    await followImageBuild(docker, stream, tag, options.onLog);
  } catch (error) {
    throw new HudkitError("harbor-build-failed", `${task.name}: ${(error as Error).message}`, {
      cause: error,
    });
  }
  return { tag, built: true };
}
