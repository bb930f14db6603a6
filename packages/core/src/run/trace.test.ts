import { describe, expect, it } from "vitest";
import { promptMessages, promptText, toPrompt } from "./prompt-messages.js";
import { toRecordable } from "./recordable-json.js";
import { Trace, TraceRecordSchema } from "./trace.js";

describe("Trace", () => {
  it("numbers steps from 1, stamps them, and keeps agent fields as JSON", () => {
    const trace = new Trace("t1");
    trace.record({ source: "user", messages: promptMessages("hi") });
    const step = trace.record({
      source: "agent",
      content: "3",
      startedAt: new Date(0) as unknown as string,
      usage: { tokens: 10n },
      callback: () => 1,
    });
    expect(step).toMatchObject({ stepId: 2, source: "agent", content: "3", usage: { tokens: 10 } });
    expect(step.startedAt).toBe("1970-01-01T00:00:00.000Z");
    expect(step.endedAt).toMatch(/^\d{4}-\d\d-\d\dT.*Z$/);
    expect("callback" in step).toBe(false);
    expect(TraceRecordSchema.parse(JSON.parse(JSON.stringify(trace))).steps).toHaveLength(2);
  });

  it("refuses steps and stop reasons that would not read back", () => {
    const trace = new Trace("t1");
    expect(() => trace.record({ source: "robot" as never })).toThrow(/step source must be one of/);
    expect(() => trace.record({ source: "agent", error: 42 as never })).toThrow(/not a valid step: error/);
    expect(() => {
      trace.stopReason = "bored" as never;
    }).toThrow(/stopReason must be one of/);
    trace.stopReason = "max_steps";
    expect(trace.stopReason).toBe("max_steps");
  });

  it("reports the newest step error", () => {
    const trace = new Trace("t1");
    trace.record({ source: "system", error: "first" });
    trace.record({ source: "agent" });
    trace.record({ source: "system", error: "second" });
    expect(trace.error).toBe("second");
  });
});

describe("prompt messages (the reference's prompt_messages)", () => {
  it("reads strings, chat turns, block lists and oddities", () => {
    expect(promptMessages(null)).toEqual([{ role: "user", content: { type: "text", text: "" } }]);
    const messages = promptMessages([
      { role: "system", content: "Be terse." },
      { role: "assistant", content: "ok" },
      {
        role: "user",
        content: [
          { type: "text", text: "a" },
          { type: "image", data: "..." },
        ],
      },
      7,
    ]);
    expect(messages.map((m) => [m.role, m.content.type, m.content.text])).toEqual([
      ["user", "text", "Be terse."],
      ["assistant", "text", "ok"],
      ["user", "text", "a"],
      ["user", "image", undefined],
      ["user", "text", "7"],
    ]);
    expect(promptText(messages)).toBe("Be terse.\n\nok\n\na\n\n7");
    expect(toPrompt({ task: "x" })).toBe('{"task":"x"}');
    expect(toPrompt(undefined)).toBeNull();
  });
});

describe("toRecordable", () => {
  it("never throws, whatever it is given", () => {
    const looped: Record<string, unknown> = { name: "loop" };
    looped.self = looped;
    expect(toRecordable(looped)).toEqual({ name: "loop", self: "[Circular]" });
    expect(toRecordable([undefined, Number.NaN, 2n ** 70n])).toEqual([null, null, "1180591620717411303424"]);
    expect(toRecordable(new Map([["k", new Set([1])]]))).toEqual({ k: [1] });
    expect(toRecordable(new RangeError("bad"))).toEqual({ name: "RangeError", message: "bad" });
    const hostile = {
      toJSON() {
        throw new Error("nope");
      },
    };
    expect(toRecordable(hostile)).toBe("[toJSON failed: nope]");
  });
});
