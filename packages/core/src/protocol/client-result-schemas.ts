import { z } from "zod";
import { isPlainJsonObject, jsonObjectOf } from "./client-json-object.js";
import { RpcCode, RpcError } from "./rpc-error.js";

const jsonObject = z.record(z.string(), z.unknown());

/** spec §1.9: `{name, protocol, url, params}`; `params: null` reads as `{}` (`from_manifest`). */
const bindingSchema = z.looseObject({
  name: z.string(),
  protocol: z.string(),
  url: z.string(),
  params: jsonObject.nullish().transform((params) => params ?? {}),
});

const helloResultSchema = z.looseObject({
  session_id: z.string(),
  env: z.looseObject({ name: z.string(), version: z.string() }),
  bindings: z.array(bindingSchema),
});

const taskEntrySchema = z.looseObject({
  id: z.string(),
  description: z.string().default(""),
  args: jsonObject.default({}),
  input: jsonObject.optional(),
  returns: jsonObject.optional(),
});

const promptFrameSchema = z.looseObject({
  prompt: z.unknown(),
  bindings: z.record(z.string(), jsonObject).optional(),
});

/**
 * One capability as the env publishes it in `hello`. `url` is the address *inside* the
 * substrate; `HudClient.binding(ref)` returns a copy routed through a local forwarder.
 *
 * @example
 * ```ts
 * const shell: Binding = { name: "shell", protocol: "ssh/2", url: "ssh://agent@127.0.0.1:2222", params: { user: "agent" } };
 * ```
 */
export interface Binding {
  readonly name: string;
  readonly protocol: string;
  readonly url: string;
  readonly params: Record<string, unknown>;
}

/**
 * The `hello` result: the session this connection now is, the env's identity, and its bindings
 * (raw substrate URLs).
 *
 * @example
 * ```ts
 * const { sessionId, env, bindings } = await client.hello();
 * console.log(`${env.name}@${env.version} as ${sessionId}: ${bindings.length} capabilities`);
 * ```
 */
export interface Manifest {
  readonly sessionId: string;
  readonly env: { readonly name: string; readonly version: string };
  readonly bindings: readonly Binding[];
}

/**
 * One `tasks.list` entry (spec §1.10): `args` is the JSON Schema of the template's arguments;
 * `input` and `returns` appear only when the template declares them. Extra keys are kept.
 *
 * @example
 * ```ts
 * for (const task of await client.listTasks()) console.log(task.id, Object.keys(task.args.properties ?? {}));
 * ```
 */
export interface TaskEntry {
  readonly id: string;
  readonly description: string;
  readonly args: Record<string, unknown>;
  readonly input?: Record<string, unknown>;
  readonly returns?: Record<string, unknown>;
  readonly [key: string]: unknown;
}

/**
 * The `tasks.start` result (spec §1.11): `prompt` is a string, `null`, a list of chat turns
 * `{role, content}`, or whatever JSON the template yielded; `bindings` maps capability names to
 * per-episode connection data. Extra keys are kept.
 *
 * @example
 * ```ts
 * const frame = await client.start("count_letter", { word: "banana" });
 * if (typeof frame.prompt === "string") console.log(frame.prompt);
 * ```
 */
export interface PromptFrame {
  readonly prompt: unknown;
  readonly bindings?: Record<string, Record<string, unknown>>;
  readonly [key: string]: unknown;
}

/**
 * Reads a `hello` result into a {@link Manifest}; a malformed one is `RpcError(-32603)`.
 *
 * @example
 * ```ts
 * parseManifest({ session_id: "sess-1", env: { name: "e", version: "1" }, bindings: [] }).sessionId; // "sess-1"
 * ```
 */
export function parseManifest(result: Record<string, unknown>): Manifest {
  const fast = manifestOf(result);
  if (fast !== undefined) return fast;
  const parsed = check("hello", helloResultSchema, result);
  return {
    sessionId: parsed.session_id,
    env: { name: parsed.env.name, version: parsed.env.version },
    bindings: parsed.bindings.map(({ name, protocol, url, params }) => ({ name, protocol, url, params })),
  };
}

