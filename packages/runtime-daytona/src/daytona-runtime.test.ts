import { HudkitError, ProviderAuthError } from "@hudkit/core";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { createDaytonaRuntime, type DaytonaRuntimeSettings } from "./index.js";
import {
  asClient,
  constructorReturning,
  context,
  DaytonaAuthenticationError,
  DaytonaError,
  DaytonaForbiddenError,
  DaytonaNotFoundError,
  deferred,
  type MockClient,
  type MockSandbox,
  makeMockClient,
  makeMockSandbox,
  TAGS,
  TASK,
  taskWith,
} from "./test-support/daytona-mocks.js";

const sdk = vi.hoisted(() => ({ Daytona: vi.fn() }));
vi.mock("@daytonaio/sdk", () => ({ Daytona: sdk.Daytona }));

let sandbox: MockSandbox;
let client: MockClient;

beforeEach(() => {
  sandbox = makeMockSandbox();
  client = makeMockClient(sandbox);
  sdk.Daytona.mockReset();
  sdk.Daytona.mockImplementation(constructorReturning(() => client));
  vi.stubEnv("DAYTONA_API_KEY", "key-from-env");
  vi.stubEnv("DAYTONA_API_URL", undefined);
  vi.stubEnv("DAYTONA_TARGET", undefined);
});

afterEach(() => {
  vi.unstubAllEnvs();
});

const BASE_PARAMS = {
  envVars: {},
  labels: TAGS,
  public: false,
  ephemeral: true,
  autoStopInterval: 0,
};

describe("createDaytonaRuntime: a rollout from a snapshot", () => {
  it("creates a tagged, private, ephemeral sandbox, starts the server in a session and returns the preview endpoint", async () => {
    const ctx = context();
    const substrate = await createDaytonaRuntime({ snapshot: "letter-count" }).acquire(TASK, ctx);

    expect(sdk.Daytona).toHaveBeenCalledExactlyOnceWith({ apiKey: "key-from-env" });
    expect(client.create).toHaveBeenCalledExactlyOnceWith(
      { ...BASE_PARAMS, snapshot: "letter-count" },
      { timeout: 120 },
    );
    expect(sandbox.process.createSession).toHaveBeenCalledExactlyOnceWith("hudkit-serve");
    expect(sandbox.process.executeSessionCommand).toHaveBeenCalledExactlyOnceWith("hudkit-serve", {
      command: "node /env/env.mjs --host 0.0.0.0 --port 8765",
      runAsync: true,
    });
    expect(sandbox.getPreviewLink).toHaveBeenCalledExactlyOnceWith(8765);
    expect(substrate.endpoint).toEqual({
      url: "wss://8765-sb-1.proxy.daytona.works",
      headers: { "x-daytona-preview-token": "preview-token" },
      readyTimeoutMs: 300_000,
    });
    expect(ctx.log).toHaveBeenCalledWith("daytona sandbox sb-1 from snapshot letter-count");
    expect(sandbox.delete).not.toHaveBeenCalled();

    await substrate[Symbol.asyncDispose]();
    expect(sandbox.delete).toHaveBeenCalledOnce();
  });

  it("turns an http:// preview URL (a self-hosted Daytona) into ws://", async () => {
    sandbox.getPreviewLink.mockResolvedValueOnce({
      sandboxId: "sb-1",
      url: "http://8765-sb-1.local:4000",
      token: "t",
    });
    const substrate = await createDaytonaRuntime({ snapshot: "letter-count" }).acquire(TASK, context());
    expect(substrate.endpoint.url).toBe("ws://8765-sb-1.local:4000");
  });

  it("builds the client lazily and once per provider, from the settings before the environment", async () => {
    vi.stubEnv("DAYTONA_API_URL", "https://env.example/api");
    vi.stubEnv("DAYTONA_TARGET", "us");
    const runtime = createDaytonaRuntime({
      snapshot: "letter-count",
      apiKey: "key-from-settings",
      target: "eu",
    });
    expect(sdk.Daytona).not.toHaveBeenCalled();

    await Promise.all([runtime.acquire(TASK, context()), runtime.acquire(TASK, context())]);
    await runtime.acquire(TASK, context());

    expect(sdk.Daytona).toHaveBeenCalledExactlyOnceWith({
      apiKey: "key-from-settings",
      apiUrl: "https://env.example/api",
      target: "eu",
    });
    expect(client.create).toHaveBeenCalledTimes(3);
  });

  it("uses a client passed in settings, needing no credentials", async () => {
    vi.stubEnv("DAYTONA_API_KEY", undefined);
    const own = makeMockClient(sandbox);
    await createDaytonaRuntime({ snapshot: "letter-count", daytona: asClient(own) }).acquire(TASK, context());
    expect(own.create).toHaveBeenCalledOnce();
    expect(sdk.Daytona).not.toHaveBeenCalled();
  });
});

