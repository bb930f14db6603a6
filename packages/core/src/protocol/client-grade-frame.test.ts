import { describe, expect, it } from "vitest";
import { gradeFromFrame } from "./client-grade-frame.js";
import { readReply } from "./client-reply.js";
import { RpcError } from "./rpc-error.js";

describe("gradeFromFrame (Grade.from_dict)", () => {
  it("defaults done to true and isError to false, and keeps the raw frame", () => {
    expect(gradeFromFrame({ score: 0 })).toEqual({
      reward: 0,
      done: true,
      isError: false,
      raw: { score: 0 },
      evaluation: { score: 0 },
    });
  });

  it("reads done and isError with Python truthiness and drops ill-typed content and info", () => {
    const grade = gradeFromFrame({
      score: 1,
      done: 0,
      isError: "yes",
      content: 5,
      info: [1],
      subscores: "x",
    });
    expect(grade).toMatchObject({ reward: 1, done: false, isError: true });
    expect(grade).not.toHaveProperty("content");
    expect(grade).not.toHaveProperty("info");
    expect(grade).not.toHaveProperty("subscores");
  });

  it("strips info from nested subscores in evaluation only", () => {
    const frame = {
      score: 1,
      subscores: [{ name: "a", info: { x: 1 }, children: [{ name: "b", info: { y: 2 }, children: null }] }],
    };
    const grade = gradeFromFrame(frame);
    expect(grade.evaluation.subscores).toEqual([{ name: "a", children: [{ name: "b", children: null }] }]);
    expect(grade.raw).toEqual(frame);
  });

  it.each([{}, { score: true }, { score: "0.5" }, { score: null }])("rejects %j with -32603", (frame) => {
    expect(() => gradeFromFrame(frame)).toThrow(RpcError);
    expect(() => gradeFromFrame(frame)).toThrow(
      "hud rpc error -32603: tasks.grade: result must include a numeric 'score'",
    );
  });
});

describe("readReply", () => {
  it("returns the result object", () => {
    expect(readReply("m", 3, '{"jsonrpc":"2.0","id":3,"result":{"a":1}}')).toEqual({
      ok: true,
      result: { a: 1 },
    });
  });

  it("defaults a missing code to -32000 and message to empty", () => {
    const outcome = readReply("m", 3, '{"id":3,"error":{}}');
    expect(outcome).toMatchObject({
      ok: false,
      abortTransport: false,
      error: { rpcCode: -32000, rpcMessage: "" },
    });
  });

  it("treats a wrong id as -32603 and asks to drop the transport", () => {
    const outcome = readReply("tasks.grade", 3, '{"id":"3","result":{}}');
    expect(outcome).toMatchObject({
      ok: false,
      abortTransport: true,
      error: { rpcCode: -32603, rpcMessage: "'tasks.grade': reply id did not match request" },
    });
  });

  it.each(["[1]", "nope", '{"id":3,"error":5}'])("treats %s as a garbled frame", (text) => {
    expect(readReply("m", 3, text)).toMatchObject({
      ok: false,
      abortTransport: true,
      error: { code: "bad-frame" },
    });
  });
});
