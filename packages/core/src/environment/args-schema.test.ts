import { describe, expect, it } from "vitest";
import { z } from "zod";
import { argsJsonSchema, type JsonSchema, jsonSchemaOf } from "./args-schema.js";
import { conformanceArgs, conformanceInput, conformanceReturns } from "./conformance-fixture-args.js";

// The oracle: the tasks.list reply of shared/conformance/cases/hello_and_list.jsonl (request id 2),
// one entry per template in registration order, copied verbatim from the recording.
const RECORDED_TASKS: readonly string[] = [
  '{"id":"plain","description":"","args":{"properties":{},"type":"object","additionalProperties":false}}',
  '{"id":"echo","description":"Echo a tag","args":{"properties":{"tag":{"title":"Tag","type":"string"},"n":{"default":1,"title":"N","type":"integer"}},"required":["tag"],"type":"object","additionalProperties":false}}',
  '{"id":"math.add","description":"Add two integers","args":{"properties":{"a":{"title":"A","type":"integer"},"b":{"default":2,"title":"B","type":"integer"}},"required":["a"],"type":"object","additionalProperties":false}}',
  '{"id":"typed","description":"Typed arguments","args":{"$defs":{"Payload":{"properties":{"text":{"title":"Text","type":"string"},"count":{"default":0,"title":"Count","type":"integer"}},"required":["text"],"title":"Payload","type":"object"}},"properties":{"mode":{"default":"upper","enum":["upper","lower"],"title":"Mode","type":"string"},"payload":{"anyOf":[{"$ref":"#/$defs/Payload"},{"type":"null"}],"default":null},"retries":{"anyOf":[{"type":"integer"},{"type":"null"}],"default":null,"title":"Retries"},"ratio":{"default":0.5,"title":"Ratio","type":"number"},"flag":{"default":false,"title":"Flag","type":"boolean"},"tags":{"default":[],"items":{"type":"string"},"title":"Tags","type":"array"}},"type":"object","additionalProperties":false}}',
  '{"id":"opt","description":"","args":{"properties":{"a":{"anyOf":[{"type":"integer"},{"type":"null"}],"title":"A"},"b":{"anyOf":[{"type":"string"},{"type":"null"}],"default":null,"title":"B"},"c":{"default":1,"enum":[1,2,"x"],"title":"C"}},"required":["a"],"type":"object","additionalProperties":false}}',
  '{"id":"loose","description":"","args":{"properties":{"a":{"title":"A"},"b":{"default":2,"title":"B","type":"integer"},"z":{"default":null,"title":"Z"}},"required":["a"],"type":"object","additionalProperties":true}}',
  '{"id":"hinted","description":"","args":{"$defs":{"DataFileRef":{"additionalProperties":false,"properties":{"file_id":{"description":"HUD data-file id","title":"File Id","type":"string"},"path":{"anyOf":[{"type":"string"},{"type":"null"}],"default":null,"description":"Environment-owned destination path","title":"Path"}},"required":["file_id"],"title":"DataFileRef","type":"object"}},"properties":{"question":{"title":"Question","type":"string","x-hud-hint":"prompt"},"attachment":{"anyOf":[{"$ref":"#/$defs/DataFileRef","x-hud-hint":"data-file"},{"type":"null"}],"default":null},"files":{"default":[],"items":{"$ref":"#/$defs/DataFileRef"},"title":"Files","type":"array","x-hud-hint":"data-files"},"rubric":{"default":[],"items":{"type":"string"},"title":"Rubric","type":"array","x-hud-hint":"grading"}},"required":["question"],"type":"object","additionalProperties":false}}',
  '{"id":"chat","description":"Chat-message prompt","args":{"properties":{"name":{"default":"world","title":"Name","type":"string"}},"type":"object","additionalProperties":false}}',
  '{"id":"shape","description":"Prompt shapes","args":{"properties":{"kind":{"title":"Kind","type":"string"}},"required":["kind"],"type":"object","additionalProperties":false}}',
  '{"id":"score","description":"Score normalisation","args":{"properties":{"kind":{"title":"Kind","type":"string"}},"required":["kind"],"type":"object","additionalProperties":false}}',
  '{"id":"structured","description":"Answer with a point","args":{"properties":{},"type":"object","additionalProperties":false},"input":{"properties":{"text":{"title":"Text","type":"string"}},"required":["text"],"title":"Question","type":"object"},"returns":{"properties":{"x":{"title":"X","type":"integer"},"y":{"title":"Y","type":"integer"}},"required":["x","y"],"title":"Point","type":"object"}}',
  '{"id":"numbers","description":"","args":{"properties":{},"type":"object","additionalProperties":false},"returns":{"items":{"type":"integer"},"type":"array"}}',
  '{"id":"boom","description":"Fails before the first yield","args":{"properties":{"kind":{"default":"value","title":"Kind","type":"string"}},"type":"object","additionalProperties":false}}',
  '{"id":"tracked","description":"Records its own closing","args":{"properties":{"label":{"title":"Label","type":"string"}},"required":["label"],"type":"object","additionalProperties":false}}',
  '{"id":"closed","description":"Reports process state","args":{"properties":{},"type":"object","additionalProperties":false}}',
];

