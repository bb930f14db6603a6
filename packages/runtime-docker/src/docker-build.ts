import { copyFile, mkdir, stat } from "node:fs/promises";
import { basename, join, resolve } from "node:path";
import { bundleEnvironment, HudkitError } from "@hudkit/core";
import type Docker from "dockerode";
import { buildContextFiles } from "./build-context.js";
import { type DockerConnection, dockerClient, engineUnreachable, isUnreachable } from "./docker-engine.js";

/** Where the bundle goes in the project, for `Dockerfile.hud` to `COPY`. */
export const BUNDLE_PATH = ".hud/build/env.mjs";

/** Options of {@link buildEnvironmentImage}. */
export interface BuildImageOptions {
  /** The project directory: the build context. */
  dir: string;
  /** The image tag. Default: `<directory name>:latest`. */
  tag?: string;
  /** The environment module, relative to `dir`. Default `env.ts`. */
  envFile?: string;
  /** The Dockerfile, relative to `dir`. Default `Dockerfile.hud`. */
  dockerfile?: string;
  docker?: DockerConnection;
  /** Each line of the build log, as the engine streams it. */
  onLog?: (line: string) => void;
  signal?: AbortSignal;
}

/** What {@link buildEnvironmentImage} built. */
export interface BuiltImage {
  tag: string;
  /** The bundle written into the project, absolute. */
  bundle: string;
  /** How many files the build context held. */
  contextFiles: number;
}

/**
 * Builds an environment's image: bundles the env module and everything it imports into one
 * JavaScript file at `.hud/build/env.mjs` (so the image needs no `npm install`), then builds
 * `Dockerfile.hud` with the engine, streaming its log. A failed step is an error naming the step
 * and the engine's message. The Dockerfile must build on the legacy builder (no BuildKit-only
 * syntax such as `COPY --chmod`).
 *
 * @example
 * ```ts
 * await buildEnvironmentImage({ dir: "examples/letter-count", tag: "letter-count:dev", onLog: console.log });
 * ```
 */
export async function buildEnvironmentImage(options: BuildImageOptions): Promise<BuiltImage> {
  const dir = resolve(options.dir);
  const dockerfile = options.dockerfile ?? "Dockerfile.hud";
  const envFile = options.envFile ?? "env.ts";
  const tag =
    options.tag ??
    `${basename(dir)
      .toLowerCase()
      .replace(/[^a-z0-9_.-]+/g, "-")}:latest`;
  await mustExist(
    join(dir, dockerfile),
    `no ${dockerfile} in ${options.dir}: write one (hud init writes a starter)`,
  );
  await mustExist(join(dir, envFile), `no ${envFile} in ${options.dir}: pass the env module's path`);

  const { file } = await bundleEnvironment(join(dir, envFile));
  const bundle = join(dir, BUNDLE_PATH);
  await mkdir(join(dir, ".hud/build"), { recursive: true });
  await copyFile(file, bundle);
  options.onLog?.(`bundled ${envFile} into ${BUNDLE_PATH}`);

  const src = await buildContextFiles(dir);
  const docker = dockerClient(options.docker);
  let stream: NodeJS.ReadableStream;
  try {
    stream = await docker.buildImage(
      { context: dir, src },
      {
        t: tag,
        dockerfile,
        rm: true,
        forcerm: true,
        ...(options.signal ? { abortSignal: options.signal } : {}),
      },
    );
  } catch (error) {
    throw isUnreachable(error) ? engineUnreachable(docker, error) : error;
  }
  await followImageBuild(docker, stream, tag, options.onLog);
  return { tag, bundle, contextFiles: src.length };
}

interface BuildEvent {
  stream?: string;
  status?: string;
  error?: string;
  errorDetail?: { message?: string };
}

/**
 * Waits for an image build stream to end, passing each log line to `onLog`. The engine reports a
 * failed step as an event in the stream, not as a failed request, so each event is checked and a
 * failure rejects with a `HudkitError` (`docker-build-failed`) naming the step.
 *
 * @example
 * ```ts
 * const stream = await docker.buildImage(tarStream, { t: "my-image:dev" });
 * await followImageBuild(docker, stream, "my-image:dev", console.log);
 * ```
 */
export function followImageBuild(
  docker: Docker,
  stream: NodeJS.ReadableStream,
  tag: string,
  onLog: ((line: string) => void) | undefined,
): Promise<void> {
  let step = "";
  let failure: string | undefined;
  return new Promise<void>((resolvePromise, reject) => {
    docker.modem.followProgress(
      stream,
      (error: Error | null) => {
        if (error) reject(error);
        else if (failure !== undefined) {
          const where = step ? ` at ${step}` : "";
          reject(new HudkitError("docker-build-failed", `building ${tag} failed${where}: ${failure}`));
        } else resolvePromise();
      },
      (event: BuildEvent) => {
        const text = event.stream ?? event.status;
        for (const line of (text ?? "").split("\n")) {
          if (line.trim() === "") continue;
          if (/^Step \d+\/\d+ : /.test(line)) step = line.trim();
          onLog?.(line.trimEnd());
        }
        if (event.error !== undefined || event.errorDetail?.message !== undefined) {
          failure = (event.errorDetail?.message ?? event.error ?? "").trim();
          onLog?.(failure);
        }
      },
    );
  });
}

async function mustExist(path: string, message: string): Promise<void> {
  const info = await stat(path).catch(() => undefined);
  if (info === undefined) throw new HudkitError("file-not-found", message);
}
