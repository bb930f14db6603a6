import { z } from "zod";
import { HudkitError } from "../errors/hudkit-error.js";
import { pyRepr, pyReprList } from "../protocol/python-repr.js";
import { compareCodePoints, isPlainObject } from "../protocol/python-values.js";

/**
 * A `tasks.start` whose arguments do not bind to the template's parameters. The message is the
 * reference server's text, byte for byte, because it travels to the client as the `-32000` error
 * message: `task 'echo': bad args ['n']: missing a required argument: 'tag'`.
 *
 * @example
 * ```ts
 * try { bindStartArgs("echo", echoArgs, { n: 2 }) } catch (e) {
 *   if (HudkitError.isInstance(e) && e.code === "bad-args") reply(id, -32000, e.message);
 * }
 * ```
 */
export class BadArgsError extends HudkitError {
  /** The template the arguments were meant for. */
  readonly templateId: string;

  constructor(templateId: string, providedNames: readonly string[], problem: string) {
    const names = pyReprList([...providedNames].sort(compareCodePoints));
    super("bad-args", `task ${pyRepr(templateId)}: bad args ${names}: ${problem}`);
    this.name = "BadArgsError";
    this.templateId = templateId;
  }
}

/**
 * Binds `tasks.start` arguments to a template's argument object and coerces them the way the
 * reference does (spec/protocol.md §2.4), returning what the template body receives:
 *
 * 1. Binding, like Python's `inspect.Signature.bind`: the first required argument that is missing
 *    (declaration order) is reported before the first unexpected one (received order); both throw
 *    {@link BadArgsError}. A loose object (`z.looseObject`, `.passthrough()`, `.catchall()`) takes
 *    unknown names, as `**kwargs` does, and passes their values through untouched.
 * 2. Each provided argument is validated pydantic-lax against its field ({@link laxValidate}); if
 *    that fails and the value is a string, the string is parsed as JSON and validated again; if
 *    that fails too, the raw value is passed on silently.
 * 3. Arguments not provided take their schema default, which is not validated.
 *
 * @example
 * ```ts
 * const echo = z.object({ tag: z.string(), n: z.int().default(1) });
 * bindStartArgs("echo", echo, { tag: "t", n: " 4 " }); // { tag: "t", n: 4 }
 * bindStartArgs("echo", echo, { tag: "t", n: "abc" }); // { tag: "t", n: "abc" } (raw, silently)
 * bindStartArgs("echo", echo, { n: 2 });
 * // throws BadArgsError: task 'echo': bad args ['n']: missing a required argument: 'tag'
 * ```
 */
export function bindStartArgs(
  templateId: string,
  args: z.ZodObject,
  provided: Record<string, unknown>,
): Record<string, unknown> {
  const shape = args.shape;
  const names = Object.keys(shape);
  const providedNames = Object.keys(provided).filter((name) => provided[name] !== undefined);
  const isProvided = (name: string) => Object.hasOwn(provided, name) && provided[name] !== undefined;

  const missing = names.find((name) => !isProvided(name) && isRequiredField(shape[name]!));
  if (missing !== undefined) {
    throw new BadArgsError(templateId, providedNames, `missing a required argument: ${pyRepr(missing)}`);
  }
  const extraNames = providedNames.filter((name) => !Object.hasOwn(shape, name));
  if (extraNames.length > 0 && !acceptsExtraArgs(args)) {
    throw new BadArgsError(
      templateId,
      providedNames,
      `got an unexpected keyword argument ${pyRepr(extraNames[0]!)}`,
    );
  }

  // Object.fromEntries defines own properties, so a key such as "__proto__" stays plain data.
  const bound: Array<[string, unknown]> = [];
  for (const name of names) {
    const field = shape[name]!;
    if (isProvided(name)) {
      bound.push([name, coerceStartArg(field, provided[name])]);
    } else {
      const fallback = z.safeParse(field, undefined);
      if (fallback.success && fallback.data !== undefined) bound.push([name, fallback.data]);
    }
  }
  for (const name of extraNames) bound.push([name, provided[name]]);
  return Object.fromEntries(bound);
}

