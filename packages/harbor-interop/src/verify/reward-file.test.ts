import { describe, expect, it } from "vitest";
import { type RewardErrorCode, type RewardReading, readRewards } from "./reward-file.js";

const txt = (text: string): RewardReading => readRewards({ json: null, txt: Buffer.from(text) });
const json = (text: string, txtText?: string): RewardReading =>
  readRewards({ json: Buffer.from(text), txt: txtText === undefined ? null : Buffer.from(txtText) });

function expectError(reading: RewardReading, code: RewardErrorCode, ...fragments: string[]): void {
  expect(reading).toMatchObject({ ok: false, code });
  if (reading.ok) return;
  for (const fragment of fragments) expect(reading.message).toContain(fragment);
  expect(reading.message).not.toContain("\n");
}

describe("readRewards: which file", () => {
  it("is an error when neither file exists, never a 0", () => {
    expectError(
      readRewards({ json: null, txt: null }),
      "reward-missing",
      "/logs/verifier/reward.json",
      "/logs/verifier/reward.txt",
    );
  });

  it("reads reward.json in preference to reward.txt", () => {
    expect(json('{"reward": 0.25}', "1")).toEqual({
      ok: true,
      rewards: { reward: 0.25 },
      primary: 0.25,
      source: "reward.json",
      warnings: [],
    });
  });

  it.each([
    ["an invalid", "{not json", "reward-unparseable"],
    ["an empty", "", "reward-empty"],
    ["an {}", "{}", "reward-empty"],
    ["a null", "null", "reward-unparseable"],
  ] as const)("never falls back to a valid reward.txt when reward.json is %s one", (_, text, code) => {
    expectError(json(text, "1"), code, "reward.json");
  });

  it("says that reward.txt was ignored when reward.json is unreadable and both exist", () => {
    expectError(json("{oops", "1"), "reward-unparseable", "reward.txt is ignored");
    expect((json("{oops") as { message: string }).message).not.toContain("reward.txt");
  });
});

describe("readRewards: reward.txt", () => {
  it.each([
    ["1", 1],
    ["0", 0],
    ["0.5", 0.5],
    ["1e0", 1],
    ["-1", -1],
    ["+0.25", 0.25],
    [".5", 0.5],
    ["1.", 1],
    ["2.5E-1", 0.25],
    ["1_000e-3", 1],
    ["-0", -0],
    ["  1\n", 1],
    ["\n\t0.5 \r\n", 0.5],
    ["\uFEFF1\n", 1],
  ])("reads %j as %d, like Python's float()", (text, value) => {
    const reading = txt(text);
    expect(reading).toMatchObject({
      ok: true,
      rewards: { reward: value },
      primary: value,
      source: "reward.txt",
    });
  });

  it.each([
    ["", "reward-empty", "is empty"],
    ["  \n", "reward-empty", "is blank"],
    ["nan", "reward-non-finite", "not a finite number"],
    ["NaN", "reward-non-finite", '"NaN"'],
    ["inf", "reward-non-finite", '"inf"'],
    ["-Infinity", "reward-non-finite", '"-Infinity"'],
    ["1e999", "reward-non-finite", '"1e999"'],
    ["true", "reward-unparseable", 'holds "true", not a number'],
    ["1 0", "reward-unparseable", "exactly one number"],
    ["1\n0", "reward-unparseable", String.raw`"1\n0"`],
    ["passed", "reward-unparseable", '"passed"'],
    ["0x10", "reward-unparseable", '"0x10"'],
    ["1__0", "reward-unparseable", '"1__0"'],
    ["_1", "reward-unparseable", '"_1"'],
    ["1_", "reward-unparseable", '"1_"'],
    ["1e", "reward-unparseable", '"1e"'],
    [".", "reward-unparseable", '"."'],
    ["1,5", "reward-unparseable", '"1,5"'],
    ["reward: 1", "reward-unparseable", '"reward: 1"'],
    ['{"reward": 1}', "reward-unparseable", "reward.txt"],
  ] as const)("refuses %j (%s)", (text, code, fragment) => {
    expectError(txt(text), code, "/logs/verifier/reward.txt", fragment);
  });

  it("keeps a long garbage value out of the message", () => {
    const reading = txt("x".repeat(10_000));
    expectError(reading, "reward-unparseable");
    expect((reading as { message: string }).message.length).toBeLessThan(200);
  });

  it.each([
    ["7", 7],
    ["-1", -1],
    ["1.0000001", 1.0000001],
  ])("keeps %s unclamped, with a warning", (text, value) => {
    const reading = txt(text);
    expect(reading).toMatchObject({ ok: true, primary: value, rewards: { reward: value } });
    expect(reading.ok && reading.warnings).toEqual([expect.stringContaining("outside [0, 1]")]);
  });

  it.each(["0", "1", "0.5"])("does not warn about %s", (text) => {
    expect(txt(text)).toMatchObject({ ok: true, warnings: [] });
  });
});

