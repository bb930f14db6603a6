import { dirname, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { HudkitError } from "../errors/hudkit-error.js";
import { type HudConfig, loadHudConfig } from "./hud-config.js";
import { localRuntime } from "./local-runtime.js";
import { importPluginPackage } from "./plugin-package-import.js";
import type { RuntimePlugin, RuntimeProvider } from "./provider.js";
import {
  checkRuntimePlugin,
  checkRuntimeProvider,
  isRuntimePlugin,
  isRuntimeProvider,
} from "./runtime-shape.js";
import { isModulePath, pluginPackages, splitRuntimeSpec } from "./runtime-spec.js";
import { unwrapDefault } from "./unwrap-default.js";
import { urlRuntime } from "./url-runtime.js";

/** This package's own directory: where a global CLI install keeps the plugins installed beside it. */
const OWN_DIR = dirname(fileURLToPath(import.meta.url));

/** Options of {@link resolveRuntime}. */
export interface ResolveRuntimeOptions {
  /** Where `hud.config.*` is read and plugins are resolved first. Default `process.cwd()`. */
  projectDir?: string;
  /** Where plugins are resolved second: the CLI's own install. Default: this package's directory. */
  cliDir?: string;
  /** An already loaded config; `hud.config.*` is then not read. */
  config?: HudConfig;
  /** Passed to a plugin's `create(arg, options)` and to factory registrations. */
  pluginOptions?: Record<string, unknown>;
}

/**
 * Turns a `--runtime` value into a {@link RuntimeProvider}.
 *
 * - A provider object passes through, checked by shape (`specificationVersion: "runtime-v1"`).
 * - `local:<env file>` → {@link localRuntime}; `url:<tcp|ws|wss url>` → {@link urlRuntime}.
 * - Otherwise the spec splits on its first `:` into `name` and `arg` and the first hit wins:
 *   1. `runtimes[name]` in `hud.config.{ts,mts,mjs,js}` in `projectDir` (a plugin, a provider,
 *      or `(arg, options) => provider`);
 *   2. a plugin package: `docker` → `@hudkit/runtime-docker`, then `hudkit-runtime-docker`;
 *      `@acme/foo` → `@acme/hudkit-runtime-foo` (see `pluginPackages`); a path such as
 *      `./my-runtime.mjs` is imported as is. Each package is resolved from `projectDir`, then
 *      from `cliDir`, honouring its `exports` map; its default export must be a
 *      `runtime-plugin-v1` plugin, whose `create(arg, pluginOptions)` makes the provider.
 *
 * A plugin that is not installed fails with one line naming the package to install.
 *
 * @example
 * ```ts
 * const runtime = await resolveRuntime("docker:my-env:latest"); // @hudkit/runtime-docker
 * const borrowed = await resolveRuntime("url:tcp://127.0.0.1:8765");
 * ```
 */
export async function resolveRuntime(
  spec: string | RuntimeProvider,
  options: ResolveRuntimeOptions = {},
): Promise<RuntimeProvider> {
  if (typeof spec !== "string") return checkRuntimeProvider(spec, describeProvider(spec));
  const projectDir = resolve(options.projectDir ?? process.cwd());
  const pluginOptions = options.pluginOptions ?? {};
  const { name, arg } = splitRuntimeSpec(spec.trim());

  if (name === "local") {
    if (arg === "") {
      throw new HudkitError("runtime-spec", "'local' needs an env file: --runtime local:<path/to/env.ts>");
    }
    return localRuntime(resolve(projectDir, arg));
  }
  if (name === "url") {
    if (arg === "") throw new HudkitError("runtime-spec", "'url' needs a URL: --runtime url:tcp://host:port");
    return urlRuntime(arg);
  }

  const config = options.config ?? (await loadHudConfig(projectDir))?.config;
  const registered =
    config?.runtimes && Object.hasOwn(config.runtimes, name) ? config.runtimes[name] : undefined;
  if (registered !== undefined) {
    return fromRegistration(registered, `hud.config runtimes.${name}`, name, arg, pluginOptions);
  }

  const { module, origin } = await importRuntimePluginModule(name, projectDir, options.cliDir);
  return createFromPlugin(module, origin, arg, pluginOptions);
}

/**
 * Loads the plugin behind a runtime name without creating a provider, for commands that act on
 * the plugin itself (`hud <name> prune`). Resolution is {@link resolveRuntime}'s: `hud.config`
 * registrations, then plugin packages from `projectDir` and `cliDir`, or a module path.
 *
 * @example
 * ```ts
 * const plugin = await resolveRuntimePlugin("e2b");
 * const removed = (await plugin.prune?.({ jobId })) ?? [];
 * ```
 */
export async function resolveRuntimePlugin(
  name: string,
  options: Omit<ResolveRuntimeOptions, "pluginOptions"> = {},
): Promise<RuntimePlugin> {
  const projectDir = resolve(options.projectDir ?? process.cwd());
  const config = options.config ?? (await loadHudConfig(projectDir))?.config;
  const registered =
    config?.runtimes && Object.hasOwn(config.runtimes, name) ? config.runtimes[name] : undefined;
  if (registered !== undefined) return checkRuntimePlugin(registered, `hud.config runtimes.${name}`);
  const { module, origin } = await importRuntimePluginModule(name, projectDir, options.cliDir);
  return checkRuntimePlugin(module, origin);
}

async function importRuntimePluginModule(
  name: string,
  projectDir: string,
  cliDir: string | undefined,
): Promise<{ module: unknown; origin: string }> {
  if (isModulePath(name)) {
    const file = resolve(projectDir, name);
    try {
      return { module: unwrapDefault(await import(pathToFileURL(file).href)), origin: name };
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      throw new HudkitError("plugin-import-failed", `cannot load runtime plugin ${name}: ${message}`, {
        cause: error,
      });
    }
  }
  const dirs = [...new Set([projectDir, resolve(cliDir ?? OWN_DIR)])];
  const candidates = pluginPackages(name);
  for (const pkg of candidates) {
    const module = await importPluginPackage(pkg, dirs);
    if (module !== undefined) return { module, origin: pkg };
  }
  const install = candidates[0]!;
  throw new HudkitError(
    "plugin-not-found",
    `no runtime plugin for '${name}': install it with \`pnpm add ${install}\` (or npm i ${install})`,
  );
}

async function createFromPlugin(
  module: unknown,
  origin: string,
  arg: string,
  pluginOptions: Record<string, unknown>,
): Promise<RuntimeProvider> {
  const plugin = checkRuntimePlugin(module, origin);
  return checkRuntimeProvider(await plugin.create(arg, pluginOptions), `${origin} (create)`);
}

async function fromRegistration(
  registered: unknown,
  origin: string,
  name: string,
  arg: string,
  pluginOptions: Record<string, unknown>,
): Promise<RuntimeProvider> {
  if (typeof registered === "function") {
    const factory = registered as (arg: string, options: Record<string, unknown>) => unknown;
    return checkRuntimeProvider(await factory(arg, pluginOptions), origin);
  }
  if (isRuntimePlugin(registered)) return createFromPlugin(registered, origin, arg, pluginOptions);
  if (isRuntimeProvider(registered) && arg !== "") {
    throw new HudkitError(
      "runtime-spec",
      `${origin} is a provider and takes no argument: use --runtime ${name}, or register (arg) => provider`,
    );
  }
  // A provider passes; anything else gets the provider (or, with a plugin version, plugin) error.
  const version = (registered as { specificationVersion?: unknown } | null)?.specificationVersion;
  if (typeof version === "string" && version.startsWith("runtime-plugin-")) {
    return createFromPlugin(registered, origin, arg, pluginOptions);
  }
  return checkRuntimeProvider(registered, origin);
}

function describeProvider(value: RuntimeProvider): string {
  const name: unknown = (value as { name?: unknown } | null)?.name;
  return typeof name === "string" ? `the runtime provider '${name}'` : "the runtime provider";
}
