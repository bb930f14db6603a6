import { z } from "zod";

const jsonObjectSchema = z.record(z.string(), z.unknown());

/**
 * True for an object that zod's object and record schemas read key for key, as `JSON.parse`
 * makes them: `Object.prototype` as prototype, no own `__proto__` or `constructor` key (zod
 * treats those specially), no symbol keys. The client's hand-written reply checks take their
 * fast path only for such objects and leave anything else to zod.
 *
 * @example
 * ```ts
 * isPlainJsonObject(JSON.parse('{"a":1}')); // true
 * isPlainJsonObject(JSON.parse('{"__proto__":1}')); // false
 * ```
 */
export function isPlainJsonObject(value: unknown): value is Record<string, unknown> {
  return (
    typeof value === "object" &&
    value !== null &&
    Object.getPrototypeOf(value) === Object.prototype &&
    !Object.hasOwn(value, "constructor") &&
    !Object.hasOwn(value, "__proto__") &&
    Object.getOwnPropertySymbols(value).length === 0
  );
}

/**
 * `value` read as `z.record(z.string(), z.unknown())` reads it: the object, or `undefined` when
 * it is not one. A zod record pass walks and copies every key and builds an error for every
 * miss; for a {@link isPlainJsonObject} the copy would be equal, so that object is returned as
 * it is, and a non-object is refused at once. Anything else still goes through zod. Callers
 * that hand the object on must copy it themselves.
 *
 * @example
 * ```ts
 * jsonObjectOf(JSON.parse('{"a":1}')); // { a: 1 } (the same object)
 * jsonObjectOf([1]); // undefined
 * ```
 */
export function jsonObjectOf(value: unknown): Record<string, unknown> | undefined {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return undefined;
  if (isPlainJsonObject(value)) return value;
  const parsed = jsonObjectSchema.safeParse(value);
  return parsed.success ? parsed.data : undefined;
}

/**
 * {@link jsonObjectOf} for a value straight out of `JSON.parse`, which only makes plain objects
 * without symbol keys, so fewer checks are needed: zod would copy any object but one with an
 * own `__proto__` key (which it drops), and that one still goes through zod.
 *
 * @example
 * ```ts
 * parsedJsonObjectOf(JSON.parse(line)); // the reply frame, or undefined for `[1]`, `null`, `3`
 * ```
 */
export function parsedJsonObjectOf(value: unknown): Record<string, unknown> | undefined {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return undefined;
  if (!Object.hasOwn(value, "__proto__")) return value as Record<string, unknown>;
  return jsonObjectOf(value);
}
