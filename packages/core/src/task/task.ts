import { type core, z } from "zod";
import { HudkitError } from "../errors/hudkit-error.js";
import { defaultSlug, type SlugHasher } from "./default-slug.js";

type JsonObject = Record<string, unknown>;

function describeNonJson(value: unknown): string {
  if (typeof value === "number") return `${value} is not a JSON number (JSON has no NaN or Infinity)`;
  if (typeof value === "bigint") return "a bigint is not a JSON value; pass a number or a string";
  if (value === undefined) return "undefined is not a JSON value; use null";
  if (typeof value === "object" && value !== null) {
    return `a ${value.constructor?.name ?? "class"} instance is not a JSON value; pass a plain object`;
  }
  return `a ${typeof value} is not a JSON value`;
}

function isJsonContainer(value: unknown): value is unknown[] | JsonObject {
  if (typeof value !== "object" || value === null) return false;
  const proto = Object.getPrototypeOf(value);
  return Array.isArray(value) || proto === Object.prototype || proto === null;
}

/**
 * A copy of `value` that survives `JSON.parse(JSON.stringify(...))` unchanged, with an issue for
 * every part that would not. Object entries whose value is undefined are dropped, as JSON does.
 */
function cleanJson(
  value: unknown,
  path: PropertyKey[],
  ancestors: Set<object>,
  ctx: core.$RefinementCtx,
): unknown {
  if (value === null || typeof value === "string" || typeof value === "boolean") return value;
  if (typeof value === "number" && Number.isFinite(value)) return value;
  if (!isJsonContainer(value)) {
    ctx.addIssue({ code: "custom", message: describeNonJson(value), path, input: value });
    return value;
  }
  if (ancestors.has(value)) {
    ctx.addIssue({
      code: "custom",
      message: "circular reference: a value contains itself",
      path,
      input: value,
    });
    return value;
  }
  ancestors.add(value);
  try {
    if (Array.isArray(value)) {
      return value.map((item, index) => cleanJson(item, [...path, index], ancestors, ctx));
    }
    // fromEntries defines own properties, so a "__proto__" key stays a plain key.
    return Object.fromEntries(
      Object.entries(value)
        .filter(([, item]) => item !== undefined)
        .map(([key, item]) => [key, cleanJson(item, [...path, key], ancestors, ctx)]),
    );
  } finally {
    ancestors.delete(value);
  }
}

function toJsonObject<T extends JsonObject>(value: T, ctx: core.$RefinementCtx): T {
  return cleanJson(value, [], new Set(), ctx) as T;
}

function describeType(value: unknown): string {
  if (value === null) return "null";
  return Array.isArray(value) ? "array" : typeof value;
}

// A JSON object whose contents round-trip through JSON text unchanged. A custom check rather
// than z.record, which drops a "__proto__" key that JSON.parse keeps (and the slug must hash
// what Python would see).
const JsonObjectSchema = z
  .custom<JsonObject>((value) => isJsonContainer(value) && !Array.isArray(value), {
    error: (issue) => `expected an object, received ${describeType(issue.input)}`,
  })
  .transform(toJsonObject);

const AgentConfigSchema = z
  .looseObject({
    max_steps: z.number().int().positive().nullish(),
    timeout_seconds: z.number().positive().nullish(),
  })
  .transform(toJsonObject);

/**
 * Per-task agent overrides. Other keys are kept as they are, for agents that read them.
 *
 * @example
 * ```ts
 * const config: AgentConfig = { max_steps: 20, timeout_seconds: 300, temperature: 0 };
 * ```
 */
export type AgentConfig = z.output<typeof AgentConfigSchema>;

/**
 * A task that is some other task's verifier: every field of {@link Task} except `verifier`.
 *
 * @example
 * ```ts
 * const check: VerifierTask = createTask({ env: "grader", id: "check_answer" });
 * ```
 */
export interface VerifierTask {
  /** The environment's name (not an environment object). */
  env: string;
  /** The template id registered on the environment. */
  id: string;
  /** The arguments passed explicitly to the template; defaults are never stored. */
  args: JsonObject;
  /** Stable row identity; {@link defaultSlug} of `id` and `args` unless given. */
  slug: string;
  /** Platform and sync metadata; the engine never reads it. */
  validation?: JsonObject[];
  /** Per-task agent overrides (`max_steps`, `timeout_seconds`, ...). */
  agent_config?: AgentConfig;
  /** Filter and leaderboard facets; the engine never reads them. */
  columns?: JsonObject;
  /** Per-row launch requirements for the runtime. */
  runtime_config?: JsonObject;
}

