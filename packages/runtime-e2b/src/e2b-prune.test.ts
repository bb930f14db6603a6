import { ProviderAuthError } from "@hudkit/core";
import { AuthenticationError, SandboxError, SandboxNotFoundError } from "e2b";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { e2bPlugin, pruneE2bSandboxes } from "./index.js";

const sdk = vi.hoisted(() => ({ create: vi.fn(), list: vi.fn(), kill: vi.fn() }));
vi.mock("e2b", async (importOriginal) => {
  const actual = await importOriginal<typeof import("e2b")>();
  return { ...actual, Sandbox: { create: sdk.create, list: sdk.list, kill: sdk.kill } };
});

/** A `SandboxPaginator` over fixed pages: `hasNext` until the last page was read. */
function makeMockPaginator(pages: Array<Array<{ sandboxId: string; metadata: Record<string, string> }>>) {
  let next = 0;
  return {
    get hasNext() {
      return next < pages.length;
    },
    nextItems: vi.fn(async () => pages[next++] ?? []),
  };
}

const tagged = (id: string, job: string, run: string) => ({
  sandboxId: id,
  metadata: { "hudkit.job": job, "hudkit.run": run, "hudkit.task": "count-1a2b3c4d" },
});

beforeEach(() => {
  vi.stubEnv("E2B_API_KEY", "e2b_test_key");
  sdk.kill.mockResolvedValue(true);
});
afterEach(() => {
  vi.unstubAllEnvs();
  vi.clearAllMocks();
});

describe("pruneE2bSandboxes", () => {
  it("lists one job's sandboxes by metadata, every page, and kills each", async () => {
    const paginator = makeMockPaginator([
      [tagged("sbx-1", "job-1", "run-1")],
      [tagged("sbx-2", "job-1", "run-2")],
    ]);
    sdk.list.mockReturnValue(paginator);
    const killed = await pruneE2bSandboxes({ jobId: "job-1" });
    expect(sdk.list).toHaveBeenCalledWith({
      apiKey: "e2b_test_key",
      query: { metadata: { "hudkit.job": "job-1" } },
    });
    expect(paginator.nextItems).toHaveBeenCalledTimes(2);
    expect(sdk.kill.mock.calls).toEqual([
      ["sbx-1", { apiKey: "e2b_test_key" }],
      ["sbx-2", { apiKey: "e2b_test_key" }],
    ]);
    expect(killed).toEqual([
      { id: "sbx-1", jobId: "job-1", runId: "run-1" },
      { id: "sbx-2", jobId: "job-1", runId: "run-2" },
    ]);
  });

  it("without a job, kills every sandbox tagged with one and leaves the others alone", async () => {
    sdk.list.mockReturnValue(
      makeMockPaginator([
        [
          tagged("sbx-1", "job-1", "run-1"),
          { sandboxId: "mine", metadata: { owner: "me" } },
          tagged("sbx-3", "job-2", "run-9"),
        ],
      ]),
    );
    const killed = await pruneE2bSandboxes();
    expect(sdk.list).toHaveBeenCalledWith({ apiKey: "e2b_test_key" });
    expect(sdk.kill.mock.calls.map(([id]) => id)).toEqual(["sbx-1", "sbx-3"]);
    expect(killed.map((resource) => resource.jobId)).toEqual(["job-1", "job-2"]);
  });

  it("counts a sandbox that is already gone as pruned", async () => {
    sdk.list.mockReturnValue(
      makeMockPaginator([[tagged("sbx-1", "job-1", "run-1"), tagged("sbx-2", "job-1", "run-2")]]),
    );
    sdk.kill.mockResolvedValueOnce(false).mockRejectedValueOnce(new SandboxNotFoundError("gone"));
    const killed = await pruneE2bSandboxes({ jobId: "job-1" });
    expect(killed.map((resource) => resource.id)).toEqual(["sbx-1", "sbx-2"]);
  });

  it("passes the key, domain and signal it is given to every call", async () => {
    vi.stubEnv("E2B_API_KEY", "");
    const paginator = makeMockPaginator([[tagged("sbx-1", "job-1", "run-1")]]);
    sdk.list.mockReturnValue(paginator);
    const signal = new AbortController().signal;
    await pruneE2bSandboxes({ jobId: "job-1", apiKey: "e2b_explicit", domain: "e2b.example.com", signal });
    expect(sdk.list).toHaveBeenCalledWith({
      apiKey: "e2b_explicit",
      domain: "e2b.example.com",
      query: { metadata: { "hudkit.job": "job-1" } },
    });
    expect(paginator.nextItems).toHaveBeenCalledWith({ signal });
    expect(sdk.kill).toHaveBeenCalledWith("sbx-1", {
      apiKey: "e2b_explicit",
      domain: "e2b.example.com",
      signal,
    });
  });

  it("names the missing variable, before any call", async () => {
    vi.stubEnv("E2B_API_KEY", "");
    await expect(pruneE2bSandboxes()).rejects.toThrow("e2b: no credentials: set E2B_API_KEY");
    expect(sdk.list).not.toHaveBeenCalled();
  });

  it("turns a refused key into a ProviderAuthError and other failures into errors keeping their cause", async () => {
    const refused = new AuthenticationError("Unauthorized, please check your credentials.");
    sdk.list.mockReturnValue({ hasNext: true, nextItems: vi.fn().mockRejectedValue(refused) });
    const authError = await pruneE2bSandboxes().catch((e: unknown) => e);
    expect(ProviderAuthError.isInstance(authError)).toBe(true);
    expect((authError as Error).cause).toBe(refused);

    const failure = Object.assign(new SandboxError("500: boom"), { statusCode: 500 });
    sdk.list.mockReturnValue(makeMockPaginator([[tagged("sbx-1", "job-1", "run-1")]]));
    sdk.kill.mockRejectedValueOnce(failure);
    const killError = await pruneE2bSandboxes().catch((e: unknown) => e);
    expect((killError as Error).message).toBe("e2b: killing sandbox sbx-1 failed: 500: boom");
    expect((killError as Error).cause).toBe(failure);
  });
});

describe("e2bPlugin.prune", () => {
  it("prunes the requested job", async () => {
    sdk.list.mockReturnValue(makeMockPaginator([[tagged("sbx-1", "job-7", "run-1")]]));
    const killed = await e2bPlugin.prune?.({ jobId: "job-7" });
    expect(sdk.list).toHaveBeenCalledWith({
      apiKey: "e2b_test_key",
      query: { metadata: { "hudkit.job": "job-7" } },
    });
    expect(killed).toEqual([{ id: "sbx-1", jobId: "job-7", runId: "run-1" }]);
  });
});