interface ManifestEntry {
  id: keyof typeof conformanceArgs;
  args: JsonSchema;
  input?: JsonSchema;
  returns?: JsonSchema;
}

const recorded = RECORDED_TASKS.map((line) => JSON.parse(line) as ManifestEntry);

/** The schemas hudkit publishes for a conformance template, in the manifest's shape. */
function published(id: keyof typeof conformanceArgs): Omit<ManifestEntry, "id"> {
  const entry: Omit<ManifestEntry, "id"> = { args: argsJsonSchema(conformanceArgs[id]) };
  if (id in conformanceInput)
    entry.input = jsonSchemaOf(conformanceInput[id as keyof typeof conformanceInput]);
  if (id in conformanceReturns)
    entry.returns = jsonSchemaOf(conformanceReturns[id as keyof typeof conformanceReturns]);
  return entry;
}

// Keywords whose value is data, not a schema: a "title" key inside them is not a title.
const DATA_KEYWORDS = new Set(["default", "enum", "const", "examples"]);

/**
 * What conformance requires to match (shared/conformance/README.md): everything except schema
 * `title`s and the names chosen for `$defs` (renamed Def0, Def1, ... in order of first use).
 */
function comparable(schema: unknown): unknown {
  const names = new Map<string, string>();
  for (const [, name] of JSON.stringify(schema).matchAll(/"#\/\$defs\/([^"]+)"/g)) {
    if (!names.has(name!)) names.set(name!, `Def${names.size}`);
  }
  const rename = (name: string) => names.get(name) ?? name;
  const walk = (node: unknown): unknown => {
    if (Array.isArray(node)) return node.map(walk);
    if (typeof node !== "object" || node === null) return node;
    const out: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(node)) {
      if (key === "title") continue;
      if (DATA_KEYWORDS.has(key)) out[key] = value;
      else if (key === "$ref") out[key] = String(value).replace(/[^/]+$/, rename);
      else if (key === "properties" || key === "$defs") {
        out[key] = Object.fromEntries(
          Object.entries(value as Record<string, unknown>).map(([name, child]) => [
            key === "$defs" ? rename(name) : name,
            walk(child),
          ]),
        );
      } else out[key] = walk(value);
    }
    return out;
  };
  return walk(schema);
}

describe("the conformance templates' schemas against the recorded tasks.list", () => {
  it("compares with titles and $defs names set aside, and nothing else", () => {
    const ours = { $defs: { A: { title: "A", type: "object" } }, properties: { p: { $ref: "#/$defs/A" } } };
    const theirs = { $defs: { B: { type: "object" } }, properties: { p: { $ref: "#/$defs/B", title: "P" } } };
    expect(comparable(ours)).toEqual(comparable(theirs));
    expect(comparable({ properties: { title: { type: "string" } } })).not.toEqual(
      comparable({ properties: {} }),
    );
    expect(comparable({ default: { title: "x" } })).not.toEqual(comparable({ default: {} }));
    expect(comparable({ type: "integer" })).not.toEqual(comparable({ type: "number" }));
  });

  it("covers the 15 templates in registration order", () => {
    expect(recorded.map((entry) => entry.id)).toEqual(Object.keys(conformanceArgs));
  });

  it.each(recorded.map((entry) => [entry.id, entry] as const))(
    "%s matches in types, defaults, required, enum, anyOf, additionalProperties and x-hud-hint",
    (id, entry) => {
      const { id: _, description: __, ...expected } = entry as ManifestEntry & { description: string };
      const ours = published(id);
      expect(Object.keys(ours).sort()).toEqual(Object.keys(expected).sort());
      for (const key of ["args", "input", "returns"] as const) {
        if (key in expected) expect(comparable(ours[key])).toEqual(comparable(expected[key]));
      }
    },
  );

  it.each(recorded.map((entry) => [entry.id, entry] as const))(
    "%s is byte-identical, titles and key order included",
    (id, entry) => {
      const { id: _, description: __, ...expected } = entry as ManifestEntry & { description: string };
      expect(JSON.stringify(published(id))).toBe(JSON.stringify(expected));
    },
  );
});

