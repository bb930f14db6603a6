import { type AcquireContext, HudkitError, ProviderAuthError, type Task } from "@hudkit/core";
import { AuthenticationError, CommandExitError, SandboxError, SandboxNotFoundError } from "e2b";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { createE2bRuntime, e2bPlugin, shellCommand } from "./index.js";

const sdk = vi.hoisted(() => ({ create: vi.fn(), list: vi.fn(), kill: vi.fn() }));
vi.mock("e2b", async (importOriginal) => {
  const actual = await importOriginal<typeof import("e2b")>();
  return { ...actual, Sandbox: { create: sdk.create, list: sdk.list, kill: sdk.kill } };
});

interface MockServer {
  pid: number;
  wait: ReturnType<typeof vi.fn>;
  disconnect: ReturnType<typeof vi.fn>;
}

function makeMockServer(overrides: Partial<MockServer> = {}): MockServer {
  return {
    pid: 7,
    wait: vi.fn(() => new Promise(() => {})),
    disconnect: vi.fn(async () => {}),
    ...overrides,
  };
}

type RunOptions = Record<string, unknown>;

/** The command line and options of the sandbox's n-th `commands.run` call. */
function runCall(sandbox: { commands: { run: ReturnType<typeof vi.fn> } }, n = 0): [string, RunOptions] {
  const call = sandbox.commands.run.mock.calls[n];
  if (call === undefined) throw new Error(`no commands.run call #${n}`);
  return call as [string, RunOptions];
}

function makeMockSandbox(overrides: Record<string, unknown> = {}) {
  const server = makeMockServer();
  return {
    sandboxId: "sbx-1",
    trafficAccessToken: undefined as string | undefined,
    getHost: vi.fn((port: number) => `${port}-sbx-1.e2b.app`),
    kill: vi.fn(async () => true),
    commands: { run: vi.fn(async (_line: string, _options: RunOptions) => server) },
    server,
    ...overrides,
  };
}

const task: Task = { env: "letters", id: "count", args: { word: "banana" }, slug: "count-1a2b3c4d" };
const TAGS = { "hudkit.job": "job-1", "hudkit.run": "run-1", "hudkit.task": "count-1a2b3c4d" };

function context(overrides: Partial<AcquireContext> = {}): AcquireContext & { lines: string[] } {
  const lines: string[] = [];
  return {
    signal: new AbortController().signal,
    log: (line) => lines.push(line),
    jobId: "job-1",
    runId: "run-1",
    lines,
    ...overrides,
  };
}

beforeEach(() => {
  vi.stubEnv("E2B_API_KEY", "e2b_test_key");
});
afterEach(() => {
  vi.unstubAllEnvs();
  vi.clearAllMocks();
});

