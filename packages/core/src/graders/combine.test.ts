import { describe, expect, it } from "vitest";
import { toGradeFrame } from "../environment/grade-frame.js";
import { HudkitError } from "../errors/hudkit-error.js";
import { combine, combineAll, combineAny } from "./combine.js";
import { EvaluationResult, SubScore } from "./evaluation-result.js";
import { exactMatch } from "./text-graders.js";

const sub = (name: string, value: number, weight = 1) => new SubScore({ name, value, weight });
const later = <T>(ms: number, value: T) => new Promise<T>((resolve) => setTimeout(() => resolve(value), ms));

async function rejectionCode(promise: Promise<unknown>): Promise<string | undefined> {
  try {
    await promise;
  } catch (error) {
    return HudkitError.isInstance(error) ? error.code : "not-hudkit";
  }
  return undefined;
}

function errorCode(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (error) {
    return HudkitError.isInstance(error) ? error.code : "not-hudkit";
  }
  return undefined;
}

describe("combine", () => {
  it("normalises positive weights and sums value × weight", async () => {
    const result = await combine([sub("a", 1, 2), sub("b", 0.5, 1), sub("c", 0, 1)]);
    expect(result).toBeInstanceOf(EvaluationResult);
    expect(result.subscores?.map((s) => [s.name, s.weight, s.value])).toEqual([
      ["a", 0.5, 1],
      ["b", 0.25, 0.5],
      ["c", 0.25, 0],
    ]);
    expect(result.reward).toBeCloseTo(0.625, 12);
    expect(result.done).toBe(true);
    expect(result.info).toEqual({});
  });

  it("awaits promises and keeps their positions, whatever order they settle in", async () => {
    const result = await combine([later(300, sub("slow", 1)), sub("now", 0), later(10, sub("fast", 1))]);
    expect(result.subscores?.map((s) => s.name)).toEqual(["slow", "now", "fast"]);
  });

  it("keeps penalties and clamps the reward at 0, noting the sum", async () => {
    // The reference's example, where it sends -0.2.
    const result = await combine([sub("x", 0, 0.5), sub("y", 1, 0.5), sub("penalty", 1, -0.7)]);
    expect(result.subscores?.map((s) => s.weight)).toEqual([0.5, 0.5, -0.7]);
    expect(result.reward).toBe(0);
    expect(result.info.unclamped_reward).toBeCloseTo(-0.2, 12);
  });

  it("does not note rounding noise as clamping", async () => {
    const result = await combine([sub("a", 1, 0.1), sub("b", 1, 0.2), sub("c", 1, 0.7)]);
    expect(result.reward).toBeLessThanOrEqual(1);
    expect(result.reward).toBeCloseTo(1, 12);
    expect(result.info).toEqual({});
  });

  it("renames duplicate names by the reference's rule", async () => {
    const first = await combine([sub("a", 1), sub("a", 1), sub("b", 1)]);
    expect(first.subscores?.map((s) => s.name)).toEqual(["a-1", "a-2", "b"]);
    const second = await combine([sub("a", 1), sub("a", 1), sub("a-1", 1)]);
    expect(second.subscores?.map((s) => s.name)).toEqual(["a-2", "a-3", "a-1"]);
  });

  it("keeps children and info, and accepts plain subscore objects", async () => {
    const parent = new SubScore({ name: "p", value: 1, children: [{ name: "c", value: 1 }], info: { k: 1 } });
    const result = await combine([parent, { name: "plain", value: 0.5, weight: 1 }]);
    expect(result.subscores?.[0]?.children?.[0]?.name).toBe("c");
    expect(result.subscores?.[0]?.info).toEqual({ k: 1 });
    expect(result.subscores?.[1]).toBeInstanceOf(SubScore);
  });

  it("records its name in info", async () => {
    expect((await combine([sub("a", 1)], { name: "suite" })).info).toEqual({ name: "suite" });
  });

  it("rejects empty lists, no positive weight, bad items and bad weights", async () => {
    expect(await rejectionCode(combine([]))).toBe("empty-subscores");
    expect(await rejectionCode(combine([sub("a", 1, 0), sub("b", 1, -1)]))).toBe("no-positive-weight");
    expect(await rejectionCode(combine([sub("a", 1), 0.5 as unknown as SubScore]))).toBe("invalid-subscore");
    expect(await rejectionCode(combine([sub("a", 1), later(1, null as unknown as SubScore)]))).toBe(
      "invalid-subscore",
    );
    expect(await rejectionCode(combine([sub("a", 1, Number.POSITIVE_INFINITY)]))).toBe("invalid-weight");
  });

  it("passes a grader's failure through", async () => {
    await expect(combine([sub("a", 1), Promise.reject(new Error("grader broke"))])).rejects.toThrow(
      "grader broke",
    );
  });

  it("yielded from a template, becomes a grade frame with the subscores", async () => {
    async function* template(): AsyncGenerator<unknown, void, unknown> {
      const answer = yield "What is 6 × 7?";
      yield await combine([
        exactMatch(answer, "the answer is 42", { name: "answer", weight: 3 }),
        later(5, sub("style", 0.5)),
        sub("penalty", 1, -0.25),
      ]);
    }
    const run = template();
    await run.next();
    const second = await run.next("The answer is 42.");
    await run.return();
    expect(JSON.stringify(toGradeFrame("t", second.value))).toBe(
      JSON.stringify({
        done: true,
        content: null,
        info: {},
        isError: false,
        subscores: [
          {
            name: "answer",
            weight: 0.75,
            value: 1,
            children: null,
            info: { expected: "answer is 42", got: "answer is 42" },
          },
          { name: "style", weight: 0.25, value: 0.5, children: null, info: null },
          { name: "penalty", weight: -0.25, value: 1, children: null, info: null },
        ],
        score: 0.625,
      }),
    );
  });

  it("with a clamped penalty, sends the note in info", async () => {
    const frame = toGradeFrame("t", await combine([sub("x", 0), sub("penalty", 1, -1)]));
    expect(frame).toMatchObject({ info: { unclamped_reward: -1 }, score: 0 });
  });
});

describe("combineAny and combineAll", () => {
  const inputs = [sub("check", 0, 0.2), sub("check", 1, 0.3), sub("other", 0.5)];

  it("take the max and the min, keeping renamed inputs as children", () => {
    const any = combineAny(inputs);
    expect(any.toJSON()).toMatchObject({ name: "any", weight: 1, value: 1, info: null });
    expect(any.children?.map((c) => [c.name, c.weight, c.value])).toEqual([
      ["check-1", 0.2, 0],
      ["check-2", 0.3, 1],
      ["other", 1, 0.5],
    ]);
    const all = combineAll(inputs, { name: "every", weight: 0.4 });
    expect([all.name, all.weight, all.value]).toEqual(["every", 0.4, 0]);
  });

  it("compose inside combine", async () => {
    const result = await combine([
      combineAll([sub("a", 1), sub("b", 1)]),
      combineAny([sub("c", 0), sub("d", 0)]),
    ]);
    expect(result.reward).toBe(0.5);
    expect(result.subscores?.map((s) => s.name)).toEqual(["all", "any"]);
  });

  it("reject an empty list and a bad weight", () => {
    expect(errorCode(() => combineAny([]))).toBe("empty-subscores");
    expect(errorCode(() => combineAll([]))).toBe("empty-subscores");
    expect(errorCode(() => combineAll([sub("a", 1)], { weight: Number.NaN }))).toBe("invalid-weight");
  });
});
