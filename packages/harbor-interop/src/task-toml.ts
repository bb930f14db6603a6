import { parse, TomlError } from "smol-toml";
import type { core } from "zod";
import { normaliseDeprecatedKeys } from "./deprecated-keys.js";
import { formatKeyPath, type HarborFinding, hasErrors } from "./harbor-finding.js";
import { type HarborTaskConfig, KNOWN_SCHEMA_VERSIONS, TaskTomlSchema } from "./task-toml-schema.js";

type Table = Record<string, unknown>;

// Keys people write that Harbor ignores, with what to do instead. Indices are left out of the
// lookup path, so `steps.agent.env` covers every step.
const UNKNOWN_KEY_HINTS: Record<string, string> = {
  name: "Harbor ignores a root name (HUD's exporter writes one); the task name comes from [task].name or the folder name",
  "agent.env": "Harbor has no [agent].env (a HUD extension); put variables in [environment].env",
  "steps.agent.env": "Harbor has no [steps.agent].env (a HUD extension); put variables in [environment].env",
  multi_step_reward_mode: "a spelling Harbor drops; use multi_step_reward_strategy",
};

/** The `[metadata]` keys Harbor's own tasks use (spec §1.3); any other key is kept, with a warning. */
export const CONVENTIONAL_METADATA_KEYS: ReadonlySet<string> = new Set([
  "author_name",
  "author_email",
  "difficulty",
  "category",
  "tags",
  "expert_time_estimate_min",
  "junior_time_estimate_min",
  "difficulty_explanation",
]);

/**
 * What {@link parseTaskToml} returns: the config when there is no error, and every finding.
 *
 * @example
 * ```ts
 * const parsed: ParsedTaskToml = parseTaskToml(text);
 * if (parsed.config) console.log(parsed.config.schema_version);
 * ```
 */
export interface ParsedTaskToml {
  config?: HarborTaskConfig;
  findings: HarborFinding[];
}

function deleteAt(root: Table, path: readonly PropertyKey[], key: string): void {
  let node: unknown = root;
  for (const part of path) node = (node as Record<PropertyKey, unknown>)?.[part];
  if (typeof node === "object" && node !== null) delete (node as Table)[key];
}

/** Drops the keys the schema does not know, one `unknown-key` warning each. */
function dropUnknownKeys(table: Table): HarborFinding[] {
  const result = TaskTomlSchema.safeParse(table);
  if (result.success) return [];
  const findings: HarborFinding[] = [];
  for (const issue of result.error.issues) {
    if (issue.code !== "unrecognized_keys") continue;
    for (const name of issue.keys) {
      const key = formatKeyPath([...issue.path, name]);
      const hint = UNKNOWN_KEY_HINTS[key.replace(/\[\d+\]/g, "")];
      findings.push({
        code: "unknown-key",
        severity: "warning",
        key,
        message: `${key} is not a Harbor task.toml key; ignored${hint ? ` (${hint})` : ""}`,
      });
      deleteAt(table, issue.path, name);
    }
  }
  return findings;
}

function metadataFindings(config: HarborTaskConfig): HarborFinding[] {
  return Object.keys(config.metadata)
    .filter((name) => !CONVENTIONAL_METADATA_KEYS.has(name))
    .map((name) => {
      const key = formatKeyPath(["metadata", name]);
      return {
        code: "unknown-metadata-key",
        severity: "warning",
        key,
        message: `${key} is not a conventional [metadata] key; kept as free-form metadata`,
      };
    });
}

function invalidValue(issue: core.$ZodIssue): HarborFinding {
  const key = formatKeyPath(issue.path);
  return {
    code: "invalid-value",
    severity: "error",
    ...(key === "" ? {} : { key }),
    message: key === "" ? issue.message : `${key}: ${issue.message}`,
  };
}

/**
 * Parses and validates the text of a `task.toml` (any schema version from 1.0 to 1.4). Unknown
 * keys are dropped with a warning naming their key path, as Harbor ignores them; deprecated
 * spellings are rewritten with a warning; an invalid value is an error naming its key path, and
 * then there is no config. Nothing is read from disk or from the process environment: `${VAR}`
 * templates in `env` tables stay templates.
 *
 * @example
 * ```ts
 * const { config, findings } = parseTaskToml('version = "1.0"\n[environment]\nmemory = "2G"\n');
 * config?.environment.memory_mb; // 2048
 * findings.map((f) => f.code); // ["deprecated-key", "deprecated-key"]
 * ```
 */
export function parseTaskToml(text: string): ParsedTaskToml {
  let table: Table;
  try {
    table = parse(text);
  } catch (error) {
    const where = error instanceof TomlError ? ` at line ${error.line}, column ${error.column}` : "";
    const reason = error instanceof Error ? error.message.split("\n")[0] : String(error);
    return {
      findings: [{ code: "invalid-toml", severity: "error", message: `not valid TOML${where}: ${reason}` }],
    };
  }
  const findings = [...normaliseDeprecatedKeys(table), ...dropUnknownKeys(table)];
  const result = TaskTomlSchema.safeParse(table);
  if (!result.success) {
    findings.push(...result.error.issues.map(invalidValue));
    return { findings };
  }
  const config = result.data;
  findings.push(...metadataFindings(config));
  if (!(KNOWN_SCHEMA_VERSIONS as readonly string[]).includes(config.schema_version)) {
    findings.push({
      code: "unknown-schema-version",
      severity: "warning",
      key: "schema_version",
      message: `schema_version ${JSON.stringify(config.schema_version)} is not one of ${KNOWN_SCHEMA_VERSIONS.join(", ")}; read with the 1.4 schema, as Harbor does`,
    });
  }
  return hasErrors(findings) ? { findings } : { config, findings };
}