describe("createE2bRuntime: acquire", () => {
  it("creates a tagged sandbox from the template, starts the server in it and returns its wss:// endpoint", async () => {
    const sandbox = makeMockSandbox();
    sdk.create.mockResolvedValue(sandbox);
    const ctx = context();
    const substrate = await createE2bRuntime({
      template: "letter-count:v1",
      envs: { LOG_LEVEL: "debug" },
    }).acquire(task, ctx);

    expect(sdk.create).toHaveBeenCalledTimes(1);
    expect(sdk.create).toHaveBeenCalledWith("letter-count:v1", {
      apiKey: "e2b_test_key",
      timeoutMs: 3_600_000,
      envs: { LOG_LEVEL: "debug" },
      metadata: TAGS,
    });
    const [line, options] = sandbox.commands.run.mock.calls[0] as unknown as [
      string,
      Record<string, unknown>,
    ];
    expect(line).toBe("node /env/env.mjs --host 0.0.0.0 --port 8765");
    const token = substrate.endpoint.token;
    expect(token).toMatch(/^[\w-]{43}$/);
    expect(options).toEqual({
      background: true,
      timeoutMs: 0,
      envs: { LOG_LEVEL: "debug", HUD_CONTROL_TOKEN: token },
      onStdout: expect.any(Function),
      onStderr: expect.any(Function),
    });
    expect(sandbox.getHost).toHaveBeenCalledWith(8765);
    expect(substrate.endpoint).toEqual({ url: "wss://8765-sbx-1.e2b.app", token, readyTimeoutMs: 300_000 });
    expect(ctx.lines[0]).toBe("e2b sandbox sbx-1 from letter-count:v1");
    expect(sandbox.kill).not.toHaveBeenCalled();
  });

  it("gives each rollout its own control token", async () => {
    sdk.create.mockImplementation(async () => makeMockSandbox());
    const runtime = createE2bRuntime({ template: "t" });
    const first = await runtime.acquire(task, context());
    const second = await runtime.acquire(task, context());
    expect(first.endpoint.token).not.toBe(second.endpoint.token);
  });

  it("sends the traffic access token header when the sandbox has one", async () => {
    sdk.create.mockResolvedValue(makeMockSandbox({ trafficAccessToken: "traffic-secret" }));
    const substrate = await createE2bRuntime({ template: "t" }).acquire(task, context());
    expect(substrate.endpoint.headers).toEqual({ "e2b-traffic-access-token": "traffic-secret" });
  });

  it("starts a custom command, shell-quoted, on a custom port, with the settings' timeouts", async () => {
    const sandbox = makeMockSandbox();
    sdk.create.mockResolvedValue(sandbox);
    const substrate = await createE2bRuntime({
      template: "t",
      port: 9000,
      command: ["node", "/srv/it's here.mjs", "--port", "9000"],
      timeoutMs: 600_000,
      readyTimeoutMs: 45_000,
    }).acquire(task, context());
    expect(runCall(sandbox)[0]).toBe("node '/srv/it'\\''s here.mjs' --port 9000");
    expect(sdk.create.mock.calls[0]?.[1]).toMatchObject({ timeoutMs: 600_000 });
    expect(substrate.endpoint.url).toBe("wss://9000-sbx-1.e2b.app");
    expect(substrate.endpoint.readyTimeoutMs).toBe(45_000);
  });

  it("passes the SDK's other Sandbox.create options through, and an explicit API key instead of E2B_API_KEY", async () => {
    vi.stubEnv("E2B_API_KEY", "");
    sdk.create.mockResolvedValue(makeMockSandbox());
    await createE2bRuntime({
      template: "t",
      apiKey: "e2b_explicit",
      domain: "e2b.example.com",
      network: { allowPublicTraffic: false },
      lifecycle: { onTimeout: "kill" },
      metadata: { team: "evals", "hudkit.job": "spoofed" },
    }).acquire(task, context());
    expect(sdk.create).toHaveBeenCalledWith("t", {
      apiKey: "e2b_explicit",
      domain: "e2b.example.com",
      network: { allowPublicTraffic: false },
      lifecycle: { onTimeout: "kill" },
      timeoutMs: 3_600_000,
      envs: {},
      metadata: { team: "evals", ...TAGS },
    });
  });

  it("lets a task's runtime_config pick the template, the lifetime and the readiness deadline", async () => {
    sdk.create.mockResolvedValue(makeMockSandbox());
    const configured: Task = {
      ...task,
      runtime_config: { image: "other:v2", limits: { run_timeout_s: 120, startup_timeout_s: 30 } },
    };
    const ctx = context();
    const substrate = await createE2bRuntime({
      template: "t",
      timeoutMs: 600_000,
      readyTimeoutMs: 10_000,
    }).acquire(configured, ctx);
    expect(sdk.create.mock.calls[0]?.[0]).toBe("other:v2");
    expect(sdk.create.mock.calls[0]?.[1]).toMatchObject({ timeoutMs: 120_000 });
    expect(substrate.endpoint.readyTimeoutMs).toBe(30_000);
    expect(ctx.lines[0]).toBe("e2b sandbox sbx-1 from other:v2");
  });

  it("refuses cpu and memory as template properties, naming the fields, before creating anything", async () => {
    const runtime = createE2bRuntime({ template: "t" });
    const sized: Task = { ...task, runtime_config: { resources: { cpu: 2, memory_mb: 4096 } } };
    const error = await runtime.acquire(sized, context()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HudkitError);
    expect((error as HudkitError).code).toBe("unsupported-runtime-config");
    expect((error as Error).message).toBe(
      "task count-1a2b3c4d asks for resources.cpu and resources.memory_mb, which on E2B is a property of the template, not of a sandbox: build a template with that size (cpuCount, memoryMB of Template.build) and name it in runtime_config.image",
    );
    await expect(
      runtime.acquire({ ...task, runtime_config: { resources: { memory_mb: 512 } } }, context()),
    ).rejects.toThrow(/asks for resources\.memory_mb, which on E2B is a property of the template/);
    expect(sdk.create).not.toHaveBeenCalled();
  });

  it("refuses a GPU and compose", async () => {
    const runtime = createE2bRuntime({ template: "t" });
    await expect(
      runtime.acquire({ ...task, runtime_config: { resources: { gpu: { type: "h100" } } } }, context()),
    ).rejects.toThrow("task count-1a2b3c4d asks for resources.gpu, which the e2b runtime does not support");
    await expect(
      runtime.acquire({ ...task, runtime_config: { compose: { services: {} } } }, context()),
    ).rejects.toThrow("asks for compose, which the e2b runtime does not support");
    expect(sdk.create).not.toHaveBeenCalled();
  });

  it("tolerates storage_mb (best effort) rather than refusing it", async () => {
    sdk.create.mockResolvedValue(makeMockSandbox());
    const substrate = await createE2bRuntime({ template: "t" }).acquire(
      { ...task, runtime_config: { resources: { storage_mb: 2048 } } },
      context(),
    );
    expect(substrate.endpoint.url).toBe("wss://8765-sbx-1.e2b.app");
  });

  it("needs a template from the settings or the task", async () => {
    await expect(createE2bRuntime().acquire(task, context())).rejects.toThrow(
      "no template for task count-1a2b3c4d: pass one (--runtime e2b:<template>) or set runtime_config.image on the task",
    );
    expect(sdk.create).not.toHaveBeenCalled();
  });

  it("returns the server's output tail as logs, with its exit", async () => {
    let exit: (value: unknown) => void = () => {};
    const server = makeMockServer({ wait: vi.fn(() => new Promise((_, reject) => (exit = reject))) });
    const sandbox = makeMockSandbox({ commands: { run: vi.fn(async () => server) } });
    sdk.create.mockResolvedValue(sandbox);
    const substrate = await createE2bRuntime({ template: "t" }).acquire(task, context());
    const { onStdout, onStderr } = runCall(sandbox)[1] as {
      onStdout: (data: string) => void;
      onStderr: (data: string) => void;
    };
    onStdout("listening on 0.0.0.0:8765\nhal");
    onStderr("warning: slow disk\n");
    onStdout("f a line\n");
    exit(new CommandExitError({ exitCode: 3, stdout: "", stderr: "", error: "exit status 3" }));
    await vi.waitFor(async () =>
      expect(await substrate.logs?.()).toBe(
        "listening on 0.0.0.0:8765\nwarning: slow disk\nhalf a line\n[e2b: the server exited with code 3]",
      ),
    );
  });
});

