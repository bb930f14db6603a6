/**
 * A module's `default` export, unwrapped up to twice: an ES module's namespace has the default
 * export under `default`, and a CommonJS module compiled from ESM (`exports.default = ...`) adds
 * a second level when imported from ESM. Changesets loads its plugins the same way.
 *
 * @example
 * ```ts
 * const plugin = unwrapDefault(await import(url));
 * ```
 */
export function unwrapDefault(module: unknown): unknown {
  let value = module;
  for (let level = 0; level < 2; level++) {
    if ((typeof value !== "object" && typeof value !== "function") || value === null) break;
    const inner: unknown = (value as { default?: unknown }).default;
    if (inner === undefined) break;
    value = inner;
  }
  return value;
}