describe("readRewards: reward.json", () => {
  it("reads several metrics and scores by reward", () => {
    expect(json('{"accuracy": 0.9, "reward": 0.75, "latency_ms": 1234}')).toEqual({
      ok: true,
      rewards: { accuracy: 0.9, reward: 0.75, latency_ms: 1234 },
      primary: 0.75,
      source: "reward.json",
      warnings: [],
    });
  });

  it.each([
    ['{"reward": 0.2, "score": 0.9}', 0.2],
    ['{"score": 0.9, "accuracy": 0.1}', 0.9],
    ['{"pass_rate": 0.6}', 0.6],
    ['{"reward": 1}', 1],
    ['{"reward": 0}', 0],
  ])("picks the primary of %s: reward, else score, else the only key", (text, primary) => {
    expect(json(text)).toMatchObject({ ok: true, primary });
  });

  it("is reward-no-primary, naming the keys, with several metrics and neither reward nor score", () => {
    expectError(json('{"accuracy": 0.9, "f1": 0.8}'), "reward-no-primary", '"accuracy", "f1"', "reward.json");
  });

  it.each([
    ['{"reward": "0.5"}', 0.5, 'the string "0.5"'],
    ['{"reward": " 1 "}', 1, 'the string " 1 "'],
    ['{"reward": "1e0"}', 1, 'the string "1e0"'],
    ['{"reward": true}', 1, "true"],
    ['{"reward": false}', 0, "false"],
  ])("accepts Harbor's coercion in %s with a warning", (text, value, fragment) => {
    const reading = json(text);
    expect(reading).toMatchObject({ ok: true, rewards: { reward: value }, primary: value });
    expect(reading.ok && reading.warnings).toEqual([
      expect.stringMatching(
        new RegExp(`"reward" is ${fragment.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}.*Harbor coerces`),
      ),
    ]);
  });

  it("warns once per coerced metric, in key order", () => {
    const reading = json('{"reward": 1, "a": "0.5", "b": false}');
    expect(reading.ok && reading.warnings.map((w) => w.slice(0, 34))).toEqual([
      '/logs/verifier/reward.json: "a" is',
      '/logs/verifier/reward.json: "b" is',
    ]);
  });

  it.each([
    ["null", "holds null"],
    ["[1, 0]", "holds a list"],
    ["[]", "holds a list"],
    ["1", "holds the number 1"],
    ["0.5", "holds the number 0.5"],
    ['"1"', 'holds the string "1"'],
    ["true", "holds true"],
    ['{"reward": null}', '"reward" is null; expected a number'],
    ['{"reward": [1]}', '"reward" is a list'],
    ['{"reward": {"value": 1}}', '"reward" is an object'],
    ['{"reward": "high"}', '"reward" is the string "high"'],
    ['{"reward": ""}', '"reward" is the string ""'],
    ['{"reward": 1, "detail": "passed 3/3"}', '"detail" is the string "passed 3/3"'],
    ["{reward: 1}", "not valid JSON"],
    ['{"reward": 1,}', "not valid JSON"],
    ['{"reward": 1} {"reward": 0}', "not valid JSON"],
    ["{'reward': 1}", "not valid JSON"],
  ])("refuses %s as unparseable (%s)", (text, fragment) => {
    expectError(json(text), "reward-unparseable", "/logs/verifier/reward.json", fragment);
  });

  it.each([
    ['{"reward": NaN}', '"reward" is NaN'],
    ['{"reward": Infinity}', '"reward" is Infinity'],
    ['{"reward": 1, "loss": -Infinity}', '"loss" is -Infinity'],
    ['{"reward": 1e999}', '"reward" is Infinity'],
    ['{"reward": "nan"}', 'the string "nan"'],
    ['{"reward": "-inf"}', 'the string "-inf"'],
    ['{"reward": "1e400"}', 'the string "1e400"'],
  ])("refuses the non-finite %s, which Python's json.loads would take", (text, fragment) => {
    expectError(
      json(text),
      "reward-non-finite",
      "/logs/verifier/reward.json",
      fragment,
      "not a finite number",
    );
  });

  it("does not mistake NaN inside a string for a constant", () => {
    expectError(json('{"reward": "NaN is fine here", x}'), "reward-unparseable", "not valid JSON");
    // Read as the string it is (a coercible non-finite one), not as the bare constant.
    expectError(json('{"a": "NaN", "reward": NaN}'), "reward-non-finite", '"a" is the string "NaN"');
    expectError(json('{"a": "say \\"NaN\\"", "reward": NaN}'), "reward-unparseable", '"a" is the string');
  });

  it.each(["{}", "  {}\n"])("calls %j no rewards, not 0", (text) => {
    expectError(json(text), "reward-empty", "no rewards");
  });

  it.each([
    ["", "is empty"],
    [" \n", "is blank"],
  ])("calls an empty file (%j) empty", (text, fragment) => {
    expectError(json(text), "reward-empty", "/logs/verifier/reward.json", fragment);
  });

  it("keeps a multi-line parse error on one line", () => {
    expectError(json('{\n  "reward": 1\n  "accuracy": 2\n}'), "reward-unparseable", "not valid JSON");
  });

  it("reads a file with a BOM, a trailing newline and odd keys", () => {
    expect(json('\uFEFF{"reward": 1, "": 0.5, "a b": 0}\n')).toMatchObject({
      ok: true,
      rewards: { reward: 1, "": 0.5, "a b": 0 },
      primary: 1,
    });
  });

  it("keeps a metric named __proto__, and does not find reward on Object.prototype", () => {
    const reading = json('{"__proto__": 0.5}');
    expect(reading.ok && Object.getOwnPropertyDescriptor(reading.rewards, "__proto__")?.value).toBe(0.5);
    expect(reading).toMatchObject({ ok: true, primary: 0.5 });
    expectError(json('{"constructor": 1, "toString": 0}'), "reward-no-primary", '"constructor", "toString"');
  });

  it("keeps the last of duplicate keys, as json.loads does", () => {
    expect(json('{"reward": 0, "reward": 1}')).toMatchObject({ ok: true, primary: 1 });
  });

  it.each([
    ['{"reward": 7}', "the reward 7", '"reward" in /logs/verifier/reward.json'],
    ['{"score": -1, "x": 1}', "the reward -1", '"score" in'],
    ['{"pass_rate": 2}', "the reward 2", '"pass_rate" in'],
  ])("keeps %s unclamped and warns", (text, ...fragments) => {
    const reading = json(text);
    expect(reading.ok).toBe(true);
    const warnings = reading.ok ? reading.warnings : [];
    expect(warnings).toHaveLength(1);
    for (const fragment of fragments) expect(warnings[0]).toContain(fragment);
    expect(warnings[0]).toContain("outside [0, 1]");
  });

  it("flags the range of the primary only: other metrics may be counts or times", () => {
    expect(json('{"reward": 1, "latency_ms": 1234, "delta": -3}')).toMatchObject({ ok: true, warnings: [] });
  });
});
