import { describe, expect, it } from "vitest";
import { aggregateStepRewards, passesMinReward } from "./step-rewards.js";

type Rewards = Record<string, number> | null;

describe("passesMinReward", () => {
  it.each<[string, number | Record<string, number> | undefined, Rewards, boolean]>([
    ["no gate", undefined, { reward: 0 }, true],
    ["no gate, no result", undefined, null, true],
    ["float above", 0.5, { reward: 0.7 }, true],
    ["float equal", 0.5, { reward: 0.5 }, true],
    ["float below", 0.5, { reward: 0.4 }, false],
    ["float 1 with reward 1", 1, { reward: 1 }, true],
    ["float 0 with reward 0", 0, { reward: 0 }, true],
    ["float 0 with a negative reward", 0, { reward: -1 }, false],
    ["negative float with a negative reward", -2, { reward: -1 }, true],
    ["float above 1 with reward 7", 5, { reward: 7 }, true],
    ["float gates only reward, not score", 0.5, { score: 1 }, false],
    ["float gates reward, ignores others", 0.5, { reward: 0.6, accuracy: 0 }, true],
    ["float, no result", 0, null, false],
    ["float, empty rewards", 0, {}, false],
    ["table, all keys pass", { tests: 1, lint: 0.5 }, { tests: 1, lint: 0.8, reward: 0 }, true],
    ["table, one key fails", { tests: 1, lint: 0.5 }, { tests: 1, lint: 0.4 }, false],
    ["table, equal thresholds", { tests: 1, lint: 0.5 }, { tests: 1, lint: 0.5 }, true],
    ["table, a gated key missing", { tests: 1, lint: 0.5 }, { tests: 1 }, false],
    ["table on reward", { reward: 0.5 }, { reward: 0.9 }, true],
    ["table, no result", { reward: 0 }, null, false],
    ["empty table gates nothing", {}, { reward: 0 }, true],
    ["empty table, no result", {}, null, true],
  ])("%s", (_, minReward, rewards, passes) => {
    expect(passesMinReward(minReward, rewards)).toBe(passes);
  });

  it("does not find a gated key on Object.prototype", () => {
    expect(passesMinReward({ toString: -1 }, { reward: 1 })).toBe(false);
    expect(passesMinReward({ constructor: -1 }, {})).toBe(false);
  });
});

describe("aggregateStepRewards", () => {
  const steps = (...rewards: Rewards[]): Array<{ rewards: Rewards }> => rewards.map((r) => ({ rewards: r }));

  it.each<[string, Rewards[], Rewards]>([
    ["one step", [{ reward: 0.5 }], { reward: 0.5 }],
    ["the last of several", [{ reward: 1 }, { reward: 0.25, extra: 3 }], { reward: 0.25, extra: 3 }],
    ["the last even when it has no result", [{ reward: 1 }, null], null],
    ["the last even when earlier ones had no result", [null, { reward: 0 }], { reward: 0 }],
    ["no steps", [], null],
    ["keys verbatim, out-of-range values included", [{ reward: 7, f1: -1 }], { reward: 7, f1: -1 }],
  ])("final: %s", (_, rewards, expected) => {
    expect(aggregateStepRewards("final", steps(...rewards))).toEqual(expected);
  });

  it("final: returns a copy, so changing it leaves the step's rewards alone", () => {
    const last = { reward: 1 };
    const result = aggregateStepRewards("final", steps({ reward: 0 }, last));
    expect(result).not.toBe(last);
    result!.reward = 0;
    expect(last.reward).toBe(1);
  });

  it.each<[string, Rewards[], Rewards]>([
    ["one step", [{ reward: 0.5 }], { reward: 0.5 }],
    ["two steps", [{ reward: 1 }, { reward: 0 }], { reward: 0.5 }],
    ["three steps", [{ reward: 1 }, { reward: 0.5 }, { reward: 0 }], { reward: 0.5 }],
    ["a key missing in a step counts 0", [{ reward: 1, style: 1 }, { reward: 1 }], { reward: 1, style: 0.5 }],
    [
      "keys from later steps count 0 in earlier ones",
      [{ reward: 1 }, { reward: 0, bonus: 1 }, { reward: 0.5 }],
      { reward: 0.5, bonus: 1 / 3 },
    ],
    [
      "a step with no result is out of the denominator",
      [{ reward: 1 }, null, { reward: 0 }],
      { reward: 0.5 },
    ],
    ["only one step has a result", [null, { reward: 0.25 }, null], { reward: 0.25 }],
    ["no step has a result", [null, null], null],
    ["no steps", [], null],
    ["steps with no keys", [{}, {}], null],
    ["a step with no keys still counts in the denominator", [{ reward: 1 }, {}], { reward: 0.5 }],
    ["out-of-range values are averaged raw", [{ reward: 7 }, { reward: -1 }], { reward: 3 }],
  ])("mean: %s", (_, rewards, expected) => {
    expect(aggregateStepRewards("mean", steps(...rewards))).toEqual(expected);
  });

  it("mean: keeps keys in the order they first appear", () => {
    const result = aggregateStepRewards("mean", steps({ b: 1 }, { a: 1, b: 0, reward: 1 }));
    expect(Object.keys(result!)).toEqual(["b", "a", "reward"]);
  });

  it("ignores fields of a step other than its rewards", () => {
    const withExtras = [
      { rewards: { reward: 1 }, name: "one" },
      { rewards: { reward: 0 }, name: "two" },
    ];
    expect(aggregateStepRewards("mean", withExtras)).toEqual({ reward: 0.5 });
  });
});
