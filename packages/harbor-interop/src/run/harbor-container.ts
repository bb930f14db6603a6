import { HudkitError } from "@hudkit/core";
import { TASK_LABEL } from "@hudkit/runtime-docker";
import type Docker from "dockerode";
import type { ContainerAccess } from "../container/container-access.js";
import type { HarborTask } from "../harbor-task.js";

/** The folders Harbor mounts into `main`, writable by any user (spec §1.9). */
export const LOG_DIRS = ["/logs/verifier", "/logs/agent", "/logs/artifacts"] as const;

/**
 * What {@link createMainContainer} needs besides the task.
 *
 * @example
 * ```ts
 * const options: MainContainerOptions = { image: "hudkit-harbor/hello:ab12", env: {}, labels: { "hudkit.job": "j1" } };
 * ```
 */
export interface MainContainerOptions {
  image: string;
  /** `[environment].env`, already resolved. */
  env: Record<string, string>;
  labels: Record<string, string>;
}

/**
 * Creates and starts a task's `main` container the way Harbor does: the command is
 * `sh -c "sleep infinity"` while the image ENTRYPOINT is kept, `[environment].workdir` is the
 * working directory, `no-network` means no network at all, and cpus and memory become limits.
 * The returned container is running; the caller removes it.
 *
 * @example
 * ```ts
 * const container = await createMainContainer(docker, task, { image, env: {}, labels: { "hudkit.run": runId } });
 * ```
 */
export async function createMainContainer(
  docker: Docker,
  task: HarborTask,
  options: MainContainerOptions,
): Promise<Docker.Container> {
  const environment = task.config.environment;
  if (environment.network_mode === "allowlist") {
    // An allowlist needs an egress proxy; running it with the network open would silently drop
    // the task's isolation, so refuse instead.
    throw new HudkitError(
      "harbor-allowlist-unsupported",
      `${task.name}: network_mode = "allowlist" needs an egress proxy, which this runner does not have`,
    );
  }
  const hostConfig: Docker.HostConfig = {};
  if (environment.network_mode === "no-network") hostConfig.NetworkMode = "none";
  if (environment.cpus !== undefined) hostConfig.NanoCpus = Math.round(environment.cpus * 1e9);
  if (environment.memory_mb !== undefined) hostConfig.Memory = environment.memory_mb * 1024 * 1024;
  const container = await docker.createContainer({
    Image: options.image,
    Cmd: ["sh", "-c", "sleep infinity"],
    ...(environment.workdir === undefined ? {} : { WorkingDir: environment.workdir }),
    Env: Object.entries(options.env).map(([key, value]) => `${key}=${value}`),
    Labels: { [TASK_LABEL]: task.name, ...options.labels },
    HostConfig: hostConfig,
  });
  try {
    await container.start();
  } catch (error) {
    await container.remove({ force: true }).catch(() => undefined);
    throw error;
  }
  return container;
}

/**
 * Creates the log folders every phase writes to, open to every user, and uploads
 * `environment/` into the workdir when the image is a prebuilt `docker_image` (Harbor's rule
 * when there is no Dockerfile to copy it in).
 *
 * @example
 * ```ts
 * await prepareMainContainer(access, task);
 * ```
 */
export async function prepareMainContainer(access: ContainerAccess, task: HarborTask): Promise<void> {
  const dirs = LOG_DIRS.join(" ");
  const made = await access.exec(`mkdir -p ${dirs} && chmod 777 ${dirs}`, { user: "root" });
  if (made.exitCode !== 0) {
    throw new HudkitError(
      "harbor-container-setup",
      `${task.name}: could not create ${dirs}: ${made.stderr.trim() || made.stdout.trim()}`,
    );
  }
  if (task.config.environment.docker_image !== undefined && task.paths.dockerfile === undefined) {
    const workdir = task.config.environment.workdir ?? (await access.exec("pwd")).stdout.trim();
    await access.upload(task.paths.environment, workdir || "/");
  }
}
