import { HudkitError, ProviderAuthError } from "@hudkit/core";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { daytonaPlugin, listDaytonaSandboxes, pruneDaytonaSandboxes } from "./index.js";
import {
  asClient,
  constructorReturning,
  DaytonaError,
  DaytonaNotFoundError,
  type MockClient,
  type MockSandbox,
  makeMockClient,
  makeMockSandbox,
} from "./test-support/daytona-mocks.js";

const sdk = vi.hoisted(() => ({ Daytona: vi.fn() }));
vi.mock("@daytonaio/sdk", () => ({ Daytona: sdk.Daytona }));

const tagged = (id: string, jobId: string, runId: string, state = "started"): MockSandbox =>
  makeMockSandbox({ id, state, labels: { "hudkit.job": jobId, "hudkit.run": runId, "hudkit.task": "t" } });

let client: MockClient;
let a: MockSandbox;
let b: MockSandbox;
let untagged: MockSandbox;
let destroying: MockSandbox;

beforeEach(() => {
  a = tagged("sb-a", "job-1", "run-1");
  b = tagged("sb-b", "job-2", "run-9", "stopped");
  untagged = makeMockSandbox({ id: "sb-mine", labels: { owner: "someone" } });
  destroying = tagged("sb-gone", "job-1", "run-2", "destroying");
  client = makeMockClient(makeMockSandbox(), [a, untagged, b, destroying]);
  sdk.Daytona.mockReset();
  sdk.Daytona.mockImplementation(constructorReturning(() => client));
  vi.stubEnv("DAYTONA_API_KEY", "key-from-env");
});

afterEach(() => {
  vi.unstubAllEnvs();
});

describe("pruneDaytonaSandboxes", () => {
  it("with a job id, lists that job's sandboxes by label and deletes each", async () => {
    client = makeMockClient(makeMockSandbox(), [a, destroying]);
    const pruned = await pruneDaytonaSandboxes({ jobId: "job-1" });
    expect(client.list).toHaveBeenCalledExactlyOnceWith({ labels: { "hudkit.job": "job-1" } });
    expect(pruned).toEqual([{ id: "sb-a", jobId: "job-1", runId: "run-1" }]);
    expect(a.delete).toHaveBeenCalledOnce();
    expect(destroying.delete).not.toHaveBeenCalled();
  });

  it("without one, deletes every hudkit-tagged sandbox, running or stopped, and leaves the rest alone", async () => {
    const pruned = await pruneDaytonaSandboxes();
    expect(client.list).toHaveBeenCalledExactlyOnceWith();
    expect(pruned).toEqual([
      { id: "sb-a", jobId: "job-1", runId: "run-1" },
      { id: "sb-b", jobId: "job-2", runId: "run-9" },
    ]);
    expect(a.delete).toHaveBeenCalledOnce();
    expect(b.delete).toHaveBeenCalledOnce();
    expect(untagged.delete).not.toHaveBeenCalled();
  });

  it("counts a sandbox deleted meanwhile (404) as pruned", async () => {
    a.delete.mockRejectedValueOnce(new DaytonaNotFoundError("Sandbox not found", 404));
    const pruned = await pruneDaytonaSandboxes({ jobId: "job-1" });
    expect(pruned.map((resource) => resource.id)).toEqual(["sb-a"]);
  });

  it("stops on another delete failure, with the SDK error as cause", async () => {
    const failure = new DaytonaError("internal error", 500);
    a.delete.mockRejectedValueOnce(failure);
    const error = await pruneDaytonaSandboxes().catch((e: unknown) => e);
    expect(HudkitError.isInstance(error)).toBe(true);
    expect((error as Error).message).toBe("daytona: deleting sandbox sb-a failed: internal error");
    expect((error as Error).cause).toBe(failure);
    expect(b.delete).not.toHaveBeenCalled();
  });

  it("names the missing variable before contacting Daytona", async () => {
    vi.stubEnv("DAYTONA_API_KEY", undefined);
    const error = await pruneDaytonaSandboxes({ jobId: "job-1" }).catch((e: unknown) => e);
    expect(ProviderAuthError.isInstance(error)).toBe(true);
    expect((error as Error).message).toBe("daytona: no credentials: set DAYTONA_API_KEY");
    expect(sdk.Daytona).not.toHaveBeenCalled();
  });

  it("turns a refused key while listing into a ProviderAuthError", async () => {
    const failure = new DaytonaError("Invalid API key", 401);
    client.list.mockImplementationOnce(() => {
      throw failure;
    });
    const error = await pruneDaytonaSandboxes().catch((e: unknown) => e);
    expect(ProviderAuthError.isInstance(error)).toBe(true);
    expect((error as Error).message).toBe(
      "daytona: credentials refused while listing sandboxes: Invalid API key",
    );
    expect((error as Error).cause).toBe(failure);
  });

  it("stops with the abort reason when its signal aborts", async () => {
    const controller = new AbortController();
    const reason = new Error("interrupted");
    controller.abort(reason);
    await expect(pruneDaytonaSandboxes({ signal: controller.signal })).rejects.toBe(reason);
    expect(a.delete).not.toHaveBeenCalled();
  });
});

describe("listDaytonaSandboxes", () => {
  it("returns the tagged sandboxes not already being destroyed, using a client passed in", async () => {
    vi.stubEnv("DAYTONA_API_KEY", undefined);
    const listed = await listDaytonaSandboxes({ jobId: "job-1", daytona: asClient(client) });
    expect(listed.map((sandbox) => sandbox.id)).toEqual(["sb-a"]);
    expect(sdk.Daytona).not.toHaveBeenCalled();
  });
});

describe("daytonaPlugin.prune", () => {
  it("prunes the requested job", async () => {
    client = makeMockClient(makeMockSandbox(), [a]);
    const pruned = await daytonaPlugin.prune?.({ jobId: "job-1" });
    expect(client.list).toHaveBeenCalledExactlyOnceWith({ labels: { "hudkit.job": "job-1" } });
    expect(pruned).toEqual([{ id: "sb-a", jobId: "job-1", runId: "run-1" }]);
  });

  it("prunes every job when none is given", async () => {
    const pruned = await daytonaPlugin.prune?.({});
    expect(client.list).toHaveBeenCalledExactlyOnceWith();
    expect(pruned?.map((resource) => resource.id)).toEqual(["sb-a", "sb-b"]);
  });
});
