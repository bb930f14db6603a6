import { createHash } from "node:crypto";
import { pythonCanonicalJson } from "./python-json.js";

/** How many hex digits of the SHA-1 the reference keeps in a default slug. */
const DEFAULT_SLUG_DIGITS = 8;
const SHA1_HEX_DIGITS = 40;

function hasArgs(args: Record<string, unknown> | undefined): args is Record<string, unknown> {
  // An entry whose value is undefined is not an argument: JSON (and so Python) never sees it.
  return args !== undefined && Object.values(args).some((value) => value !== undefined);
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
  // The canonical text is pure ASCII, so its UTF-8 bytes are its characters.
  const hash = createHash("sha1").update(pythonCanonicalJson(args), "utf8").digest("hex");
  return `${id}-${hash.slice(0, digits)}`;
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
