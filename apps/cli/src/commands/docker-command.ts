import { z } from "zod";
import { parseOptions } from "../option-parsing.js";

/** `hud build`'s options. */
export const BuildOptionsSchema = z.object({
  tag: z
    .string()
    .regex(/^[a-z0-9][a-z0-9._\-/:]*$/, { error: "must be an image name such as my-env:latest (lower case)" })
    .optional(),
  envFile: z.string().min(1).default("env.ts"),
  dockerfile: z.string().min(1).default("Dockerfile.hud"),
  quiet: z.boolean().default(false),
});

/** `hud docker prune`'s options. */
export const PruneOptionsSchema = z.object({
  job: z
    .string()
    .regex(/^[A-Za-z0-9_-]+$/, { error: "must be a job id (see hud jobs list)" })
    .optional(),
  json: z.boolean().default(false),
});

/**
 * `hud build [dir] [-t tag]`: bundles the env and builds its image from `Dockerfile.hud`
 * (`buildEnvironmentImage`), streaming the build log to stderr.
 */
export async function buildCommand(dir: string | undefined, raw: Record<string, unknown>): Promise<number> {
  const options = parseOptions(BuildOptionsSchema, raw);
  const { buildEnvironmentImage } = await import("@hudkit/runtime-docker");
  const controller = new AbortController();
  const stop = () => controller.abort(new Error("interrupted (Ctrl-C)"));
  process.once("SIGINT", stop);
  try {
    const built = await buildEnvironmentImage({
      dir: dir ?? ".",
      ...(options.tag ? { tag: options.tag } : {}),
      envFile: options.envFile,
      dockerfile: options.dockerfile,
      signal: controller.signal,
      ...(options.quiet ? {} : { onLog: (line: string) => process.stderr.write(`${line}\n`) }),
    });
    process.stdout.write(
      `built ${built.tag} (${built.contextFiles} files in the context)\nrun it: hud eval tasks.ts --agent agent.ts --runtime docker:${built.tag}\n`,
    );
    return 0;
  } finally {
    process.off("SIGINT", stop);
  }
}

/** `hud docker prune [--job ID]`: removes the containers hudkit left (`pruneDockerContainers`). */
export async function dockerPruneCommand(raw: Record<string, unknown>): Promise<number> {
  const options = parseOptions(PruneOptionsSchema, raw);
  const { pruneDockerContainers } = await import("@hudkit/runtime-docker");
  const removed = await pruneDockerContainers(options.job === undefined ? {} : { jobId: options.job });
  const { prunedReport } = await import("./prune-command.js");
  process.stdout.write(prunedReport(removed, { noun: "container", jobId: options.job, json: options.json }));
  return 0;
}
