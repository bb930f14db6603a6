import { afterEach, describe, expect, it } from "vitest";
import { HudkitError } from "../errors/hudkit-error.js";
import { HudClient } from "./client.js";
import { type ConnectOptions, connect } from "./client-connect.js";
import {
  FAKE_SESSION_ID,
  FakeControlServer,
  type FakeServerOptions,
  waitUntil,
} from "./client-fake-server.js";
import type { ControlTransport } from "./client-transport.js";
import { RpcError } from "./rpc-error.js";

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function fake(options: FakeServerOptions = {}): Promise<FakeControlServer> {
  const server = await FakeControlServer.start(options);
  cleanups.push(() => server.close());
  return server;
}

async function connected(server: FakeControlServer, options: ConnectOptions = {}): Promise<HudClient> {
  const client = await connect(server.url, { heartbeatMs: 0, ...options });
  cleanups.push(() => client.close());
  return client;
}

function warnings(): { lines: string[]; logger: { warn(message: string): void } } {
  const lines: string[] = [];
  return { lines, logger: { warn: (message) => lines.push(message) } };
}

describe("HudClient calls", () => {
  it("drives hello, tasks.*, with ids counting up from 1", async () => {
    const server = await fake();
    const client = await connected(server);
    expect(client.manifest).toEqual({
      sessionId: FAKE_SESSION_ID,
      env: { name: "fake", version: "0.0.1" },
      bindings: [],
    });
    expect(await client.listTasks()).toEqual([
      { id: "echo", description: "echoes", args: { type: "object" } },
    ]);
    expect(await client.start("echo", { tag: "x" })).toEqual({ prompt: "go echo" });
    expect((await client.grade({ answer: "x" })).reward).toBe(1);
    await client.cancel();
    expect(server.requests.map(({ id, method, params }) => ({ id, method, params }))).toEqual([
      { id: 1, method: "hello", params: {} },
      { id: 2, method: "tasks.list", params: {} },
      { id: 3, method: "tasks.start", params: { id: "echo", args: { tag: "x" } } },
      { id: 4, method: "tasks.grade", params: { answer: "x" } },
      { id: 5, method: "tasks.cancel", params: {} },
    ]);
  });

  it("sends args {} when none are given and keeps extra prompt keys", async () => {
    const extra = {
      prompt: [{ role: "user", content: "hi" }],
      bindings: { robot: { token: "t1" } },
      extra: 5,
    };
    const server = await fake({
      handle: (r) => (r.method === "tasks.start" ? { result: extra } : undefined),
    });
    const client = await connected(server);
    expect(await client.start("echo")).toEqual(extra);
    expect(server.requests[1]?.params).toEqual({ id: "echo", args: {} });
  });

  it("rejects a prompt frame whose bindings are not objects", async () => {
    const server = await fake({
      handle: (r) =>
        r.method === "tasks.start" ? { result: { prompt: "p", bindings: { robot: 5 } } } : undefined,
    });
    const client = await connected(server);
    const error = await client.start("echo").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RpcError);
    expect((error as RpcError).rpcCode).toBe(-32603);
  });

  it("turns an error frame into RpcError(code, message) and stays usable", async () => {
    const server = await fake({
      handle: (r) =>
        r.method === "tasks.grade" ? { error: { code: -32600, message: "no task in progress" } } : undefined,
    });
    const client = await connected(server);
    const error = await client.grade({ answer: 1 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RpcError);
    expect(error).toMatchObject({ rpcCode: -32600, rpcMessage: "no task in progress" });
    expect((error as Error).message).toBe("hud rpc error -32600: no task in progress");
    expect(await client.listTasks()).toHaveLength(1);
  });

  it("rejects a reply with the wrong id with -32603 and drops the transport (checklist 76)", async () => {
    const server = await fake({
      handle: (r) =>
        r.method === "tasks.list" ? { raw: '{"jsonrpc":"2.0","id":999,"result":{}}' } : undefined,
    });
    const client = await connected(server);
    const error = await client.listTasks().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RpcError);
    expect((error as RpcError).rpcCode).toBe(-32603);
    expect((error as RpcError).rpcMessage).toBe("'tasks.list': reply id did not match request");
    await waitUntil(() => server.closedConnections === 1);
    expect(client.signal.aborted).toBe(true);
    await expect(client.cancel()).rejects.toBe(error);
  });

  it("raises the error of an id-less error frame, still dropping the transport", async () => {
    const server = await fake({
      handle: (r) =>
        r.method === "tasks.list"
          ? { raw: '{"jsonrpc":"2.0","id":null,"error":{"code":-32700,"message":"parse error"}}' }
          : undefined,
    });
    const client = await connected(server);
    await expect(client.listTasks()).rejects.toMatchObject({ rpcCode: -32700 });
    await waitUntil(() => server.closedConnections === 1);
  });

  it("reports EOF as connection-closed naming the method", async () => {
    const server = await fake({ handle: (r) => (r.method === "tasks.start" ? { hangUp: true } : undefined) });
    const client = await connected(server);
    const error = await client.start("echo").catch((e: unknown) => e);
    expect(HudkitError.isInstance(error) && error.code).toBe("connection-closed");
    expect((error as Error).message).toBe("env closed connection during 'tasks.start'");
    await expect(client.listTasks()).rejects.toBe(error);
  });

  it("rejects a result that is not an object with -32603", async () => {
    const server = await fake({
      handle: (r) => (r.method === "tasks.cancel" ? { result: [1, 2] } : undefined),
    });
    const client = await connected(server);
    await expect(client.cancel()).rejects.toMatchObject({
      rpcCode: -32603,
      rpcMessage: "'tasks.cancel': result was not an object",
    });
    expect(await client.listTasks()).toHaveLength(1);
  });

  it("drops the connection on a garbled reply", async () => {
    const server = await fake({
      handle: (r) => (r.method === "tasks.list" ? { raw: "not json" } : undefined),
    });
    const client = await connected(server);
    await expect(client.listTasks()).rejects.toMatchObject({ code: "bad-frame" });
    await waitUntil(() => server.closedConnections === 1);
  });

  it("rejects tasks.list when 'tasks' is not a list", async () => {
    const server = await fake({
      handle: (r) => (r.method === "tasks.list" ? { result: { tasks: 5 } } : undefined),
    });
    const client = await connected(server);
    await expect(client.listTasks()).rejects.toMatchObject({
      rpcCode: -32603,
      rpcMessage: "tasks.list: 'tasks' must be a list",
    });
  });

  it("times a call out, drops the connection, and fails later calls with the same error", async () => {
    const server = await fake({ handle: (r) => (r.method === "tasks.grade" ? { silent: true } : undefined) });
    const client = await connected(server);
    const error = await client.grade({ answer: 1 }, { timeoutMs: 100 }).catch((e: unknown) => e);
    expect(HudkitError.isInstance(error) && error.code).toBe("reply-timeout");
    expect((error as Error).message).toBe("env did not reply to 'tasks.grade' within 100 ms");
    await waitUntil(() => server.closedConnections === 1);
    await expect(client.listTasks()).rejects.toBe(error);
  });

  it("rejects with the signal's reason when a call is aborted mid-flight", async () => {
    const server = await fake({ handle: (r) => (r.method === "tasks.grade" ? { silent: true } : undefined) });
    const client = await connected(server);
    const controller = new AbortController();
    const pending = client.grade({}, { signal: controller.signal });
    await waitUntil(() => server.methods.includes("tasks.grade"));
    controller.abort(new Error("enough"));
    await expect(pending).rejects.toThrow("enough");
    await expect(client.listTasks()).rejects.toMatchObject({ code: "call-aborted" });
  });

  it("serialises concurrent calls: one request in flight at a time", async () => {
    const server = await fake({
      handle: (r) => (r.method === "tasks.start" ? { result: { prompt: 1 }, delayMs: 100 } : undefined),
    });
    const client = await connected(server);
    await Promise.all([client.start("a"), client.listTasks(), client.start("b"), client.cancel()]);
    expect(server.events).toEqual([
      "recv hello",
      "send hello",
      "recv tasks.start",
      "send tasks.start",
      "recv tasks.list",
      "send tasks.list",
      "recv tasks.start",
      "send tasks.start",
      "recv tasks.cancel",
      "send tasks.cancel",
    ]);
  });

  it("refuses to send a frame over maxFrameBytes, without dropping the connection", async () => {
    const server = await fake();
    const client = await connected(server, { maxFrameBytes: 1_024 });
    await expect(client.grade({ answer: "x".repeat(2_000) })).rejects.toMatchObject({
      code: "frame-too-large",
    });
    expect(await client.listTasks()).toHaveLength(1);
  });

  it("sends frames over 64 KiB (hudkit servers take 16 MiB)", async () => {
    const server = await fake();
    const client = await connected(server);
    await client.grade({ answer: "y".repeat(70_000) });
    expect(String(server.requests[1]?.params.answer).length).toBe(70_000);
  });

  it("resumes a session by id with hello(sessionId)", async () => {
    const server = await fake();
    const client = await connected(server);
    const manifest = await client.hello("sess-parked1");
    expect(manifest.sessionId).toBe("sess-parked1");
    expect(server.requests[1]?.params).toEqual({ session_id: "sess-parked1" });
  });
});

