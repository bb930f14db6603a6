import Docker from "dockerode";

/** Set to 1 to skip the tests that need a Docker engine, on a machine that has none. */
export const SKIP_VARIABLE = "HUDKIT_SKIP_DOCKER_TESTS";

/** The local Debian image with bash the Docker tests run (scripts/docker-setup.sh builds it). */
export const TEST_BASE_IMAGE = "node:24-bookworm-slim";

/**
 * Whether the Docker tests run: they need an engine and the base image. Without an engine they
 * fail with that advice, unless `HUDKIT_SKIP_DOCKER_TESTS=1`, which skips them and says so.
 */
export async function dockerTestsEnabled(): Promise<boolean> {
  if (process.env[SKIP_VARIABLE] === "1") {
    process.stderr.write(`Docker tests SKIPPED (${SKIP_VARIABLE}=1): they were not run\n`);
    return false;
  }
  try {
    await new Docker().ping();
    return true;
  } catch (error) {
    throw new Error(
      `the Docker tests need an engine (${(error as Error).message}): run bash scripts/docker-setup.sh, or set ${SKIP_VARIABLE}=1 to skip them`,
    );
  }
}

/**
 * Starts a throwaway `sleep infinity` container of `image` labelled `hudkit.test=<label>`; the
 * caller removes it (`removeTestContainers`).
 */
export async function startTestContainer(label: string, image = TEST_BASE_IMAGE): Promise<Docker.Container> {
  const docker = new Docker();
  const container = await docker.createContainer({
    Image: image,
    Cmd: ["sh", "-c", "sleep infinity"],
    Labels: { "hudkit.test": label },
    HostConfig: { AutoRemove: false },
  });
  await container.start();
  return container;
}

/** Force-removes every container labelled `hudkit.test=<label>`. */
export async function removeTestContainers(label: string): Promise<void> {
  const docker = new Docker();
  const leftovers = await docker.listContainers({ all: true, filters: { label: [`hudkit.test=${label}`] } });
  await Promise.all(
    leftovers.map((info) =>
      docker
        .getContainer(info.Id)
        .remove({ force: true })
        .catch(() => undefined),
    ),
  );
}