/**
 * Validates the arguments given when a template is called to mint a Task: every given argument
 * must pass its field's zod schema as is (no coercion), no required argument may be missing, and
 * unknown names are refused unless the object is loose. Returns the given arguments unchanged,
 * minus keys whose value is `undefined` (JavaScript's way of not passing one), because a Task
 * stores only what was explicitly passed.
 *
 * @throws HudkitError with code `"invalid-task-args"` naming the argument and the problem.
 *
 * @example
 * ```ts
 * const args = z.object({ word: z.string().default("strawberry"), letter: z.string().default("r") });
 * validateMintArgs("count_letter", args, { word: "banana" }); // { word: "banana" }
 * validateMintArgs("count_letter", args, { word: 3 });
 * // throws: count_letter: argument 'word' expected string, got number
 * ```
 */
export function validateMintArgs(
  templateId: string,
  args: z.ZodObject,
  given: Record<string, unknown>,
): Record<string, unknown> {
  const shape = args.shape;
  const passed = Object.entries(given).filter(([, value]) => value !== undefined);
  const passedNames = new Set(passed.map(([name]) => name));
  const fail = (problem: string): never => {
    throw new HudkitError("invalid-task-args", `${templateId}: ${problem}`);
  };

  for (const [name, field] of Object.entries(shape)) {
    if (!passedNames.has(name) && isRequiredField(field))
      fail(`missing a required argument: ${pyRepr(name)}`);
  }
  for (const [name, value] of passed) {
    const field = Object.hasOwn(shape, name) ? shape[name] : extraArgSchema(args);
    if (field === undefined) {
      const known = Object.keys(shape).map(pyRepr).join(", ") || "none";
      fail(`got an unexpected argument ${pyRepr(name)} (its arguments are: ${known})`);
    } else {
      const result = z.safeParse(field, value, { reportInput: true });
      const issue = result.error?.issues[0];
      if (issue) fail(describeIssue(name, issue));
    }
  }
  return Object.fromEntries(passed);
}

/**
 * The outcome of {@link laxValidate}: the validated (zod output) value, or a failure.
 *
 * @example
 * ```ts
 * const result: LaxResult = laxValidate(z.int(), "3");
 * const n = result.ok ? result.value : undefined; // 3
 * ```
 */
export type LaxResult = { ok: true; value: unknown } | { ok: false };

/**
 * Validates `value` against `schema` the way pydantic's lax mode validates JSON data, then returns
 * zod's output (defaults filled, unknown keys of plain objects dropped, transforms applied).
 * Coercions on top of zod's strict checks, as pydantic-core does them:
 *
 * - integer: `true`/`false`, integral floats, and strings such as `"3"`, `" 4 "`, `"1_000"`,
 *   `"3.0"`, `"+5"`, `"007"` (not `"3.5"`, not `"1e3"`);
 * - number: `true`/`false` and float strings (`"0.25"`, `"1e-3"`, `" 2 "`, `"1_0.5"`);
 * - boolean: `0`/`1` and the strings `0 1 f t n y no on off yes true false` (any ASCII case);
 * - strings, literals and enums: exact only (no number-to-string);
 * - objects, arrays, tuples, records: element by element, failing as a whole if one fails;
 * - unions: an option that accepts the value as is wins, else the first that accepts it laxly.
 *
 * There is no JSON-string fallback here; {@link bindStartArgs} adds that step.
 *
 * @example
 * ```ts
 * laxValidate(z.int(), "1_000");                   // { ok: true, value: 1000 }
 * laxValidate(z.array(z.int()), ["1", "2"]);        // { ok: true, value: [1, 2] }
 * laxValidate(z.array(z.string()), ["a", 1]);       // { ok: false }
 * laxValidate(z.object({ x: z.int() }), { x: "3", z: 1 }); // { ok: true, value: { x: 3 } }
 * ```
 */
