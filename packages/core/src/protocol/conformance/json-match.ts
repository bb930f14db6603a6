import { compareCodePoints } from "../python-values.js";
/**
 * Comparison of a server reply with a recorded expectation, under the conformance README's rules
 * (`/work/shared/conformance/README.md`, "Comparing parsed JSON" and "Placeholders"):
 *
 * - deep structural equality; object key order is ignored, array order is not;
 * - numbers compare by value (`1.0` equals `1`: both sides come from `JSON.parse`);
 * - strings compare exactly, after placeholder matching, lone surrogates included;
 * - `<session_id>` matches a fresh id, `<session_id:NAME>` binds at its first match,
 *   `<sorted_session_ids:a,b>` is the bound ids sorted by code point and joined with `", "`,
 *   as whole values and inside longer strings.
 *
 * Expectations written by hudkit's exemption table may also hold `RegExp` leaves, which match any
 * string they test true on (`/^[\s\S]*$/` is "any string").
 */

/** A parsed JSON value. */
export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

/** A recorded expectation: JSON, plus `RegExp` leaves that match strings. */
export type Expected = null | boolean | number | string | RegExp | Expected[] | { [key: string]: Expected };

/** Matches any string, and only strings. */
export const ANY_STRING: RegExp = /^[\s\S]*$/;

/** The shape of a server-minted session id. */
export const SESSION_ID_PATTERN = "sess-[0-9a-f]{8}";

const PLACEHOLDER =
  /<session_id(?::([A-Za-z0-9_]+))?>|<sorted_session_ids:([A-Za-z0-9_]+(?:,[A-Za-z0-9_]+)*)>/g;

/**
 * The session ids a case has seen so far. Anonymous `<session_id>` matches must be new ids, a
 * named placeholder binds once, and distinct names must be distinct ids.
 */
export class SessionIds {
  readonly #bound: Map<string, string>;
  readonly #seen: Set<string>;

  constructor(bound: Iterable<[string, string]> = [], seen: Iterable<string> = []) {
    this.#bound = new Map(bound);
    this.#seen = new Set(seen);
  }

