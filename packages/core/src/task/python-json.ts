import { HudkitError } from "../errors/hudkit-error.js";
import { compareCodePoints, isPlainObject } from "../protocol/python-values.js";

/**
 * Python's own `repr()` switches a float to exponent notation when its decimal exponent is below
 * this or at least {@link FLOAT_REPR_MAX_FIXED_EXPONENT} (`1e-05`, `0.0001`, `1e+16`).
 */
const FLOAT_REPR_MIN_FIXED_EXPONENT = -4;
const FLOAT_REPR_MAX_FIXED_EXPONENT = 16;

const SHORT_ESCAPES: Readonly<Record<string, string>> = {
  '"': '\\"',
  "\\": "\\\\",
  "\b": "\\b",
  "\f": "\\f",
  "\n": "\\n",
  "\r": "\\r",
  "\t": "\\t",
};

/** `json.dumps` with `ensure_ascii=True`: everything outside space..tilde is escaped. */
function encodeString(text: string): string {
  let out = '"';
  // Walking UTF-16 code units (not code points) yields exactly Python's output: an astral
  // character becomes its surrogate pair and a lone surrogate is escaped on its own.
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    const short = SHORT_ESCAPES[text[i]!];
    if (short !== undefined) out += short;
    else if (unit >= 0x20 && unit <= 0x7e) out += text[i];
    else out += `\\u${unit.toString(16).padStart(4, "0")}`;
  }
  return `${out}"`;
}

/** Python `float.__repr__`: the shortest round-trip digits, laid out the way Python does. */
function pythonFloatRepr(value: number): string {
  // toExponential() without an argument gives the shortest digits that round-trip, the same
  // digits Python's repr picks; only the layout differs.
  const [mantissa = "", exponentText = "0"] = Math.abs(value).toExponential().split("e");
  const exponent = Number(exponentText);
  const digits = mantissa.replace(".", "");
  const sign = value < 0 || Object.is(value, -0) ? "-" : "";
  if (exponent < FLOAT_REPR_MIN_FIXED_EXPONENT || exponent >= FLOAT_REPR_MAX_FIXED_EXPONENT) {
    const head = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits;
    const exponentSign = exponent < 0 ? "-" : "+";
    return `${sign}${head}e${exponentSign}${String(Math.abs(exponent)).padStart(2, "0")}`;
  }
  if (exponent < 0) return `${sign}0.${"0".repeat(-exponent - 1)}${digits}`;
  const whole = digits.slice(0, exponent + 1).padEnd(exponent + 1, "0");
  return `${sign}${whole}.${digits.slice(exponent + 1) || "0"}`;
}

function encodeNumber(value: number): string {
  if (Number.isNaN(value)) return "NaN";
  if (value === Number.POSITIVE_INFINITY) return "Infinity";
  if (value === Number.NEGATIVE_INFINITY) return "-Infinity";
  // BigInt prints every digit of an integral double, where toString would switch to exponent
  // notation from 1e21 on.
  if (Number.isInteger(value)) return BigInt(value).toString();
  return pythonFloatRepr(value);
}

function hasToJson(value: object): value is { toJSON(): unknown } {
  return typeof (value as { toJSON?: unknown }).toJSON === "function";
}

function encode(value: unknown, ancestors: Set<object>): string {
  if (value === null || value === undefined) return "null";
  switch (typeof value) {
    case "string":
      return encodeString(value);
    case "boolean":
      return value ? "true" : "false";
    case "number":
      return encodeNumber(value);
    case "bigint":
      return value.toString();
    case "object":
      break;
    default:
      // Python's `default=str`: a value JSON has no type for is hashed as its string form.
      return encodeString(String(value));
  }
  if (ancestors.has(value)) {
    throw new HudkitError(
      "circular-json",
      "cannot encode a value that contains itself (circular reference); task args must be a tree",
    );
  }
  ancestors.add(value);
  try {
    if (Array.isArray(value)) {
      return `[${value.map((item) => encode(item, ancestors)).join(", ")}]`;
    }
    if (isPlainObject(value)) {
      const keys = Object.keys(value)
        .filter((key) => value[key] !== undefined)
        .sort(compareCodePoints);
      return `{${keys.map((key) => `${encodeString(key)}: ${encode(value[key], ancestors)}`).join(", ")}}`;
    }
    if (hasToJson(value)) return encode(value.toJSON(), ancestors);
    return encodeString(String(value));
  } finally {
    ancestors.delete(value);
  }
}

/**
 * The text Python's `json.dumps(value, sort_keys=True, default=str)` produces, byte for byte.
 * This is what the reference hashes into a task's default slug.
 *
 * - Separators `", "` and `": "`; object keys sorted recursively by code point (not by UTF-16
 *   code unit, which orders astral characters differently).
 * - ASCII only: every other character as `\uXXXX` in lowercase hex, astral characters as a
 *   surrogate pair, lone surrogates escaped as they are.
 * - Numbers. JavaScript has one number type where Python has two, so: an integral number
 *   (`Number.isInteger`) is written as a Python `int`, in full decimal (`1e21` gives
 *   `1000000000000000000000`, `-0` gives `0`); any other finite number as Python's float
 *   `repr` (`0.1`, `1e-07`); `NaN`, `Infinity` and `-Infinity` as those bare tokens; a `bigint`
 *   in decimal, which is how to pass an integer beyond 2^53 exactly. A Python float with an
 *   integral value (`1.0`, `1e16`, `-0.0`) therefore cannot be produced from a number that
 *   came out of `JSON.parse`, and args holding one hash differently from the reference.
 * - `undefined` object entries are left out (JSON has none); `undefined` elsewhere is `null`.
 * - Other values follow `default=str`: an object with `toJSON()` is encoded through it, and
 *   anything else that is not a plain object or array becomes the JSON string of `String(value)`.
 *
 * Throws a {@link HudkitError} (`circular-json`) for a value that contains itself.
 *
 * @example
 * ```ts
 * pythonCanonicalJson({ u: "é", f: 0.5, d: { b: 1, a: 2 } });
 * // '{"d": {"a": 2, "b": 1}, "f": 0.5, "u": "\\u00e9"}'
 * ```
 */
export function pythonCanonicalJson(value: unknown): string {
  return encode(value, new Set());
}
