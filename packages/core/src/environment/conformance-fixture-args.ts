import { z } from "zod";

/**
 * The argument, `input` and `returns` schemas of the `conformance` test environment
 * (shared/conformance/envs.md), written in zod. Each one publishes, through `argsJsonSchema` /
 * `jsonSchemaOf`, the schema the Python reference published in the recorded `tasks.list` reply
 * (`hello_and_list`, request id 2), and coerces `tasks.start` arguments as the reference did.
 * Used by the TypeScript twin of that environment and by the tests that replay the recordings.
 */

/**
 * `Payload {text: str, count: int = 0}`; extra keys are dropped (pydantic's default).
 *
 * @example
 * ```ts
 * Payload.parse({ text: "hi", extra: 1 }); // { text: "hi", count: 0 }
 * ```
 */
export const Payload = z.object({ text: z.string(), count: z.int().default(0) }).meta({ id: "Payload" });

/**
 * `Point {x: int, y: int}`; extra keys are dropped. The `returns` type of `structured`.
 *
 * @example
 * ```ts
 * const isPoint = Point.safeParse(answer.content).success; // Python's isinstance(content, Point)
 * ```
 */
export const Point = z.object({ x: z.int(), y: z.int() }).meta({ id: "Point" });

/**
 * `Question {text: str}`; the `input` type of `structured` (metadata only).
 *
 * @example
 * ```ts
 * jsonSchemaOf(Question); // {"properties":{"text":{"title":"Text","type":"string"}},"required":["text"],"title":"Question","type":"object"}
 * ```
 */
export const Question = z.object({ text: z.string() }).meta({ id: "Question" });

/**
 * The SDK's `DataFileRef {file_id: str, path: str | None = None}` with `extra="forbid"`, hence
 * `z.strictObject`. The descriptions are the SDK's field descriptions.
 *
 * @example
 * ```ts
 * DataFileRef.parse({ file_id: "f1" }); // { file_id: "f1", path: null }
 * DataFileRef.safeParse({ file_id: "f1", bad: 1 }).success; // false
 * ```
 */
export const DataFileRef = z
  .strictObject({
    file_id: z.string().describe("HUD data-file id"),
    path: z.string().nullable().default(null).describe("Environment-owned destination path"),
  })
  .meta({ id: "DataFileRef" });

/**
 * The `args` schema of each of the 15 templates, keyed by template id, in registration order.
 *
 * @example
 * ```ts
 * env.template({ id: "echo", description: "Echo a tag", args: conformanceArgs.echo }, async function* ({ tag, n }) {
 *   const answer = yield { prompt: `Say ${tag}`, args: { tag, n } };
 *   yield { score: answer === tag ? 1 : 0, answer };
 * });
 * ```
 */
export const conformanceArgs = {
  plain: z.object({}),
  echo: z.object({ tag: z.string(), n: z.int().default(1) }),
  "math.add": z.object({ a: z.int(), b: z.int().default(2) }),
  typed: z.object({
    mode: z.enum(["upper", "lower"]).default("upper"),
    payload: Payload.nullable().default(null),
    retries: z.int().nullable().default(null),
    ratio: z.number().default(0.5),
    flag: z.boolean().default(false),
    tags: z.array(z.string()).default([]),
  }),
  // `a: Optional[int]` with no default: nullable, and still required.
  opt: z.object({
    a: z.int().nullable(),
    b: z.string().nullable().default(null),
    c: z.literal([1, 2, "x"]).default(1),
  }),
  // `loose(a, *rest, b: int = 2, z: Any = None, **extra)`: `a` is unannotated (z.unknown(), still
  // required), `**extra` makes the object loose, `*rest` has no wire form.
  loose: z.looseObject({
    a: z.unknown(),
    b: z.int().default(2),
    z: z.unknown().default(null),
  }),
  // The hint goes where the Python annotation puts it: on DataFileRef inside the Optional.
  hinted: z.object({
    question: z.string().meta({ hint: "prompt" }),
    attachment: DataFileRef.meta({ hint: "data-file" }).nullable().default(null),
    files: z.array(DataFileRef).default([]).meta({ hint: "data-files" }),
    rubric: z.array(z.string()).default([]).meta({ hint: "grading" }),
  }),
  chat: z.object({ name: z.string().default("world") }),
  shape: z.object({ kind: z.string() }),
  score: z.object({ kind: z.string() }),
  structured: z.object({}),
  numbers: z.object({}),
  boom: z.object({ kind: z.string().default("value") }),
  tracked: z.object({ label: z.string() }),
  closed: z.object({}),
} satisfies Record<string, z.ZodObject>;

/**
 * The `input` schemas of the templates that declare one.
 *
 * @example
 * ```ts
 * env.template({ id: "structured", input: conformanceInput.structured, returns: conformanceReturns.structured }, body);
 * ```
 */
export const conformanceInput = {
  structured: Question,
} satisfies Record<string, z.ZodType>;

/**
 * The `returns` schemas of the templates that declare one.
 *
 * @example
 * ```ts
 * // In the `structured` body, the reference's isinstance(content, Point):
 * const parsed = conformanceReturns.structured.safeParse(answer.content).success;
 * ```
 */
export const conformanceReturns = {
  structured: Point,
  numbers: z.array(z.int()),
} satisfies Record<string, z.ZodType>;