export function laxValidate(schema: z.core.$ZodType, value: unknown): LaxResult {
  // The usual case, a value that is already valid, takes one parse and not laxInput's check plus a second.
  const strict = z.safeParse(schema, value);
  if (strict.success) return { ok: true, value: strict.data };
  const candidate = laxRewrite(schema, value);
  if (!candidate.ok) return FAILED;
  const result = z.safeParse(schema, candidate.value);
  return result.success ? { ok: true, value: result.data } : FAILED;
}

const FAILED: LaxResult = { ok: false };

/** Steps 2 to 4 of §2.4 for one provided argument. */
function coerceStartArg(field: z.core.$ZodType, value: unknown): unknown {
  const direct = laxValidate(field, value);
  if (direct.ok) return direct.value;
  if (typeof value === "string") {
    const parsed = parseJson(value);
    if (parsed.ok) {
      const again = laxValidate(field, parsed.value);
      if (again.ok) return again.value;
    }
  }
  return value;
}

function parseJson(text: string): LaxResult {
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch {
    return FAILED;
  }
}

/**
 * Rewrites `value` into an input zod's strict parse accepts, following pydantic's lax rules.
 * Only leaves check acceptance; the caller parses the whole result once, so transforms run once
 * and object-level checks are not skipped.
 */
function laxInput(schema: z.core.$ZodType, value: unknown): LaxResult {
  if (z.safeParse(schema, value).success) return { ok: true, value };
  return laxRewrite(schema, value);
}

/** {@link laxInput} for a value the strict parse has already refused. */
function laxRewrite(schema: z.core.$ZodType, value: unknown): LaxResult {
  const def = (schema as z.core.$ZodTypes)._zod.def;
  switch (def.type) {
    case "number":
      return laxNumber(schema, value);
    case "boolean":
      return laxBoolean(value);
    case "optional":
    case "default":
    case "prefault":
      return value === undefined ? { ok: true, value } : laxInput(def.innerType, value);
    case "nullable":
      return value === null ? { ok: true, value } : laxInput(def.innerType, value);
    case "readonly":
    case "nonoptional":
    case "catch":
      return laxInput(def.innerType, value);
    case "pipe":
      return laxInput(def.in, value);
    case "lazy":
      return laxInput(def.getter(), value);
    case "union":
      return laxUnion(def.options, value);
    case "array":
      return Array.isArray(value) ? laxAll(value.map((item) => laxInput(def.element, item))) : FAILED;
    case "tuple":
      return Array.isArray(value) ? laxTuple(def.items, def.rest, value) : FAILED;
    case "object":
      return isPlainObject(value) ? laxObject(def.shape, def.catchall, value) : FAILED;
    case "record":
      return isPlainObject(value) ? laxRecord(def.valueType, value) : FAILED;
    default:
      // Strings, literals, enums, null and the rest: pydantic matches these exactly.
      return FAILED;
  }
}

function laxUnion(options: readonly z.core.$ZodType[], value: unknown): LaxResult {
  for (const option of options) {
    const candidate = laxInput(option, value);
    if (candidate.ok && z.safeParse(option, candidate.value).success) return candidate;
  }
  return FAILED;
}

function laxAll(items: LaxResult[]): LaxResult {
  const values: unknown[] = [];
  for (const item of items) {
    if (!item.ok) return FAILED;
    values.push(item.value);
  }
  return { ok: true, value: values };
}

function laxTuple(
  items: readonly z.core.$ZodType[],
  rest: z.core.$ZodType | null,
  value: unknown[],
): LaxResult {
  return laxAll(
    value.map((item, index) => {
      const schema = items[index] ?? rest;
      // Too many items: leave them for zod's parse to refuse.
      return schema ? laxInput(schema, item) : { ok: true, value: item };
    }),
  );
}

