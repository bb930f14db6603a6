import { describe, expect, it } from "vitest";
import { z } from "zod";
import { buildAnswer } from "./answer.js";
import { conformanceReturns } from "./conformance-fixture-args.js";

// The oracle: each tasks.grade of shared/conformance/cases/structured_answers.jsonl, as
// [grade params, grade result], copied verbatim. Request ids 2-32 grade `structured`
// (returns=Point), ids 101-111 grade `numbers` (returns=list[int]).
const STRUCTURED_CASES: ReadonlyArray<readonly [string, string]> = [
  [
    String.raw`{"answer":"{\"x\":3,\"y\":4}"}`,
    String.raw`{"score":1.0,"parsed":true,"content":{"x":3,"y":4},"raw":"{\"x\":3,\"y\":4}"}`,
  ],
  [
    String.raw`{"answer":"{\"x\":\"3\",\"y\":4}"}`,
    String.raw`{"score":1.0,"parsed":true,"content":{"x":3,"y":4},"raw":"{\"x\":\"3\",\"y\":4}"}`,
  ],
  [
    String.raw`{"answer":"{\"x\":1,\"y\":1}"}`,
    String.raw`{"score":0.0,"parsed":true,"content":{"x":1,"y":1},"raw":"{\"x\":1,\"y\":1}"}`,
  ],
  [
    String.raw`{"answer":"{\"x\":3,\"y\":4,\"z\":5}"}`,
    String.raw`{"score":1.0,"parsed":true,"content":{"x":3,"y":4},"raw":"{\"x\":3,\"y\":4,\"z\":5}"}`,
  ],
  ['{"answer":"not json"}', '{"score":0.0,"parsed":false,"content":"not json","raw":"not json"}'],
  [
    String.raw`{"answer":"{\"x\":3}"}`,
    String.raw`{"score":0.0,"parsed":false,"content":"{\"x\":3}","raw":"{\"x\":3}"}`,
  ],
  ['{"answer":""}', '{"score":0.0,"parsed":false,"content":"","raw":""}'],
  [
    '{"answer":{"x":3,"y":4}}',
    `{"score":1.0,"parsed":true,"content":{"x":3,"y":4},"raw":"{'x': 3, 'y': 4}"}`,
  ],
  [
    '{"answer":{"x":"3","y":4.0}}',
    `{"score":1.0,"parsed":true,"content":{"x":3,"y":4},"raw":"{'x': '3', 'y': 4.0}"}`,
  ],
  [
    String.raw`{"answer":{"x":3,"y":4,"s":"\u00e9","t":true,"n":null}}`,
    String.raw`{"score":1.0,"parsed":true,"content":{"x":3,"y":4},"raw":"{'x': 3, 'y': 4, 's': '\u00e9', 't': True, 'n': None}"}`,
  ],
  ['{"answer":5}', '{"score":0.0,"parsed":false,"content":5,"raw":"5"}'],
  ['{"answer":1.5}', '{"score":0.0,"parsed":false,"content":1.5,"raw":"1.5"}'],
  ['{"answer":true}', '{"score":0.0,"parsed":false,"content":true,"raw":"True"}'],
  ['{"answer":null}', '{"score":0.0,"parsed":false,"content":null,"raw":"None"}'],
  ['{"answer":[1,"a"]}', `{"score":0.0,"parsed":false,"content":[1,"a"],"raw":"[1, 'a']"}`],
  ["{}", '{"score":0.0,"parsed":false,"content":"","raw":""}'],
];

const NUMBERS_CASES: ReadonlyArray<readonly [string, string]> = [
  ['{"answer":"[1,2,3]"}', '{"score":1.0,"content":[1,2,3],"raw":"[1,2,3]"}'],
  [String.raw`{"answer":"[1,\"2\",3]"}`, String.raw`{"score":1.0,"content":[1,2,3],"raw":"[1,\"2\",3]"}`],
  ['{"answer":[1,2,3]}', '{"score":1.0,"content":[1,2,3],"raw":"[1, 2, 3]"}'],
  ['{"answer":["1","2","3"]}', `{"score":1.0,"content":[1,2,3],"raw":"['1', '2', '3']"}`],
  ['{"answer":"1,2,3"}', '{"score":0.0,"content":"1,2,3","raw":"1,2,3"}'],
  ['{"answer":"[1.0, 2, 3]"}', '{"score":1.0,"content":[1,2,3],"raw":"[1.0, 2, 3]"}'],
];