describe("createDaytonaRuntime: settings", () => {
  it("creates from an image with resources, extra labels and env, the command quoted, times in Daytona units", async () => {
    const ctx = context();
    const substrate = await createDaytonaRuntime({
      image: "ghcr.io/acme/letter-count:1",
      port: 9000,
      command: ["node", "/srv/env.mjs", "--greeting", "it's me"],
      envVars: { LOG_LEVEL: "debug" },
      labels: { team: "evals" },
      resources: { cpu: 2, memory: 4, disk: 10 },
      createTimeoutMs: 90_500,
      autoStopIntervalMs: 90_000,
      readyTimeoutMs: 60_000,
      sandboxParams: { networkBlockAll: true, user: "node" },
    }).acquire(TASK, ctx);

    expect(client.create).toHaveBeenCalledExactlyOnceWith(
      {
        networkBlockAll: true,
        user: "node",
        envVars: { LOG_LEVEL: "debug" },
        labels: { team: "evals", ...TAGS },
        public: false,
        ephemeral: true,
        autoStopInterval: 2,
        image: "ghcr.io/acme/letter-count:1",
        resources: { cpu: 2, memory: 4, disk: 10 },
      },
      { timeout: 91, onSnapshotCreateLogs: expect.any(Function) },
    );
    expect(sandbox.process.executeSessionCommand).toHaveBeenCalledWith("hudkit-serve", {
      command: "node /srv/env.mjs --greeting 'it'\\''s me'",
      runAsync: true,
    });
    expect(sandbox.getPreviewLink).toHaveBeenCalledWith(9000);
    expect(substrate.endpoint.readyTimeoutMs).toBe(60_000);

    const onLogs = client.create.mock.calls[0]?.[1]?.onSnapshotCreateLogs as (chunk: string) => void;
    onLogs("Step 1/3 : FROM node:24");
    expect(ctx.log).toHaveBeenCalledWith("daytona build: Step 1/3 : FROM node:24");
  });

  it.each<[string, DaytonaRuntimeSettings, RegExp]>([
    [
      "an unknown setting",
      { snapshot: "s", imag: "x" } as DaytonaRuntimeSettings,
      /Unrecognized key: "imag"/,
    ],
    [
      "both a snapshot and an image",
      { snapshot: "s", image: "node:24" },
      /pass `snapshot` or `image`, not both/,
    ],
    [
      "resources with a snapshot",
      { snapshot: "s", resources: { cpu: 2 } },
      /`resources` apply only to sandboxes created from an image/,
    ],
    ["a fractional CPU", { image: "node:24", resources: { cpu: 1.5 } }, /resources\.cpu/],
    [
      "sandboxParams the provider owns",
      {
        image: "node:24",
        sandboxParams: { ephemeral: false, labels: {} } as DaytonaRuntimeSettings["sandboxParams"],
      },
      /sandboxParams cannot set labels, ephemeral/,
    ],
    ["a port out of range", { snapshot: "s", port: 70_000 }, /port/],
  ])("refuses %s at construction", (_name, settings, message) => {
    expect(() => createDaytonaRuntime(settings)).toThrow(message);
    try {
      createDaytonaRuntime(settings);
    } catch (error) {
      expect(HudkitError.isInstance(error) && error.code).toBe("invalid-options");
    }
    expect(sdk.Daytona).not.toHaveBeenCalled();
  });

  it("fails a task with no snapshot or image, naming both ways to give one", async () => {
    await expect(createDaytonaRuntime().acquire(TASK, context())).rejects.toThrow(
      "no snapshot or image for task count-1a2b3c4d: pass one (--runtime daytona:<snapshot-or-image>) or set runtime_config.image on the task",
    );
    expect(client.create).not.toHaveBeenCalled();
  });
});

