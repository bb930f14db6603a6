/**
 * The main job: loads the letter-count taskset from tasks.ts and runs it with a programmatic
 * agent, twice per task, each rollout in a fresh child process serving the environment. The job
 * is written under .hud/jobs/<job-id>/ as it runs. Prints one line per run and the job's reward.
 */
import { Taskset } from "@hudkit/core";
import { countingAgent } from "./agent.js";

const controller = new AbortController();
process.once("SIGINT", () => controller.abort());

const taskset = await Taskset.fromFile(new URL("./tasks.ts", import.meta.url).pathname);
console.log(`running ${taskset.size} tasks x 2 from ${taskset.name}.ts, each rollout in its own env process`);
const job = await taskset.run(countingAgent, {
  group: 2,
  maxConcurrent: 4,
  signal: controller.signal,
  onRun: (run) => {
    const outcome = run.error === null ? `reward ${run.reward}` : `error ${run.error}`;
    console.log(
      `${run.slug.padEnd(24)} #${run.groupIndex} ${outcome} (${Math.round(run.durationMs ?? 0)} ms)`,
    );
  },
});
console.log(
  `job ${job.status}: reward ${job.reward.toFixed(2)} over ${job.runs.length} runs, ${job.errors.length} errors; written to ${job.dir}`,
);
if (job.status !== "completed" || job.errors.length > 0) process.exitCode = 1;
