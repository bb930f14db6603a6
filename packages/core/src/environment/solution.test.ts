import { describe, expect, it } from "vitest";
import { z } from "zod";
import { HudkitError } from "../errors/hudkit-error.js";
import { Environment } from "./environment.js";

function lettersEnv(): Environment {
  const env = new Environment({ name: "letters" });
  env.template(
    {
      id: "count_letter",
      args: z.object({ word: z.string().default("strawberry"), letter: z.string().default("r") }),
      solution: ({ word, letter }) => String([...word].filter((c) => c === letter).length),
    },
    async function* ({ word }) {
      yield `count in ${word}`;
      yield 1;
    },
  );
  env.template({ id: "no_reference", args: z.object({ n: z.int() }) }, async function* () {
    yield "p";
    yield 0;
  });
  env.template(
    {
      id: "async_reference",
      args: z.object({ n: z.int() }),
      solution: async ({ n }) => ({ doubled: n * 2 }),
    },
    async function* () {
      yield "p";
      yield 0;
    },
  );
  return env;
}

describe("env.solutionFor", () => {
  it("computes the template's reference answer from the args, defaults filled in", async () => {
    const env = lettersEnv();
    expect(await env.solutionFor("count_letter", { word: "banana", letter: "a" })).toBe("3");
    expect(await env.solutionFor("count_letter", {})).toBe("3"); // strawberry, r
    expect(await env.solutionFor("count_letter")).toBe("3");
  });

  it("coerces the args as tasks.start does, and awaits an async solution", async () => {
    const env = lettersEnv();
    expect(await env.solutionFor("async_reference", { n: "4" })).toEqual({ doubled: 8 });
  });

  it("is undefined when the template declares no solution", async () => {
    expect(await lettersEnv().solutionFor("no_reference", { n: 1 })).toBeUndefined();
  });

  it("throws for an unknown template, naming the ones that exist", async () => {
    const error = await lettersEnv()
      .solutionFor("count_letters", {})
      .catch((e: unknown) => e);
    expect(HudkitError.isInstance(error)).toBe(true);
    expect((error as HudkitError).code).toBe("unknown-template");
    expect((error as Error).message).toContain("'count_letter', 'no_reference'");
  });

  it("throws bad-args for args the template rejects", async () => {
    const error = await lettersEnv()
      .solutionFor("async_reference", {})
      .catch((e: unknown) => e);
    expect((error as HudkitError).code).toBe("bad-args");
  });

  it("is never published by tasks.list", () => {
    const entry = lettersEnv().templates.get("count_letter")!.manifestEntry();
    expect(Object.keys(entry)).not.toContain("solution");
  });
});