interface GradeParams {
  answer?: unknown;
}

interface GradeResult {
  score: number;
  parsed?: boolean;
  content: unknown;
  raw: string;
}

/**
 * `raw` of a non-string answer is Python's str() in the reference and JSON text in hudkit, on
 * purpose (listed as exemptions in shared/conformance/README.md): for those lines the expected
 * `raw` is the JSON text of the answer instead of the recorded one.
 */
function expectedRaw(params: GradeParams, recorded: GradeResult): string {
  return typeof params.answer === "string" || !("answer" in params)
    ? recorded.raw
    : JSON.stringify(params.answer);
}

describe("buildAnswer replays structured_answers (returns=Point)", () => {
  const Point = conformanceReturns.structured;

  it.each(STRUCTURED_CASES)("%s", (request, reply) => {
    const params = JSON.parse(request) as GradeParams;
    const recorded = JSON.parse(reply) as GradeResult;
    const answer = buildAnswer(Point, params.answer);
    expect(answer.content).toEqual(recorded.content);
    expect(answer.raw).toBe(expectedRaw(params, recorded));
    // The template's isinstance(content, Point) and its score, computed the TypeScript way.
    const point = Point.safeParse(answer.content);
    expect(point.success).toBe(recorded.parsed);
    expect(point.success && point.data.x + point.data.y === 7 ? 1 : 0).toBe(recorded.score);
  });

  it("keeps the recorded raw text byte for byte wherever the answer is a string", () => {
    const stringAnswers = STRUCTURED_CASES.filter(
      ([request]) => typeof JSON.parse(request).answer === "string",
    );
    expect(stringAnswers).toHaveLength(7);
    for (const [request, reply] of stringAnswers) {
      expect(buildAnswer(Point, JSON.parse(request).answer).raw).toBe((JSON.parse(reply) as GradeResult).raw);
    }
  });
});

describe("buildAnswer replays structured_answers (returns=list[int])", () => {
  it.each(NUMBERS_CASES)("%s", (request, reply) => {
    const params = JSON.parse(request) as GradeParams;
    const recorded = JSON.parse(reply) as GradeResult;
    const answer = buildAnswer(conformanceReturns.numbers, params.answer);
    expect(answer.content).toEqual(recorded.content);
    expect(answer.raw).toBe(expectedRaw(params, recorded));
  });
});

describe("buildAnswer", () => {
  it("turns a missing answer into empty content and raw", () => {
    expect(buildAnswer(z.string(), undefined)).toEqual({ content: "", raw: "" });
  });

  it("returns zod's output: defaults filled, transforms applied", () => {
    const returns = z
      .object({ text: z.string(), count: z.int().default(0) })
      .transform((v) => `${v.text}x${v.count}`);
    expect(buildAnswer(returns, '{"text":"a"}')).toEqual({ content: "ax0", raw: '{"text":"a"}' });
  });

  it("parses a string answer as JSON only, without a second lax pass on the text", () => {
    // pydantic's validate_json: "hello" is not JSON, so even returns=str keeps the raw text
    // (which is the same value); "5" parses to a number, which str refuses.
    expect(buildAnswer(z.string(), "hello")).toEqual({ content: "hello", raw: "hello" });
    expect(buildAnswer(z.string(), "5")).toEqual({ content: "5", raw: "5" });
    expect(buildAnswer(z.string(), '"quoted"')).toEqual({ content: "quoted", raw: '"quoted"' });
  });

  it("leaves the original value as content when validation fails", () => {
    const original = { x: "three", y: 4 };
    const answer = buildAnswer(conformanceReturns.structured, original);
    expect(answer.content).toBe(original);
    expect(answer.raw).toBe('{"x":"three","y":4}');
  });
});
