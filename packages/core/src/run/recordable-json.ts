/**
 * A JSON copy of whatever an agent or env handed the engine, for the run's record and trace.
 * It never throws, because a finished run must always reach the job store: values JSON cannot
 * carry are written the way `JSON.stringify` would (functions and `undefined` dropped from
 * objects, `null` in arrays, NaN as `null`), bigints as numbers or strings, and a value that
 * contains itself as `"[Circular]"`.
 *
 * @example
 * ```ts
 * toRecordable({ n: 10n, when: new Date(0), f() {} }); // { n: 10, when: "1970-01-01T00:00:00.000Z" }
 * ```
 */
export function toRecordable(value: unknown): unknown {
  return copy(value, new Set());
}

function copy(value: unknown, ancestors: Set<object>): unknown {
  if (value === null || typeof value === "string" || typeof value === "boolean") return value;
  if (typeof value === "number") return Number.isFinite(value) ? value : null;
  if (typeof value === "bigint") {
    const safe = value <= BigInt(Number.MAX_SAFE_INTEGER) && value >= BigInt(Number.MIN_SAFE_INTEGER);
    return safe ? Number(value) : value.toString();
  }
  if (typeof value !== "object") return undefined; // undefined, functions, symbols
  if (ancestors.has(value)) return "[Circular]";
  ancestors.add(value);
  try {
    const toJSON = (value as { toJSON?: unknown }).toJSON;
    if (typeof toJSON === "function")
      return copy(
        safeCall(() => toJSON.call(value)),
        ancestors,
      );
    if (Array.isArray(value)) return value.map((item) => copy(item, ancestors) ?? null);
    if (value instanceof Map) return copy(Object.fromEntries(value), ancestors);
    if (value instanceof Set) return copy([...value], ancestors);
    if (value instanceof Error) return { name: value.name, message: value.message };
    const out: Record<string, unknown> = {};
    for (const [key, member] of Object.entries(value)) {
      const copied = copy(member, ancestors);
      // defineProperty keeps a "__proto__" key an ordinary key.
      if (copied !== undefined)
        Object.defineProperty(out, key, {
          value: copied,
          enumerable: true,
          writable: true,
          configurable: true,
        });
    }
    return out;
  } finally {
    ancestors.delete(value);
  }
}

function safeCall(fn: () => unknown): unknown {
  try {
    return fn();
  } catch (error) {
    return `[toJSON failed: ${error instanceof Error ? error.message : String(error)}]`;
  }
}
