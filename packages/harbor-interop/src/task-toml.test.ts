import { describe, expect, it } from "vitest";
import { parseSizeToMb } from "./deprecated-keys.js";
import type { HarborFinding } from "./harbor-finding.js";
import { parseTaskToml } from "./task-toml.js";

function codes(findings: HarborFinding[]): string[] {
  return findings.map((finding) => `${finding.code} ${finding.key ?? ""}`.trim());
}

describe("parseTaskToml", () => {
  it("fills Harbor's defaults for an empty file (schema 1.4, no resources, shared verifier)", () => {
    const { config, findings } = parseTaskToml("");
    expect(findings).toEqual([]);
    expect(config).toMatchObject({
      schema_version: "1.4",
      verifier: { timeout_sec: 600, env: {}, collect: [] },
      environment: { build_timeout_sec: 600, os: "linux", network_mode: "public", env: {}, mcp_servers: [] },
      artifacts: [],
    });
    expect(config?.agent.timeout_sec).toBeUndefined();
    expect(config?.environment.cpus).toBeUndefined();
  });

  it("reports a TOML syntax error with its line and column", () => {
    const { config, findings } = parseTaskToml('schema_version = "1.4"\n[environment\n');
    expect(config).toBeUndefined();
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({ code: "invalid-toml", severity: "error" });
    expect(findings[0]!.message).toMatch(/^not valid TOML at line 2, column \d+: /);
  });

  it("accepts any schema_version string, warning about one it does not know", () => {
    const { config, findings } = parseTaskToml('schema_version = "2.7"\n');
    expect(config?.schema_version).toBe("2.7");
    expect(codes(findings)).toEqual(["unknown-schema-version schema_version"]);
  });

  it("rejects a schema_version that is not a string", () => {
    const { config, findings } = parseTaskToml("schema_version = 1.1\n");
    expect(config).toBeUndefined();
    expect(codes(findings)).toEqual(["invalid-value schema_version"]);
  });

  it("keeps schema_version over version and drops version with a warning", () => {
    const { config, findings } = parseTaskToml('version = "1.0"\nschema_version = "1.3"\n');
    expect(config?.schema_version).toBe("1.3");
    expect(codes(findings)).toEqual(["deprecated-key version"]);
  });

  it("leaves env templates unresolved, so no secret is baked in", () => {
    // Harbor's `${VAR}` syntax, written without a JS template placeholder.
    const template = "$" + "{HARBOR_TEST_SECRET}";
    process.env.HARBOR_TEST_SECRET = "s3cret";
    try {
      const { config } = parseTaskToml(`[environment.env]\nKEY = "${template}"\n`);
      expect(config?.environment.env).toEqual({ KEY: template });
    } finally {
      delete process.env.HARBOR_TEST_SECRET;
    }
  });

  it("drops a non-string deprecated memory with a warning, as Harbor does", () => {
    const { config, findings } = parseTaskToml("[environment]\nmemory = 2048\n");
    expect(config?.environment.memory_mb).toBeUndefined();
    expect(codes(findings)).toEqual(["deprecated-key environment.memory"]);
  });

  it("ignores allow_internet when network_mode is set explicitly", () => {
    const { config, findings } = parseTaskToml(
      '[environment]\nnetwork_mode = "public"\nallow_internet = false\n',
    );
    expect(config?.environment.network_mode).toBe("public");
    expect(findings[0]?.message).toContain("ignored because network_mode or allowed_hosts is set");
  });

  it("rewrites the deprecated keys of a [verifier.environment] too", () => {
    const { config } = parseTaskToml('[verifier.environment]\nmemory = "1G"\nallow_internet = false\n');
    expect(config?.verifier.environment).toMatchObject({ memory_mb: 1024, network_mode: "no-network" });
  });

  it("refuses allowed_hosts without an allowlist, on phases as on the baseline", () => {
    const { findings } = parseTaskToml('[agent]\nallowed_hosts = ["pypi.org"]\n');
    expect(codes(findings)).toEqual(["invalid-value agent.allowed_hosts"]);
  });

  it("treats an empty allowlist as deny-all, not as an error", () => {
    const { config } = parseTaskToml('[environment]\nnetwork_mode = "allowlist"\nallowed_hosts = []\n');
    expect(config?.environment.allowed_hosts).toEqual([]);
  });

  it("names the step, by index, of an invalid step value and rejects duplicate step names", () => {
    const text =
      '[[steps]]\nname = "a"\n[steps.agent]\nuser = -1\n[[steps]]\nname = "a"\n[[steps]]\nname = "x/y"\n';
    const { findings } = parseTaskToml(text);
    expect(codes(findings)).toEqual([
      "invalid-value steps[0].agent.user",
      "invalid-value steps[2].name",
      "invalid-value steps[1].name",
    ]);
  });

  it("validates sidecar artifacts and collect hooks", () => {
    const text =
      '[[artifacts]]\nsource = "relative/out"\nservice = "db"\n[[verifier.collect]]\nservice = "db"\n';
    const { findings } = parseTaskToml(text);
    expect(codes(findings)).toEqual([
      "invalid-value verifier.collect[0].command",
      "invalid-value artifacts[0].source",
    ]);
  });

  it("turns TOML dates in [metadata] into the config as dates, with a warning for the unconventional key", () => {
    const { config, findings } = parseTaskToml("[metadata]\ncreated = 2026-01-02\n");
    expect(config?.metadata.created).toBeInstanceOf(Date);
    expect(codes(findings)).toEqual(["unknown-metadata-key metadata.created"]);
  });
});

describe("parseSizeToMb", () => {
  it.each([
    ["2G", 2048],
    ["2g", 2048],
    ["1.5G", 1536],
    ["512M", 512],
    ["1024K", 1],
    [" 10G ", 10240],
  ])("reads %j as %d MB", (size, mb) => {
    expect(parseSizeToMb(size)).toBe(mb);
  });

  it.each(["2GB", "2", "lots", "-1G", ""])("refuses %j", (size) => {
    expect(parseSizeToMb(size)).toBeUndefined();
  });
});