  /** A copy to match against; committed with {@link adopt} only when the whole value matched. */
  clone(): SessionIds {
    return new SessionIds(this.#bound, this.#seen);
  }

  /** Takes over the state of a clone. */
  adopt(other: SessionIds): void {
    this.#bound.clear();
    for (const [name, id] of other.#bound) this.#bound.set(name, id);
    this.#seen.clear();
    for (const id of other.#seen) this.#seen.add(id);
  }

  bound(name: string): string | undefined {
    return this.#bound.get(name);
  }

  /** Every name and its id, for failure messages. */
  entries(): [string, string][] {
    return [...this.#bound];
  }

  /** Records an anonymous id; returns a reason when it was seen before. */
  fresh(id: string): string | undefined {
    if (this.#seen.has(id)) return `session id ${id} was already seen in this case, expected a new one`;
    this.#seen.add(id);
    return undefined;
  }

  /** Binds `name` to `id`; returns a reason when `id` already belongs to another placeholder. */
  bind(name: string, id: string): string | undefined {
    if (this.#seen.has(id)) {
      const owner = [...this.#bound].find(([, value]) => value === id)?.[0];
      return owner
        ? `<session_id:${name}> got ${id}, which is already <session_id:${owner}>`
        : `<session_id:${name}> got ${id}, which was already seen in this case`;
    }
    this.#bound.set(name, id);
    this.#seen.add(id);
    return undefined;
  }
}

/** The outcome of {@link matchJson}. */
export type MatchResult = { ok: true } | { ok: false; path: string; reason: string };

/**
 * Matches `actual` against `expected`. On success the session-id bindings it made are committed
 * to `ids`; on failure `ids` is left untouched.
 */
export function matchJson(
  expected: Expected,
  actual: unknown,
  ids: SessionIds = new SessionIds(),
): MatchResult {
  const trial = ids.clone();
  const failure = matchAt(expected, actual, trial, "$");
  if (failure) return { ok: false, ...failure };
  ids.adopt(trial);
  return { ok: true };
}

type Failure = { path: string; reason: string } | undefined;

function matchAt(expected: Expected, actual: unknown, ids: SessionIds, path: string): Failure {
  if (expected instanceof RegExp) {
    if (typeof actual !== "string")
      return { path, reason: `expected a string matching ${expected}, got ${show(actual)}` };
    return expected.test(actual) ? undefined : { path, reason: `${show(actual)} does not match ${expected}` };
  }
  if (expected === null || typeof expected === "boolean") {
    return actual === expected
      ? undefined
      : { path, reason: `expected ${show(expected)}, got ${show(actual)}` };
  }
  if (typeof expected === "number") {
    return typeof actual === "number" && actual === expected
      ? undefined
      : { path, reason: `expected ${show(expected)}, got ${show(actual)}` };
  }
  if (typeof expected === "string") return matchString(expected, actual, ids, path);
  if (Array.isArray(expected)) {
    if (!Array.isArray(actual)) return { path, reason: `expected an array, got ${show(actual)}` };
    if (actual.length !== expected.length) {
      return { path, reason: `expected ${expected.length} items, got ${actual.length}: ${show(actual)}` };
    }
    for (let i = 0; i < expected.length; i++) {
      const failure = matchAt(expected[i]!, actual[i], ids, `${path}[${i}]`);
      if (failure) return failure;
    }
    return undefined;
  }
  if (!isJsonObject(actual)) return { path, reason: `expected an object, got ${show(actual)}` };
  const missing = Object.keys(expected).filter((key) => !Object.hasOwn(actual, key));
  const extra = Object.keys(actual).filter((key) => !Object.hasOwn(expected, key));
  if (missing.length > 0 || extra.length > 0) {
    const parts = [];
    if (missing.length > 0) parts.push(`missing keys ${missing.map((k) => JSON.stringify(k)).join(", ")}`);
    if (extra.length > 0) parts.push(`unexpected keys ${extra.map((k) => JSON.stringify(k)).join(", ")}`);
    return { path, reason: parts.join("; ") };
  }
  for (const [key, value] of Object.entries(expected)) {
    const failure = matchAt(value, actual[key], ids, `${path}${pathKey(key)}`);
    if (failure) return failure;
  }
  return undefined;
}

function matchString(expected: string, actual: unknown, ids: SessionIds, path: string): Failure {
  if (!expected.includes("<")) {
    return actual === expected
      ? undefined
      : { path, reason: `expected ${show(expected)}, got ${show(actual)}` };
  }
  const compiled = compilePlaceholders(expected, ids);
  if ("error" in compiled) return { path, reason: compiled.error };
  if (compiled.captures.length === 0 && compiled.pattern === undefined) {
    return actual === expected
      ? undefined
      : { path, reason: `expected ${show(expected)}, got ${show(actual)}` };
  }
  if (typeof actual !== "string")
    return { path, reason: `expected a string like ${show(expected)}, got ${show(actual)}` };
  const found = compiled.pattern!.exec(actual);
  if (!found) return { path, reason: `expected ${show(expected)}, got ${show(actual)}` };
  for (const [index, capture] of compiled.captures.entries()) {
    const id = found[index + 1]!;
    const reason = capture.name === undefined ? ids.fresh(id) : ids.bind(capture.name, id);
    if (reason) return { path, reason };
  }
  return undefined;
}

interface Compiled {
  pattern: RegExp | undefined;
  /** One per capture group, in group order: `name` for a new binding, none for `<session_id>`. */
  captures: { name: string | undefined }[];
}

function compilePlaceholders(expected: string, ids: SessionIds): Compiled | { error: string } {
  let source = "^";
  let last = 0;
  let placeholders = 0;
  const captures: { name: string | undefined }[] = [];
  const groupOf = new Map<string, number>();
  for (const match of expected.matchAll(PLACEHOLDER)) {
    placeholders++;
    source += escapeRegExp(expected.slice(last, match.index));
    last = match.index + match[0].length;
    const [, name, sorted] = match;
    if (sorted !== undefined) {
      const values: string[] = [];
      for (const each of sorted.split(",")) {
        const value = ids.bound(each);
        if (value === undefined)
          return { error: `<sorted_session_ids:${sorted}> names ${each}, which is not bound yet` };
        values.push(value);
      }
      source += escapeRegExp(values.sort(compareCodePoints).join(", "));
    } else if (name === undefined) {
      captures.push({ name: undefined });
      source += `(${SESSION_ID_PATTERN})`;
    } else {
      const value = ids.bound(name);
      const group = groupOf.get(name);
      if (value !== undefined) source += escapeRegExp(value);
      else if (group !== undefined) source += `\\${group}`;
      else {
        captures.push({ name });
        groupOf.set(name, captures.length);
        source += `(${SESSION_ID_PATTERN})`;
      }
    }
  }
  if (placeholders === 0) return { pattern: undefined, captures };
  source += `${escapeRegExp(expected.slice(last))}$`;
  return { pattern: new RegExp(source, "s"), captures };
}

/**
 * Replaces bound placeholders in a value about to be sent. Every placeholder in a send has been
 * bound by an earlier expectation; an unbound one is a broken case file and throws.
 */
export function substitutePlaceholders<T>(value: T, ids: SessionIds): T {
  if (typeof value === "string") return substituteString(value, ids) as T;
  if (Array.isArray(value)) return value.map((item) => substitutePlaceholders(item, ids)) as T;
  if (isJsonObject(value)) {
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) out[key] = substitutePlaceholders(item, ids);
    return out as T;
  }
  return value;
}

function substituteString(text: string, ids: SessionIds): string {
  return text.replace(PLACEHOLDER, (whole, name: string | undefined, sorted: string | undefined) => {
    if (sorted !== undefined) {
      return sorted
        .split(",")
        .map((each) => requireBound(each, ids, whole))
        .sort(compareCodePoints)
        .join(", ");
    }
    if (name === undefined) throw new Error(`a send cannot contain ${whole}: it names no bound session id`);
    return requireBound(name, ids, whole);
  });
}

function requireBound(name: string, ids: SessionIds, placeholder: string): string {
  const value = ids.bound(name);
  if (value === undefined)
    throw new Error(`${placeholder} is used in a send before any expectation bound ${name}`);
  return value;
}

export function isJsonObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value) && !(value instanceof RegExp);
}

function escapeRegExp(text: string): string {
  return text.replace(/[\\^$.*+?()[\]{}|/]/g, "\\$&");
}

function pathKey(key: string): string {
  return /^[A-Za-z_$][\w$]*$/.test(key) ? `.${key}` : `[${JSON.stringify(key)}]`;
}

/** A short rendering of a value for failure messages. */
export function show(value: unknown, max = 300): string {
  let text: string;
  if (value === undefined) text = "(absent)";
  else if (value instanceof RegExp) text = String(value);
  else
    text =
      JSON.stringify(value, (_key, item: unknown) => (item instanceof RegExp ? String(item) : item)) ??
      String(value);
  return text.length > max ? `${text.slice(0, max)}… (${text.length} chars)` : text;
}
