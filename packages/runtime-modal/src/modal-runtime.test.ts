import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ProviderAuthError, type Task } from "@hudkit/core";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { createModalRuntime } from "./index.js";
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

const IMAGE = "ghcr.io/acme/letter-count:1";
const TAGS = { "hudkit.job": "job-1", "hudkit.run": "run-1", "hudkit.task": "count-a" };
let client: MockClient;

function useClient(next: MockClient): MockClient {
  client = next;
  // biome-ignore lint/complexity/useArrowFunction: the SDK's ModalClient is called with new.
  modal.ModalClient.mockImplementation(function () {
    return client;
  });
  return client;
}

/** The params of the n-th `sandboxes.create` call. */
function createParams(n = 0): Record<string, unknown> {
  return client.sandboxes.create.mock.calls[n]?.[2] as Record<string, unknown>;
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

describe("createModalRuntime", () => {
  it("creates a tagged sandbox running the env server behind an encrypted tunnel, and returns its wss endpoint and token", async () => {
    const ctx = context();
    const substrate = await createModalRuntime({ image: IMAGE, env: { LOG_LEVEL: "debug" } }).acquire(
      TASK,
      ctx,
    );

    expect(modal.ModalClient).toHaveBeenCalledWith({});
    expect(client.apps.fromName).toHaveBeenCalledWith("hud-envs", { createIfMissing: true });
    expect(client.images.fromRegistry).toHaveBeenCalledWith(IMAGE);
    const params = createParams();
    const token = (params.env as Record<string, string>).HUD_CONTROL_TOKEN;
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(client.sandboxes.create).toHaveBeenCalledWith(
      { appId: "ap-hud-envs", name: "hud-envs" },
      { kind: "registry", tag: IMAGE },
      {
        command: ["node", "/env/env.mjs", "--host", "0.0.0.0", "--port", "8765"],
        encryptedPorts: [8765],
        env: { LOG_LEVEL: "debug", HUD_CONTROL_TOKEN: token },
        timeoutMs: 3_600_000,
        tags: TAGS,
      },
    );
    expect(params).not.toHaveProperty("unencryptedPorts");
    expect(substrate.endpoint).toEqual({ url: "wss://ta-01.w.modal.host", token, readyTimeoutMs: 300_000 });
    expect(ctx.lines).toEqual([
      `modal: creating a sandbox from ${IMAGE} in app hud-envs`,
      `modal sandbox sb-1a2b3c from ${IMAGE}`,
    ]);
  });

  it("gives every rollout its own control token", async () => {
    useClient(makeMockClient([makeMockSandbox(), makeMockSandbox({ sandboxId: "sb-2" })]));
    const runtime = createModalRuntime({ image: IMAGE });
    const first = await runtime.acquire(TASK, context());
    const second = await runtime.acquire(TASK, context({ runId: "run-2" }));
    expect(first.endpoint.token).not.toBe(second.endpoint.token);
    expect((createParams(1).tags as Record<string, string>)["hudkit.run"]).toBe("run-2");
  });

  it("passes its settings to the SDK, timeouts rounded up to whole seconds", async () => {
    const sandbox = makeMockSandbox({ port: 9000, url: "https://ta-02.w.modal.host:443" });
    useClient(makeMockClient([sandbox]));
    const substrate = await createModalRuntime({
      image: IMAGE,
      app: "evals",
      port: 9000,
      command: ["node", "/srv/env.mjs"],
      timeoutMs: 1_500,
      idleTimeoutMs: 90_001,
      cpu: 0.5,
      memoryMiB: 512,
      gpu: "T4",
      readyTimeoutMs: 60_000,
      tokenId: "ak-explicit",
      tokenSecret: "as-explicit",
      environment: "staging",
      sandbox: { workdir: "/srv", regions: ["us-east"], tags: { team: "evals" }, env: { FROM_SANDBOX: "1" } },
    }).acquire(TASK, context());

    expect(modal.ModalClient).toHaveBeenCalledWith({
      tokenId: "ak-explicit",
      tokenSecret: "as-explicit",
      environment: "staging",
    });
    expect(client.apps.fromName).toHaveBeenCalledWith("evals", {
      createIfMissing: true,
      environment: "staging",
    });
    const params = createParams();
    expect(params).toEqual({
      workdir: "/srv",
      regions: ["us-east"],
      command: ["node", "/srv/env.mjs"],
      encryptedPorts: [9000],
      env: { FROM_SANDBOX: "1", HUD_CONTROL_TOKEN: substrate.endpoint.token },
      timeoutMs: 2_000,
      idleTimeoutMs: 91_000,
      cpu: 0.5,
      memoryMiB: 512,
      gpu: "T4",
      tags: { team: "evals", ...TAGS },
    });
    expect(substrate.endpoint).toMatchObject({ url: "wss://ta-02.w.modal.host:443", readyTimeoutMs: 60_000 });
  });

  it("lets a task's runtime_config pick the image (modal://<id>), resources and timeouts", async () => {
    const task: Task = {
      ...TASK,
      runtime_config: {
        image: "modal://im-9f8e7d",
        resources: { cpu: 2, memory_mb: 4096, gpu: { type: "A100", count: 2 } },
        limits: { startup_timeout_s: 30, run_timeout_s: 120.5 },
      },
    };
    const substrate = await createModalRuntime({
      image: IMAGE,
      cpu: 1,
      gpu: "T4",
      timeoutMs: 600_000,
    }).acquire(task, context());
    expect(client.images.fromId).toHaveBeenCalledWith("im-9f8e7d");
    expect(client.images.fromRegistry).not.toHaveBeenCalled();
    expect(client.sandboxes.create.mock.calls[0]?.[1]).toEqual({ kind: "id", imageId: "im-9f8e7d" });
    expect(createParams()).toMatchObject({ cpu: 2, memoryMiB: 4096, gpu: "A100:2", timeoutMs: 121_000 });
    expect(substrate.endpoint.readyTimeoutMs).toBe(30_000);
  });

  it("asks for any GPU when a task names no type", async () => {
    const task: Task = { ...TASK, runtime_config: { resources: { gpu: { count: 1 } } } };
    await createModalRuntime({ image: IMAGE }).acquire(task, context());
    expect(createParams().gpu).toBe("any");
  });

  it("refuses a runtime_config it cannot honour, before contacting Modal", async () => {
    const task: Task = {
      ...TASK,
      runtime_config: {
        compose: { document: "compose.yaml" },
        resources: { gpu: { type: ["H100", "A100"] } },
      },
    };
    await expect(createModalRuntime({ image: IMAGE }).acquire(task, context())).rejects.toMatchObject({
      code: "unsupported-runtime-config",
      message:
        "task count-a asks for compose, several resources.gpu.type, which the modal runtime does not support",
    });
    expect(modal.ModalClient).not.toHaveBeenCalled();
  });

  it("says where to give an image when there is none", async () => {
    await expect(createModalRuntime().acquire(TASK, context())).rejects.toMatchObject({
      code: "modal-no-image",
      message:
        "no image for task count-a: pass one (--runtime modal:<image>) or set runtime_config.image on the task",
    });
    expect(modal.ModalClient).not.toHaveBeenCalled();
  });

  it("checks its settings when created, without any I/O", () => {
    expect(() => createModalRuntime({ port: 0 })).toThrow(/createModalRuntime: .*port/s);
    expect(() => createModalRuntime({ image: "modal://" })).toThrow(/not an image id/);
    expect(() => createModalRuntime({ image: IMAGE, cpu: 1 })).not.toThrow();
    expect(modal.ModalClient).not.toHaveBeenCalled();
  });
});

describe("teardown", () => {
  it("terminates the sandbox on dispose, once however often dispose is called", async () => {
    const sandbox = makeMockSandbox();
    useClient(makeMockClient([sandbox]));
    const substrate = await createModalRuntime({ image: IMAGE }).acquire(TASK, context());
    expect(sandbox.terminate).not.toHaveBeenCalled();
    await substrate[Symbol.asyncDispose]();
    await substrate[Symbol.asyncDispose]();
    expect(sandbox.terminate).toHaveBeenCalledTimes(1);
  });

  it("shares one client between live rollouts and closes it when the last one ends", async () => {
    useClient(makeMockClient([makeMockSandbox(), makeMockSandbox({ sandboxId: "sb-2" })]));
    const runtime = createModalRuntime({ image: IMAGE });
    const first = await runtime.acquire(TASK, context());
    const second = await runtime.acquire(TASK, context({ runId: "run-2" }));
    expect(modal.ModalClient).toHaveBeenCalledTimes(1);
    expect(client.apps.fromName).toHaveBeenCalledTimes(1);
    expect(client.images.fromRegistry).toHaveBeenCalledTimes(1);
    await first[Symbol.asyncDispose]();
    expect(client.close).not.toHaveBeenCalled();
    await second[Symbol.asyncDispose]();
    await vi.waitFor(() => expect(client.close).toHaveBeenCalledTimes(1));

    const closed = client;
    useClient(makeMockClient());
    await runtime.acquire(TASK, context({ runId: "run-3" }));
    expect(modal.ModalClient).toHaveBeenCalledTimes(2);
    expect(client).not.toBe(closed);
  });

  it("leaves a client passed in the settings open, and needs no credentials for it", async () => {
    vi.stubEnv("MODAL_TOKEN_ID", "");
    vi.stubEnv("MODAL_TOKEN_SECRET", "");
    const own = makeMockClient();
    const substrate = await createModalRuntime({ image: IMAGE, client: own as never }).acquire(
      TASK,
      context(),
    );
    await substrate[Symbol.asyncDispose]();
    expect(own.sandboxes.create).toHaveBeenCalledTimes(1);
    expect(modal.ModalClient).not.toHaveBeenCalled();
    expect(own.close).not.toHaveBeenCalled();
  });

  it("tolerates a sandbox that is already gone", async () => {
    const gone = makeMockSandbox({
      terminate: async () => {
        throw new FakeNotFoundError("Sandbox sb-1a2b3c not found");
      },
    });
    const grpcGone = makeMockSandbox({
      sandboxId: "sb-2",
      terminate: async () => {
        throw new FakeClientError(5, "sandbox not found");
      },
    });
    useClient(makeMockClient([gone, grpcGone]));
    const runtime = createModalRuntime({ image: IMAGE });
    const first = await runtime.acquire(TASK, context());
    const second = await runtime.acquire(TASK, context());
    await expect(first[Symbol.asyncDispose]()).resolves.toBeUndefined();
    await expect(second[Symbol.asyncDispose]()).resolves.toBeUndefined();
    expect(gone.terminate).toHaveBeenCalledTimes(1);
    expect(grpcGone.terminate).toHaveBeenCalledTimes(1);
  });

  it("reports another failure to terminate, keeping Modal's error as the cause", async () => {
    const failure = new Error("connection reset");
    const sandbox = makeMockSandbox({
      terminate: async () => {
        throw failure;
      },
    });
    useClient(makeMockClient([sandbox]));
    const substrate = await createModalRuntime({ image: IMAGE }).acquire(TASK, context());
    await expect(substrate[Symbol.asyncDispose]()).rejects.toMatchObject({
      code: "modal-error",
      message: "modal: terminating sandbox sb-1a2b3c failed: connection reset",
      cause: failure,
    });
  });

  it("rejects with Modal's error when creation fails, and lets go of the client", async () => {
    const failure = new Error("image pull failed: manifest unknown");
    client.sandboxes.create.mockRejectedValueOnce(failure);
    await expect(createModalRuntime({ image: IMAGE }).acquire(TASK, context())).rejects.toMatchObject({
      code: "modal-error",
      message: `modal: creating a sandbox from ${IMAGE} failed: image pull failed: manifest unknown`,
      cause: failure,
    });
    await vi.waitFor(() => expect(client.close).toHaveBeenCalledTimes(1));
  });

  it("terminates the sandbox when its server's tunnel never comes up", async () => {
    const failure = new Error("SandboxTimeoutError: tunnels not available");
    const sandbox = makeMockSandbox({
      tunnels: async () => {
        throw failure;
      },
    });
    useClient(makeMockClient([sandbox]));
    await expect(createModalRuntime({ image: IMAGE }).acquire(TASK, context())).rejects.toMatchObject({
      code: "modal-error",
      message:
        "modal: opening the tunnel of sandbox sb-1a2b3c failed: SandboxTimeoutError: tunnels not available",
      cause: failure,
    });
    expect(sandbox.terminate).toHaveBeenCalledTimes(1);
    await vi.waitFor(() => expect(client.close).toHaveBeenCalledTimes(1));
  });

  it("terminates the sandbox when it has no tunnel for the port", async () => {
    const sandbox = makeMockSandbox({ port: 8080 });
    useClient(makeMockClient([sandbox]));
    await expect(createModalRuntime({ image: IMAGE }).acquire(TASK, context())).rejects.toMatchObject({
      code: "modal-no-tunnel",
      message: "modal sandbox sb-1a2b3c has no tunnel for port 8765",
    });
    expect(sandbox.terminate).toHaveBeenCalledTimes(1);
  });

  it("keeps the original error when terminating after a failed start fails too", async () => {
    const ctx = context();
    const sandbox = makeMockSandbox({
      tunnels: async () => {
        throw new Error("tunnel refused");
      },
      terminate: async () => {
        throw new Error("api down");
      },
    });
    useClient(makeMockClient([sandbox]));
    await expect(createModalRuntime({ image: IMAGE }).acquire(TASK, ctx)).rejects.toMatchObject({
      message: "modal: opening the tunnel of sandbox sb-1a2b3c failed: tunnel refused",
    });
    expect(ctx.lines.at(-1)).toMatch(/^modal sandbox sb-1a2b3c may still be running: .*api down/);
  });

  it("terminates a sandbox whose creation finished after the rollout was aborted", async () => {
    const controller = new AbortController();
    const sandbox = makeMockSandbox();
    useClient(makeMockClient([sandbox]));
    client.sandboxes.create.mockImplementationOnce(async () => {
      controller.abort(new Error("rollout timed out"));
      return sandbox;
    });
    await expect(
      createModalRuntime({ image: IMAGE }).acquire(TASK, context({ signal: controller.signal })),
    ).rejects.toThrow("rollout timed out");
    expect(sandbox.terminate).toHaveBeenCalledTimes(1);
    expect(sandbox.tunnels).not.toHaveBeenCalled();
  });

  it("stops waiting for the tunnel when the rollout is aborted, and terminates the sandbox", async () => {
    const controller = new AbortController();
    const sandbox = makeMockSandbox({ tunnels: () => new Promise(() => {}) });
    useClient(makeMockClient([sandbox]));
    const acquired = createModalRuntime({ image: IMAGE }).acquire(
      TASK,
      context({ signal: controller.signal }),
    );
    await vi.waitFor(() => expect(sandbox.tunnels).toHaveBeenCalled());
    controller.abort(new Error("interrupted"));
    await expect(acquired).rejects.toThrow("interrupted");
    expect(sandbox.terminate).toHaveBeenCalledTimes(1);
  });

  it("creates nothing for a rollout aborted before it starts", async () => {
    const controller = new AbortController();
    controller.abort(new Error("cancelled"));
    await expect(
      createModalRuntime({ image: IMAGE }).acquire(TASK, context({ signal: controller.signal })),
    ).rejects.toThrow("cancelled");
    expect(modal.ModalClient).not.toHaveBeenCalled();
  });
});

describe("credentials", () => {
  it("names both variables in one line when neither they nor ~/.modal.toml exist", async () => {
    vi.stubEnv("MODAL_TOKEN_ID", "");
    vi.stubEnv("MODAL_TOKEN_SECRET", "");
    const runtime = createModalRuntime({ image: IMAGE });
    const error = await runtime.acquire(TASK, context()).catch((caught: unknown) => caught);
    expect(ProviderAuthError.isInstance(error)).toBe(true);
    expect(error).toMatchObject({
      code: "missing-credentials",
      provider: "modal",
      message:
        "modal: no credentials: set MODAL_TOKEN_ID and MODAL_TOKEN_SECRET, or create ~/.modal.toml with `modal token new`",
    });
    expect(modal.ModalClient).not.toHaveBeenCalled();
  });

  it("names the one variable that is missing", async () => {
    vi.stubEnv("MODAL_TOKEN_SECRET", "");
    await expect(createModalRuntime({ image: IMAGE }).acquire(TASK, context())).rejects.toMatchObject({
      code: "missing-credentials",
      message:
        "modal: no credentials: set MODAL_TOKEN_SECRET (MODAL_TOKEN_ID and MODAL_TOKEN_SECRET are all needed), or create ~/.modal.toml with `modal token new`",
    });
  });

  it("leaves the credentials to the SDK when a Modal profile file exists", async () => {
    vi.stubEnv("MODAL_TOKEN_ID", "");
    vi.stubEnv("MODAL_TOKEN_SECRET", "");
    const dir = await mkdtemp(join(tmpdir(), "hudkit-modal-"));
    try {
      const path = join(dir, ".modal.toml");
      await writeFile(path, '[default]\ntoken_id = "ak-file"\ntoken_secret = "as-file"\nactive = true\n');
      vi.stubEnv("MODAL_CONFIG_PATH", path);
      await createModalRuntime({ image: IMAGE }).acquire(TASK, context());
      expect(modal.ModalClient).toHaveBeenCalledWith({});
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("turns a refused token into a ProviderAuthError keeping the gRPC error as its cause", async () => {
    const refused = new FakeClientError(16, "Token is invalid");
    client.sandboxes.create.mockRejectedValueOnce(refused);
    const error = await createModalRuntime({ image: IMAGE })
      .acquire(TASK, context())
      .catch((caught: unknown) => caught);
    expect(ProviderAuthError.isInstance(error)).toBe(true);
    expect(error).toMatchObject({ code: "auth-rejected", provider: "modal", cause: refused });
    expect((error as Error).message).toMatch(/^modal: credentials refused while creating a sandbox from /);
  });

  it("treats PERMISSION_DENIED while looking up the app as an auth error too", async () => {
    client.apps.fromName.mockRejectedValueOnce(new FakeClientError(7, "no access to environment"));
    await expect(createModalRuntime({ image: IMAGE }).acquire(TASK, context())).rejects.toMatchObject({
      code: "auth-rejected",
      message: expect.stringMatching(/^modal: credentials refused while looking up app hud-envs: /),
    });
    expect(client.sandboxes.create).not.toHaveBeenCalled();
  });
});

describe("logs", () => {
  it("returns the tail of the sandbox's persisted output", async () => {
    const sandbox = makeMockSandbox({
      logEntries: [
        { message: "serving letter-count on 0.0.0.0:8765\n", source: "stdout" },
        { message: "warning: slow start", source: "stderr" },
      ],
    });
    useClient(makeMockClient([sandbox]));
    const substrate = await createModalRuntime({ image: IMAGE }).acquire(TASK, context());
    expect(await substrate.logs?.()).toBe("serving letter-count on 0.0.0.0:8765\nwarning: slow start");
    expect(sandbox.logs.tail).toHaveBeenCalledWith({ entries: 50 });
  });

  it("is empty when the logs cannot be read", async () => {
    const sandbox = makeMockSandbox();
    sandbox.logs.tail.mockImplementation(async function* () {
      yield* [];
      throw new Error("logs unavailable");
    });
    useClient(makeMockClient([sandbox]));
    const substrate = await createModalRuntime({ image: IMAGE }).acquire(TASK, context());
    expect(await substrate.logs?.()).toBe("");
  });
});