/**
 * One task row: which template of which environment to run, with which arguments. This is the
 * reference's `Task` model; its JSON form is the same, field for field.
 *
 * @example
 * ```ts
 * const task: Task = { env: "letters", id: "count", args: { word: "banana" }, slug: "count-1a2b3c4d" };
 * ```
 */
export interface Task extends VerifierTask {
  /** A task graded after this one, on its answer. It cannot have a verifier of its own. */
  verifier?: VerifierTask;
}

const rowFields = {
  env: z.string().min(1),
  id: z.string().min(1),
  args: JsonObjectSchema.default(() => ({})),
  slug: z.string().min(1).optional(),
  validation: z.array(JsonObjectSchema).nullish(),
  agent_config: AgentConfigSchema.nullish(),
  columns: JsonObjectSchema.nullish(),
  runtime_config: JsonObjectSchema.nullish(),
};

type RowFields = z.output<z.ZodObject<typeof rowFields>>;

/**
 * Builds the row in the reference's field order, leaving out unset optional fields. A loader
 * passes its `hasher` to reuse one set of hashing buffers across all its rows.
 */
function toRow(fields: RowFields, hasher?: SlugHasher): VerifierTask {
  const row: VerifierTask = {
    env: fields.env,
    id: fields.id,
    args: fields.args,
    slug: fields.slug ?? (hasher ? hasher.slug(fields.id, fields.args) : defaultSlug(fields.id, fields.args)),
  };
  if (fields.validation != null) row.validation = fields.validation;
  if (fields.agent_config != null) row.agent_config = fields.agent_config;
  if (fields.columns != null) row.columns = fields.columns;
  if (fields.runtime_config != null) row.runtime_config = fields.runtime_config;
  return row;
}

const VerifierTaskSchema = z
  .strictObject({
    ...rowFields,
    verifier: z.null({ error: "nested verifier tasks are not supported" }).optional(),
  })
  .transform((fields) => toRow(fields));

/**
 * The zod schema of a {@link Task}, for the JSON form the reference writes
 * (`model_dump(mode="json")`, with or without its null fields). Unlike the reference, which
 * silently drops unknown keys, an unknown key is an error, so a typo like `agrs` is caught.
 * Fills in the default slug and leaves null optional fields out. Arguments and metadata must be
 * JSON values, so that a task survives a JSON round trip unchanged.
 *
 * @example
 * ```ts
 * const task = TaskSchema.parse({ env: "letters", id: "count", args: { word: "banana" } });
 * task.slug; // "count-" + 8 hex digits
 * ```
 */
export const TaskSchema = z
  .strictObject({ ...rowFields, verifier: VerifierTaskSchema.nullish() })
  .transform((fields): Task => {
    const task: Task = toRow(fields);
    if (fields.verifier != null) task.verifier = fields.verifier;
    return task;
  });

/**
 * What {@link parseTask} and {@link createTask} accept: a task whose `args` and `slug` may be
 * left out, and whose optional fields may be null.
 *
 * @example
 * ```ts
 * const input: TaskInput = { env: "letters", id: "count", agent_config: null };
 * ```
 */
export type TaskInput = z.input<typeof TaskSchema>;

const TASK_KEYS = Object.keys(TaskSchema.in.shape);
const TASK_KEY_SET: ReadonlySet<string> = new Set(TASK_KEYS);
const VERIFIER_KEYS = TASK_KEYS.filter((key) => key !== "verifier");

function formatPath(path: readonly PropertyKey[]): string {
  return path
    .map((key, index) => {
      if (typeof key === "number") return `[${key}]`;
      const name = String(key);
      if (/^[A-Za-z_$][\w$]*$/.test(name)) return index === 0 ? name : `.${name}`;
      return `[${JSON.stringify(name)}]`;
    })
    .join("");
}

function describeIssue(issue: core.$ZodIssue): string {
  const where = formatPath(issue.path);
  if (issue.code === "unrecognized_keys") {
    const keys = issue.keys.map((key) => JSON.stringify(key)).join(", ");
    const allowed = (issue.path.length === 0 ? TASK_KEYS : VERIFIER_KEYS).join(", ");
    const plural = issue.keys.length > 1 ? "s" : "";
    return `unknown key${plural} ${keys}${where ? ` in ${where}` : ""} (allowed: ${allowed})`;
  }
  return where ? `${where}: ${issue.message}` : issue.message;
}

/** A fast-path bail-out: the value goes through zod, which decides and explains. */
const NOT_FAST: unique symbol = Symbol("not-fast");
type NotFast = typeof NOT_FAST;

// Deeper values (and circular ones, which never end) go through zod's ancestor tracking instead.
const FAST_MAX_DEPTH = 64;