describe("argsJsonSchema", () => {
  it("publishes the spec's echo example exactly", () => {
    const schema = argsJsonSchema(z.object({ tag: z.string(), n: z.int().default(1) }));
    expect(JSON.stringify(schema)).toBe(
      '{"properties":{"tag":{"title":"Tag","type":"string"},"n":{"default":1,"title":"N","type":"integer"}},' +
        '"required":["tag"],"type":"object","additionalProperties":false}',
    );
  });

  it("has no required key and no $schema key when nothing is required", () => {
    expect(JSON.stringify(argsJsonSchema(z.object({})))).toBe(
      '{"properties":{},"type":"object","additionalProperties":false}',
    );
    expect(argsJsonSchema(z.object({ a: z.string().optional() }))).not.toHaveProperty("required");
  });

  it("sets additionalProperties true, last, for every way of taking extra names", () => {
    for (const args of [
      z.looseObject({ a: z.string() }),
      z.object({ a: z.string() }).passthrough(),
      z.object({ a: z.string() }).catchall(z.int()),
    ]) {
      const schema = argsJsonSchema(args);
      expect(schema.additionalProperties).toBe(true);
      expect(Object.keys(schema).at(-1)).toBe("additionalProperties");
    }
    expect(argsJsonSchema(z.strictObject({ a: z.string() })).additionalProperties).toBe(false);
  });

  it("requires an unknown-typed field without a default and publishes it without a type", () => {
    const schema = argsJsonSchema(z.object({ a: z.unknown(), b: z.any(), c: z.unknown().default(null) }));
    expect(schema.required).toEqual(["a", "b"]);
    expect(schema.properties).toEqual({
      a: { title: "A" },
      b: { title: "B" },
      c: { default: null, title: "C" },
    });
  });

  it("drops only zod's safe-integer bounds", () => {
    const schema = argsJsonSchema(
      z.object({ a: z.int(), b: z.int().min(0), c: z.int32(), d: z.number().int() }),
    );
    expect(schema.properties).toEqual({
      a: { title: "A", type: "integer" },
      b: { minimum: 0, title: "B", type: "integer" },
      c: { maximum: 2147483647, minimum: -2147483648, title: "C", type: "integer" },
      d: { title: "D", type: "integer" },
    });
  });

  it("writes nullable fields as anyOf with null, annotations outside", () => {
    const schema = argsJsonSchema(
      z.object({
        a: z.string().nullable().default(null).describe("why"),
        b: z.string().min(1).nullable(),
        c: z.array(z.int()).nullable(),
      }),
    );
    expect(schema.properties).toEqual({
      a: { anyOf: [{ type: "string" }, { type: "null" }], default: null, description: "why", title: "A" },
      b: { anyOf: [{ minLength: 1, type: "string" }, { type: "null" }], title: "B" },
      c: { anyOf: [{ items: { type: "integer" }, type: "array" }, { type: "null" }], title: "C" },
    });
    expect(schema.required).toEqual(["b", "c"]);
  });

  it("gives enum for literals and enums, typed like pydantic", () => {
    const schema = argsJsonSchema(
      z.object({
        a: z.enum(["x", "y"]),
        b: z.literal([1, 2]),
        c: z.literal([1, "x"]),
        d: z.union([z.literal(1), z.literal(2)]),
        e: z.literal("only"),
      }),
    );
    expect(schema.properties).toEqual({
      a: { enum: ["x", "y"], title: "A", type: "string" },
      b: { enum: [1, 2], title: "B", type: "integer" },
      c: { enum: [1, "x"], title: "C" },
      d: { enum: [1, 2], title: "D", type: "integer" },
      e: { const: "only", title: "E", type: "string" },
    });
  });

  it("refers to nested objects with an id through $defs, and inlines the others", () => {
    const Named = z.object({ a: z.int() }).meta({ id: "Named" });
    const schema = argsJsonSchema(
      z.object({
        named: Named,
        maybe: Named.nullable().default(null),
        list: z.array(Named),
        inline: z.object({ b: z.string(), strict: z.strictObject({}), loose: z.looseObject({}) }),
      }),
    );
    expect(schema.$defs).toEqual({
      Named: {
        properties: { a: { title: "A", type: "integer" } },
        required: ["a"],
        title: "Named",
        type: "object",
      },
    });
    expect(schema.properties).toEqual({
      named: { $ref: "#/$defs/Named" },
      maybe: { anyOf: [{ $ref: "#/$defs/Named" }, { type: "null" }], default: null },
      list: { items: { $ref: "#/$defs/Named" }, title: "List", type: "array" },
      inline: {
        properties: {
          b: { title: "B", type: "string" },
          strict: { additionalProperties: false, properties: {}, title: "Strict", type: "object" },
          loose: { additionalProperties: true, properties: {}, title: "Loose", type: "object" },
        },
        required: ["b", "strict", "loose"],
        title: "Inline",
        type: "object",
      },
    });
  });

  it("places x-hud-hint on the schema the hint is attached to", () => {
    const Ref = z.object({ id: z.string() }).meta({ id: "Ref" });
    const schema = argsJsonSchema(
      z.object({
        q: z.string().meta({ hint: "prompt" }),
        inner: Ref.meta({ hint: "data-file" }).nullable().default(null),
        outer: z.string().nullable().meta({ hint: "prompt" }),
        direct: z.array(z.string()).meta({ "x-hud-hint": "grading" }),
      }),
    );
    expect(schema.properties).toEqual({
      q: { title: "Q", type: "string", "x-hud-hint": "prompt" },
      inner: { anyOf: [{ $ref: "#/$defs/Ref", "x-hud-hint": "data-file" }, { type: "null" }], default: null },
      outer: { anyOf: [{ type: "string" }, { type: "null" }], title: "Outer", "x-hud-hint": "prompt" },
      direct: { items: { type: "string" }, title: "Direct", type: "array", "x-hud-hint": "grading" },
    });
  });

  it("leaves properties named hint or title alone", () => {
    const schema = argsJsonSchema(z.object({ hint: z.string(), title: z.string().default("t") }));
    expect(schema.properties).toEqual({
      hint: { title: "Hint", type: "string" },
      title: { default: "t", title: "Title", type: "string" },
    });
  });

  it("titles fields as Python's str.title() does, keeping a title given in meta", () => {
    const schema = argsJsonSchema(
      z.object({ file_id: z.string(), myHTTP2go: z.string(), named: z.string().meta({ title: "Mine" }) }),
    );
    expect(schema.properties).toEqual({
      file_id: { title: "File Id", type: "string" },
      myHTTP2go: { title: "Myhttp2Go", type: "string" },
      named: { title: "Mine", type: "string" },
    });
  });

  it("inlines an args object that has an id, without a title", () => {
    const schema = argsJsonSchema(z.object({ a: z.int() }).meta({ id: "Args", title: "Args" }));
    expect(JSON.stringify(schema)).toBe(
      '{"properties":{"a":{"title":"A","type":"integer"}},"required":["a"],"type":"object","additionalProperties":false}',
    );
  });

  it("keeps field order and default values as written, and sorts schema keywords", () => {
    const schema = argsJsonSchema(
      z.object({ z: z.object({ b: z.int(), a: z.int() }).default({ b: 1, a: 2 }) }),
    );
    expect(JSON.stringify(schema.properties)).toBe(
      '{"z":{"default":{"b":1,"a":2},"properties":{"b":{"title":"B","type":"integer"},' +
        '"a":{"title":"A","type":"integer"}},"required":["b","a"],"title":"Z","type":"object"}}',
    );
  });
});