describe("HudClient grade frames (checklist 77)", () => {
  async function gradeWith(frame: unknown): Promise<unknown> {
    const server = await fake({
      handle: (r) => (r.method === "tasks.grade" ? { result: frame } : undefined),
    });
    const client = await connected(server);
    return client.grade({ answer: "a" }).catch((e: unknown) => e);
  }

  it.each([
    ["missing", { reward: 1 }],
    ["boolean", { score: true }],
    ["string", { score: "1" }],
    ["null", { score: null }],
  ])("rejects a %s score with -32603", async (_label, frame) => {
    const error = await gradeWith(frame);
    expect(error).toBeInstanceOf(RpcError);
    expect(error).toMatchObject({
      rpcCode: -32603,
      rpcMessage: "tasks.grade: result must include a numeric 'score'",
    });
  });

  it("reads an EvaluationResult-shaped frame", async () => {
    const frame = {
      done: true,
      content: "c",
      info: { k: 1 },
      isError: false,
      subscores: [{ name: "s", weight: 1, value: 0.5, children: null, info: { big: "x" } }],
      score: 0.5,
    };
    expect(await gradeWith(frame)).toEqual({
      reward: 0.5,
      done: true,
      content: "c",
      info: { k: 1 },
      isError: false,
      subscores: frame.subscores,
      raw: frame,
      evaluation: { ...frame, subscores: [{ name: "s", weight: 1, value: 0.5, children: null }] },
    });
  });
});

