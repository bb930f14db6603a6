import { pyRepr } from "./python-repr.js";
import { RpcCode, RpcError } from "./rpc-error.js";

/**
 * How the reference (Python) sees a JSON value. The reference server's lenient envelope handling
 * depends on Python truthiness and type names, and the conformance vectors record the results.
 */

/** Python truthiness of a JSON value: `[]`, `""`, `0`, `false`, `null` and `{}` are falsy. */
export function isPythonFalsy(value: unknown): boolean {
  if (value === null || value === undefined || value === false || value === 0 || value === "") return true;
  if (Array.isArray(value)) return value.length === 0;
  if (isPlainObject(value)) return Object.keys(value).length === 0;
  return false;
}

/** Python's `type(x).__name__` for a JSON-ish value (`dict`, `list`, `str`, `int`, ...). */
export function pythonTypeName(value: unknown): string {
  if (value === null || value === undefined) return "NoneType";
  if (typeof value === "boolean") return "bool";
  if (typeof value === "string") return "str";
  if (typeof value === "bigint") return "int";
  if (typeof value === "number") return Number.isInteger(value) ? "int" : "float";
  if (Array.isArray(value)) return "list";
  if (isPlainObject(value)) return "dict";
  if (typeof value === "function") return "function";
  return (value as object).constructor?.name ?? "object";
}

/** A JSON object: a plain object, not an array, class instance or null. */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/**
 * Params as the reference reads them: a falsy value means `{}`; a truthy non-object cannot be
 * read, and the reference answers `-32000` with Python's AttributeError text.
 */
export function readParams(params: unknown): Record<string, unknown> {
  if (isPythonFalsy(params)) return {};
  if (isPlainObject(params)) return params;
  throw new RpcError(RpcCode.serverError, `'${pythonTypeName(params)}' object has no attribute 'get'`);
}

/**
 * Python's `str()` of a JSON value, as the reference renders it in messages
 * (`None`, `True`, `['hello']`, `{'a': 1}`). Floats print as JavaScript does.
 */
export function pyStr(value: unknown): string {
  if (typeof value === "string") return value;
  return pyReprValue(value);
}

function pyReprValue(value: unknown): string {
  if (value === null || value === undefined) return "None";
  if (value === true) return "True";
  if (value === false) return "False";
  if (typeof value === "string") return pyRepr(value);
  if (Array.isArray(value)) return `[${value.map(pyReprValue).join(", ")}]`;
  if (isPlainObject(value)) {
    return `{${Object.entries(value)
      .map(([k, v]) => `${pyRepr(k)}: ${pyReprValue(v)}`)
      .join(", ")}}`;
  }
  return String(value);
}

/** Python's `sorted()` order for strings: by code point, where JavaScript's sort compares UTF-16 units. */
export function compareCodePoints(a: string, b: string): number {
  const left = [...a];
  const right = [...b];
  for (let i = 0; i < Math.min(left.length, right.length); i++) {
    const difference = left[i]!.codePointAt(0)! - right[i]!.codePointAt(0)!;
    if (difference !== 0) return difference;
  }
  return left.length - right.length;
}
