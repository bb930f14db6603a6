import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { Environment } from "../environment/environment.js";
import { type BoundServer, bind } from "../protocol/server.js";
import { createTask } from "../task/task.js";
import { NEXT_STEP_KEY, rollout } from "./rollout.js";
import type { Run } from "./run.js";
import { sharedServerProvider } from "./test-support/shared-server-provider.js";

// A two-step task: each tasks.start on the session begins the next step, and the first grade
// asks for another round. The step counter is per session, keyed by the run's tag argument.
const env = new Environment({ name: "steps", version: "1.0.0" });
const stepOf = new Map<string, number>();
env.template(
  { id: "two_steps", args: z.object({ tag: z.string(), gate: z.boolean().default(true) }) },
  async function* ({ tag, gate }) {
    const step = (stepOf.get(tag) ?? 0) + 1;
    stepOf.set(tag, step);
    const answer = yield { prompt: `step ${step}: say s${step}`, harbor_step: `s${step}` };
    const score = answer === `s${step}` ? 1 : 0;
    if (step === 1 && gate && score === 1) yield { score, [NEXT_STEP_KEY]: "s2" };
    yield { score: step === 2 ? score / 2 : score };
  },
);

let server: BoundServer;
beforeAll(async () => {
  server = await bind(env, { port: 0 });
});
afterAll(() => server.close());

const provider = () => sharedServerProvider({ steps: server });

describe("multi-step rounds", () => {
  it("runs another start, agent and grade while the grade names a next step", async () => {
    const seen: Array<{ prompt: string; round: number; step: unknown }> = [];
    const agent = async (run: Run): Promise<void> => {
      seen.push({ prompt: run.promptText, round: run.round, step: run.startFrame.harbor_step });
      run.answer = run.startFrame.harbor_step;
    };
    const task = createTask({ env: "steps", id: "two_steps", args: { tag: "a" } });
    const run = await rollout(task, agent, { provider: provider() });
    expect(run.error).toBeNull();
    expect(seen).toEqual([
      { prompt: "step 1: say s1", round: 1, step: "s1" },
      { prompt: "step 2: say s2", round: 2, step: "s2" },
    ]);
    expect(run.reward).toBe(0.5);
    const evaluations = run.trace.steps.filter((step) => step.taskCall?.phase === "evaluate");
    expect(evaluations.map((step) => (step.taskCall!.result as { score: number }).score)).toEqual([1, 0.5]);
  });

  it("does not carry one round's answer into the next", async () => {
    let rounds = 0;
    const agent = async (run: Run): Promise<void> => {
      rounds += 1;
      if (run.round === 1) run.answer = "s1";
    };
    const run = await rollout(createTask({ env: "steps", id: "two_steps", args: { tag: "b" } }), agent, {
      provider: provider(),
    });
    expect(rounds).toBe(2);
    expect(run.reward).toBe(0);
  });

  it("stops after a round whose grade names no next step", async () => {
    let rounds = 0;
    const agent = async (run: Run): Promise<void> => {
      rounds += 1;
      run.answer = "wrong";
    };
    const run = await rollout(createTask({ env: "steps", id: "two_steps", args: { tag: "c" } }), agent, {
      provider: provider(),
    });
    expect(rounds).toBe(1);
    expect(run.reward).toBe(0);
  });

  it("stops when the agent fails, keeping that round's grade", async () => {
    let rounds = 0;
    const agent = async (run: Run): Promise<void> => {
      rounds += 1;
      run.answer = "s1";
      throw new Error("agent broke");
    };
    const run = await rollout(createTask({ env: "steps", id: "two_steps", args: { tag: "d" } }), agent, {
      provider: provider(),
    });
    expect(rounds).toBe(1);
    expect(run.error).toMatch(/agent broke/);
  });
});
