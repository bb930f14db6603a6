import { createServer, type Server, type Socket } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { HudkitError } from "../errors/hudkit-error.js";
import type { HudClient } from "./client.js";
import { connect } from "./client-connect.js";
import { FAKE_SESSION_ID, FakeControlServer, freePort, waitUntil } from "./client-fake-server.js";
import { RpcError } from "./rpc-error.js";

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function fake(options: Parameters<typeof FakeControlServer.start>[0] = {}): Promise<FakeControlServer> {
  const server = await FakeControlServer.start(options);
  cleanups.push(() => server.close());
  return server;
}

function owned(client: HudClient): HudClient {
  cleanups.push(() => client.close());
  return client;
}

/** A listener that accepts and never answers; counts open sockets so tests can see them closed. */
async function silentServer(): Promise<{ port: number; open: () => number }> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on("error", () => {});
    socket.once("close", () => sockets.delete(socket));
    socket.resume();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  cleanups.push(
    () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  );
  const address = server.address();
  return { port: typeof address === "object" && address ? address.port : 0, open: () => sockets.size };
}

describe("connect: URLs", () => {
  it.each([
    "127.0.0.1:8765",
    "localhost:8765",
    "http://127.0.0.1:8765",
    "tcp://127.0.0.1",
    "//127.0.0.1:8765",
  ])("rejects %s with a bad-url error naming tcp://host:port", async (url) => {
    const error = await connect(url).catch((e: unknown) => e);
    expect(HudkitError.isInstance(error) && error.code).toBe("bad-url");
    expect((error as Error).message).toContain("tcp://host:port");
    expect((error as Error).message).not.toContain("\n");
  });

  it("rejects non-positive timeouts", async () => {
    const error = await connect("tcp://127.0.0.1:1", { readyTimeoutMs: 0 }).catch((e: unknown) => e);
    expect(HudkitError.isInstance(error) && error.code).toBe("bad-options");
  });
});

describe("connect: readiness loop", () => {
  it("retries through accept-then-EOF twice, then succeeds (checklist 68)", async () => {
    const server = await fake({ hangUpFirst: 2 });
    const client = owned(await connect(server.url, { pollIntervalMs: 20, heartbeatMs: 0 }));
    expect(client.manifest.sessionId).toBe(FAKE_SESSION_ID);
    expect(server.connections).toBe(3);
    expect(server.methods).toEqual(["hello"]);
  });

  it("gives connect-timeout with the last EOF when the server always hangs up (checklist 69)", async () => {
    const server = await fake({ hangUpFirst: Number.POSITIVE_INFINITY });
    const started = performance.now();
    // Two seconds: room for several attempts even when one takes hundreds of ms on a busy CI box.
    const error = await connect(server.url, { readyTimeoutMs: 2_000, pollIntervalMs: 50 }).catch(
      (e: unknown) => e,
    );
    const elapsed = performance.now() - started;
    expect(HudkitError.isInstance(error) && error.code).toBe("connect-timeout");
    expect((error as Error).message).toBe(
      `env at ${server.url} not ready after 2 s: env closed connection during 'hello'`,
    );
    const cause = (error as Error).cause;
    expect(HudkitError.isInstance(cause) && cause.code).toBe("connection-closed");
    expect(elapsed).toBeGreaterThanOrEqual(1_950);
    expect(server.connections).toBeGreaterThanOrEqual(2);
  });

  it("retries refused connections until a late server is up", async () => {
    const port = await freePort();
    const late = new Promise<FakeControlServer>((resolve) => setTimeout(() => resolve(fake({ port })), 300));
    const client = owned(
      await connect(`tcp://127.0.0.1:${port}`, { pollIntervalMs: 50, readyTimeoutMs: 5_000 }),
    );
    await late;
    expect(client.manifest.env).toEqual({ name: "fake", version: "0.0.1" });
  });

  it("reports refused connections as the last error after the deadline", async () => {
    const port = await freePort();
    const error = await connect(`tcp://127.0.0.1:${port}`, { readyTimeoutMs: 200, pollIntervalMs: 50 }).catch(
      (e: unknown) => e,
    );
    expect(HudkitError.isInstance(error) && error.code).toBe("connect-timeout");
    expect((error as Error).message).toMatch(/not ready after 0\.2 s: .*ECONNREFUSED/);
  });

  it("bounds an attempt that never gets a reply by the deadline", async () => {
    const silent = await silentServer();
    const error = await connect(`tcp://127.0.0.1:${silent.port}`, { readyTimeoutMs: 300 }).catch(
      (e: unknown) => e,
    );
    expect(HudkitError.isInstance(error) && error.code).toBe("connect-timeout");
    expect((error as Error).message).toContain("did not finish before the deadline");
    await waitUntil(() => silent.open() === 0);
  });

  it("throws an error frame at once, without retrying", async () => {
    const server = await fake({
      handle: (request) =>
        request.method === "hello" ? { error: { code: -32600, message: "unknown session: 'x'" } } : undefined,
    });
    const error = await connect(server.url, { pollIntervalMs: 50 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RpcError);
    expect((error as RpcError).rpcCode).toBe(-32600);
    expect(server.connections).toBe(1);
    await waitUntil(() => server.closedConnections === 1);
  });

  it("rejects promptly when the signal aborts while waiting for a refused port", async () => {
    const port = await freePort();
    const controller = new AbortController();
    let abortedAt = 0;
    setTimeout(() => {
      abortedAt = performance.now();
      controller.abort(new Error("stop"));
    }, 100);
    // The poll interval is far longer than the test may take: only the abort can end the wait.
    const error = await connect(`tcp://127.0.0.1:${port}`, {
      signal: controller.signal,
      pollIntervalMs: 20_000,
    }).catch((e: unknown) => e);
    expect((error as Error).message).toBe("stop");
    expect(performance.now() - abortedAt).toBeLessThan(5_000);
  });

  it("rejects promptly and closes the socket when aborted during hello", async () => {
    const silent = await silentServer();
    const controller = new AbortController();
    const pending = connect(`tcp://127.0.0.1:${silent.port}`, { signal: controller.signal });
    await waitUntil(() => silent.open() === 1);
    controller.abort(new Error("user abort"));
    await expect(pending).rejects.toThrow("user abort");
    await waitUntil(() => silent.open() === 0);
  });

  it("rejects at once with an already aborted signal", async () => {
    const server = await fake();
    await expect(connect(server.url, { signal: AbortSignal.abort(new Error("already")) })).rejects.toThrow(
      "already",
    );
    expect(server.connections).toBe(0);
  });
});

describe("connect: bearer token over TCP", () => {
  it("sends the token in the first hello's params", async () => {
    const server = await fake({ token: "s3cret" });
    const client = owned(await connect(server.url, { token: "s3cret", heartbeatMs: 0 }));
    expect(server.requests[0]?.params).toEqual({ auth: "s3cret" });
    await client.listTasks();
    // Only the first frame carries it.
    expect(server.requests.map((request) => request.params.auth)).toEqual(["s3cret", undefined]);
  });

  it("fails at once with -32001 on a wrong token", async () => {
    const server = await fake({ token: "s3cret" });
    const error = await connect(server.url, { token: "nope" }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RpcError);
    expect((error as RpcError).rpcCode).toBe(-32001);
    expect(server.connections).toBe(1);
  });
});
