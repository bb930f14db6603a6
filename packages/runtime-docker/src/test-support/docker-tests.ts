import Docker from "dockerode";

/** Set to 1 to skip the tests that need a Docker engine, on a machine that has none. */
export const SKIP_VARIABLE = "HUDKIT_SKIP_DOCKER_TESTS";

/**
 * Whether the Docker tests run: they need an engine and the base image. CI has both
 * (`scripts/docker-setup.sh`); without them the tests fail with that advice, unless
 * `HUDKIT_SKIP_DOCKER_TESTS=1`, which skips them and says so.
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

/** The containers of a job that still exist, running or not. */
export async function containersOfJob(jobId: string): Promise<Docker.ContainerInfo[]> {
  return new Docker().listContainers({ all: true, filters: { label: [`hudkit.job=${jobId}`] } });
}