describe("createDaytonaRuntime: a task's runtime_config", () => {
  it("creates from the task's image with its resources in GiB, its startup timeout and its lifetime as a TTL", async () => {
    const task = taskWith({
      image: "ghcr.io/acme/other:2",
      resources: { cpu: 2, memory_mb: 1500, storage_mb: 10_240, gpu: { type: "H100", count: 1 } },
      limits: { startup_timeout_s: 45, run_timeout_s: 3_601 },
    });
    const substrate = await createDaytonaRuntime({
      snapshot: "letter-count",
      readyTimeoutMs: 60_000,
    }).acquire(task, context());
    expect(client.create).toHaveBeenCalledExactlyOnceWith(
      {
        ...BASE_PARAMS,
        ttlMinutes: 61,
        image: "ghcr.io/acme/other:2",
        resources: { cpu: 2, memory: 2, disk: 10, gpu: 1, gpuType: "H100" },
      },
      { timeout: 120, onSnapshotCreateLogs: expect.any(Function) },
    );
    expect(substrate.endpoint.readyTimeoutMs).toBe(45_000);
  });

  it("merges the task's resources over the settings'", async () => {
    await createDaytonaRuntime({ image: "node:24", resources: { cpu: 1, memory: 8 } }).acquire(
      taskWith({ resources: { cpu: 4 } }),
      context(),
    );
    expect(client.create.mock.calls[0]?.[0]).toMatchObject({ resources: { cpu: 4, memory: 8 } });
  });

  it("refuses a fractional CPU, since Daytona allocates whole ones", async () => {
    await expect(
      createDaytonaRuntime({ image: "node:24" }).acquire(taskWith({ resources: { cpu: 0.5 } }), context()),
    ).rejects.toThrow("task count-1a2b3c4d asks for resources.cpu 0.5, but Daytona allocates whole CPUs");
    expect(client.create).not.toHaveBeenCalled();
  });

  it("refuses resources for a sandbox from a snapshot, whose resources are fixed", async () => {
    await expect(
      createDaytonaRuntime({ snapshot: "letter-count" }).acquire(
        taskWith({ resources: { memory_mb: 2048, cpu: 2 } }),
        context(),
      ),
    ).rejects.toThrow(
      "task count-1a2b3c4d asks for resources.cpu, resources.memory_mb, but its Daytona sandbox comes from snapshot letter-count",
    );
    expect(client.create).not.toHaveBeenCalled();
  });
});