describe("createE2bRuntime: teardown", () => {
  it("kills the sandbox on dispose, once however often dispose is called", async () => {
    const sandbox = makeMockSandbox();
    sdk.create.mockResolvedValue(sandbox);
    const substrate = await createE2bRuntime({ template: "t" }).acquire(task, context());
    await substrate[Symbol.asyncDispose]();
    await substrate[Symbol.asyncDispose]();
    expect(sandbox.kill).toHaveBeenCalledTimes(1);
    expect(sandbox.server.disconnect).toHaveBeenCalledTimes(1);
  });

  it("treats a sandbox already gone as torn down (kill says false, or a 404)", async () => {
    const gone = makeMockSandbox({ kill: vi.fn(async () => false) });
    sdk.create.mockResolvedValueOnce(gone);
    const first = await createE2bRuntime({ template: "t" }).acquire(task, context());
    await expect(first[Symbol.asyncDispose]()).resolves.toBeUndefined();

    const notFound = makeMockSandbox({
      kill: vi.fn(async () => {
        throw new SandboxNotFoundError("sandbox sbx-1 not found");
      }),
    });
    sdk.create.mockResolvedValueOnce(notFound);
    const second = await createE2bRuntime({ template: "t" }).acquire(task, context());
    await expect(second[Symbol.asyncDispose]()).resolves.toBeUndefined();
    expect(notFound.kill).toHaveBeenCalledTimes(1);
  });

  it("reports a kill that fails otherwise, keeping the vendor error as cause", async () => {
    const failure = Object.assign(new SandboxError("500: internal"), { statusCode: 500 });
    sdk.create.mockResolvedValue(makeMockSandbox({ kill: vi.fn().mockRejectedValue(failure) }));
    const substrate = await createE2bRuntime({ template: "t" }).acquire(task, context());
    const error = await Promise.resolve(substrate[Symbol.asyncDispose]()).catch((e: unknown) => e);
    expect((error as HudkitError).code).toBe("e2b-error");
    expect((error as Error).message).toBe("e2b: killing sandbox sbx-1 failed: 500: internal");
    expect((error as Error).cause).toBe(failure);
  });

  it("creates nothing and kills nothing when the create call fails, keeping its cause", async () => {
    const failure = new SandboxError("400: template 'nope' not found");
    sdk.create.mockRejectedValue(failure);
    const error = await createE2bRuntime({ template: "nope" })
      .acquire(task, context())
      .catch((e: unknown) => e);
    expect(HudkitError.isInstance(error)).toBe(true);
    expect((error as Error).message).toBe(
      "e2b: creating a sandbox from nope failed: 400: template 'nope' not found",
    );
    expect((error as Error).cause).toBe(failure);
  });

  it("kills the sandbox when the server cannot be started", async () => {
    const failure = new SandboxError("envd unavailable");
    const sandbox = makeMockSandbox({ commands: { run: vi.fn().mockRejectedValue(failure) } });
    sdk.create.mockResolvedValue(sandbox);
    const error = await createE2bRuntime({ template: "t" })
      .acquire(task, context())
      .catch((e: unknown) => e);
    expect((error as Error).message).toBe(
      "e2b: starting the server in sandbox sbx-1 failed: envd unavailable",
    );
    expect((error as Error).cause).toBe(failure);
    expect(sandbox.kill).toHaveBeenCalledTimes(1);
  });

  it("still rejects with the start failure when the kill fails too, and says how to prune", async () => {
    const sandbox = makeMockSandbox({
      commands: { run: vi.fn().mockRejectedValue(new SandboxError("envd unavailable")) },
      kill: vi.fn().mockRejectedValue(new Error("network down")),
    });
    sdk.create.mockResolvedValue(sandbox);
    const ctx = context();
    await expect(createE2bRuntime({ template: "t" }).acquire(task, ctx)).rejects.toThrow(
      /starting the server/,
    );
    expect(ctx.lines.at(-1)).toBe(
      "e2b sandbox sbx-1 could not be killed (e2b: killing sandbox sbx-1 failed: network down): `hud e2b prune --job job-1` removes it",
    );
  });

  it("kills the sandbox created while the signal aborted, then rejects with the abort reason", async () => {
    const controller = new AbortController();
    const sandbox = makeMockSandbox();
    sdk.create.mockImplementation(async () => {
      controller.abort(new Error("rollout timed out"));
      return sandbox;
    });
    await expect(
      createE2bRuntime({ template: "t" }).acquire(task, context({ signal: controller.signal })),
    ).rejects.toThrow("rollout timed out");
    expect(sdk.create.mock.calls[0]?.[1]).not.toHaveProperty("signal");
    expect(sandbox.kill).toHaveBeenCalledTimes(1);
    expect(sandbox.commands.run).not.toHaveBeenCalled();
  });

  it("kills the sandbox when the signal aborts while the server starts", async () => {
    const controller = new AbortController();
    const server = makeMockServer();
    const sandbox = makeMockSandbox({
      commands: {
        run: vi.fn(async () => {
          controller.abort(new Error("interrupted"));
          return server;
        }),
      },
    });
    sdk.create.mockResolvedValue(sandbox);
    await expect(
      createE2bRuntime({ template: "t" }).acquire(task, context({ signal: controller.signal })),
    ).rejects.toThrow("interrupted");
    expect(server.disconnect).toHaveBeenCalledTimes(1);
    expect(sandbox.kill).toHaveBeenCalledTimes(1);
  });

  it("creates nothing when the signal is already aborted", async () => {
    const controller = new AbortController();
    controller.abort(new Error("interrupted"));
    await expect(
      createE2bRuntime({ template: "t" }).acquire(task, context({ signal: controller.signal })),
    ).rejects.toThrow("interrupted");
    expect(sdk.create).not.toHaveBeenCalled();
  });
});