describe("HudClient heartbeat (checklist 71-72)", () => {
  it("sends hello with its own session id behind the call lock, never overlapping a call", async () => {
    let heartbeats = 0;
    const server = await fake({
      handle: (r) => {
        if (r.method !== "hello" || r.id === 1) return undefined;
        heartbeats += 1;
        // The first heartbeat is slow, so the grade below has to wait behind it.
        return heartbeats === 1 ? { result: { session_id: FAKE_SESSION_ID }, delayMs: 300 } : undefined;
      },
    });
    const client = await connected(server, { heartbeatMs: 80 });
    await waitUntil(() => server.events.length === 3);
    await client.grade({ answer: "a" });
    expect(server.events.slice(0, 6)).toEqual([
      "recv hello",
      "send hello",
      "recv hello",
      "send hello",
      "recv tasks.grade",
      "send tasks.grade",
    ]);
    expect(server.requests[1]?.params).toEqual({ session_id: FAKE_SESSION_ID });
  });

  it("logs an error frame to a heartbeat, stops heartbeating, and keeps the session", async () => {
    const log = warnings();
    const server = await fake({
      handle: (r) =>
        r.method === "hello" && r.id !== 1
          ? { error: { code: -32600, message: "session 'sess-0000beef' has a live connection" } }
          : undefined,
    });
    const client = await connected(server, { heartbeatMs: 40, logger: log.logger });
    await waitUntil(() => log.lines.length === 1);
    expect(log.lines[0]).toBe(
      "control heartbeat failed: hud rpc error -32600: session 'sess-0000beef' has a live connection",
    );
    expect((await client.grade({ answer: "a" })).reward).toBe(1);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(server.methods.filter((method) => method === "hello")).toHaveLength(2);
    expect(client.signal.aborted).toBe(false);
  });

  it("breaks the client when a heartbeat reply times out", async () => {
    const log = warnings();
    const server = await fake({
      handle: (r) => (r.method === "hello" && r.id !== 1 ? { silent: true } : undefined),
    });
    const client = await connected(server, {
      heartbeatMs: 40,
      heartbeatReplyTimeoutMs: 100,
      logger: log.logger,
    });
    await waitUntil(() => client.signal.aborted);
    const reason = client.signal.reason as HudkitError;
    expect(reason.code).toBe("reply-timeout");
    expect(reason.message).toBe("env did not reply to 'hello' within 100 ms");
    expect(log.lines).toEqual(["control heartbeat failed: env did not reply to 'hello' within 100 ms"]);
    await expect(client.grade({ answer: "a" })).rejects.toBe(reason);
    await waitUntil(() => server.closedConnections === 1);
  });

  it("fails a call queued behind a heartbeat that breaks the connection", async () => {
    const log = warnings();
    const server = await fake({
      handle: (r) => (r.method === "hello" && r.id !== 1 ? { hangUp: true } : undefined),
    });
    const client = await connected(server, { heartbeatMs: 40, logger: log.logger });
    await waitUntil(() => server.methods.length === 2);
    const error = await client.listTasks().catch((e: unknown) => e);
    expect(HudkitError.isInstance(error) && error.code).toBe("connection-closed");
    expect((error as Error).message).toBe("env closed connection during 'hello'");
  });
});

