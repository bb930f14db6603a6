import { HudkitError, ProviderAuthError } from "@hudkit/core";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import defaultExport, { daytonaPlugin, parseDaytonaSource } from "./index.js";
import {
  constructorReturning,
  context,
  type MockClient,
  makeMockClient,
  TASK,
} from "./test-support/daytona-mocks.js";

const sdk = vi.hoisted(() => ({ Daytona: vi.fn() }));
vi.mock("@daytonaio/sdk", () => ({ Daytona: sdk.Daytona }));

let client: MockClient;

beforeEach(() => {
  client = makeMockClient();
  sdk.Daytona.mockReset();
  sdk.Daytona.mockImplementation(constructorReturning(() => client));
  vi.stubEnv("DAYTONA_API_KEY", "key-from-env");
});

afterEach(() => {
  vi.unstubAllEnvs();
});

/** What `daytona.create` was given for one rollout of the plugin's provider. */
async function createParams(arg: string, options: Record<string, unknown> = {}) {
  const provider = await daytonaPlugin.create(arg, options);
  await provider.acquire(TASK, context());
  return client.create.mock.calls[0]?.[0];
}

describe("daytonaPlugin", () => {
  it("is the package's default export, a runtime-plugin-v1 named daytona", () => {
    expect(defaultExport).toBe(daytonaPlugin);
    expect(daytonaPlugin.specificationVersion).toBe("runtime-plugin-v1");
    expect(daytonaPlugin.name).toBe("daytona");
  });

  it.each([
    ["letter-count", { snapshot: "letter-count" }],
    ["node:24-bookworm-slim", { image: "node:24-bookworm-slim" }],
    ["ghcr.io/acme/letter-count", { image: "ghcr.io/acme/letter-count" }],
    ["node@sha256:0123abcd", { image: "node@sha256:0123abcd" }],
    ["snapshot=acme/letter-count:1", { snapshot: "acme/letter-count:1" }],
    ["image=ubuntu", { image: "ubuntu" }],
  ])("reads %s as %o", async (arg, source) => {
    expect(parseDaytonaSource(arg)).toEqual(source);
    const params = await createParams(arg);
    expect(params).toMatchObject(source);
    expect(params).not.toHaveProperty("snapshot" in source ? "image" : "snapshot");
  });

  it("lets the argument replace the options' source and keeps their other settings", async () => {
    const params = await createParams("node:24", { snapshot: "from-config", envVars: { A: "1" } });
    expect(params).toMatchObject({ image: "node:24", envVars: { A: "1" } });
    expect(params).not.toHaveProperty("snapshot");
  });

  it("takes the source from the options when the argument is empty", async () => {
    expect(await createParams("", { snapshot: "from-config" })).toMatchObject({ snapshot: "from-config" });
  });

  it("names a missing key at once, before any job starts, contacting nothing", () => {
    vi.stubEnv("DAYTONA_API_KEY", undefined);
    let error: unknown;
    try {
      daytonaPlugin.create("letter-count", {});
    } catch (caught) {
      error = caught;
    }
    expect(ProviderAuthError.isInstance(error)).toBe(true);
    expect((error as Error).message).toBe("daytona: no credentials: set DAYTONA_API_KEY");
    expect(sdk.Daytona).not.toHaveBeenCalled();
  });

  it("needs no variable when the options carry the key, and contacts nothing until the first rollout", async () => {
    vi.stubEnv("DAYTONA_API_KEY", undefined);
    const provider = await daytonaPlugin.create("letter-count", { apiKey: "key-from-options" });
    expect(provider.name).toBe("daytona");
    expect(sdk.Daytona).not.toHaveBeenCalled();
    await provider.acquire(TASK, context());
    expect(sdk.Daytona).toHaveBeenCalledExactlyOnceWith({ apiKey: "key-from-options" });
  });

  it("refuses unknown options", () => {
    expect(() => daytonaPlugin.create("letter-count", { snapshots: "x" })).toThrow(HudkitError);
    expect(() => daytonaPlugin.create("letter-count", { snapshots: "x" })).toThrow(
      /Unrecognized key: "snapshots"/,
    );
  });
});
