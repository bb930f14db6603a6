import { type core, z } from "zod";
import { HudkitError } from "../errors/hudkit-error.js";
import { defaultSlug } from "./default-slug.js";

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

/** Builds the row in the reference's field order, leaving out unset optional fields. */
function toRow(fields: RowFields): VerifierTask {
  const row: VerifierTask = {
    env: fields.env,
    id: fields.id,
    args: fields.args,
    slug: fields.slug ?? defaultSlug(fields.id, fields.args),
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
  .transform(toRow);

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
