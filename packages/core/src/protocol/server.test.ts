import { randomBytes } from "node:crypto";
import { createServer, type Server } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { z } from "zod";
import { Capability } from "../environment/capability.js";
import { Environment } from "../environment/environment.js";
import { type BoundServer, bind } from "./server.js";
import { RawPeer } from "./test-wire.js";

function echoEnv(echoPort?: number): Environment {
  const env = new Environment({ name: "wire", version: "9.9.9" });
  env.template({ id: "echo", args: z.object({ tag: z.string() }) }, async function* ({ tag }) {
    const answer = yield `say ${tag}`;
    yield answer === tag ? 1 : 0;
  });
  if (echoPort !== undefined) {
    env.addCapability(
      new Capability({ name: "echo", protocol: "echo/1", url: `tcp://127.0.0.1:${echoPort}` }),
    );
  }
  return env;
}

async function echoBackend(): Promise<{ server: Server; port: number }> {
  const server = createServer({ allowHalfOpen: true }, (socket) => {
    socket.on("data", (chunk) => socket.write(chunk));
    socket.on("end", () => socket.end());
    socket.on("error", () => socket.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  return { server, port: typeof address === "object" && address ? address.port : 0 };
}

function wsOpen(url: string, headers?: Record<string, string>): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { headers });
    ws.once("open", () => resolve(ws));
    ws.once("error", reject);
    ws.once("unexpected-response", (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
  });
}

function wsNext(ws: WebSocket): Promise<Record<string, unknown>> {
  return new Promise((resolve) => ws.once("message", (data) => resolve(JSON.parse(String(data)))));
}

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function served(env: Environment, options: Parameters<typeof bind>[1] = {}): Promise<BoundServer> {
  const server = await bind(env, options);
  cleanups.push(() => server.close());
  return server;
}

describe("server robustness", () => {
  it("survives random bytes and keeps other sessions intact", async () => {
    const server = await served(echoEnv());
    const good = await RawPeer.open(server.port);
    cleanups.push(() => good.close());
    expect((await good.call(1, "tasks.start", { id: "echo", args: { tag: "a" } })).result).toEqual({
      prompt: "say a",
    });

    for (let i = 0; i < 30; i++) {
      const noisy = await RawPeer.open(server.port);
      noisy.socket.write(randomBytes(1 + ((i * 97) % 4096)));
      if (i % 2 === 0) noisy.socket.write("\n");
      noisy.close();
    }
    const garbage = await RawPeer.open(server.port);
    cleanups.push(() => garbage.close());
    garbage.send("{not json");
    expect(await garbage.next()).toMatchObject({ id: null, error: { code: -32700 } });
    garbage.send("[1,2]");
    expect(await garbage.next()).toMatchObject({ id: null, error: { code: -32600 } });
    expect(await garbage.call(2, "tasks.cancel")).toMatchObject({ result: { cancelled: true } });

    expect(await good.call(2, "tasks.grade", { answer: "a" })).toMatchObject({ result: { score: 1 } });
  });

  it("answers an oversized frame with an error naming the limit, then closes", async () => {
    const server = await served(echoEnv(), { maxFrameBytes: 1024 });
    const peer = await RawPeer.open(server.port);
    cleanups.push(() => peer.close());
    peer.send({ jsonrpc: "2.0", id: 1, method: "tasks.grade", params: { answer: "x".repeat(2000) } });
    const reply = await peer.next();
    expect(reply).toMatchObject({ id: null, error: { code: -32600 } });
    expect(String((reply.error as { message: string }).message)).toContain("1024");
    expect(await peer.nextLine()).toBeNull();
  });

  it("accepts a 70 KB frame that the reference would drop", async () => {
    const server = await served(echoEnv());
    const peer = await RawPeer.open(server.port);
    cleanups.push(() => peer.close());
    const tag = "t".repeat(70_000);
    expect(await peer.call(1, "tasks.start", { id: "echo", args: { tag } })).toMatchObject({
      result: { prompt: `say ${tag}` },
    });
  });
});

describe("WebSocket on the same port", () => {
  it("runs a control session at / with one JSON object per message", async () => {
    const server = await served(echoEnv());
    const ws = await wsOpen(`ws://127.0.0.1:${server.port}/`);
    cleanups.push(() => ws.close());
    ws.send(JSON.stringify({ jsonrpc: "2.0", id: 1, method: "hello" }));
    const hello = await wsNext(ws);
    expect(hello).toMatchObject({ id: 1, result: { env: { name: "wire", version: "9.9.9" }, bindings: [] } });
    ws.send(
      JSON.stringify({
        jsonrpc: "2.0",
        id: 2,
        method: "tasks.start",
        params: { id: "echo", args: { tag: "w" } },
      }),
    );
    expect(await wsNext(ws)).toMatchObject({ id: 2, result: { prompt: "say w" } });
    ws.send("nope");
    expect(await wsNext(ws)).toMatchObject({ id: null, error: { code: -32700 } });
    ws.send(JSON.stringify({ jsonrpc: "2.0", id: 3, method: "tasks.grade", params: { answer: "w" } }));
    expect(await wsNext(ws)).toMatchObject({ id: 3, result: { score: 1 } });
  });

  it("tunnels bytes at /tunnel/<capability>", async () => {
    const backend = await echoBackend();
    cleanups.push(() => new Promise<void>((resolve) => backend.server.close(() => resolve())));
    const server = await served(echoEnv(backend.port));
    const ws = await wsOpen(`ws://127.0.0.1:${server.port}/tunnel/echo`);
    cleanups.push(() => ws.close());
    const got = new Promise<string>((resolve) => ws.once("message", (data) => resolve(String(data))));
    ws.send(Buffer.from("ping over ws"), { binary: true });
    expect(await got).toBe("ping over ws");
  });

  it("refuses a tunnel to an unknown capability with 404", async () => {
    const server = await served(echoEnv());
    await expect(wsOpen(`ws://127.0.0.1:${server.port}/tunnel/nope`)).rejects.toThrow("HTTP 404");
  });
});

describe("bearer token (HUD_CONTROL_TOKEN)", () => {
  it("requires hello {auth} first on TCP and closes on a wrong token", async () => {
    const server = await served(echoEnv(), { controlToken: "s3cret" });
    const anonymous = await RawPeer.open(server.port);
    cleanups.push(() => anonymous.close());
    expect(await anonymous.call(1, "tasks.list")).toMatchObject({ id: 1, error: { code: -32001 } });
    expect(await anonymous.nextLine()).toBeNull();

    const wrong = await RawPeer.open(server.port);
    cleanups.push(() => wrong.close());
    expect(await wrong.call(1, "hello", { auth: "guess" })).toMatchObject({
      error: { code: -32001, message: "unauthorized: wrong token" },
    });
    expect(await wrong.nextLine()).toBeNull();

    const right = await RawPeer.open(server.port);
    cleanups.push(() => right.close());
    expect(await right.call(1, "hello", { auth: "s3cret" })).toMatchObject({
      result: { env: { name: "wire" } },
    });
    expect(await right.call(2, "tasks.list")).toMatchObject({ result: { tasks: [{ id: "echo" }] } });
  });

  it("requires params.auth on tunnel.open and the Authorization header on WebSocket", async () => {
    const backend = await echoBackend();
    cleanups.push(() => new Promise<void>((resolve) => backend.server.close(() => resolve())));
    const server = await served(echoEnv(backend.port), { controlToken: "s3cret" });

    const refused = await RawPeer.open(server.port);
    cleanups.push(() => refused.close());
    expect(await refused.call(1, "tunnel.open", { capability: "echo" })).toMatchObject({
      error: { code: -32001 },
    });

    const tunnel = await RawPeer.open(server.port);
    cleanups.push(() => tunnel.close());
    expect(await tunnel.call(1, "tunnel.open", { capability: "echo", auth: "s3cret" })).toEqual({
      jsonrpc: "2.0",
      id: 1,
      result: { capability: "echo" },
    });
    tunnel.socket.write("raw\n");
    expect(await tunnel.nextLine()).toBe("raw");

    await expect(wsOpen(`ws://127.0.0.1:${server.port}/`)).rejects.toThrow("HTTP 401");
    const ws = await wsOpen(`ws://127.0.0.1:${server.port}/`, { authorization: "Bearer s3cret" });
    cleanups.push(() => ws.close());
    ws.send(JSON.stringify({ jsonrpc: "2.0", id: 1, method: "tasks.list" }));
    expect(await wsNext(ws)).toMatchObject({ id: 1, result: { tasks: [{ id: "echo" }] } });
  });
});
