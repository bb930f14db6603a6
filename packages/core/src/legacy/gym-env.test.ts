/**
 * makeEnv on a real local runtime: the letter-count example env served by a child process,
 * driven through reset / step / evaluate / getUrls / close, and the errors of actions it cannot
 * apply.
 */
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { Taskset } from "../task/taskset.js";
import { makeEnv } from "./gym-env.js";
import { TaskResultSchema } from "./observation.js";

const EXAMPLE_TASKS = fileURLToPath(new URL("../../../../examples/letter-count/tasks.ts", import.meta.url));
// countLetter({ word: "banana", letter: "a" })
const task = (await Taskset.fromFile(EXAMPLE_TASKS)).tasks[1]!;

describe("makeEnv on a local runtime", () => {
  it("resets to the prompt, records a response, grades it, and closes twice", async () => {
    const env = await makeEnv(task);
    const [observation, info] = await env.reset();
    expect(observation).toEqual({ text: "How many 'a's are in 'banana'? Reply with just the number." });
    expect(info).not.toHaveProperty("prompt");

    // No actions: the current observation, ungraded.
    expect(await env.step()).toEqual([observation, 0, false, {}]);
    const [, reward, terminated, stepInfo] = await env.step([{ type: "response", text: "3" }]);
    expect([reward, terminated, stepInfo]).toEqual([0, false, {}]);

    const grade = await env.evaluate();
    expect(grade.reward).toBe(1);
    const [after, graded, done, afterInfo] = await env.step();
    expect(
      TaskResultSchema.parse({ observation: after, reward: graded, terminated: done, info: afterInfo }),
    ).toEqual({
      observation,
      reward: 1,
      terminated: true,
      info: {},
    });

    const urls = await env.getUrls();
    expect(urls.url).toMatch(/^(tcp|ws):\/\/127\.0\.0\.1:\d+/);
    expect(urls.capabilities).toEqual({});

    await env.close();
    await env.close();
    expect(env.run.trace.status).toBe("completed");
    expect(env.run.answer).toBe("3");
    await expect(env.reset()).rejects.toThrow("reset() on a closed env");
  }, 60_000);

  it("answers actions it cannot apply with an error naming the capability", async () => {
    await using env = await makeEnv(task);
    await env.reset();
    const [observation, reward, terminated, info] = await env.step([{ type: "click", x: 1, y: 2 }]);
    expect([observation.text, reward, terminated]).toEqual([expect.stringContaining("banana"), 0, false]);
    expect(info.error).toMatch(/^action 'click' needs a computer-use capability \(a screen: vnc or cdp\)/);

    const [, , , unknown] = await env.step([{ type: "teleport" }]);
    expect(unknown.error).toMatch(/^unknown action 'teleport'/);

    const [, , , bash] = await env.step([{ type: "bash", command: "echo hi" }]);
    expect(bash.error).toBe(
      "action 'bash' needs an ssh/2 capability, and env 'letter-count' publishes none (available: <none>)",
    );
    // The failures are in the trace too.
    expect(env.run.trace.steps.filter((step) => step.source === "system")).toHaveLength(3);
  }, 60_000);

  it("cancels a task closed before evaluate, and records it as cancelled", async () => {
    const env = await makeEnv(task);
    await env.reset();
    await env.step([{ type: "response", text: "2" }]);
    await env.close();
    expect(env.run.trace.status).toBe("cancelled");
    expect(env.run.reward).toBe(0);
    expect(env.run.trace.steps.at(-1)).toMatchObject({
      source: "system",
      content: "closed before evaluate(): the task cancelled",
    });
  }, 60_000);

  it("refuses evaluate before reset", async () => {
    await using env = await makeEnv(task);
    await expect(env.evaluate()).rejects.toThrow("evaluate() needs a started task: call reset() first");
  }, 60_000);
});