/**
 * Reads a `tasks.list` result. A missing `tasks` is an empty list (as the reference reads it);
 * a non-list is `RpcError(-32603, "tasks.list: 'tasks' must be a list")`.
 *
 * @example
 * ```ts
 * parseTaskList({ tasks: [{ id: "echo", description: "", args: {} }] })[0]?.id; // "echo"
 * ```
 */
export function parseTaskList(result: Record<string, unknown>): TaskEntry[] {
  const tasks = result.tasks ?? [];
  if (!Array.isArray(tasks)) throw new RpcError(RpcCode.internalError, "tasks.list: 'tasks' must be a list");
  return tasks.map(
    (entry, index) => taskEntryOf(entry) ?? check(`tasks.list: entry ${index}`, taskEntrySchema, entry),
  );
}

/**
 * Reads a `tasks.start` result. `bindings`, when present, must map names to objects (the
 * reference client raises `TypeError` otherwise; here it is `RpcError(-32603)`).
 *
 * @example
 * ```ts
 * parsePromptFrame({ prompt: "go", extra: 5 }); // { prompt: "go", extra: 5 }
 * ```
 */
export function parsePromptFrame(result: Record<string, unknown>): PromptFrame {
  return promptFrameOf(result) ?? check("tasks.start", promptFrameSchema, result);
}

/*
 * Hand-written readers for the shapes a server normally sends. zod's generic parse of every
 * reply was a visible share of a call's client time; these check the same rules and build the
 * same output (keys in the same order, nested objects copied), and give up (`undefined`) on
 * anything unusual, which then goes through the schema for its verdict and error message.
 */

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** `jsonObject` of the schemas: a copy of the object, as zod's record makes one. */
function copiedJsonObject(value: unknown): Record<string, unknown> | undefined {
  const object = jsonObjectOf(value);
  return object === undefined ? undefined : { ...object };
}

function manifestOf(result: unknown): Manifest | undefined {
  if (!isObject(result)) return undefined;
  const { session_id, env, bindings } = result;
  if (typeof session_id !== "string" || !isObject(env) || !Array.isArray(bindings)) return undefined;
  const { name, version } = env;
  if (typeof name !== "string" || typeof version !== "string") return undefined;
  const read: Binding[] = [];
  for (const binding of bindings) {
    if (!isObject(binding)) return undefined;
    const { name, protocol, url, params } = binding;
    if (typeof name !== "string" || typeof protocol !== "string" || typeof url !== "string") return undefined;
    const object = params === undefined || params === null ? {} : copiedJsonObject(params);
    if (object === undefined) return undefined;
    read.push({ name, protocol, url, params: object });
  }
  return { sessionId: session_id, env: { name, version }, bindings: read };
}

function taskEntryOf(entry: unknown): TaskEntry | undefined {
  if (!isPlainJsonObject(entry)) return undefined;
  const { id, description, args } = entry;
  if (typeof id !== "string" || (description !== undefined && typeof description !== "string")) {
    return undefined;
  }
  const out: Record<string, unknown> = { id, description: description ?? "" };
  out.args = args === undefined ? {} : copiedJsonObject(args);
  if (out.args === undefined) return undefined;
  for (const key of ["input", "returns"] as const) {
    if (!(key in entry)) continue;
    out[key] = copiedJsonObject(entry[key]);
    if (out[key] === undefined) return undefined;
  }
  for (const key in entry) if (!TASK_ENTRY_KEYS.has(key)) out[key] = entry[key];
  return out as TaskEntry;
}

const TASK_ENTRY_KEYS = new Set(["id", "description", "args", "input", "returns"]);

function promptFrameOf(result: unknown): PromptFrame | undefined {
  if (!isPlainJsonObject(result) || !("prompt" in result) || "bindings" in result) return undefined;
  const out: Record<string, unknown> = { prompt: result.prompt };
  for (const key in result) if (key !== "prompt") out[key] = result[key];
  return out as PromptFrame;
}

function check<T>(what: string, schema: z.ZodType<T>, value: unknown): T {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const issues = parsed.error.issues
    .map((issue) => `${issue.path.length > 0 ? issue.path.join(".") : "(root)"}: ${issue.message}`)
    .join("; ");
  throw new RpcError(RpcCode.internalError, `${what}: unexpected result shape (${issues})`);
}
