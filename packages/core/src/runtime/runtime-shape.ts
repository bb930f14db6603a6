import { z } from "zod";
import { HudkitError } from "../errors/hudkit-error.js";
import type { RuntimePlugin, RuntimeProvider } from "./provider.js";

const callable = z.custom<(...args: never[]) => unknown>((value) => typeof value === "function");

// Loose objects: a provider may be a class instance with more members; only these are checked.
const ProviderShape = z.looseObject({
  specificationVersion: z.literal("runtime-v1"),
  name: z.string(),
  acquire: callable,
});
const PluginShape = z.looseObject({
  specificationVersion: z.literal("runtime-plugin-v1"),
  name: z.string(),
  create: callable,
  prune: callable.optional(),
});

/**
 * True for an object shaped like a {@link RuntimeProvider} of this contract version, whichever
 * copy of core (or no core at all) made it: the shape is checked, never `instanceof`.
 *
 * @example
 * ```ts
 * if (isRuntimeProvider(value)) await value.acquire(task, ctx);
 * ```
 */
export function isRuntimeProvider(value: unknown): value is RuntimeProvider {
  return ProviderShape.safeParse(value).success;
}

/**
 * True for a plugin package's default export shaped like a {@link RuntimePlugin}.
 *
 * @example
 * ```ts
 * if (isRuntimePlugin(module.default)) await module.default.create("my-image", {});
 * ```
 */
export function isRuntimePlugin(value: unknown): value is RuntimePlugin {
  return PluginShape.safeParse(value).success;
}

/**
 * Returns `value` as a provider, or explains why it is not one: another `runtime-vN` gets an
 * upgrade message naming both versions.
 *
 * @example
 * ```ts
 * const provider = checkRuntimeProvider(await plugin.create(arg, {}), "@hudkit/runtime-docker");
 * ```
 */
export function checkRuntimeProvider(value: unknown, origin: string): RuntimeProvider {
  if (isRuntimeProvider(value)) return value;
  const version = specificationVersionOf(value);
  if (version?.startsWith("runtime-v")) {
    throw new HudkitError(
      "runtime-version",
      `${origin} is a ${version} runtime provider but this hudkit needs runtime-v1: upgrade ${origin} or hudkit`,
    );
  }
  throw new HudkitError(
    "not-a-runtime",
    `${origin} is not a runtime provider: it needs { specificationVersion: "runtime-v1", name, acquire(task, ctx) }`,
  );
}

/**
 * Returns a plugin package's export as a plugin, or explains why it is not one.
 *
 * @example
 * ```ts
 * const plugin = checkRuntimePlugin(module, "hudkit-runtime-echo");
 * ```
 */
export function checkRuntimePlugin(value: unknown, pkg: string): RuntimePlugin {
  if (isRuntimePlugin(value)) return value;
  const version = specificationVersionOf(value);
  if (version?.startsWith("runtime-plugin-v")) {
    throw new HudkitError(
      "plugin-version",
      `${pkg} implements ${version} but this hudkit needs runtime-plugin-v1: upgrade ${pkg} (npm i ${pkg}@latest) or hudkit`,
    );
  }
  throw new HudkitError(
    "plugin-invalid",
    `${pkg} is not a hudkit runtime plugin: its default export needs { specificationVersion: "runtime-plugin-v1", name, create(arg, options) }`,
  );
}

function specificationVersionOf(value: unknown): string | undefined {
  if ((typeof value !== "object" && typeof value !== "function") || value === null) return undefined;
  const version: unknown = (value as { specificationVersion?: unknown }).specificationVersion;
  return typeof version === "string" ? version : undefined;
}
