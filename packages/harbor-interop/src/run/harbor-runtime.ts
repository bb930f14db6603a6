import { bind, HudkitError, type RuntimeProvider, type Substrate, type Task } from "@hudkit/core";
import {
  type DockerConnection,
  dockerClient,
  engineUnreachable,
  isUnreachable,
  JOB_LABEL,
  RUN_LABEL,
} from "@hudkit/runtime-docker";
import { z } from "zod";
import { createDockerContainerAccess } from "../container/docker-container-access.js";
import { loadHarborTask } from "../harbor-loader.js";
import { HARBOR_ENV, HARBOR_TASK_TEMPLATE } from "../harbor-row.js";
import type { HarborTask } from "../harbor-task.js";
import { startSshShellServer } from "../shell/ssh-shell-server.js";
import { resolveEnvTemplates } from "../verify/env-templates.js";
import type { ImageMap } from "./dockerfile-rewrite.js";
import { createMainContainer, prepareMainContainer } from "./harbor-container.js";
import { harborEnvironment } from "./harbor-environment.js";
import { ensureHarborImage, type HarborImage } from "./harbor-image.js";
import { stepAgentUser } from "./harbor-steps.js";
import { runHealthcheck } from "./healthcheck.js";

/**
 * Settings of {@link createHarborRuntime}.
 *
 * @example
 * ```ts
 * const settings: HarborRuntimeSettings = { imageMap: { "ubuntu:24.04": "my-base:latest" } };
 * ```
 */
export interface HarborRuntimeSettings {
  /** Base images retargeted to local ones (`FROM` lines and `docker_image`), for offline engines. */
  imageMap?: ImageMap;
  /** The engine: a dockerode client or its options. Default: `DOCKER_HOST`, else the unix socket. */
  docker?: DockerConnection;
  /** Where `${VAR}` templates in `task.toml` are resolved from, at run time. Default `process.env`. */
  hostEnv?: Record<string, string | undefined>;
}

const ArgsSchema = z.object({ task_dir: z.string().min(1) });

/** How much of the verifier's output a failed run keeps. */
const LOG_TAIL_BYTES = 16_384;

/**
 * The runtime provider for Harbor tasks (rows of env `harbor`, from `harborTaskToRow` or
 * `Taskset.fromFile(<dataset>, { sources: [harborTasksetSource] })`). Per rollout it builds the
 * task's image (cached by content hash; concurrent rollouts of one task build it once), starts
 * `main` the Harbor way, runs the environment healthcheck, and serves a host-side hudkit env for
 * the task on a loopback port: `tasks.start` gives the instruction, the agent works through the
 * `shell` capability (`ssh/2`, each channel a `docker exec` as `[agent].user` in the workdir), and
 * `tasks.grade` runs the verifier. Teardown closes both servers and force-removes the container,
 * which carries the `hudkit.job` and `hudkit.run` labels for `hud docker prune`.
 *
 * @example
 * ```ts
 * import { Taskset } from "@hudkit/core";
 * import { createHarborRuntime, harborTasksetSource, oracleAgent } from "@hudkit/harbor";
 *
 * const taskset = await Taskset.fromFile("datasets/hello", { sources: [harborTasksetSource] });
 * const runtime = createHarborRuntime({ imageMap: { "ubuntu:24.04": "debian:bookworm-slim" } });
 * const job = await taskset.run(oracleAgent, { runtime });
 * console.log(job.reward); // 1
 * ```
 */
export function createHarborRuntime(settings: HarborRuntimeSettings = {}): RuntimeProvider {
  const docker = dockerClient(settings.docker);
  const hostEnv = settings.hostEnv ?? process.env;
  const images = new Map<string, Promise<HarborImage>>();

  function imageFor(
    task: HarborTask,
    log: (line: string) => void,
    signal: AbortSignal,
  ): Promise<HarborImage> {
    let image = images.get(task.dir);
    if (image === undefined) {
      const timeout = AbortSignal.timeout(task.config.environment.build_timeout_sec * 1000);
      image = ensureHarborImage(docker, task, {
        imageMap: settings.imageMap ?? {},
        onLog: log,
        signal: AbortSignal.any([signal, timeout]),
      }).catch((error: unknown) => {
        images.delete(task.dir);
        if (timeout.aborted) {
          throw new HudkitError(
            "harbor-build-timeout",
            `${task.name}: the image build took longer than build_timeout_sec = ${task.config.environment.build_timeout_sec}`,
            { cause: error },
          );
        }
        throw error;
      });
      images.set(task.dir, image);
    }
    return image;
  }

  return {
    specificationVersion: "runtime-v1",
    name: "harbor",
    async acquire(task: Task, ctx): Promise<Substrate> {
      if (task.env !== HARBOR_ENV || task.id !== HARBOR_TASK_TEMPLATE) {
        throw new HudkitError(
          "harbor-not-a-harbor-task",
          `the harbor runtime runs Harbor tasks only; ${task.slug} is ${task.env}/${task.id}: pick another --runtime`,
        );
      }
      const args = ArgsSchema.safeParse(task.args);
      if (!args.success)
        throw new HudkitError(
          "harbor-bad-args",
          `${task.slug}: args.task_dir must name the Harbor task folder`,
        );
      const { task: harborTask } = await loadHarborTask(args.data.task_dir);
      try {
        await docker.ping();
      } catch (error) {
        throw isUnreachable(error) ? engineUnreachable(docker, error) : error;
      }
      const image = await imageFor(harborTask, ctx.log, ctx.signal);
      const environment = harborTask.config.environment;
      const containerEnv = resolveEnvTemplates(environment.env, hostEnv, "environment.env");

      const cleanups: Array<() => Promise<unknown>> = [];
      const release = async (): Promise<void> => {
        for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
        cleanups.length = 0;
      };
      try {
        ctx.log(`starting ${harborTask.name} from ${image.tag}`);
        const container = await createMainContainer(docker, harborTask, {
          image: image.tag,
          env: containerEnv,
          labels: { [JOB_LABEL]: ctx.jobId, [RUN_LABEL]: ctx.runId },
        });
        cleanups.push(() => container.remove({ force: true }));
        const access = createDockerContainerAccess(docker, container.id);
        await prepareMainContainer(access, harborTask);
        if (environment.healthcheck !== undefined) {
          await runHealthcheck(
            access,
            environment.healthcheck,
            {
              ...(environment.workdir === undefined ? {} : { workdir: environment.workdir }),
              signal: ctx.signal,
            },
            harborTask.name,
          );
        }
        const user = stepAgentUser(harborTask, harborTask.steps[0]);
        const shell = await startSshShellServer(access, {
          ...(user === undefined ? {} : { user }),
          ...(environment.workdir === undefined ? {} : { workdir: environment.workdir }),
        });
        cleanups.push(() => shell.close());
        const env = harborEnvironment(harborTask, access, { shell: shell.capability("shell"), hostEnv });
        const server = await bind(env, { host: "127.0.0.1", port: 0 });
        cleanups.push(() => server.close());
        return {
          endpoint: { url: server.url },
          async logs() {
            const output = await access.readFile("/logs/verifier/test-stdout.txt").catch(() => null);
            if (output === null) return "";
            const text = output.subarray(Math.max(0, output.length - LOG_TAIL_BYTES)).toString("utf8");
            return `test-stdout.txt:\n${text}`;
          },
          [Symbol.asyncDispose]: release,
        };
      } catch (error) {
        await release();
        throw error;
      }
    },
  };
}
