import type Docker from "dockerode";
import { type DockerConnection, dockerClient, engineUnreachable, isUnreachable } from "./docker-engine.js";
import { JOB_LABEL } from "./docker-runtime.js";

/** Options of {@link pruneDockerContainers}. */
export interface PruneOptions {
  /** Only this job's containers. Default: every container hudkit labelled. */
  jobId?: string;
  docker?: DockerConnection;
}

/** A removed container. */
export interface PrunedContainer {
  id: string;
  jobId: string;
  runId: string;
}

/**
 * Force-removes the containers hudkit's docker runtime left behind, running or not: what a
 * killed process could not tear down. Only containers labelled `hudkit.job` are touched.
 *
 * @example
 * ```ts
 * const removed = await pruneDockerContainers({ jobId: "9b2c0d6e8f1a4b7c9d3e5f60718293a4" });
 * ```
 */
export async function pruneDockerContainers(options: PruneOptions = {}): Promise<PrunedContainer[]> {
  const docker = dockerClient(options.docker);
  const label = options.jobId === undefined ? JOB_LABEL : `${JOB_LABEL}=${options.jobId}`;
  let found: Docker.ContainerInfo[];
  try {
    found = await docker.listContainers({ all: true, filters: { label: [label] } });
  } catch (error) {
    throw isUnreachable(error) ? engineUnreachable(docker, error) : error;
  }
  const removed: PrunedContainer[] = [];
  for (const info of found) {
    await docker
      .getContainer(info.Id)
      .remove({ force: true, v: true })
      .catch((error: { statusCode?: number }) => {
        if (error.statusCode !== 404) throw error;
      });
    removed.push({
      id: info.Id,
      jobId: info.Labels[JOB_LABEL] ?? "",
      runId: info.Labels["hudkit.run"] ?? "",
    });
  }
  return removed;
}