describe("HudClient lifecycle", () => {
  it("close() never sends bye, is idempotent, and fails later calls", async () => {
    const server = await fake();
    const client = await connected(server);
    await Promise.all([client.close(), client.close()]);
    await client.close();
    expect(server.methods).toEqual(["hello"]);
    await waitUntil(() => server.closedConnections === 1);
    await expect(client.listTasks()).rejects.toMatchObject({ code: "client-closed" });
    expect(client.signal.aborted).toBe(true);
  });

  it("bye() sends bye and closes", async () => {
    const server = await fake();
    const client = await connected(server);
    await client.bye();
    expect(server.methods).toEqual(["hello", "bye"]);
    await expect(client.listTasks()).rejects.toMatchObject({ code: "client-closed" });
  });

  it("supports await using", async () => {
    const server = await fake();
    {
      await using client = await connect(server.url, { heartbeatMs: 0 });
      await client.listTasks();
    }
    await waitUntil(() => server.closedConnections === 1);
  });

  it("abort() drops the connection and fails an in-flight call", async () => {
    const server = await fake({ handle: (r) => (r.method === "tasks.grade" ? { silent: true } : undefined) });
    const client = await connected(server);
    const pending = client.grade({});
    await waitUntil(() => server.methods.includes("tasks.grade"));
    client.abort();
    await expect(pending).rejects.toMatchObject({ code: "client-closed" });
    await waitUntil(() => server.closedConnections === 1);
  });

  it("refuses manifest and bindings before hello", () => {
    const idle: ControlTransport = {
      kind: "tcp",
      send: async () => {},
      receive: async () => null,
      close: async () => {},
      abort: () => {},
    };
    const client = new HudClient(idle);
    expect(() => client.binding("ssh")).toThrow("call hello() before accessing bindings");
    expect(() => client.bindings()).toThrow("call hello() before accessing bindings");
    expect(() => client.manifest).toThrow("call hello() before reading the manifest");
  });
});
