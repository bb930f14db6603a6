import { isRuntimePlugin, isRuntimeProvider, ProviderAuthError } from "@hudkit/core";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import plugin, { pruneModalSandboxes } from "./index.js";
import {
  context,
  FakeClientError,
  FakeNotFoundError,
  type MockClient,
  makeMockClient,
  makeMockSandbox,
  TASK,
} from "./test-support/modal-mocks.js";

const modal = vi.hoisted(() => ({ ModalClient: vi.fn() }));
vi.mock("modal", () => ({ ModalClient: modal.ModalClient }));

let client: MockClient;

function useClient(next: MockClient): MockClient {
  client = next;
  // biome-ignore lint/complexity/useArrowFunction: the SDK's ModalClient is called with new.
  modal.ModalClient.mockImplementation(function () {
    return client;
  });
  return client;
}

beforeEach(() => {
  modal.ModalClient.mockReset();
  useClient(makeMockClient());
  vi.stubEnv("MODAL_TOKEN_ID", "ak-test");
  vi.stubEnv("MODAL_TOKEN_SECRET", "as-test");
  vi.stubEnv("MODAL_CONFIG_PATH", "/nonexistent/hudkit-test/.modal.toml");
});
afterEach(() => {
  vi.unstubAllEnvs();
});

describe("the modal plugin", () => {
  it("is a runtime plugin named modal with a prune", () => {
    expect(plugin).toMatchObject({ specificationVersion: "runtime-plugin-v1", name: "modal" });
    expect(isRuntimePlugin(plugin)).toBe(true);
    expect(typeof plugin.prune).toBe("function");
  });

  it("reads its argument as a registry image, with the options as settings", async () => {
    const provider = await plugin.create("ghcr.io/acme/letter-count:1", { cpu: 1, app: "evals" });
    expect(isRuntimeProvider(provider)).toBe(true);
    expect(provider.name).toBe("modal");
    expect(modal.ModalClient).not.toHaveBeenCalled();
    await provider.acquire(TASK, context());
    expect(client.images.fromRegistry).toHaveBeenCalledWith("ghcr.io/acme/letter-count:1");
    expect(client.apps.fromName).toHaveBeenCalledWith("evals", { createIfMissing: true });
    expect(client.sandboxes.create.mock.calls[0]?.[2]).toMatchObject({ cpu: 1 });
  });

  it("reads modal://<id> as an image already on Modal", async () => {
    const provider = await plugin.create("modal://im-9f8e7d", {});
    await provider.acquire(TASK, context());
    expect(client.images.fromId).toHaveBeenCalledWith("im-9f8e7d");
    expect(client.images.fromRegistry).not.toHaveBeenCalled();
  });

  it("takes the image from the options when the argument is empty", async () => {
    const provider = await plugin.create("", { image: "python:3.12-slim" });
    await provider.acquire(TASK, context());
    expect(client.images.fromRegistry).toHaveBeenCalledWith("python:3.12-slim");
  });

  it("refuses a malformed image id or an unknown option at once", async () => {
    await expect(async () => plugin.create("modal://", {})).rejects.toMatchObject({
      code: "invalid-options",
      message: expect.stringContaining("is not an image id"),
    });
    await expect(async () => plugin.create("python:3.12", { memory: 512 })).rejects.toMatchObject({
      code: "invalid-options",
      message: expect.stringMatching(/createModalRuntime: .*memory/s),
    });
  });
});

