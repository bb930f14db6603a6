import { describe, expect, it } from "vitest";
import { checkHarborPath, formatHarborCheck } from "./harbor-check.js";
import { HARBOR_FINDING_CODES } from "./harbor-finding.js";
import { fixture, harborSamplesDir } from "./test-support/harbor-paths.js";

describe("checkHarborPath", () => {
  it("passes the shared samples with one warning", async () => {
    const report = await checkHarborPath(harborSamplesDir());
    expect([report.ok, report.errorCount, report.warningCount]).toEqual([true, 0, 1]);
    expect(formatHarborCheck(report)).toEqual([
      'warning hello-multi-step-simple deprecated-key task.toml: version is the pre-1.1 spelling of schema_version; read as schema_version = "1.0"',
      "ok harbor/hello-user",
      "ok harbor/hello-workdir",
      "3 folders: 3 loadable, 0 not; 0 errors, 1 warning",
    ]);
  });

  it("reports every finding of a bad dataset, one line each, with stable codes", async () => {
    const report = await checkHarborPath(fixture("mixed-dataset"));
    expect(report.ok).toBe(false);
    expect(report.tasks.map((task) => [task.name, task.loadable])).toEqual([
      ["mixed/good-one", true],
      ["mixed/good-two", true],
      ["no-instruction", false],
      ["notes", false],
    ]);
    expect(formatHarborCheck(report)).toEqual([
      "ok mixed/good-one",
      "ok mixed/good-two",
      "error no-instruction missing-instruction instruction.md: instruction.md is missing",
      "error notes not-a-task-dir task.toml: no task.toml: not a Harbor task folder, skipped",
      "4 folders: 2 loadable, 2 not; 2 errors, 0 warnings",
    ]);
  });

  it("keeps warnings next to the errors of a task that does not load", async () => {
    const report = await checkHarborPath(fixture("deprecated-conflict"));
    expect(report.tasks[0]!.findings.map((finding) => `${finding.severity} ${finding.code}`)).toEqual([
      "warning deprecated-key",
      "error conflicting-value",
      "error invalid-value",
    ]);
  });

  it("uses only documented kebab-case codes", async () => {
    const paths = ["versions", "unknown-keys", "invalid-values", "deprecated", "multi-step", "refused"];
    for (const name of paths) {
      const report = await checkHarborPath(fixture(name));
      for (const finding of report.tasks.flatMap((task) => task.findings)) {
        expect(HARBOR_FINDING_CODES).toContain(finding.code);
        expect(finding.code).toMatch(/^[a-z]+(-[a-z]+)*$/);
      }
    }
  });
});
