import type { z } from "zod";
import { HudkitError } from "../errors/hudkit-error.js";

/**
 * Validates a factory's options with zod and fails with one readable `bad-options` line naming
 * the factory and the first problem (`localRuntime options: graceMs: Too small: ...`).
 *
 * @example
 * ```ts
 * const settings = parseOptions("urlRuntime", OptionsSchema, options);
 * ```
 */
export function parseOptions<S extends z.ZodType>(what: string, schema: S, options: unknown): z.output<S> {
  const parsed = schema.safeParse(options);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0]!;
  const where = issue.path.length > 0 ? `${issue.path.join(".")}: ` : "";
  throw new HudkitError("bad-options", `${what} options: ${where}${issue.message}`);
}
