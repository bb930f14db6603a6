import { hash } from "node:crypto";
import { pythonCanonicalJson } from "./python-json.js";

/** How many hex digits of the SHA-1 the reference keeps in a default slug. */
const DEFAULT_SLUG_DIGITS = 8;
const SHA1_HEX_DIGITS = 40;

function hasArgs(args: Record<string, unknown> | undefined): args is Record<string, unknown> {
  if (args === undefined) return false;
  // An entry whose value is undefined is not an argument: JSON (and so Python) never sees it.
  for (const key of Object.keys(args)) if (args[key] !== undefined) return true;
  return false;
}

/** A string Python's `json.dumps` writes as it is, between quotes: printable ASCII but `"` and `\`. */
const VERBATIM_STRING = /^[ !#-[\]-~]*$/;
/** Below this, Python's float repr switches to exponent notation and JavaScript's does not yet. */
const FLOAT_VERBATIM_MIN = 1e-4;
// Deeper values (and circular ones) are left to pythonCanonicalJson, which tracks ancestors.
const FAST_MAX_DEPTH = 64;

/** Marks a value the fast encoder leaves to {@link pythonCanonicalJson}. */
const SLOW = Symbol("slow");

/**
 * {@link pythonCanonicalJson} for the values most args hold (printable ASCII strings, integers,
 * ordinary floats, plain objects and arrays), or {@link SLOW} for anything else. Hashing is most
 * of the cost of loading a large taskset, and the general encoder's escaping, code-point key
 * sort and BigInt integer printing are what make it slow. The vectors in default-slug.test.ts
 * run through both.
 */
function fastCanonicalJson(value: unknown, depth: number): string | typeof SLOW {
  switch (typeof value) {
    case "string":
      return VERBATIM_STRING.test(value) ? `"${value}"` : SLOW;
    case "boolean":
      return value ? "true" : "false";
    case "number": {
      // Both print the shortest round-trip digits; only exponent layout differs, and not here.
      // An integer prints as Python prints an int only while it is exact: String(1.2345678901234568e20)
      // keeps the shortest digits and pads with zeros, where Python prints every digit.
      if (Number.isInteger(value)) return Number.isSafeInteger(value) ? String(value) : SLOW;
      return Math.abs(value) >= FLOAT_VERBATIM_MIN && Number.isFinite(value) ? String(value) : SLOW;
    }
    case "object":
      break;
    default:
      return SLOW;
  }
  if (value === null) return "null";
  if (depth > FAST_MAX_DEPTH) return SLOW;
  const proto = Object.getPrototypeOf(value);
  if (proto === Array.prototype) {
    const items = value as unknown[];
    let out = "[";
    for (let i = 0; i < items.length; i++) {
      // undefined is null to Python's eyes, but a hole is something else to the general encoder.
      if (items[i] === undefined && !(i in items)) return SLOW;
      const item = items[i] === undefined ? "null" : fastCanonicalJson(items[i], depth + 1);
      if (item === SLOW) return SLOW;
      out += i === 0 ? item : `, ${item}`;
    }
    return `${out}]`;
  }
  if (proto !== Object.prototype && proto !== null) return SLOW;
  const record = value as Record<string, unknown>;
  const keys = sortKeys(Object.keys(record));
  let out = "{";
  for (const key of keys) {
    const item = record[key];
    if (item === undefined) continue;
    if (!VERBATIM_STRING.test(key)) return SLOW;
    const text = fastCanonicalJson(item, depth + 1);
    if (text === SLOW) return SLOW;
    out += out.length === 1 ? `"${key}": ${text}` : `, "${key}": ${text}`;
  }
  return `${out}}`;
}

/** Beyond this many keys, Array#sort beats an insertion sort. */
const INSERTION_SORT_MAX = 16;

/**
 * Sorts keys in place by UTF-16 code unit, which for the ASCII keys the fast encoder accepts is
 * Python's code-point order. Args have a handful of keys, often already in order, where an
 * insertion sort with `<` is several times quicker than Array#sort.
 */
function sortKeys(keys: string[]): string[] {
  if (keys.length > INSERTION_SORT_MAX) return keys.sort();
  for (let i = 1; i < keys.length; i++) {
    const key = keys[i]!;
    let j = i - 1;
    while (j >= 0 && keys[j]! > key) {
      keys[j + 1] = keys[j]!;
      j--;
    }
    keys[j + 1] = key;
  }
  return keys;
}

function canonicalJson(args: Record<string, unknown>): string {
  const fast = fastCanonicalJson(args, 0);
  return fast === SLOW ? pythonCanonicalJson(args) : fast;
}

/**
 * A task slug of `id` plus the first `digits` hex digits of the SHA-1 of the args' canonical
 * JSON ({@link pythonCanonicalJson}), or `id` alone when there are no args. {@link defaultSlug}
 * is this with 8 digits; longer suffixes tell apart slugs that collide in 8.
 *
 * @example
 * ```ts
 * slugWithDigits("verify", { expected: 3 }, 16); // "verify-5579a3e5" plus 8 more hex digits
 * slugWithDigits("solve", {}, 16);               // "solve"
 * ```
 */
export function slugWithDigits(
  id: string,
  args: Record<string, unknown> | undefined,
  digits: number,
): string {
  if (!Number.isInteger(digits) || digits < 1 || digits > SHA1_HEX_DIGITS) {
    throw new RangeError(`slug digits must be an integer from 1 to ${SHA1_HEX_DIGITS}, got ${digits}`);
  }
  if (!hasArgs(args)) return id;
  // One-shot crypto.hash: a createHash object per row costs several times more when loading a
  // large taskset. The canonical text is pure ASCII, so its UTF-8 bytes are its characters.
  return `${id}-${hash("sha1", canonicalJson(args), "hex").slice(0, digits)}`;
}

/**
 * The reference's default `Task.slug`: `id` when `args` is empty or missing, otherwise
 * `id + "-" + sha1(json.dumps(args, sort_keys=True, default=str))[:8]`, byte-identical to
 * Python's. See {@link pythonCanonicalJson} for how JavaScript values map to Python's JSON.
 *
 * @example
 * ```ts
 * defaultSlug("verify", { expected: 3 }); // "verify-5579a3e5"
 * defaultSlug("solve", {});               // "solve"
 * ```
 */
export function defaultSlug(id: string, args: Record<string, unknown> | undefined): string {
  return slugWithDigits(id, args, DEFAULT_SLUG_DIGITS);
}
