import { sha1BufferBytes } from "./sha1.js";

/** Below this, Python's float repr switches to exponent notation and JavaScript's does not yet. */
const FLOAT_VERBATIM_MIN = 1e-4;
// Deeper values (and circular ones) are left to pythonCanonicalJson, which tracks ancestors.
const MAX_DEPTH = 64;
/** Beyond this many keys, Array#sort beats an insertion sort. */
const INSERTION_SORT_MAX = 16;
/** Keys below the surrogates sort the same by UTF-16 code unit as by code point (Python's order). */
const FIRST_SURROGATE = 0xd800;
/** `\uXXXX` is the longest escape a UTF-16 code unit gets. */
const MAX_ESCAPE_BYTES = 6;

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const HEX_DIGITS = "0123456789abcdef";
/** Python's two-character escapes, by code unit; the rest of the controls become `\u00XX`. */
const SHORT_ESCAPES: ReadonlyMap<number, number> = new Map([
  [0x22, 0x22],
  [0x5c, 0x5c],
  [0x08, 0x62],
  [0x0c, 0x66],
  [0x0a, 0x6e],
  [0x0d, 0x72],
  [0x09, 0x74],
]);

/**
 * Writes `pythonCanonicalJson(value)` as ASCII bytes straight into a reusable buffer, for the
 * values args usually hold: strings, booleans, null, integers, ordinary floats, and plain objects
 * and arrays of them. Building the text as a JavaScript string first (and then encoding it for
 * hashing) made several intermediate strings per row, and their allocation and garbage
 * collection were a large part of loading a big taskset. Anything else (bigints, integers beyond
 * 2^53, floats Python prints in exponent form, keys with astral characters, holes, class
 * instances, great depth) makes {@link write} answer false, and the caller falls back to the
 * general encoder. The buffer always has room for SHA-1's padding after the text.
 *
 * @example
 * ```ts
 * const out = new CanonicalJsonBytes();
 * if (out.write({ b: 1, a: "x" })) out.bytes.subarray(0, out.length); // {"a": "x", "b": 1}
 * ```
 */
export class CanonicalJsonBytes {
  /** The text so far is `bytes[0, length)`. */
  bytes = new Uint8Array(256);
  length = 0;
  /** The keys of the objects being written, outermost first, in `[0, #keyCount)` (see #object). */
  readonly #keys: string[] = [];
  // A count rather than `#keys.length = n`, which calls into the runtime each time it shrinks.
  #keyCount = 0;

  /** Replaces the contents with `value`'s canonical JSON, or answers false (contents undefined). */
  write(value: unknown): boolean {
    this.length = 0;
    this.#keyCount = 0;
    return this.#value(value, 0);
  }

