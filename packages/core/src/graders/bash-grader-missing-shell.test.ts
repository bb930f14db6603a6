import { describe, expect, it, vi } from "vitest";

// No test machine lacks /bin/bash, so spawn is pointed at a path that does not exist.
vi.mock("node:child_process", async (importOriginal) => {
  const actual = await importOriginal<typeof import("node:child_process")>();
  const spawn = ((file: string, ...rest: unknown[]) =>
    (actual.spawn as (...args: unknown[]) => unknown)(
      file === "/bin/bash" ? "/nonexistent/hudkit/bash" : file,
      ...rest,
    )) as typeof actual.spawn;
  return { ...actual, spawn };
});

const { bashGrader } = await import("./bash-grader.js");

describe("bashGrader without /bin/bash", () => {
  it("scores 0 and says so in stderr", async () => {
    const score = await bashGrader({ command: "true" });
    expect(score.value).toBe(0);
    expect(score.info).toEqual({
      exit_code: null,
      stdout: "",
      stderr: "/bin/bash not found",
      timed_out: false,
    });
  });
});