describe("createE2bRuntime: credentials and settings", () => {
  it("reads E2B_API_KEY at acquire, not at construction, and names it when missing", async () => {
    vi.stubEnv("E2B_API_KEY", "");
    const runtime = createE2bRuntime({ template: "t" });
    const error = await runtime.acquire(task, context()).catch((e: unknown) => e);
    expect(ProviderAuthError.isInstance(error)).toBe(true);
    expect((error as ProviderAuthError).code).toBe("missing-credentials");
    expect((error as Error).message).toBe("e2b: no credentials: set E2B_API_KEY");
    expect(sdk.create).not.toHaveBeenCalled();
  });

  it("turns E2B's AuthenticationError into a ProviderAuthError keeping the cause", async () => {
    const refused = new AuthenticationError("Unauthorized, please check your credentials.");
    sdk.create.mockRejectedValue(refused);
    const error = await createE2bRuntime({ template: "t" })
      .acquire(task, context())
      .catch((e: unknown) => e);
    expect(ProviderAuthError.isInstance(error)).toBe(true);
    expect((error as ProviderAuthError).code).toBe("auth-rejected");
    expect((error as ProviderAuthError).provider).toBe("e2b");
    expect((error as Error).message).toBe(
      "e2b: credentials refused while creating a sandbox from t: Unauthorized, please check your credentials.",
    );
    expect((error as Error).cause).toBe(refused);
  });

  it("treats a 403 from the API as refused credentials", async () => {
    sdk.create.mockRejectedValue(Object.assign(new SandboxError("403: forbidden"), { statusCode: 403 }));
    const error = await createE2bRuntime({ template: "t" })
      .acquire(task, context())
      .catch((e: unknown) => e);
    expect((error as ProviderAuthError).code).toBe("auth-rejected");
  });

  it("refuses unknown and malformed settings at construction", () => {
    expect(() => createE2bRuntime({ template: "t", timeoutMS: 5 } as never)).toThrow(
      /createE2bRuntime: .*Unrecognized key: "timeoutMS"/s,
    );
    expect(() => createE2bRuntime({ port: 0 })).toThrow(/createE2bRuntime: .*port/s);
    expect(() => createE2bRuntime({ command: [] })).toThrow(/createE2bRuntime: .*command/s);
  });
});

