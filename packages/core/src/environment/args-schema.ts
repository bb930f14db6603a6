import { z } from "zod";
import { compareCodePoints } from "../protocol/python-values.js";

/**
 * A JSON Schema document as `tasks.list` publishes it: a plain JSON object.
 *
 * @example
 * ```ts
 * const entry: { id: string; args: JsonSchema } = { id: "echo", args: argsJsonSchema(echoArgs) };
 * ```
 */
export type JsonSchema = Record<string, unknown>;

/**
 * The `x-hud-hint` values the reference's annotated argument types produce: `PromptArg` gives
 * `"prompt"`, `DataFileArg[T]` `"data-file"`, `DataFilesArg[T]` `"data-files"` and `GradingArg[T]`
 * `"grading"`. In hudkit a field carries one as zod metadata: `.meta({ hint: "prompt" })`.
 *
 * @example
 * ```ts
 * const hint: HudHint = "prompt";
 * const args = z.object({ question: z.string().meta({ hint }) });
 * // argsJsonSchema(args).properties.question: {"title":"Question","type":"string","x-hud-hint":"prompt"}
 * ```
 */
export type HudHint = "prompt" | "data-file" | "data-files" | "grading";

/**
 * The `args` entry of `tasks.list` for a template's argument object, shaped like the JSON Schema
 * the reference builds with pydantic from the generator's signature:
 * `{"$defs"?, "properties", "required"?, "type": "object", "additionalProperties"}`.
 *
 * - A field with a default (or `.optional()`) is not `required`; `z.unknown()`/`z.any()` without
 *   a default is (that is Python's unannotated parameter, schema `{"title": ...}`).
 * - `additionalProperties` is `true` for `z.looseObject`, `.passthrough()` or `.catchall()` (the
 *   equivalent of `**kwargs`) and `false` otherwise, always as the last key.
 * - Nested objects with `.meta({ id: "Name" })` become `$ref: "#/$defs/Name"`; objects without an
 *   id are inlined.
 * - `.meta({ hint })` becomes `"x-hud-hint"` on the schema it is attached to, so
 *   `DataFileRef.meta({ hint: "data-file" }).nullable().default(null)` puts it on the `$ref`
 *   branch of the `anyOf`, exactly where the reference puts it.
 * - Keys are ordered and titled as pydantic does (sorted keywords, `title` from the field name,
 *   none on model references), so a schema with a pydantic twin serialises to the same bytes.
 *
 * @example
 * ```ts
 * argsJsonSchema(z.object({ tag: z.string(), n: z.int().default(1) }));
 * // {"properties":{"tag":{"title":"Tag","type":"string"},"n":{"default":1,"title":"N","type":"integer"}},
 * //  "required":["tag"],"type":"object","additionalProperties":false}
 * ```
 */
export function argsJsonSchema(args: z.ZodObject): JsonSchema {
  const { document } = inlineRootReference(zodJsonSchema(args));
  document.properties ??= {};
  const schema = pydanticShaped(document);
  // The reference drops the model's title and forces additionalProperties after generation,
  // which is why the key comes last.
  delete schema.title;
  delete schema.additionalProperties;
  schema.additionalProperties = acceptsExtraKeys(args);
  return schema;
}

/**
 * The JSON Schema of a template's `input` or `returns` type, shaped like pydantic's
 * `TypeAdapter(T).json_schema()`: a named root object (`.meta({ id: "Point" })`) is inlined with
 * `"title": "Point"` instead of being a `$ref`, integers carry no safe-integer bounds, and keys
 * are ordered as pydantic orders them.
 *
 * @example
 * ```ts
 * jsonSchemaOf(z.array(z.int()));
 * // {"items":{"type":"integer"},"type":"array"}
 * jsonSchemaOf(z.object({ x: z.int(), y: z.int() }).meta({ id: "Point" }));
 * // {"properties":{"x":{"title":"X","type":"integer"},"y":{"title":"Y","type":"integer"}},
 * //  "required":["x","y"],"title":"Point","type":"object"}
 * ```
 */
export function jsonSchemaOf(schema: z.ZodType): JsonSchema {
  const { document, rootName } = inlineRootReference(zodJsonSchema(schema));
  if (rootName !== undefined && document.title === undefined) document.title = rootName;
  return pydanticShaped(document);
}

/** Whether an argument object takes names it does not declare (Python's `**kwargs`). */
function acceptsExtraKeys(args: z.ZodObject): boolean {
  const catchall = args._zod.def.catchall;
  return catchall !== undefined && catchall._zod.def.type !== "never";
}

function zodJsonSchema(schema: z.ZodType): JsonSchema {
  // "input": the schema describes what a caller sends, so defaulted fields are not required and
  // plain objects do not claim additionalProperties false (pydantic's default is to ignore extras).
  const document = z.toJSONSchema(schema, {
    target: "draft-2020-12",
    io: "input",
    unrepresentable: "any",
  }) as JsonSchema;
  delete document.$schema;
  return document;
}

