import { describe, expect, it } from "vitest";
import { HudkitError } from "../errors/hudkit-error.js";
import { createTask } from "../task/task.js";
import {
  cloudRuntimeOverrides,
  defaultServeCommand,
  generateControlToken,
  millisToMinutes,
  millisToSeconds,
  ProviderAuthError,
  readCredentials,
  resourceTags,
  vendorError,
  wholeSecondMillis,
} from "./cloud-support.js";

const task = (runtime_config?: Record<string, unknown>) =>
  createTask({
    env: "letters",
    id: "count",
    args: {},
    slug: "count-1",
    ...(runtime_config ? { runtime_config } : {}),
  } as never);

describe("readCredentials", () => {
  it("returns every variable when all are set", () => {
    expect(
      readCredentials("modal", ["MODAL_TOKEN_ID", "MODAL_TOKEN_SECRET"], {
        MODAL_TOKEN_ID: "a",
        MODAL_TOKEN_SECRET: "b",
      }),
    ).toEqual({
      MODAL_TOKEN_ID: "a",
      MODAL_TOKEN_SECRET: "b",
    });
  });

  it("names every missing variable in one line, empty values included", () => {
    const read = () =>
      readCredentials("modal", ["MODAL_TOKEN_ID", "MODAL_TOKEN_SECRET"], { MODAL_TOKEN_ID: "" });
    expect(read).toThrow(ProviderAuthError);
    expect(read).toThrow(/^modal: no credentials: set MODAL_TOKEN_ID and MODAL_TOKEN_SECRET$/);
    const error = (() => {
      try {
        read();
      } catch (caught) {
        return caught as ProviderAuthError;
      }
    })();
    expect(error).toMatchObject({ code: "missing-credentials", provider: "modal" });
  });

  it("says which of several are all needed when only some are missing", () => {
    expect(() =>
      readCredentials("modal", ["MODAL_TOKEN_ID", "MODAL_TOKEN_SECRET"], { MODAL_TOKEN_ID: "a" }),
    ).toThrow(
      "modal: no credentials: set MODAL_TOKEN_SECRET (MODAL_TOKEN_ID and MODAL_TOKEN_SECRET are all needed)",
    );
  });
});

describe("vendorError", () => {
  it("wraps a vendor error, keeping it as the cause", () => {
    const cause = new Error("quota exceeded");
    const error = vendorError("e2b", "creating a sandbox", cause);
    expect(error).toBeInstanceOf(HudkitError);
    expect(ProviderAuthError.isInstance(error)).toBe(false);
    expect(error).toMatchObject({
      code: "e2b-error",
      message: "e2b: creating a sandbox failed: quota exceeded",
      cause,
    });
  });

  it("makes a 401 or 403 an authentication error", () => {
    for (const cause of [
      Object.assign(new Error("nope"), { status: 401 }),
      { response: { status: 403 }, message: "x" },
    ]) {
      const error = vendorError("daytona", "listing sandboxes", cause);
      expect(ProviderAuthError.isInstance(error)).toBe(true);
      expect(error).toMatchObject({ code: "auth-rejected", provider: "daytona", cause });
      expect(error.message).toMatch(/^daytona: credentials refused while listing sandboxes: /);
    }
  });

  it("asks the provider's own test, and passes hudkit errors through", () => {
    const cause = new Error("UNAUTHENTICATED");
    expect(ProviderAuthError.isInstance(vendorError("modal", "x", cause, (e) => e === cause))).toBe(true);
    const own = new HudkitError("mine", "already explained");
    expect(vendorError("modal", "x", own)).toBe(own);
  });

  it("recognises authentication errors by marker, not by class identity", () => {
    const error = new ProviderAuthError("e2b", "auth-rejected", "refused");
    expect(
      ProviderAuthError.isInstance({
        ...error,
        [Symbol.for("hudkit.error")]: true,
        [Symbol.for("hudkit.provider-auth-error")]: true,
      }),
    ).toBe(true);
    expect(ProviderAuthError.isInstance(new HudkitError("other", "x"))).toBe(false);
    expect(HudkitError.isInstance(error)).toBe(true);
  });
});

describe("units and tags", () => {
  it("rounds milliseconds up, never shortening a limit", () => {
    expect(millisToSeconds(1)).toBe(1);
    expect(millisToSeconds(120_000)).toBe(120);
    expect(millisToMinutes(60_001)).toBe(2);
    expect(wholeSecondMillis(90_001)).toBe(91_000);
    expect(wholeSecondMillis(3_600_000)).toBe(3_600_000);
  });

  it("tags with the job, run and task", () => {
    expect(resourceTags(task(), { jobId: "j", runId: "r" })).toEqual({
      "hudkit.job": "j",
      "hudkit.run": "r",
      "hudkit.task": "count-1",
    });
  });

  it("makes a fresh url-safe control token each time", () => {
    const [a, b] = [generateControlToken(), generateControlToken()];
    expect(a).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(a).not.toBe(b);
  });

  it("serves the bundled env the way Dockerfile.hud's CMD does", () => {
    expect(defaultServeCommand(9000)).toEqual([
      "node",
      "/env/env.mjs",
      "--host",
      "0.0.0.0",
      "--port",
      "9000",
    ]);
  });
});

describe("cloudRuntimeOverrides", () => {
  it("reads runtime_config into milliseconds and MiB", () => {
    expect(
      cloudRuntimeOverrides(
        task({
          image: "letters:v2",
          resources: { cpu: 2, memory_mb: 4096, storage_mb: 10_240, gpu: { type: "A100", count: 2 } },
          limits: { startup_timeout_s: 90, run_timeout_s: 1800 },
        }),
        "e2b",
      ),
    ).toEqual({
      image: "letters:v2",
      cpu: 2,
      memoryMiB: 4096,
      diskMiB: 10_240,
      gpu: { type: "A100", count: 2 },
      startupTimeoutMs: 90_000,
      lifetimeMs: 1_800_000,
    });
    expect(cloudRuntimeOverrides(task(), "e2b")).toEqual({});
  });

  it("names the task and the provider when the config cannot be read", () => {
    expect(() => cloudRuntimeOverrides(task({ resources: { cpu: "two" } }), "daytona")).toThrow(
      /task count-1 has a runtime_config the daytona runtime cannot read/,
    );
  });
});