describe("jsonSchemaOf", () => {
  it("publishes list[int] as the reference did", () => {
    expect(JSON.stringify(jsonSchemaOf(z.array(z.int())))).toBe(
      '{"items":{"type":"integer"},"type":"array"}',
    );
  });

  it("inlines a named root model with its title and keeps its own $defs", () => {
    const Inner = z.object({ v: z.string() }).meta({ id: "Inner" });
    const schema = jsonSchemaOf(z.object({ inner: Inner }).meta({ id: "Outer" }));
    expect(schema).toEqual({
      $defs: {
        Inner: {
          properties: { v: { title: "V", type: "string" } },
          required: ["v"],
          title: "Inner",
          type: "object",
        },
      },
      properties: { inner: { $ref: "#/$defs/Inner" } },
      required: ["inner"],
      title: "Outer",
      type: "object",
    });
    expect(Object.keys(schema)[0]).toBe("$defs");
  });

  it("keeps a recursive root model as a reference", () => {
    const Node: z.ZodType = z
      .object({
        name: z.string(),
        get children() {
          return z.array(Node);
        },
      })
      .meta({ id: "Node" });
    const schema = jsonSchemaOf(Node);
    expect(schema.$ref).toBe("#/$defs/Node");
    expect(schema.$defs).toHaveProperty("Node.properties.children.items", { $ref: "#/$defs/Node" });
  });

  it("writes records and tuples as pydantic writes dict[str, T] and tuple[...]", () => {
    expect(jsonSchemaOf(z.record(z.string(), z.int()))).toEqual({
      additionalProperties: { type: "integer" },
      type: "object",
    });
    expect(jsonSchemaOf(z.tuple([z.int(), z.string()]))).toEqual({
      maxItems: 2,
      minItems: 2,
      prefixItems: [{ type: "integer" }, { type: "string" }],
      type: "array",
    });
  });

  it("has no $schema key", () => {
    expect(jsonSchemaOf(z.string())).toEqual({ type: "string" });
  });
});