const DEFS_PREFIX = "#/$defs/";

/**
 * zod turns a root schema that has an id into `{"$ref": "#/$defs/Name", "$defs": {...}}`;
 * pydantic inlines the root model. Inline it unless something refers back to it (recursion).
 */
function inlineRootReference(document: JsonSchema): { document: JsonSchema; rootName?: string } {
  const { $ref: ref, $defs: defs, ...rest } = document;
  if (
    typeof ref !== "string" ||
    !ref.startsWith(DEFS_PREFIX) ||
    !isObject(defs) ||
    Object.keys(rest).length > 0
  ) {
    return { document };
  }
  const rootName = decodePointerToken(ref.slice(DEFS_PREFIX.length));
  const { [rootName]: root, ...otherDefs } = defs;
  if (!isObject(root) || collectReferences(defs).has(ref)) return { document };
  const inlined: JsonSchema = { ...root };
  if (Object.keys(otherDefs).length > 0) inlined.$defs = otherDefs;
  return { document: inlined, rootName };
}

function decodePointerToken(token: string): string {
  return token.replaceAll("~1", "/").replaceAll("~0", "~");
}

function collectReferences(value: unknown, found = new Set<string>()): Set<string> {
  if (Array.isArray(value)) {
    for (const item of value) collectReferences(item, found);
  } else if (isObject(value)) {
    for (const [key, child] of Object.entries(value)) {
      if (key === "$ref" && typeof child === "string") found.add(child);
      else collectReferences(child, found);
    }
  }
  return found;
}

function pydanticShaped(document: JsonSchema): JsonSchema {
  return sortLikePydantic(normaliseSchema(document)) as JsonSchema;
}

// Keywords whose value is a map of name -> schema, a list of schemas, or one schema. Everything
// else is data (enum values, defaults, examples) and must not be rewritten.
const SCHEMA_MAP_KEYWORDS = new Set(["properties", "patternProperties", "$defs", "dependentSchemas"]);
const SCHEMA_LIST_KEYWORDS = new Set(["anyOf", "oneOf", "allOf", "prefixItems"]);
const SCHEMA_KEYWORDS = new Set([
  "items",
  "additionalProperties",
  "unevaluatedProperties",
  "unevaluatedItems",
  "not",
  "contains",
  "propertyNames",
  "if",
  "then",
  "else",
]);

// Keywords that describe a value rather than constrain it. When a nullable type is split into
// `anyOf`, these stay on the outer schema, as pydantic writes them.
const ANNOTATION_KEYWORDS = new Set([
  "default",
  "title",
  "description",
  "examples",
  "deprecated",
  "readOnly",
  "writeOnly",
  "$comment",
  "x-hud-hint",
]);

/** Rewrites zod's JSON Schema dialect into pydantic's, recursively. Returns a new object. */
function normaliseSchema(schema: JsonSchema): JsonSchema {
  const node = splitNullableType(renameHint({ ...schema }));
  for (const [key, value] of Object.entries(node)) {
    if (SCHEMA_MAP_KEYWORDS.has(key) && isObject(value)) {
      node[key] = Object.fromEntries(
        Object.entries(value).map(([name, child]) => [
          name,
          isObject(child) ? normaliseSchema(child) : child,
        ]),
      );
    } else if (SCHEMA_LIST_KEYWORDS.has(key) && Array.isArray(value)) {
      node[key] = value.map((child) => (isObject(child) ? normaliseSchema(child) : child));
    } else if (SCHEMA_KEYWORDS.has(key) && isObject(value)) {
      node[key] = normaliseSchema(value);
    }
  }
  dropSafeIntegerBounds(node);
  typeIntegerLiterals(node);
  mergeConstAlternatives(node);
  dropZodOnlyKeywords(node);
  titleProperties(node);
  titleDefinitions(node);
  return node;
}

/** `.meta({ hint })` lands in the JSON Schema as `hint`; the protocol's keyword is `x-hud-hint`. */
function renameHint(node: JsonSchema): JsonSchema {
  if ("hint" in node) {
    node["x-hud-hint"] ??= node.hint;
    delete node.hint;
  }
  return node;
}

/** zod writes a nullable primitive as `"type": ["string", "null"]`; pydantic as an `anyOf`. */
function splitNullableType(node: JsonSchema): JsonSchema {
  const { type } = node;
  if (!Array.isArray(type) || type.length < 2 || !type.includes("null") || "anyOf" in node) return node;
  const others = type.filter((item) => item !== "null");
  const inner: JsonSchema = { type: others.length === 1 ? others[0] : others };
  const outer: JsonSchema = {};
  for (const [key, value] of Object.entries(node)) {
    if (key === "type") continue;
    if (ANNOTATION_KEYWORDS.has(key)) outer[key] = value;
    else inner[key] = value;
  }
  outer.anyOf = [inner, { type: "null" }];
  return outer;
}

