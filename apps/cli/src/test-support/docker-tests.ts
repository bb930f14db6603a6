import { execFile } from "node:child_process";
import { promisify } from "node:util";

const run = promisify(execFile);

/**
 * Whether the tests that need a Docker engine run: they do when `docker info` answers, they are
 * skipped (and say so) when `HUDKIT_SKIP_DOCKER_TESTS=1`, and otherwise they fail with the way to
 * get an engine, so a machine without one never passes them silently.
 */
export async function dockerTestsEnabled(): Promise<boolean> {
  if (process.env.HUDKIT_SKIP_DOCKER_TESTS === "1") {
    process.stderr.write("hud docker tests SKIPPED (HUDKIT_SKIP_DOCKER_TESTS=1): they were not run\n");
    return false;
  }
  try {
    await run("docker", ["info", "--format", "{{.ServerVersion}}"]);
    return true;
  } catch (error) {
    throw new Error(
      `the hud docker tests need an engine (${(error as Error).message.split("\n")[0]}): run bash scripts/docker-setup.sh, or set HUDKIT_SKIP_DOCKER_TESTS=1`,
    );
  }
}

/** The ids of the containers labelled with `jobId`, running or not. */
export async function containersOf(jobId: string): Promise<string[]> {
  const { stdout } = await run("docker", ["ps", "-aq", "--filter", `label=hudkit.job=${jobId}`]);
  return stdout.split("\n").filter((line) => line.trim() !== "");
}