describe("shellCommand", () => {
  it("leaves plain words alone and single-quotes the rest", () => {
    expect(shellCommand(["node", "/env/env.mjs", "--host", "0.0.0.0"])).toBe(
      "node /env/env.mjs --host 0.0.0.0",
    );
    expect(shellCommand(["echo", "", "a b", "$HOME", "it's"])).toBe("echo '' 'a b' '$HOME' 'it'\\''s'");
  });
});

describe("e2bPlugin", () => {
  it("creates a provider for the template in its argument, tag included", async () => {
    sdk.create.mockResolvedValue(makeMockSandbox());
    const provider = await e2bPlugin.create("letter-count:v1", { timeoutMs: 900_000 });
    expect(e2bPlugin.specificationVersion).toBe("runtime-plugin-v1");
    expect(provider.name).toBe("e2b");
    await provider.acquire(task, context());
    expect(sdk.create.mock.calls[0]?.[0]).toBe("letter-count:v1");
    expect(sdk.create.mock.calls[0]?.[1]).toMatchObject({ timeoutMs: 900_000 });
  });

  it("fails before the job when E2B_API_KEY is missing, unless the options carry a key", async () => {
    vi.stubEnv("E2B_API_KEY", "");
    expect(() => e2bPlugin.create("t", {})).toThrow("e2b: no credentials: set E2B_API_KEY");
    expect(await e2bPlugin.create("t", { apiKey: "e2b_explicit" })).toHaveProperty("name", "e2b");
    expect(sdk.create).not.toHaveBeenCalled();
  });

  it("refuses an options typo", () => {
    expect(() => e2bPlugin.create("t", { tempalte: "x" })).toThrow(/Unrecognized key: "tempalte"/);
  });
});