describe("createDaytonaRuntime: teardown on every path", () => {
  it("deletes what a failed create left behind (found by the rollout's tags) and keeps the SDK error as cause", async () => {
    const failure = new DaytonaError("Failed to create and start sandbox within 120 seconds.", 408);
    const leftover = makeMockSandbox({ id: "sb-left", labels: TAGS });
    client = makeMockClient(sandbox, [leftover]);
    client.create.mockRejectedValueOnce(failure);

    const error = await createDaytonaRuntime({ snapshot: "letter-count" })
      .acquire(TASK, context())
      .catch((e: unknown) => e);

    expect(HudkitError.isInstance(error)).toBe(true);
    expect((error as HudkitError).code).toBe("daytona-error");
    expect((error as Error).message).toBe(
      "daytona: creating a sandbox from snapshot letter-count failed: Failed to create and start sandbox within 120 seconds.",
    );
    expect((error as Error).cause).toBe(failure);
    expect(client.list).toHaveBeenCalledExactlyOnceWith({ labels: TAGS });
    expect(leftover.delete).toHaveBeenCalledOnce();
  });

  it.each([
    ["opening the session", (s: MockSandbox) => s.process.createSession, "opening a session in sandbox sb-1"],
    [
      "starting the server",
      (s: MockSandbox) => s.process.executeSessionCommand,
      "starting the environment server in sandbox sb-1",
    ],
    ["opening the preview link", (s: MockSandbox) => s.getPreviewLink, "opening port 8765 in sandbox sb-1"],
  ])("deletes the sandbox when %s fails", async (_step, method, action) => {
    const failure = new DaytonaError("toolbox unavailable", 502);
    method(sandbox).mockRejectedValueOnce(failure);

    const error = await createDaytonaRuntime({ snapshot: "letter-count" })
      .acquire(TASK, context())
      .catch((e: unknown) => e);

    expect((error as Error).message).toBe(`daytona: ${action} failed: toolbox unavailable`);
    expect((error as Error).cause).toBe(failure);
    expect(sandbox.delete).toHaveBeenCalledOnce();
  });

  it("on an abort during create, waits for the sandbox, deletes it, then rejects with the abort reason", async () => {
    const creation = deferred<MockSandbox>();
    client.create.mockReturnValueOnce(creation.promise);
    const controller = new AbortController();
    const acquiring = createDaytonaRuntime({ snapshot: "letter-count" }).acquire(
      TASK,
      context(controller.signal),
    );
    const settled = vi.fn();
    acquiring.then(settled, settled);
    await vi.waitFor(() => expect(client.create).toHaveBeenCalled());

    const reason = new Error("rollout timed out");
    controller.abort(reason);
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(settled).not.toHaveBeenCalled(); // the sandbox is still being made: not yet deleted

    creation.resolve(sandbox);
    await expect(acquiring).rejects.toBe(reason);
    expect(sandbox.delete).toHaveBeenCalledOnce();
    expect(sandbox.process.createSession).not.toHaveBeenCalled();
  });

  it("on an abort from its first progress line, deletes the sandbox the create under way makes", async () => {
    const controller = new AbortController();
    const ctx = context(controller.signal);
    ctx.log.mockImplementationOnce(() => controller.abort(new Error("aborted on the first line")));
    await expect(createDaytonaRuntime({ snapshot: "letter-count" }).acquire(TASK, ctx)).rejects.toThrow(
      "aborted on the first line",
    );
    expect(ctx.log).toHaveBeenCalledWith("daytona: creating a sandbox from snapshot letter-count");
    expect(client.create).toHaveBeenCalledOnce();
    expect(sandbox.delete).toHaveBeenCalledOnce();
  });

  it("on an abort while the server starts, deletes the sandbox and rejects with the abort reason", async () => {
    const session = deferred<void>();
    sandbox.process.createSession.mockReturnValueOnce(session.promise);
    const controller = new AbortController();
    const acquiring = createDaytonaRuntime({ snapshot: "letter-count" }).acquire(
      TASK,
      context(controller.signal),
    );
    await vi.waitFor(() => expect(sandbox.process.createSession).toHaveBeenCalled());

    const reason = new Error("interrupted");
    controller.abort(reason);

    await expect(acquiring).rejects.toBe(reason);
    expect(sandbox.delete).toHaveBeenCalledOnce();
    expect(sandbox.process.executeSessionCommand).not.toHaveBeenCalled();
  });

  it("does not contact Daytona when the signal is already aborted", async () => {
    const controller = new AbortController();
    controller.abort(new Error("too late"));
    await expect(
      createDaytonaRuntime({ snapshot: "letter-count" }).acquire(TASK, context(controller.signal)),
    ).rejects.toThrow("too late");
    expect(sdk.Daytona).not.toHaveBeenCalled();
    expect(client.create).not.toHaveBeenCalled();
  });

  it("makes a second dispose a no-op", async () => {
    const substrate = await createDaytonaRuntime({ snapshot: "letter-count" }).acquire(TASK, context());
    await substrate[Symbol.asyncDispose]();
    await substrate[Symbol.asyncDispose]();
    expect(sandbox.delete).toHaveBeenCalledOnce();
  });

  it("treats a sandbox already gone (404) as deleted", async () => {
    sandbox.delete.mockRejectedValueOnce(new DaytonaNotFoundError("Sandbox not found", 404));
    const substrate = await createDaytonaRuntime({ snapshot: "letter-count" }).acquire(TASK, context());
    await expect(substrate[Symbol.asyncDispose]()).resolves.toBeUndefined();
  });

  it("reports another delete failure once, with its cause", async () => {
    const failure = new DaytonaError("internal error", 500);
    sandbox.delete.mockRejectedValueOnce(failure);
    const substrate = await createDaytonaRuntime({ snapshot: "letter-count" }).acquire(TASK, context());
    const error = await Promise.resolve(substrate[Symbol.asyncDispose]()).catch((e: unknown) => e);
    expect((error as Error).message).toBe("daytona: deleting sandbox sb-1 failed: internal error");
    expect((error as Error).cause).toBe(failure);
    await expect(substrate[Symbol.asyncDispose]()).resolves.toBeUndefined();
  });
});