function laxObject(
  shape: z.core.$ZodShape,
  catchall: z.core.$ZodType | undefined,
  value: Record<string, unknown>,
): LaxResult {
  const entries: Array<[string, unknown]> = [];
  for (const [key, item] of Object.entries(value)) {
    // Unknown keys stay for zod to drop (plain object), keep (loose) or refuse (strict).
    const field = Object.hasOwn(shape, key) ? shape[key] : catchall;
    const candidate = field ? laxInput(field, item) : { ok: true as const, value: item };
    if (!candidate.ok) return FAILED;
    entries.push([key, candidate.value]);
  }
  return { ok: true, value: Object.fromEntries(entries) };
}

function laxRecord(valueType: z.core.$ZodType, value: Record<string, unknown>): LaxResult {
  const entries: Array<[string, unknown]> = [];
  for (const [key, item] of Object.entries(value)) {
    const candidate = laxInput(valueType, item);
    if (!candidate.ok) return FAILED;
    entries.push([key, candidate.value]);
  }
  return { ok: true, value: Object.fromEntries(entries) };
}

function laxNumber(schema: z.core.$ZodType, value: unknown): LaxResult {
  // Classic zod marks z.int(), z.number().int() and the int32-style formats with isInt.
  const isInt = (schema as { isInt?: unknown }).isInt === true;
  let candidate: number | undefined;
  if (typeof value === "boolean") candidate = value ? 1 : 0;
  else if (typeof value === "string")
    candidate = isInt ? pythonStringToInt(value) : pythonStringToFloat(value);
  else if (typeof value === "number") candidate = value;
  return candidate === undefined ? FAILED : { ok: true, value: candidate };
}

const FALSE_STRINGS = new Set(["0", "f", "n", "no", "off", "false"]);
const TRUE_STRINGS = new Set(["1", "t", "y", "on", "yes", "true"]);

/** pydantic-core's `str_as_bool` and `int_as_bool`. */
function laxBoolean(value: unknown): LaxResult {
  if (typeof value === "number")
    return value === 0 || value === 1 ? { ok: true, value: value === 1 } : FAILED;
  if (typeof value !== "string") return FAILED;
  // eq_ignore_ascii_case: only ASCII letters fold.
  const folded = value.replace(/[A-Z]/g, (letter) => letter.toLowerCase());
  if (FALSE_STRINGS.has(folded)) return { ok: true, value: false };
  if (TRUE_STRINGS.has(folded)) return { ok: true, value: true };
  return FAILED;
}

// What pydantic-core's JSON number parser (jiter) takes as an integer.
const JSON_INTEGER = /^-?(?:0|[1-9]\d*)$/;
// Python refuses to parse longer integer strings (CVE-2020-10735 limit), and so does pydantic.
const MAX_INT_STRING_LENGTH = 4300;

/**
 * pydantic-core's `str_as_int`: a JSON integer, or else the string cleaned by `clean_int_str`
 * (trimmed, one leading `+`, leading zeros, a `.000` tail and single inner underscores removed).
 * Integers past 2^53 come out inexact, and zod's safe-integer check then refuses them.
 */
function pythonStringToInt(text: string): number | undefined {
  if (text.length > MAX_INT_STRING_LENGTH) return undefined;
  if (JSON_INTEGER.test(text)) return Number(text) + 0; // + 0 turns -0 into Python's 0
  const cleaned = cleanIntString(text);
  return cleaned !== undefined && JSON_INTEGER.test(cleaned) ? Number(cleaned) + 0 : undefined;
}

