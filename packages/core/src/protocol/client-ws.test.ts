import { afterEach, describe, expect, it } from "vitest";
import { HudkitError } from "../errors/hudkit-error.js";
import type { HudClient } from "./client.js";
import { type ConnectOptions, connect } from "./client-connect.js";
import {
  dialLocal,
  FAKE_SESSION_ID,
  FakeControlServer,
  type FakeServerOptions,
  readBytes,
  readToEnd,
  startBackend,
  startEchoBackend,
  waitUntil,
} from "./client-fake-server.js";
import { WebSocketUpgradeError } from "./client-ws-dial.js";

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function fake(options: FakeServerOptions = {}): Promise<FakeControlServer> {
  const server = await FakeControlServer.start({ transport: "ws", ...options });
  cleanups.push(() => server.close());
  return server;
}

async function connected(server: FakeControlServer, options: ConnectOptions = {}): Promise<HudClient> {
  const client = await connect(server.url, { heartbeatMs: 0, ...options });
  cleanups.push(() => client.close());
  return client;
}

async function echoBackend(): Promise<number> {
  const backend = await startEchoBackend();
  cleanups.push(() => backend.close());
  return backend.port;
}

const echoBinding = { name: "echo", protocol: "echo/1", url: "tcp://10.0.0.5:7000", params: {} };

function forwarderPort(client: HudClient, ref: string): number {
  return Number(new URL(client.binding(ref).url).port);
}

describe("WebSocket control transport", () => {
  it("runs a control session over ws:// with the caller's headers on the upgrade", async () => {
    const server = await fake();
    const client = await connected(server, { headers: { "x-gateway-key": "k1" } });
    expect(client.manifest.sessionId).toBe(FAKE_SESSION_ID);
    expect(await client.start("echo")).toEqual({ prompt: "go echo" });
    expect((await client.grade({ answer: "a" })).reward).toBe(1);
    expect(server.upgrades).toHaveLength(1);
    expect(server.upgrades[0]?.url).toBe("/");
    expect(server.upgrades[0]?.headers["x-gateway-key"]).toBe("k1");
    expect(server.requests.map((r) => r.id)).toEqual([1, 2, 3]);
  });

  it("sends the token as Authorization: Bearer, not in hello params", async () => {
    const server = await fake({ token: "tk" });
    await connected(server, { token: "tk" });
    expect(server.upgrades[0]?.headers.authorization).toBe("Bearer tk");
    expect(server.requests[0]?.params).toEqual({});
  });

  it("fails at once on HTTP 401", async () => {
    const server = await fake({ token: "tk" });
    const error = await connect(server.url, { token: "wrong", pollIntervalMs: 20 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WebSocketUpgradeError);
    expect(error).toMatchObject({ status: 401, code: "unauthorized" });
    expect(server.upgrades).toHaveLength(1);
  });

  it("fails at once on other refusals such as 404", async () => {
    const server = await fake({ refuseUpgrades: [404] });
    const error = await connect(server.url, { pollIntervalMs: 20 }).catch((e: unknown) => e);
    expect(error).toMatchObject({ status: 404, code: "ws-upgrade-refused" });
    expect(server.upgrades).toHaveLength(1);
  });

  it("retries gateway statuses 502/503/504 as not ready", async () => {
    const server = await fake({ refuseUpgrades: [503, 502, 504] });
    const client = await connected(server, { pollIntervalMs: 20 });
    expect(client.manifest.sessionId).toBe(FAKE_SESSION_ID);
    expect(server.upgrades).toHaveLength(4);
  });

  it("rejects a token together with an Authorization header", async () => {
    const error = await connect("ws://127.0.0.1:1", {
      token: "t",
      headers: { authorization: "Basic x" },
    }).catch((e: unknown) => e);
    expect(HudkitError.isInstance(error) && error.code).toBe("bad-options");
  });
});

describe("WebSocket capability streams", () => {
  it("tunnels through /tunnel/<name> with the headers and token", async () => {
    const server = await fake({
      bindings: [echoBinding],
      backends: { echo: await echoBackend() },
      token: "tk",
    });
    const client = await connected(server, { token: "tk", headers: { "x-gateway-key": "k1" } });
    const local = await dialLocal(forwarderPort(client, "echo"));
    local.write("over websocket");
    expect(await readBytes(local, "over websocket".length)).toBe("over websocket");
    local.destroy();
    const tunnel = server.upgrades.find((upgrade) => upgrade.url === "/tunnel/echo");
    expect(tunnel?.headers["x-gateway-key"]).toBe("k1");
    expect(tunnel?.headers.authorization).toBe("Bearer tk");
  });

  it("ends the local socket when the backend closes", async () => {
    const backend = await startBackend((socket) => socket.end("bye"));
    cleanups.push(() => backend.close());
    const server = await fake({ bindings: [echoBinding], backends: { echo: backend.port } });
    const client = await connected(server);
    const local = await dialLocal(forwarderPort(client, "echo"));
    expect(await readToEnd(local)).toBe("bye");
  });

  it("passes the local side's EOF on as a half-close, after delivering its bytes", async () => {
    let received = "";
    let ended = false;
    const backend = await startBackend((socket) => {
      socket.on("data", (chunk: Buffer) => {
        received += chunk.toString();
      });
      socket.once("end", () => {
        ended = true;
      });
    });
    cleanups.push(() => backend.close());
    const server = await fake({ bindings: [echoBinding], backends: { echo: backend.port } });
    const client = await connected(server);
    const local = await dialLocal(forwarderPort(client, "echo"));
    local.end("last words");
    await waitUntil(() => ended);
    expect(received).toBe("last words");
  });

  it("logs a refused upgrade and closes the local socket", async () => {
    const lines: string[] = [];
    const server = await fake({ bindings: [{ ...echoBinding, name: "nope" }] });
    const client = await connected(server, { logger: { warn: (line) => lines.push(line) } });
    const local = await dialLocal(forwarderPort(client, "nope"));
    expect(await readToEnd(local)).toBe("");
    expect(lines).toEqual(["tunnel.open 'nope' refused: HTTP 404 unknown capability nope"]);
  });
});
