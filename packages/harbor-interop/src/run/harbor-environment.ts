import { type Capability, Environment, HudkitError, NEXT_STEP_KEY } from "@hudkit/core";
import { z } from "zod";
import type { ContainerAccess } from "../container/container-access.js";
import { HARBOR_ENV, HARBOR_TASK_TEMPLATE } from "../harbor-row.js";
import type { HarborTask } from "../harbor-task.js";
import { runHarborVerifier, verifierGradeFrame } from "../verify/harbor-verifier.js";
import { aggregateStepRewards, passesMinReward } from "../verify/step-rewards.js";
import { beginStep } from "./harbor-steps.js";

/**
 * Options of {@link harborEnvironment}.
 *
 * @example
 * ```ts
 * const options: HarborEnvironmentOptions = { shell: sshServer.capability(), hostEnv: process.env };
 * ```
 */
export interface HarborEnvironmentOptions {
  /** The `ssh/2` capability the agent reaches the container through. */
  shell: Capability;
  /** Where `${VAR}` templates of `verifier.env` are resolved from. Default `process.env`. */
  hostEnv?: Record<string, string | undefined>;
}

interface StepRecord {
  step: string;
  rewards: Record<string, number> | null;
  exit_code: number | null;
  test_stdout: string;
}

/** The primary scalar of a rewards dict: `reward`, else `score`, else the only key. */
function primaryOf(rewards: Record<string, number>): number | undefined {
  if (rewards.reward !== undefined) return rewards.reward;
  if (rewards.score !== undefined) return rewards.score;
  const values = Object.values(rewards);
  return values.length === 1 ? values[0] : undefined;
}

/**
 * The hudkit environment that serves one Harbor task bound to one running container (host-side;
 * one per rollout). Its single template `harbor-task`:
 * - single-step: `tasks.start` returns the instruction; `tasks.grade` runs `tests/test.sh` the
 *   Harbor way and grades with the reward files (an error, never 0, when they are missing or bad);
 * - multi-step: each `tasks.start` begins the next step (workdir upload, `setup.sh`, step
 *   healthcheck) and returns its instruction with `harbor_step`; each grade verifies the step and,
 *   while steps remain and `min_reward` passes, names the `next_step` so the engine runs another
 *   round; the last grade carries the `mean` or `final` aggregate.
 *
 * @example
 * ```ts
 * const env = harborEnvironment(task, access, { shell: sshServer.capability() });
 * const server = await bind(env, { host: "127.0.0.1", port: 0 });
 * ```
 */
export function harborEnvironment(
  task: HarborTask,
  access: ContainerAccess,
  options: HarborEnvironmentOptions,
): Environment {
  const env = new Environment({ name: HARBOR_ENV, version: "1.0.0" });
  env.addCapability(options.shell);
  const hostEnv = options.hostEnv ?? process.env;
  const done: StepRecord[] = [];
  let nextStep = 0;

  env.template(
    {
      id: HARBOR_TASK_TEMPLATE,
      description: "Run the Harbor task at task_dir in its container",
      args: z.object({ task_dir: z.string() }),
    },
    async function* () {
      if (!task.multiStep) {
        yield task.instruction;
        yield verifierGradeFrame(await runHarborVerifier(access, task, { hostEnv }));
        return;
      }
      const index = nextStep;
      const step = task.steps[index];
      if (step === undefined) {
        throw new HudkitError("harbor-steps-done", `${task.name}: all ${task.steps.length} steps have run`);
      }
      nextStep += 1;
      await beginStep(access, task, step);
      yield {
        prompt: step.instruction,
        harbor_step: step.name,
        harbor_step_number: index + 1,
        harbor_steps: task.steps.length,
      };

      const outcome = await runHarborVerifier(access, task, { step, hostEnv });
      if (!outcome.ok) {
        // A broken verifier ends the trial as an error; the steps before it do not make it a score.
        throw new HudkitError(outcome.code, `step ${step.name}: ${outcome.message}`);
      }
      done.push({
        step: step.name,
        rewards: outcome.rewards,
        exit_code: outcome.exitCode,
        test_stdout: outcome.testStdout,
      });
      const following = task.steps[index + 1];
      const gate = passesMinReward(step.config.min_reward, outcome.rewards);
      if (following !== undefined && gate) {
        yield {
          score: outcome.primary,
          info: {
            step: step.name,
            rewards: outcome.rewards,
            exit_code: outcome.exitCode,
            test_stdout: outcome.testStdout,
          },
          [NEXT_STEP_KEY]: following.name,
        };
        return;
      }
      const strategy = task.config.multi_step_reward_strategy ?? "mean";
      const rewards = aggregateStepRewards(strategy, done);
      const primary = rewards === null ? undefined : primaryOf(rewards);
      if (rewards === null || primary === undefined) {
        throw new HudkitError(
          "reward-no-primary",
          `${task.name}: the ${strategy} of the step rewards has no reward key (${JSON.stringify(rewards)})`,
        );
      }
      yield {
        score: primary,
        info: {
          rewards,
          strategy,
          steps: done,
          ...(following !== undefined ? { stopped_after: step.name, reason: "min_reward not met" } : {}),
        },
      };
    },
  );
  return env;
}
