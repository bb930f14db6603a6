// biome-ignore-all lint/suspicious/noTemplateCurlyInString: Harbor's ${VAR} templates are the data under test.
import { describe, expect, it } from "vitest";
import { thrown } from "../test-support/thrown.js";
import { resolveEnvTemplates } from "./env-templates.js";

const HOST = { TOKEN: "sk-1", EMPTY: "", SPACED: " a b ", "DOTTED.NAME": "dotted" };

describe("resolveEnvTemplates", () => {
  it.each([
    ["${TOKEN}", "sk-1"],
    ["${TOKEN:-fallback}", "sk-1"],
    ["${UNSET:-fallback}", "fallback"],
    ["${UNSET:-}", ""],
    ["${UNSET:-with spaces and $dollars}", "with spaces and $dollars"],
    ["${UNSET:-a}b}", "a}b"],
    ["${UNSET:-${TOKEN}}", "${TOKEN}"],
    ["${UNSET:-:-}", ":-"],
    ["${EMPTY}", ""],
    ["${EMPTY:-fallback}", ""],
    ["${SPACED}", " a b "],
    ["${DOTTED.NAME}", "dotted"],
  ])("resolves the whole-value template %j to %j", (value, expected) => {
    expect(resolveEnvTemplates({ KEY: value }, HOST, "verifier.env")).toEqual({ KEY: expected });
  });

  it.each([
    "plain",
    "",
    "$TOKEN",
    "${TOKEN",
    "{TOKEN}",
    "$${TOKEN}",
    "Bearer ${TOKEN}",
    "${TOKEN}/v1",
    " ${TOKEN}",
    "${TOKEN} ",
    "${TOKEN}${TOKEN}",
    "${}",
    "${:-default}",
    "${TOKEN:default}",
    "${UNSET:-multi\nline}",
  ])("keeps %j literal: only a whole-value template is resolved", (value) => {
    expect(resolveEnvTemplates({ KEY: value }, HOST, "verifier.env")).toEqual({ KEY: value });
  });

  it.each([
    ["${TOKEN-default}", "TOKEN-default"],
    ["${UNSET\n}", "UNSET\n"],
  ])("reads %j as a template of the variable %j, as Harbor does", (value, name) => {
    expect(resolveEnvTemplates({ KEY: value }, { [name]: "found" }, "verifier.env")).toEqual({
      KEY: "found",
    });
    expect(thrown(() => resolveEnvTemplates({ KEY: value }, HOST, "verifier.env")).code).toBe(
      "harbor-env-missing",
    );
  });

  it("keeps a key named __proto__ as an ordinary key", () => {
    const values = JSON.parse('{"__proto__": "${TOKEN}"}') as Record<string, string>;
    const resolved = resolveEnvTemplates(values, HOST, "verifier.env");
    expect(Object.hasOwn(resolved, "__proto__")).toBe(true);
    expect(Object.getOwnPropertyDescriptor(resolved, "__proto__")?.value).toBe("sk-1");
  });

  it("leaves literal text that names a missing variable alone", () => {
    expect(resolveEnvTemplates({ KEY: "x ${UNSET}" }, {}, "verifier.env")).toEqual({ KEY: "x ${UNSET}" });
  });

  it("resolves each key of the table and keeps their order", () => {
    const values = { B: "${TOKEN}", A: "literal", C: "${UNSET:-c}" };
    const resolved = resolveEnvTemplates(values, HOST, "environment.env");
    expect(resolved).toEqual({ B: "sk-1", A: "literal", C: "c" });
    expect(Object.keys(resolved)).toEqual(["B", "A", "C"]);
  });

  it("does not modify its inputs", () => {
    const values = { KEY: "${TOKEN}" };
    resolveEnvTemplates(values, HOST, "verifier.env");
    expect(values).toEqual({ KEY: "${TOKEN}" });
  });

  it("reads an undefined entry (process.env style) as unset", () => {
    expect(resolveEnvTemplates({ KEY: "${TOKEN:-d}" }, { TOKEN: undefined }, "x")).toEqual({ KEY: "d" });
  });

  it.each(["toString", "constructor", "__proto__", "hasOwnProperty"])(
    "does not find %s on Object.prototype",
    (name) => {
      expect(resolveEnvTemplates({ KEY: `\${${name}:-unset}` }, {}, "verifier.env")).toEqual({
        KEY: "unset",
      });
    },
  );

  it.each([
    ["verifier.env", "API_KEY", "verifier.env.API_KEY"],
    ["environment.env", "X", "environment.env.X"],
    ["steps[1].verifier.env", "TOKEN_2", "steps[1].verifier.env.TOKEN_2"],
    ["solution.env", "my key", 'solution.env."my key"'],
  ])("throws harbor-env-missing naming the variable and %s.%s", (where, key, path) => {
    const error = thrown(() => resolveEnvTemplates({ [key]: "${OPENAI_API_KEY}" }, HOST, where));
    expect(error.code).toBe("harbor-env-missing");
    expect(error.message).toContain(path);
    expect(error.message).toContain("OPENAI_API_KEY");
    expect(error.message).not.toContain("\n");
  });

  it("throws on the first missing variable even when other keys resolve", () => {
    const error = thrown(() =>
      resolveEnvTemplates({ A: "${TOKEN}", B: "${MISSING_B}", C: "${MISSING_C}" }, HOST, "verifier.env"),
    );
    expect(error.message).toContain("verifier.env.B");
    expect(error.message).toContain("MISSING_B");
  });

  it("never shows the value of another variable in its error", () => {
    const error = thrown(() => resolveEnvTemplates({ A: "${TOKEN}", B: "${MISSING}" }, HOST, "verifier.env"));
    expect(error.message).not.toContain("sk-1");
  });
});
