import { HudkitError } from "@hudkit/core";
import Docker from "dockerode";

/** How to reach the engine: a dockerode client, or dockerode's options (socketPath, host, ...). */
export type DockerConnection = Docker | Docker.DockerOptions;

/** Error codes of a socket with nothing (or no permission) behind it. */
const UNREACHABLE_CODES = new Set(["ECONNREFUSED", "ENOENT", "EACCES", "EHOSTUNREACH", "ETIMEDOUT"]);

/**
 * A dockerode client for `connection`; with none, dockerode's defaults: `DOCKER_HOST`, else the
 * unix socket `/var/run/docker.sock`. Read at call time, never at import.
 */
export function dockerClient(connection?: DockerConnection): Docker {
  return connection instanceof Docker ? connection : new Docker(connection);
}

/**
 * Where the engine is, as a user would write it: `DOCKER_HOST` or the socket path.
 *
 * @example
 * ```ts
 * engineAddress(new Docker()); // "/var/run/docker.sock"
 * ```
 */
export function engineAddress(docker: Docker): string {
  const modem = docker.modem as { socketPath?: unknown; host?: string; port?: number; protocol?: string };
  if (typeof modem.socketPath === "string") return modem.socketPath;
  if (modem.host) return `${modem.protocol ?? "http"}://${modem.host}${modem.port ? `:${modem.port}` : ""}`;
  return process.env.DOCKER_HOST ?? "/var/run/docker.sock";
}

/**
 * The host where the engine publishes ports: the host of a `tcp://` engine, else loopback.
 *
 * @example
 * ```ts
 * publishHost(new Docker({ host: "10.0.0.5", port: 2375 })); // "10.0.0.5"
 * ```
 */
export function publishHost(docker: Docker): string {
  const modem = docker.modem as { socketPath?: unknown; host?: string };
  return typeof modem.socketPath !== "string" && modem.host ? modem.host : "127.0.0.1";
}

/** True for an error that says the engine's socket is not answering. */
export function isUnreachable(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === "string" && UNREACHABLE_CODES.has(code);
}

/**
 * The one-line error for an engine that does not answer.
 *
 * @example
 * ```ts
 * throw engineUnreachable(docker, error); // no Docker engine at /var/run/docker.sock: start dockerd or set DOCKER_HOST
 * ```
 */
export function engineUnreachable(docker: Docker, cause: unknown): HudkitError {
  return new HudkitError(
    "docker-unreachable",
    `no Docker engine at ${engineAddress(docker)}: start dockerd or set DOCKER_HOST`,
    { cause },
  );
}

/**
 * Checks that the engine answers and has `image`, so that a mistake stops a job before its
 * first rollout instead of failing every rollout the same way.
 *
 * @example
 * ```ts
 * await checkDockerEngine(new Docker(), "letter-count:latest");
 * ```
 */
export async function checkDockerEngine(docker: Docker, image?: string): Promise<void> {
  try {
    await docker.ping();
  } catch (error) {
    throw isUnreachable(error) ? engineUnreachable(docker, error) : error;
  }
  if (image === undefined) return;
  try {
    await docker.getImage(image).inspect();
  } catch (error) {
    if (statusOf(error) === 404) throw imageMissing(image, error);
    throw error;
  }
}

/** The error for an image the engine does not have. */
export function imageMissing(image: string, cause: unknown): HudkitError {
  return new HudkitError(
    "docker-image-missing",
    `no image ${image} in the Docker engine: build it (hud build -t ${image}) or load it (docker load)`,
    { cause },
  );
}

/** The HTTP status of a failed engine call, if it got that far. */
export function statusOf(error: unknown): number | undefined {
  const status = (error as { statusCode?: unknown } | null)?.statusCode;
  return typeof status === "number" ? status : undefined;
}