/** `z.int()` publishes +-(2^53 - 1) as bounds; Python ints have none, so neither does the schema. */
function dropSafeIntegerBounds(node: JsonSchema): void {
  if (node.type !== "integer") return;
  if (node.minimum === Number.MIN_SAFE_INTEGER) delete node.minimum;
  if (node.maximum === Number.MAX_SAFE_INTEGER) delete node.maximum;
}

/** pydantic types `Literal[1, 2]` as `integer`; zod says `number` for any numeric literal. */
function typeIntegerLiterals(node: JsonSchema): void {
  if (node.type !== "number") return;
  const values = "const" in node ? [node.const] : Array.isArray(node.enum) ? node.enum : undefined;
  if (values && values.length > 0 && values.every((value) => Number.isInteger(value))) node.type = "integer";
}

/** `z.union([z.literal(1), z.literal("x")])` is Python's `Literal[1, "x"]`: one `enum`. */
function mergeConstAlternatives(node: JsonSchema): void {
  const { anyOf } = node;
  if (!Array.isArray(anyOf) || anyOf.length < 2) return;
  const onlyConsts = anyOf.every(
    (option) =>
      isObject(option) &&
      "const" in option &&
      Object.keys(option).every((k) => k === "const" || k === "type"),
  );
  if (!onlyConsts) return;
  const options = anyOf as JsonSchema[];
  const types = new Set(options.map((option) => option.type));
  delete node.anyOf;
  node.enum = options.map((option) => option.const);
  const [onlyType] = types;
  if (types.size === 1 && onlyType !== undefined) node.type = onlyType;
}

/** Keywords zod adds that pydantic's schema for the same Python type does not have. */
function dropZodOnlyKeywords(node: JsonSchema): void {
  // A loose object: zod writes the "anything" schema `{}`, pydantic (extra="allow") writes `true`.
  if (isObject(node.additionalProperties) && Object.keys(node.additionalProperties).length === 0) {
    node.additionalProperties = true;
  }
  // z.record(z.string(), ...): JSON keys are strings anyway; dict[str, T] has no propertyNames.
  const names = node.propertyNames;
  if (isObject(names) && Object.keys(names).length === 1 && names.type === "string")
    delete node.propertyNames;
  // z.tuple(...): the item count is already pinned by minItems/maxItems in both dialects.
  if (node.items === false && Array.isArray(node.prefixItems)) delete node.items;
}

/** pydantic titles every model field after its name, except fields holding a model reference. */
function titleProperties(node: JsonSchema): void {
  const { properties } = node;
  if (!isObject(properties)) return;
  for (const [name, property] of Object.entries(properties)) {
    if (isObject(property) && property.title === undefined && !isModelReference(property)) {
      property.title = pythonFieldTitle(name);
    }
  }
}

/** pydantic titles each model in `$defs` with its class name, which is our id. */
function titleDefinitions(node: JsonSchema): void {
  const defs = node.$defs;
  if (!isObject(defs)) return;
  for (const [name, definition] of Object.entries(defs)) {
    // zod names anonymous recursive schemas `__schema0`; that is no title anyone chose.
    if (isObject(definition) && definition.title === undefined && !name.startsWith("__schema")) {
      definition.title = name;
    }
  }
}

/** `Model`, or `Model | None`: the field schemas pydantic leaves untitled. */
function isModelReference(property: JsonSchema): boolean {
  if ("$ref" in property) return true;
  const { anyOf } = property;
  if (!Array.isArray(anyOf) || anyOf.length !== 2) return false;
  const nonNull = anyOf.filter((option) => !(isObject(option) && option.type === "null"));
  return nonNull.length === 1 && isObject(nonNull[0]) && "$ref" in nonNull[0];
}

/**
 * pydantic's field title: Python's `name.title().replace("_", " ")`. `str.title()` upper-cases a
 * cased character that follows an uncased one (start, digit, underscore) and lower-cases the rest.
 */
function pythonFieldTitle(name: string): string {
  let title = "";
  let previousCased = false;
  for (const char of name) {
    title += previousCased ? char.toLowerCase() : char.toUpperCase();
    previousCased = /\p{Cased}/u.test(char);
  }
  return title.replaceAll("_", " ");
}

// pydantic (GenerateJsonSchema.sort) keeps the order of these maps: field order and default values.
const ORDER_KEEPING_PARENTS = new Set(["properties", "default"]);

/** Sorts object keys recursively the way pydantic does before it returns a schema. */
function sortLikePydantic(value: unknown, parentKey?: string): unknown {
  if (Array.isArray(value)) return value.map((item) => sortLikePydantic(item, parentKey));
  if (!isObject(value)) return value;
  const keys = Object.keys(value);
  if (parentKey === undefined || !ORDER_KEEPING_PARENTS.has(parentKey)) keys.sort(compareCodePoints);
  return Object.fromEntries(keys.map((key) => [key, sortLikePydantic(value[key], key)]));
}

function isObject(value: unknown): value is JsonSchema {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
