import { HudkitError } from "@hudkit/core";
import { formatKeyPath } from "../harbor-finding.js";

/**
 * Harbor's template shape (`utils/env.py`), matched against the whole value: a name of anything
 * but `}` and `:`, then an optional `:-default` running to the last `}`. `.` stops at a newline,
 * as Python's does, so a multi-line value is never a template.
 */
const TEMPLATE = /^\$\{([^}:]+)(?::-(.*))?\}$/;

/**
 * Resolves the `${VAR}` and `${VAR:-default}` values of a Harbor env table (`[environment].env`,
 * `[verifier].env`, `[solution].env`) against `from`, the runner's environment. Only a value
 * that is a template from end to end is resolved: `"Bearer ${TOKEN}"` stays literal, as in
 * Harbor. Call it when the container is about to run the command, never when loading or
 * exporting a task, so that no secret is baked into anything stored.
 *
 * The default applies only when the variable is unset; a variable set to `""` gives `""`.
 * That is Harbor's rule, not the shell's `:-`.
 *
 * `where` names the table for messages: a missing variable with no default throws a
 * {@link HudkitError} coded `harbor-env-missing` naming the variable and `<where>.<key>`.
 *
 * @example
 * ```ts
 * resolveEnvTemplates(
 *   { API_KEY: "${OPENAI_API_KEY}", MODE: "${MODE:-fast}", AUTH: "Bearer ${OPENAI_API_KEY}" },
 *   { OPENAI_API_KEY: "sk-1" },
 *   "verifier.env",
 * );
 * // { API_KEY: "sk-1", MODE: "fast", AUTH: "Bearer ${OPENAI_API_KEY}" }
 * ```
 */
export function resolveEnvTemplates(
  values: Record<string, string>,
  from: Record<string, string | undefined>,
  where: string,
): Record<string, string> {
  // fromEntries, so that even a key named "__proto__" stays an ordinary key.
  return Object.fromEntries(
    Object.entries(values).map(([key, value]) => [key, resolveValue(key, value, from, where)]),
  );
}

function resolveValue(
  key: string,
  value: string,
  from: Record<string, string | undefined>,
  where: string,
): string {
  const match = TEMPLATE.exec(value);
  if (match === null) return value;
  const name = match[1]!;
  const fallback = match[2];
  // Own properties only, so a variable called `constructor` is not found on the prototype.
  const found = Object.hasOwn(from, name) ? from[name] : undefined;
  if (found !== undefined) return found;
  if (fallback !== undefined) return fallback;
  throw new HudkitError(
    "harbor-env-missing",
    `${where}.${formatKeyPath([key])} needs the environment variable ${name}, which is not set (set it, or write "\${${name}:-default}" in task.toml)`,
  );
}
