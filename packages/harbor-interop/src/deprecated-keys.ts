import { formatKeyPath, type HarborFinding } from "./harbor-finding.js";

type Table = Record<string, unknown>;

const MB_PER_UNIT: Record<string, number> = { g: 1024, m: 1, k: 1 / 1024 };

function isTable(value: unknown): value is Table {
  return typeof value === "object" && value !== null && !Array.isArray(value) && !(value instanceof Date);
}

/**
 * Megabytes of a deprecated size string (`"2G"`, `"512M"`, `"1024K"`, any case), or undefined
 * when it is not one. Fractions are truncated, as Harbor's `int()` does.
 *
 * @example
 * ```ts
 * parseSizeToMb("2G"); // 2048
 * parseSizeToMb("2 GB"); // undefined
 * ```
 */
export function parseSizeToMb(size: string): number | undefined {
  const match = /^\s*(\d+(?:\.\d+)?)\s*([gmk])\s*$/i.exec(size);
  if (!match) return undefined;
  return Math.trunc(Number(match[1]) * MB_PER_UNIT[match[2]!.toLowerCase()]!);
}

/** Where `[environment]`-shaped tables live: the baseline and any separate verifier's. */
function environmentTables(root: Table): Array<{ table: Table; path: PropertyKey[] }> {
  const found: Array<{ table: Table; path: PropertyKey[] }> = [];
  if (isTable(root.environment)) found.push({ table: root.environment, path: ["environment"] });
  if (isTable(root.verifier) && isTable(root.verifier.environment)) {
    found.push({ table: root.verifier.environment, path: ["verifier", "environment"] });
  }
  if (Array.isArray(root.steps)) {
    root.steps.forEach((step: unknown, index) => {
      if (isTable(step) && isTable(step.verifier) && isTable(step.verifier.environment)) {
        found.push({ table: step.verifier.environment, path: ["steps", index, "verifier", "environment"] });
      }
    });
  }
  return found;
}

function renameVersion(root: Table, findings: HarborFinding[]): void {
  if (!("version" in root)) return;
  const version = root.version;
  delete root.version;
  if ("schema_version" in root) {
    findings.push({
      code: "deprecated-key",
      severity: "warning",
      key: "version",
      message: `version = ${JSON.stringify(version)} is the pre-1.1 spelling of schema_version; dropped because schema_version is also set`,
    });
    return;
  }
  if (typeof version !== "string") {
    findings.push({
      code: "invalid-value",
      severity: "error",
      key: "version",
      message: `version (the pre-1.1 schema_version) must be a string, got ${JSON.stringify(version)}`,
    });
    return;
  }
  root.schema_version = version;
  findings.push({
    code: "deprecated-key",
    severity: "warning",
    key: "version",
    message: `version is the pre-1.1 spelling of schema_version; read as schema_version = ${JSON.stringify(version)}`,
  });
}

function convertSize(
  table: Table,
  path: PropertyKey[],
  oldKey: "memory" | "storage",
  findings: HarborFinding[],
): void {
  if (!(oldKey in table)) return;
  const value = table[oldKey];
  const newKey = `${oldKey}_mb`;
  const key = formatKeyPath([...path, oldKey]);
  delete table[oldKey];
  if (typeof value !== "string") {
    findings.push({
      code: "deprecated-key",
      severity: "warning",
      key,
      message: `${oldKey} is deprecated (use ${newKey}); its non-string value ${JSON.stringify(value)} is dropped, as Harbor does`,
    });
    return;
  }
  const mb = parseSizeToMb(value);
  if (mb === undefined || mb < 1) {
    findings.push({
      code: "invalid-value",
      severity: "error",
      key,
      message: `${oldKey} = ${JSON.stringify(value)} is not a size like "2G", "512M" or "1024K" of at least 1 MB`,
    });
    return;
  }
  const explicit = table[newKey];
  if (explicit !== undefined && explicit !== mb) {
    findings.push({
      code: "conflicting-value",
      severity: "error",
      key,
      message: `${oldKey} = ${JSON.stringify(value)} (${mb} MB) disagrees with ${newKey} = ${JSON.stringify(explicit)}`,
    });
    return;
  }
  table[newKey] = mb;
  findings.push({
    code: "deprecated-key",
    severity: "warning",
    key,
    message: `${oldKey} = ${JSON.stringify(value)} is deprecated; read as ${newKey} = ${mb}`,
  });
}

function convertAllowInternet(table: Table, path: PropertyKey[], findings: HarborFinding[]): void {
  if (!("allow_internet" in table)) return;
  const value = table.allow_internet;
  const key = formatKeyPath([...path, "allow_internet"]);
  delete table.allow_internet;
  if (typeof value !== "boolean") {
    findings.push({
      code: "invalid-value",
      severity: "error",
      key,
      message: `allow_internet must be true or false, got ${JSON.stringify(value)}`,
    });
    return;
  }
  // An explicit network policy wins: allow_internet only fills in what the author left out.
  if (table.network_mode !== undefined || table.allowed_hosts !== undefined) {
    findings.push({
      code: "deprecated-key",
      severity: "warning",
      key,
      message:
        "allow_internet is deprecated since schema 1.3 and is ignored because network_mode or allowed_hosts is set",
    });
    return;
  }
  const mode = value ? "public" : "no-network";
  table.network_mode = mode;
  findings.push({
    code: "deprecated-key",
    severity: "warning",
    key,
    message: `allow_internet = ${value} is deprecated since schema 1.3; read as network_mode = "${mode}"`,
  });
}

/**
 * Rewrites the deprecated spellings of a parsed `task.toml` in place, the way Harbor does before
 * validating: root `version` → `schema_version` (when that is absent), `memory`/`storage` size
 * strings → `memory_mb`/`storage_mb`, and `allow_internet` → `network_mode`. Each rewrite is a
 * `deprecated-key` warning; a value that cannot be rewritten is an error with its key path.
 *
 * @example
 * ```ts
 * const table = { version: "1.0", environment: { memory: "2G", allow_internet: false } };
 * normaliseDeprecatedKeys(table);
 * table; // { schema_version: "1.0", environment: { memory_mb: 2048, network_mode: "no-network" } }
 * ```
 */
export function normaliseDeprecatedKeys(root: Table): HarborFinding[] {
  const findings: HarborFinding[] = [];
  renameVersion(root, findings);
  for (const { table, path } of environmentTables(root)) {
    convertSize(table, path, "memory", findings);
    convertSize(table, path, "storage", findings);
    convertAllowInternet(table, path, findings);
  }
  return findings;
}
