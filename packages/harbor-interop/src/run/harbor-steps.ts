import { HudkitError } from "@hudkit/core";
import type { ContainerAccess } from "../container/container-access.js";
import type { HarborStep, HarborTask } from "../harbor-task.js";
import { shellQuote } from "../shell-quote.js";
import { runHealthcheck } from "./healthcheck.js";

/** The user a step's agent runs as: the step's `[steps.agent].user`, else the task's. */
export function stepAgentUser(task: HarborTask, step?: HarborStep): string | undefined {
  const user = step?.config.agent?.user ?? task.config.agent.user;
  return user === undefined ? undefined : String(user);
}

/** `[environment].workdir`, else the image's WORKDIR as the container reports it. */
export async function taskWorkdir(access: ContainerAccess, task: HarborTask): Promise<string> {
  const configured = task.config.environment.workdir;
  if (configured !== undefined) return configured;
  const { stdout } = await access.exec("pwd");
  return stdout.trim() || "/";
}

/**
 * Prepares the container for one step of a multi-step task, in Harbor's order (spec §1.7):
 * empty `/logs/agent`, upload `steps/<name>/workdir/` into the workdir, run its `setup.sh` as the
 * step's agent user (a non-zero exit ends the trial), then the step healthcheck.
 *
 * @example
 * ```ts
 * await beginStep(access, task, task.steps[0]!, { signal });
 * ```
 */
export async function beginStep(
  access: ContainerAccess,
  task: HarborTask,
  step: HarborStep,
  options: { signal?: AbortSignal } = {},
): Promise<void> {
  const signal = options.signal;
  await access.exec("rm -rf /logs/agent && mkdir -p /logs/agent && chmod 777 /logs/agent", {
    user: "root",
    ...(signal ? { signal } : {}),
  });
  const workdir = await taskWorkdir(access, task);
  const user = stepAgentUser(task, step);
  if (step.paths.workdir !== undefined) {
    await access.upload(step.paths.workdir, workdir, signal ? { signal } : {});
    // Uploads are owned by root; the step's agent must be able to change what it was given.
    if (user !== undefined) {
      await access.exec(`chown -R ${shellQuote(user)} ${shellQuote(workdir)} 2>/dev/null || true`, {
        user: "root",
      });
    }
  }
  if (step.paths.setupScript !== undefined) {
    const setup = await access.exec(`bash ${shellQuote(`${workdir}/setup.sh`)}`, {
      workdir,
      ...(user === undefined ? {} : { user }),
      ...(signal ? { signal } : {}),
    });
    if (setup.exitCode !== 0) {
      const output = (setup.stderr || setup.stdout).trim().slice(-1000);
      throw new HudkitError(
        "harbor-step-setup",
        `step ${step.name}: setup.sh exited ${setup.exitCode}${output ? `: ${output}` : ""}`,
      );
    }
  }
  const check = step.config.healthcheck;
  if (check !== undefined) {
    await runHealthcheck(
      access,
      check,
      { workdir, ...(user === undefined ? {} : { user }), ...(signal ? { signal } : {}) },
      `step ${step.name}`,
    );
  }
}