describe("pruneModalSandboxes", () => {
  it("terminates the running sandboxes of one job, found by their tag", async () => {
    const mine = makeMockSandbox({
      sandboxId: "sb-a",
      tags: { "hudkit.job": "job-1", "hudkit.run": "run-a" },
    });
    const ended = makeMockSandbox({
      sandboxId: "sb-b",
      getTags: async () => {
        throw new FakeNotFoundError("Sandbox sb-b not found");
      },
    });
    const racing = makeMockSandbox({
      sandboxId: "sb-c",
      tags: { "hudkit.job": "job-1", "hudkit.run": "run-c" },
      terminate: async () => {
        throw new FakeClientError(5, "not found");
      },
    });
    useClient(makeMockClient([], [mine, ended, racing]));

    const removed = await plugin.prune?.({ jobId: "job-1" });

    expect(client.sandboxes.list).toHaveBeenCalledWith({ tags: { "hudkit.job": "job-1" } });
    expect(client.apps.fromName).not.toHaveBeenCalled();
    expect(removed).toEqual([
      { id: "sb-a", jobId: "job-1", runId: "run-a" },
      { id: "sb-c", jobId: "job-1", runId: "run-c" },
    ]);
    expect(mine.terminate).toHaveBeenCalledTimes(1);
    expect(ended.terminate).not.toHaveBeenCalled();
    expect(client.close).toHaveBeenCalledTimes(1);
  });

  it("without a job, sweeps the app's sandboxes that carry a hudkit.job tag, and only those", async () => {
    const ours = makeMockSandbox({
      sandboxId: "sb-a",
      tags: { "hudkit.job": "job-7", "hudkit.run": "run-a" },
    });
    const foreign = makeMockSandbox({ sandboxId: "sb-x", tags: { owner: "someone-else" } });
    useClient(makeMockClient([], [ours, foreign]));

    const removed = await pruneModalSandboxes({ app: "evals", environment: "staging" });

    expect(client.apps.fromName).toHaveBeenCalledWith("evals", { environment: "staging" });
    expect(client.sandboxes.list).toHaveBeenCalledWith({ appId: "ap-evals", environment: "staging" });
    expect(removed).toEqual([{ id: "sb-a", jobId: "job-7", runId: "run-a" }]);
    expect(ours.terminate).toHaveBeenCalledTimes(1);
    expect(foreign.terminate).not.toHaveBeenCalled();
  });

  it("finds nothing to sweep when the app does not exist", async () => {
    client.apps.fromName.mockRejectedValueOnce(new FakeNotFoundError("App 'hud-envs' not found"));
    expect(await pruneModalSandboxes()).toEqual([]);
    expect(client.apps.fromName).toHaveBeenCalledWith("hud-envs", {});
    expect(client.sandboxes.list).not.toHaveBeenCalled();
    expect(client.close).toHaveBeenCalledTimes(1);
  });

  it("uses and leaves open a client it is given", async () => {
    const own = makeMockClient([], [makeMockSandbox({ tags: { "hudkit.job": "job-1" } })]);
    expect(await pruneModalSandboxes({ jobId: "job-1", client: own as never })).toEqual([
      { id: "sb-1a2b3c", jobId: "job-1", runId: "" },
    ]);
    expect(modal.ModalClient).not.toHaveBeenCalled();
    expect(own.close).not.toHaveBeenCalled();
  });

  it("needs credentials, and says which", async () => {
    vi.stubEnv("MODAL_TOKEN_ID", "");
    vi.stubEnv("MODAL_TOKEN_SECRET", "");
    const error = await pruneModalSandboxes({ jobId: "job-1" }).catch((caught: unknown) => caught);
    expect(ProviderAuthError.isInstance(error)).toBe(true);
    expect((error as Error).message).toBe(
      "modal: no credentials: set MODAL_TOKEN_ID and MODAL_TOKEN_SECRET, or create ~/.modal.toml with `modal token new`",
    );
  });

  it("reports a refused listing as an auth error", async () => {
    const refused = new FakeClientError(16, "Token is invalid");
    client.sandboxes.list.mockImplementationOnce(async function* () {
      yield* [];
      throw refused;
    });
    await expect(pruneModalSandboxes({ jobId: "job-1" })).rejects.toMatchObject({
      code: "auth-rejected",
      cause: refused,
    });
    expect(client.close).toHaveBeenCalledTimes(1);
  });

  it("stops between sandboxes when its signal aborts", async () => {
    const controller = new AbortController();
    const first = makeMockSandbox({
      sandboxId: "sb-a",
      tags: { "hudkit.job": "job-1" },
      terminate: async () => controller.abort(new Error("stop")),
    });
    const second = makeMockSandbox({ sandboxId: "sb-b", tags: { "hudkit.job": "job-1" } });
    useClient(makeMockClient([], [first, second]));
    await expect(plugin.prune?.({ jobId: "job-1", signal: controller.signal })).rejects.toThrow("stop");
    expect(second.terminate).not.toHaveBeenCalled();
  });
});
