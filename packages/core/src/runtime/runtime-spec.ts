import { HudkitError } from "../errors/hudkit-error.js";

/** A `--runtime` value split on its first `:`. */
export interface RuntimeSpec {
  /** `local`, `url`, a plugin name (`docker`, `@acme/foo`) or a module path (`./my-runtime.mjs`). */
  readonly name: string;
  /** Everything after the first `:` (it may contain more colons), or `""`. */
  readonly arg: string;
}

/** npm package name characters (lower case); a scope is optional. */
const PLUGIN_NAME = /^(?:@[a-z0-9][a-z0-9._~-]*\/)?[a-z0-9][a-z0-9._~-]*$/;

const HOW = "use local:<env file>, url:<tcp|ws|wss url> or <plugin>:<arg> (e.g. docker:my-image:latest)";

/**
 * Splits a runtime spec on its FIRST `:` (the AI SDK's convention), so an image tag or a URL
 * stays whole in the argument: `docker:my-image:tag` → `docker` + `my-image:tag`.
 *
 * @example
 * ```ts
 * splitRuntimeSpec("url:tcp://127.0.0.1:8765"); // { name: "url", arg: "tcp://127.0.0.1:8765" }
 * ```
 */
export function splitRuntimeSpec(spec: string): RuntimeSpec {
  const colon = spec.indexOf(":");
  const name = colon === -1 ? spec : spec.slice(0, colon);
  const arg = colon === -1 ? "" : spec.slice(colon + 1);
  if (!isModulePath(name) && !PLUGIN_NAME.test(name)) {
    throw new HudkitError("runtime-spec", `'${spec}' is not a runtime spec: ${HOW}`);
  }
  return { name, arg };
}

/** A name written as a path (`./x.mjs`, `../x.js`, `/abs/x.mjs`) is imported as a module, not looked up. */
export function isModulePath(name: string): boolean {
  return name.startsWith("./") || name.startsWith("../") || name.startsWith("/");
}

/**
 * The packages a plugin name may come from, in lookup order, by one strict rule (Babel-style,
 * one name to one package per tier, no guessing):
 *
 * | written             | packages tried                                  |
 * |---------------------|-------------------------------------------------|
 * | `docker`            | `@hudkit/runtime-docker`, `hudkit-runtime-docker` |
 * | `hudkit-runtime-x`  | `hudkit-runtime-x`                              |
 * | `@acme/foo`         | `@acme/hudkit-runtime-foo`                      |
 * | `@acme/hudkit-runtime-foo` | `@acme/hudkit-runtime-foo`               |
 * | `@hudkit/docker`    | `@hudkit/runtime-docker`                        |
 *
 * @example
 * ```ts
 * pluginPackages("@acme/foo"); // ["@acme/hudkit-runtime-foo"]
 * ```
 */
export function pluginPackages(name: string): string[] {
  if (name.startsWith("@")) {
    const [scope, base] = name.split("/") as [string, string];
    if (scope === "@hudkit") return [base.startsWith("runtime-") ? name : `@hudkit/runtime-${base}`];
    return [base.startsWith("hudkit-runtime-") ? name : `${scope}/hudkit-runtime-${base}`];
  }
  if (name.startsWith("hudkit-runtime-")) return [name];
  return [`@hudkit/runtime-${name}`, `hudkit-runtime-${name}`];
}
