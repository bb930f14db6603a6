import { stat } from "node:fs/promises";
import { join } from "node:path";
import { z } from "zod";
import { importSource } from "../environment/load-environment.js";
import { HudkitError } from "../errors/hudkit-error.js";
import type { RuntimePlugin, RuntimeProvider } from "./provider.js";
import { unwrapDefault } from "./unwrap-default.js";

/**
 * Looked for in the project directory, first found wins. `.ts` files are loaded with tsx.
 *
 * @example
 * ```ts
 * const hasConfig = HUD_CONFIG_FILES.some((name) => existsSync(join(projectDir, name)));
 * ```
 */
export const HUD_CONFIG_FILES = [
  "hud.config.ts",
  "hud.config.mts",
  "hud.config.mjs",
  "hud.config.js",
] as const;

/** What a `runtimes` entry of `hud.config` may be. */
export type RuntimeRegistration =
  | RuntimeProvider
  | RuntimePlugin
  | ((arg: string, options: Record<string, unknown>) => RuntimeProvider | Promise<RuntimeProvider>);

/**
 * The part of `hud.config.ts` the runtime resolver reads (other keys are left to their owners).
 *
 * @example
 * ```ts
 * // hud.config.ts
 * export default {
 *   runtimes: { gpu: (arg) => createDockerRuntime({ image: arg, gpus: 1 }) },
 * } satisfies HudConfig;
 * ```
 */
export interface HudConfig {
  /** `--runtime <name>:<arg>` uses `runtimes[name]` before looking for a plugin package. */
  runtimes?: Record<string, RuntimeRegistration>;
}

const HudConfigSchema = z.looseObject({
  runtimes: z.record(z.string(), z.unknown()).optional(),
});

/**
 * Loads `hud.config.{ts,mts,mjs,js}` from `projectDir`: its default export (unwrapped twice for
 * CommonJS interop). Undefined when there is none.
 *
 * @example
 * ```ts
 * const found = await loadHudConfig(process.cwd());
 * found?.config.runtimes?.docker;
 * ```
 */
export async function loadHudConfig(
  projectDir: string,
): Promise<{ config: HudConfig; file: string } | undefined> {
  for (const name of HUD_CONFIG_FILES) {
    const file = join(projectDir, name);
    if (!(await stat(file).catch(() => undefined))?.isFile()) continue;
    let module: Record<string, unknown>;
    try {
      module = await importSource(file);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      throw new HudkitError("config-import-failed", message, { cause: error });
    }
    const parsed = HudConfigSchema.safeParse(unwrapDefault(module));
    if (!parsed.success) {
      throw new HudkitError(
        "config-invalid",
        `${file}: export default { runtimes: { <name>: plugin, provider or (arg) => provider } }`,
      );
    }
    return { config: parsed.data as HudConfig, file };
  }
  return undefined;
}
