import { type Agent, HudkitError, type Run } from "@hudkit/core";
import { loadHarborTask } from "../harbor-loader.js";
import type { HarborTask } from "../harbor-task.js";
import { openSshShell } from "../shell/ssh-shell-client.js";
import { shellQuote } from "../shell-quote.js";
import { resolveEnvTemplates } from "../verify/env-templates.js";

/** Where the oracle's output goes, as in Harbor, for the verifier and for people debugging. */
const ORACLE_LOG = "/logs/agent/oracle.txt";

function solutionOf(task: HarborTask, stepName: unknown): { dir: string; where: string } {
  if (typeof stepName === "string") {
    const step = task.steps.find((candidate) => candidate.name === stepName);
    if (step?.paths.solution !== undefined)
      return { dir: step.paths.solution, where: `steps/${stepName}/solution` };
  }
  if (task.paths.solution !== undefined) return { dir: task.paths.solution, where: "solution" };
  throw new HudkitError(
    "harbor-no-solution",
    `${task.name} has no solution/ folder${typeof stepName === "string" ? ` (nor steps/${stepName}/solution)` : ""}: the oracle has nothing to run`,
  );
}

/**
 * Harbor's `oracle` agent: uploads the task's `solution/` (a multi-step task's
 * `steps/<name>/solution/` when that step has one) to `/solution` through the `shell`
 * capability and runs `solve.sh` there, as the agent user in the workdir, with `[solution].env`
 * and `DEBIAN_FRONTEND=noninteractive`, output in `/logs/agent/oracle.txt`. A non-zero exit is
 * recorded, not fatal (spec §2.1): the verifier decides. Every Harbor task should score 1 with it.
 *
 * @example
 * ```ts
 * const job = await taskset.run(oracleAgent, { runtime: createHarborRuntime() });
 * ```
 */
export const oracleAgent: Agent = async (run: Run): Promise<void> => {
  const taskDir = run.args.task_dir;
  if (typeof taskDir !== "string") {
    throw new HudkitError(
      "harbor-oracle-not-harbor",
      `the oracle agent runs Harbor tasks only; ${run.slug} has no task_dir`,
    );
  }
  const { task } = await loadHarborTask(taskDir);
  const solution = solutionOf(task, run.startFrame.harbor_step);
  const env = {
    DEBIAN_FRONTEND: "noninteractive",
    ...resolveEnvTemplates(task.config.solution.env, process.env, "solution.env"),
  };
  const binding = run.client.binding("shell");
  // Harbor copies /solution in as root; the shell runs commands as whoever logs in.
  {
    await using root = await openSshShell(binding, { signal: run.signal, user: "root" });
    await root.exec("rm -rf /solution", { signal: run.signal });
    await root.upload(solution.dir, "/solution");
    await root.exec("chmod -R a+rX /solution && chmod +x /solution/solve.sh", { signal: run.signal });
  }
  await using shell = await openSshShell(binding, { signal: run.signal });
  const exports = Object.entries(env)
    .map(([key, value]) => `export ${key}=${shellQuote(value)}; `)
    .join("");
  const result = await shell.exec(`${exports}(/solution/solve.sh) > ${ORACLE_LOG} 2>&1`, {
    signal: run.signal,
  });
  run.record({ source: "agent", content: `ran ${solution.where}/solve.sh: exit ${result.exitCode}` });
  if (result.exitCode !== 0) {
    await shell.exec(`echo ${result.exitCode} > /logs/agent/exit-code.txt`, { signal: run.signal });
  }
};