function cleanIntString(text: string): string | undefined {
  let s = text.trim();
  if (s.startsWith("+")) {
    if (s[1] === "-") return undefined;
    s = s.slice(1);
  }
  let negative = false;
  if (s.startsWith("-")) {
    if (s[1] === "-" || s[1] === "+") return undefined;
    negative = true;
    s = s.slice(1);
  }
  const withoutZeros = stripLeadingZeros(s);
  if (withoutZeros === undefined) return undefined;
  s = withoutZeros;
  const dot = s.indexOf(".");
  if (dot !== -1 && /^0+$/.test(s.slice(dot + 1))) s = s.slice(0, dot);
  const sign = negative ? "-" : "";
  const withoutUnderscores = stripUnderscores(s);
  if (withoutUnderscores !== undefined) return sign + withoutUnderscores;
  // Nothing was cleaned: the JSON parse that already failed would fail again.
  return s.length === text.length ? undefined : sign + s;
}

/** `00.0` -> `0.0`, `0_07` -> `7`, `000` -> `0`; undefined when the text cannot be a number. */
function stripLeadingZeros(s: string): string | undefined {
  const first = s[0];
  if (first === undefined) return undefined;
  if (first !== "0") return /[1-9-]/.test(first) ? s : undefined;
  for (let i = 1; i < s.length; i++) {
    const char = s[i]!;
    if (char === "0" || char === "_") continue;
    if (/[1-9-]/.test(char)) return s.slice(i);
    if (char === ".") return s.slice(i - 1);
    return undefined;
  }
  return s.slice(-1);
}

/** Python allows single underscores between digits only: `1_000`, not `_1`, `1_` or `1__0`. */
function stripUnderscores(s: string): string | undefined {
  if (s.startsWith("_") || s.endsWith("_") || !s.includes("_") || s.includes("__")) return undefined;
  return s.replaceAll("_", "");
}

// Rust's f64 grammar (pydantic-core parses with str::parse::<f64>), minus inf and nan: zod refuses
// non-finite numbers and JSON cannot carry them.
const RUST_FLOAT = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

/** pydantic-core's `str_as_float`: the trimmed string, or else the string without underscores. */
function pythonStringToFloat(text: string): number | undefined {
  const trimmed = text.trim();
  if (RUST_FLOAT.test(trimmed)) return Number(trimmed);
  const withoutUnderscores = stripUnderscores(text);
  return withoutUnderscores !== undefined && RUST_FLOAT.test(withoutUnderscores)
    ? Number(withoutUnderscores)
    : undefined;
}

/**
 * Whether binding needs the argument. Optional and defaulted fields do not; `z.unknown()` and
 * `z.any()` do (Python's unannotated parameter), even where zod marks them optional-in.
 */
function isRequiredField(schema: z.core.$ZodType): boolean {
  const def = (schema as z.core.$ZodTypes)._zod.def;
  switch (def.type) {
    case "optional":
    case "default":
    case "prefault":
      return false;
    case "nullable":
    case "readonly":
      return isRequiredField(def.innerType);
    case "pipe":
      return isRequiredField(def.in);
    case "any":
    case "unknown":
      return true;
    default:
      return schema._zod.optin !== "optional";
  }
}

/** A loose object's schema for names it does not declare; undefined when it takes none. */
function extraArgSchema(args: z.ZodObject): z.core.$ZodType | undefined {
  const catchall = args._zod.def.catchall;
  return catchall && catchall._zod.def.type !== "never" ? catchall : undefined;
}

function acceptsExtraArgs(args: z.ZodObject): boolean {
  return extraArgSchema(args) !== undefined;
}

function describeIssue(name: string, issue: z.core.$ZodIssue): string {
  const where = pyRepr(name + formatPath(issue.path));
  if (issue.code === "invalid_type") {
    const expected = issue.expected === "int" ? "integer" : issue.expected;
    if (issue.input === undefined) return `argument ${where} is missing (expected ${expected})`;
    return `argument ${where} expected ${expected}, got ${jsonTypeName(issue.input)}`;
  }
  return `argument ${where} is invalid: ${issue.message}`;
}

function formatPath(path: readonly PropertyKey[]): string {
  return path.map((key) => (typeof key === "number" ? `[${key}]` : `.${String(key)}`)).join("");
}

function jsonTypeName(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "array";
  return typeof value;
}
