/**
 * Turns a yielded value into plain JSON data: objects with `toJSON` (dates, `SubScore`, ...)
 * are dumped, class instances become their own enumerable fields, `undefined` members are
 * dropped. Throws a TypeError naming the path for values JSON cannot carry (functions,
 * symbols, bigints beyond the safe range), so the error reply says what was wrong.
 */
export function toJsonSafe(value: unknown, path = "$"): unknown {
  if (value === null || typeof value === "string" || typeof value === "boolean") return value;
  if (typeof value === "number") return value;
  if (typeof value === "bigint") {
    if (value <= BigInt(Number.MAX_SAFE_INTEGER) && value >= BigInt(Number.MIN_SAFE_INTEGER))
      return Number(value);
    throw new TypeError(`${path}: bigint ${value} is outside JSON's safe integer range`);
  }
  if (value === undefined) return null;
  if (typeof value === "function" || typeof value === "symbol") {
    throw new TypeError(`${path}: a ${typeof value} is not JSON serializable`);
  }
  if (Array.isArray(value)) return value.map((item, i) => toJsonSafe(item, `${path}[${i}]`));
  const toJSON = (value as { toJSON?: unknown }).toJSON;
  if (typeof toJSON === "function") return toJsonSafe(toJSON.call(value), path);
  if (value instanceof Map) return toJsonSafe(Object.fromEntries(value), path);
  if (value instanceof Set) return toJsonSafe([...value], path);
  const out: Record<string, unknown> = {};
  for (const [key, member] of Object.entries(value as object)) {
    if (member === undefined) continue;
    out[key] = toJsonSafe(member, `${path}.${key}`);
  }
  return out;
}