describe("createDaytonaRuntime: credentials", () => {
  it("names the missing variable, and picks it up once set", async () => {
    vi.stubEnv("DAYTONA_API_KEY", undefined);
    const runtime = createDaytonaRuntime({ snapshot: "letter-count" });
    const error = await runtime.acquire(TASK, context()).catch((e: unknown) => e);
    expect(ProviderAuthError.isInstance(error)).toBe(true);
    expect((error as ProviderAuthError).code).toBe("missing-credentials");
    expect((error as Error).message).toBe("daytona: no credentials: set DAYTONA_API_KEY");
    expect(sdk.Daytona).not.toHaveBeenCalled();

    vi.stubEnv("DAYTONA_API_KEY", "late-key");
    await runtime.acquire(TASK, context());
    expect(sdk.Daytona).toHaveBeenCalledExactlyOnceWith({ apiKey: "late-key" });
  });

  it.each([
    ["a 401", new DaytonaAuthenticationError("Unauthorized", 401)],
    [
      "a forbidden error without a status",
      new DaytonaForbiddenError("Forbidden: missing scope write:sandboxes"),
    ],
  ])("turns %s into a ProviderAuthError keeping the SDK error", async (_name, failure) => {
    client.create.mockRejectedValueOnce(failure);
    const error = await createDaytonaRuntime({ snapshot: "letter-count" })
      .acquire(TASK, context())
      .catch((e: unknown) => e);
    expect(ProviderAuthError.isInstance(error)).toBe(true);
    expect((error as ProviderAuthError).code).toBe("auth-rejected");
    expect((error as ProviderAuthError).provider).toBe("daytona");
    expect((error as Error).message).toBe(
      `daytona: credentials refused while creating a sandbox from snapshot letter-count: ${failure.message}`,
    );
    expect((error as Error).cause).toBe(failure);
  });

  it("wraps an error of the SDK's constructor", async () => {
    const failure = new DaytonaAuthenticationError("Authentication credentials not found.");
    sdk.Daytona.mockImplementationOnce(
      constructorReturning(() => {
        throw failure;
      }),
    );
    const error = await createDaytonaRuntime({ snapshot: "letter-count" })
      .acquire(TASK, context())
      .catch((e: unknown) => e);
    expect(ProviderAuthError.isInstance(error)).toBe(true);
    expect((error as Error).cause).toBe(failure);
  });
});

describe("createDaytonaRuntime: logs", () => {
  it("returns the last 50 lines of the server's session output", async () => {
    const lines = Array.from({ length: 60 }, (_, i) => `line ${i}`);
    sandbox.process.getSessionCommandLogs.mockResolvedValueOnce({ output: `${lines.join("\n")}\n` });
    const substrate = await createDaytonaRuntime({ snapshot: "letter-count" }).acquire(TASK, context());
    const logs = await substrate.logs?.();
    expect(sandbox.process.getSessionCommandLogs).toHaveBeenCalledWith("hudkit-serve", "cmd-1");
    expect(logs).toBe(lines.slice(10).join("\n"));
  });

  it("says why when the output cannot be read", async () => {
    sandbox.process.getSessionCommandLogs.mockRejectedValueOnce(
      new DaytonaNotFoundError("Sandbox not found", 404),
    );
    const substrate = await createDaytonaRuntime({ snapshot: "letter-count" }).acquire(TASK, context());
    await expect(substrate.logs?.()).resolves.toBe(
      "(daytona: could not read the server's output: Sandbox not found)",
    );
  });
});
