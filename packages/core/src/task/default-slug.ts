import { hash } from "node:crypto";
import { CanonicalJsonBytes } from "./canonical-json-bytes.js";
import { pythonCanonicalJson } from "./python-json.js";
import { Sha1 } from "./sha1.js";

/** How many hex digits of the SHA-1 the reference keeps in a default slug. */
const DEFAULT_SLUG_DIGITS = 8;
const SHA1_HEX_DIGITS = 40;
const HEX_DIGITS_PER_WORD = 8;

function hasArgs(args: Record<string, unknown> | undefined): args is Record<string, unknown> {
  if (args === undefined) return false;
  // An entry whose value is undefined is not an argument: JSON (and so Python) never sees it.
  for (const key of Object.keys(args)) if (args[key] !== undefined) return true;
  return false;
}

/**
 * Computes default slugs, keeping its scratch buffers from one row to the next: loading a large
 * taskset makes one and hashes every row with it. Not for sharing between concurrent users
 * (there are none in single-threaded JavaScript, but a generator could interleave two loads).
 *
 * @example
 * ```ts
 * const hasher = new SlugHasher();
 * hasher.slug("verify", { expected: 3 }); // "verify-5579a3e5"
 * hasher.slug("verify", { expected: 3 }, 16); // the same with 8 more hex digits
 * ```
 */
export class SlugHasher {
  readonly #text = new CanonicalJsonBytes();
  readonly #sha1 = new Sha1();
  // Rows mostly share a few ids, so `id + "-"` is made once per run of equal ids, not per row.
  #id = "";
  #prefix = "-";

  /** {@link slugWithDigits}, with 8 digits unless told otherwise. */
  slug(id: string, args: Record<string, unknown> | undefined, digits = DEFAULT_SLUG_DIGITS): string {
    checkDigits(digits);
    if (typeof args === "object" && args !== null && this.#text.write(args)) {
      // "{}" (or "[]"): nothing but undefined entries, which JSON and Python never see.
      if (this.#text.length === 2) return id;
      return this.#prefixOf(id) + hexDigits(this.#sha1.digest(this.#text.bytes, this.#text.length), digits);
    }
    if (!hasArgs(args)) return id;
    // The general encoder's text is pure ASCII, so its UTF-8 bytes are its characters.
    return `${id}-${hash("sha1", pythonCanonicalJson(args), "hex").slice(0, digits)}`;
  }

  #prefixOf(id: string): string {
    if (id !== this.#id) {
      this.#id = id;
      this.#prefix = `${id}-`;
    }
    return this.#prefix;
  }
}

function checkDigits(digits: number): void {
  if (!Number.isInteger(digits) || digits < 1 || digits > SHA1_HEX_DIGITS) {
    throw new RangeError(`slug digits must be an integer from 1 to ${SHA1_HEX_DIGITS}, got ${digits}`);
  }
}

/** Hex digit character codes, for String.fromCharCode. */
const HEX_CODES: readonly number[] = Array.from("0123456789abcdef", (digit) => digit.charCodeAt(0));

/**
 * A 32-bit word as 8 lowercase hex digits. One String.fromCharCode makes a single flat string,
 * several times quicker than `toString(16).padStart(8, "0")`, which calls into the runtime.
 */
function wordHex(word: number): string {
  return String.fromCharCode(
    HEX_CODES[word >>> 28]!,
    HEX_CODES[(word >>> 24) & 0xf]!,
    HEX_CODES[(word >>> 20) & 0xf]!,
    HEX_CODES[(word >>> 16) & 0xf]!,
    HEX_CODES[(word >>> 12) & 0xf]!,
    HEX_CODES[(word >>> 8) & 0xf]!,
    HEX_CODES[(word >>> 4) & 0xf]!,
    HEX_CODES[word & 0xf]!,
  );
}

/** The first `digits` hex digits of a digest given as 32-bit words. */
function hexDigits(words: Int32Array, digits: number): string {
  if (digits === HEX_DIGITS_PER_WORD) return wordHex(words[0]!);
  let hex = "";
  for (let i = 0; i * HEX_DIGITS_PER_WORD < digits; i++) hex += wordHex(words[i]!);
  return hex.slice(0, digits);
}

/**
 * A task slug of `id` plus the first `digits` hex digits of the SHA-1 of the args' canonical
 * JSON ({@link pythonCanonicalJson}), or `id` alone when there are no args. {@link defaultSlug}
 * is this with 8 digits; longer suffixes tell apart slugs that collide in 8. To slug many rows,
 * reuse one {@link SlugHasher}.
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
  return new SlugHasher().slug(id, args, digits);
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