  /** Makes room for `extra` more bytes and then SHA-1's padding. */
  #reserve(extra: number): void {
    const needed = sha1BufferBytes(this.length + extra);
    if (needed <= this.bytes.length) return;
    const grown = new Uint8Array(Math.max(needed, this.bytes.length * 2));
    grown.set(this.bytes.subarray(0, this.length));
    this.bytes = grown;
  }

  /** Appends ASCII text; callers only pass text they know is ASCII. */
  #ascii(text: string): void {
    this.#reserve(text.length);
    const bytes = this.bytes;
    let at = this.length;
    for (let i = 0; i < text.length; i++) bytes[at++] = text.charCodeAt(i);
    this.length = at;
  }

  #value(value: unknown, depth: number): boolean {
    switch (typeof value) {
      case "string":
        this.#string(value);
        return true;
      case "boolean":
        this.#ascii(value ? "true" : "false");
        return true;
      case "number":
        return this.#number(value);
      case "object":
        break;
      default:
        return false;
    }
    if (value === null) {
      this.#ascii("null");
      return true;
    }
    if (depth >= MAX_DEPTH) return false;
    const proto = Object.getPrototypeOf(value);
    if (Array.isArray(value)) return proto === Array.prototype && this.#array(value, depth);
    return (
      (proto === Object.prototype || proto === null) && this.#object(value as Record<string, unknown>, depth)
    );
  }

  /** Python's `json.dumps` with `ensure_ascii=True`, one UTF-16 code unit at a time. */
  #string(text: string): void {
    this.#reserve(text.length * MAX_ESCAPE_BYTES + 2);
    const bytes = this.bytes;
    let at = this.length;
    bytes[at++] = QUOTE;
    for (let i = 0; i < text.length; i++) {
      const unit = text.charCodeAt(i);
      if (unit >= 0x20 && unit <= 0x7e && unit !== QUOTE && unit !== BACKSLASH) {
        bytes[at++] = unit;
        continue;
      }
      bytes[at++] = BACKSLASH;
      const short = SHORT_ESCAPES.get(unit);
      if (short !== undefined) {
        bytes[at++] = short;
        continue;
      }
      bytes[at++] = 0x75; // u
      bytes[at++] = HEX_DIGITS.charCodeAt(unit >>> 12);
      bytes[at++] = HEX_DIGITS.charCodeAt((unit >>> 8) & 0xf);
      bytes[at++] = HEX_DIGITS.charCodeAt((unit >>> 4) & 0xf);
      bytes[at++] = HEX_DIGITS.charCodeAt(unit & 0xf);
    }
    bytes[at++] = QUOTE;
    this.length = at;
  }

  #number(value: number): boolean {
    if (Number.isInteger(value)) {
      // Beyond 2^53 Python prints every digit of the int, which String() does not.
      if (!Number.isSafeInteger(value)) return false;
      this.#integer(value);
      return true;
    }
    // Both print the shortest round-trip digits; only the exponent layout differs, and not here.
    if (!(Math.abs(value) >= FLOAT_VERBATIM_MIN && Number.isFinite(value))) return false;
    this.#ascii(String(value));
    return true;
  }

  /** A safe integer's decimal digits, without making a string (`-0` is Python's `0`). */
  #integer(value: number): void {
    this.#reserve(17);
    const bytes = this.bytes;
    let at = this.length;
    let rest = value;
    if (rest < 0) {
      bytes[at++] = 0x2d; // -
      rest = -rest;
    }
    const first = at;
    do {
      const digit = rest % 10;
      bytes[at++] = 0x30 + digit;
      rest = (rest - digit) / 10;
    } while (rest > 0);
    bytes.subarray(first, at).reverse();
    this.length = at;
  }

  /** Appends one or two bytes (brackets, separators). */
  #punctuation(first: number, second = -1): void {
    this.#reserve(2);
    this.bytes[this.length++] = first;
    if (second >= 0) this.bytes[this.length++] = second;
  }

  #array(items: unknown[], depth: number): boolean {
    this.#punctuation(0x5b); // [
    for (let i = 0; i < items.length; i++) {
      if (i > 0) this.#punctuation(0x2c, 0x20); // ", "
      const item = items[i];
      if (item === undefined) {
        // undefined is null to Python's eyes, but the general encoder writes a hole differently.
        if (!(i in items)) return false;
        this.#ascii("null");
      } else if (!this.#value(item, depth + 1)) {
        return false;
      }
    }
    this.#punctuation(0x5d); // ]
    return true;
  }

  #object(record: Record<string, unknown>, depth: number): boolean {
    // The keys go on a stack shared by all depths, rather than into an Object.keys array per
    // object: one allocation per row fewer, and rows are many.
    const keys = this.#keys;
    const base = this.#keyCount;
    let top = base;
    for (const key in record) {
      // for-in also walks inherited enumerable keys, which JSON never sees; leave those to the
      // general encoder.
      if (!Object.hasOwn(record, key)) return false;
      keys[top++] = key;
    }
    this.#keyCount = top;
    sortKeys(keys, base, top);
    this.#punctuation(0x7b); // {
    let first = true;
    for (let k = base; k < top; k++) {
      const key = keys[k]!;
      const item = record[key];
      if (item === undefined) continue;
      for (let i = 0; i < key.length; i++) {
        if (key.charCodeAt(i) >= FIRST_SURROGATE) return this.#dropKeys(base, false);
      }
      if (!first) this.#punctuation(0x2c, 0x20); // ", "
      first = false;
      this.#string(key);
      this.#punctuation(0x3a, 0x20); // ": "
      if (!this.#value(item, depth + 1)) return this.#dropKeys(base, false);
    }
    this.#punctuation(0x7d); // }
    return this.#dropKeys(base, true);
  }

  /** Pops an object's keys off the key stack, passing `result` through. */
  #dropKeys(base: number, result: boolean): boolean {
    this.#keyCount = base;
    return result;
  }
}

/**
 * Sorts `keys[base, top)` in place by UTF-16 code unit. Args have a handful of keys, often
 * already in order, where an insertion sort with `<` is several times quicker than Array#sort.
 */
function sortKeys(keys: string[], base: number, top: number): void {
  if (top - base > INSERTION_SORT_MAX) {
    const sorted = keys.slice(base, top).sort();
    for (let i = 0; i < sorted.length; i++) keys[base + i] = sorted[i]!;
    return;
  }
  for (let i = base + 1; i < top; i++) {
    const key = keys[i]!;
    let j = i - 1;
    while (j >= base && keys[j]! > key) {
      keys[j + 1] = keys[j]!;
      j--;
    }
    keys[j + 1] = key;
  }
}