function isPlainRecord(value: unknown): value is JsonObject {
  if (typeof value !== "object" || value === null) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/**
 * What `cleanJson` returns for a value it raises no issue on, or {@link NOT_FAST} for anything
 * unusual (non-JSON values, holes, array subclasses, a `__proto__` key, great depth), which zod
 * then handles. Never accepts a value zod would refuse. With `reuse`, a value the caller owns is
 * checked and returned as it is instead of copied (an undefined entry, which would have to be
 * dropped, bails).
 */
function fastJson(value: unknown, depth: number, reuse: boolean): unknown {
  if (value === null || typeof value === "string" || typeof value === "boolean") return value;
  if (typeof value === "number") return Number.isFinite(value) ? value : NOT_FAST;
  if (typeof value !== "object" || depth > FAST_MAX_DEPTH) return NOT_FAST;
  if (Array.isArray(value)) {
    if (Object.getPrototypeOf(value) !== Array.prototype) return NOT_FAST;
    const out: unknown[] | undefined = reuse ? undefined : new Array(value.length);
    for (let i = 0; i < value.length; i++) {
      const item = value[i];
      if (item === undefined) return NOT_FAST;
      const clean = fastJson(item, depth + 1, reuse);
      if (clean === NOT_FAST) return NOT_FAST;
      if (out) out[i] = clean;
    }
    return out ?? value;
  }
  return isPlainRecord(value) ? fastJsonObject(value, depth, reuse, undefined) : NOT_FAST;
}

/** {@link fastJson} of a plain object, leaving out `skip`'s keys and (when copying) undefined entries. */
function fastJsonObject(
  value: JsonObject,
  depth: number,
  reuse: boolean,
  skip: ReadonlySet<string> | undefined,
): unknown {
  // The copy cleanJson makes has Object.prototype, so a null-prototype object is not kept.
  if (reuse && Object.getPrototypeOf(value) !== Object.prototype) return NOT_FAST;
  const out: JsonObject | undefined = reuse ? undefined : {};
  for (const key of Object.keys(value)) {
    // Assigning "__proto__" would set the prototype; cleanJson defines it as a plain key.
    if (key === "__proto__") return NOT_FAST;
    const item = value[key];
    if (skip?.has(key)) continue;
    if (item === undefined) {
      if (reuse) return NOT_FAST;
      continue;
    }
    const clean = fastJson(item, depth + 1, reuse);
    if (clean === NOT_FAST) return NOT_FAST;
    if (out) out[key] = clean;
  }
  return out ?? value;
}

/** A JsonObjectSchema field: absent stays absent, a plain object is cleaned, anything else bails. */
function fastObjectField(value: unknown, reuse: boolean): JsonObject | null | undefined | NotFast {
  if (value === undefined || value === null) return value;
  return isPlainRecord(value)
    ? (fastJsonObject(value, 1, reuse, undefined) as JsonObject | NotFast)
    : NOT_FAST;
}

const AGENT_CONFIG_SHAPE_KEYS: ReadonlySet<string> = new Set(["max_steps", "timeout_seconds"]);

/** AgentConfigSchema's output: its shape keys first (as zod lays them out), then the rest. */
function fastAgentConfig(value: unknown, reuse: boolean): AgentConfig | null | undefined | NotFast {
  if (value === undefined || value === null) return value;
  if (!isPlainRecord(value)) return NOT_FAST;
  const { max_steps: maxSteps, timeout_seconds: timeout } = value;
  if (maxSteps != null && !(Number.isSafeInteger(maxSteps) && (maxSteps as number) > 0)) return NOT_FAST;
  if (timeout != null && !(typeof timeout === "number" && Number.isFinite(timeout) && timeout > 0)) {
    return NOT_FAST;
  }
  // Always a new object, even with reuse: zod's key order is not the input's.
  const rest = fastJsonObject(value, 1, reuse, AGENT_CONFIG_SHAPE_KEYS);
  if (rest === NOT_FAST) return NOT_FAST;
  const out: JsonObject = {};
  if (maxSteps !== undefined) out.max_steps = maxSteps;
  if (timeout !== undefined) out.timeout_seconds = timeout;
  for (const key of Object.keys(rest as JsonObject)) {
    if (!AGENT_CONFIG_SHAPE_KEYS.has(key)) out[key] = (rest as JsonObject)[key];
  }
  return out as AgentConfig;
}

function fastValidation(value: unknown, reuse: boolean): JsonObject[] | null | undefined | NotFast {
  if (value === undefined || value === null) return value;
  if (!Array.isArray(value) || Object.getPrototypeOf(value) !== Array.prototype) return NOT_FAST;
  const out: JsonObject[] | undefined = reuse ? undefined : new Array(value.length);
  for (let i = 0; i < value.length; i++) {
    const item = value[i];
    if (!isPlainRecord(item)) return NOT_FAST;
    const clean = fastJsonObject(item, 2, reuse, undefined);
    if (clean === NOT_FAST) return NOT_FAST;
    if (out) out[i] = clean as JsonObject;
  }
  return out ?? value;
}

const VERIFIER_KEY_SET: ReadonlySet<string> = new Set(Object.keys(VerifierTaskSchema.in.shape));

/**
 * {@link TaskSchema}'s output for the inputs it can judge without zod, or {@link NOT_FAST}.
 * Loading a 100k-row taskset spends most of its time here, and zod's generic object, custom and
 * transform machinery costs tens of microseconds a row; this is a few. It accepts a subset of
 * what zod accepts and returns the same value for it (task.test.ts compares the two), so
 * validation is exactly as strict: every doubtful row goes through zod, which also writes the
 * error messages.
 */
function fastTask(input: unknown, nested: boolean, reuse: boolean, hasher?: SlugHasher): Task | NotFast {
  if (!isPlainRecord(input)) return NOT_FAST;
  const allowed = nested ? VERIFIER_KEY_SET : TASK_KEY_SET;
  for (const key of Object.keys(input)) if (!allowed.has(key)) return NOT_FAST;
  const { env, id, slug, args } = input;
  if (typeof env !== "string" || env.length === 0 || typeof id !== "string" || id.length === 0) {
    return NOT_FAST;
  }
  if (slug !== undefined && (typeof slug !== "string" || slug.length === 0)) return NOT_FAST;
  const cleanArgs = args === undefined ? {} : fastObjectField(args, reuse);
  const validation = fastValidation(input.validation, reuse);
  const agentConfig = fastAgentConfig(input.agent_config, reuse);
  const columns = fastObjectField(input.columns, reuse);
  const runtimeConfig = fastObjectField(input.runtime_config, reuse);
  if (
    cleanArgs == null ||
    cleanArgs === NOT_FAST ||
    validation === NOT_FAST ||
    agentConfig === NOT_FAST ||
    columns === NOT_FAST ||
    runtimeConfig === NOT_FAST
  ) {
    return NOT_FAST;
  }
  const task: Task = toRow(
    {
      env,
      id,
      args: cleanArgs,
      slug,
      validation,
      agent_config: agentConfig,
      columns,
      runtime_config: runtimeConfig,
    },
    hasher,
  );
  const verifier = input.verifier;
  if (verifier === undefined || verifier === null) return task;
  // A verifier's own verifier is an error, which zod words.
  if (nested) return NOT_FAST;
  const verifierTask = fastTask(verifier, true, reuse, hasher);
  if (verifierTask === NOT_FAST) return NOT_FAST;
  task.verifier = verifierTask;
  return task;
}

/**
 * Validates a task row (for example one read from a JSON file) and fills in its default slug.
 * Throws a {@link HudkitError} with code `invalid-task` whose message names every unknown key
 * and the key path of every invalid value.
 *
 * @example
 * ```ts
 * const task = parseTask(JSON.parse(line));
 * parseTask({ env: "e", id: "t", agrs: {} });
 * // throws: invalid task: unknown key "agrs" (allowed: env, id, args, slug, ...)
 * ```
 */
export function parseTask(input: unknown): Task {
  const fast = fastTask(input, false, false);
  if (fast !== NOT_FAST) return fast;
  return parseTaskWithZod(input);
}

/**
 * {@link parseTask} for a value the caller owns outright, such as what `JSON.parse` just returned:
 * the same validation and result, but the task may keep the input's `args` and other objects
 * instead of copies of them, and `hasher` computes default slugs. For loaders; not part of the
 * public API.
 */
export function parseOwnedTask(input: unknown, hasher?: SlugHasher): Task {
  const fast = fastTask(input, false, true, hasher);
  if (fast !== NOT_FAST) return fast;
  return parseTaskWithZod(input);
}

function parseTaskWithZod(input: unknown): Task {
  const result = TaskSchema.safeParse(input);
  if (result.success) return result.data;
  const details = result.error.issues.map(describeIssue).join("; ");
  throw new HudkitError("invalid-task", `invalid task: ${details}`, { cause: result.error });
}

/**
 * Creates a task row from its fields, computing the reference's default slug when none is given.
 * Same validation as {@link parseTask}, with typed fields.
 *
 * @example
 * ```ts
 * const task = createTask({ env: "letters", id: "verify", args: { expected: 3 } });
 * task.slug; // "verify-5579a3e5"
 * ```
 */
export function createTask(fields: TaskInput): Task {
  return parseTask(fields);
}
