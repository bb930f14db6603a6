import { afterEach, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { type BoundServer, bind, wsHardCap } from "../server.js";
import { createConformanceEnv } from "./conformance-env.js";
import { type ReplayConnection, TcpReplayConnection, WsReplayConnection } from "./replay-connection.js";

/**
 * hudkit's side of the `line_limit` and `tunnel_preface_too_long` exemptions: frames past the
 * reference's 64 KiB work, and a frame past hudkit's own (configurable) limit gets an error reply
 * naming the limit before the connection closes, instead of a silent disconnect.
 */

const TIMEOUT_MS = 5_000;
const SMALL_LIMIT = 1_024;

const servers: BoundServer[] = [];
const connections: ReplayConnection[] = [];
afterEach(async () => {
  await Promise.all(connections.splice(0).map((connection) => connection.close()));
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

async function serve(maxFrameBytes?: number): Promise<BoundServer> {
  const options = maxFrameBytes === undefined ? {} : { maxFrameBytes };
  const server = await bind(createConformanceEnv(), { host: "127.0.0.1", port: 0, ...options });
  servers.push(server);
  return server;
}

async function tcp(server: BoundServer): Promise<ReplayConnection> {
  const connection = await TcpReplayConnection.open(server.port);
  connections.push(connection);
  return connection;
}

async function ws(server: BoundServer): Promise<ReplayConnection> {
  const connection = await WsReplayConnection.open(`ws://127.0.0.1:${server.port}/`);
  connections.push(connection);
  return connection;
}

async function call(connection: ReplayConnection, frame: object): Promise<unknown> {
  await connection.sendLine(JSON.stringify(frame));
  return JSON.parse(await connection.readLine(TIMEOUT_MS));
}

/** A `tasks.grade` line of exactly `bytes` bytes (without its newline). */
function gradeLineOfLength(bytes: number): string {
  const empty = JSON.stringify({ jsonrpc: "2.0", id: 1, method: "tasks.grade", params: { answer: "" } });
  return JSON.stringify({
    jsonrpc: "2.0",
    id: 1,
    method: "tasks.grade",
    params: { answer: "a".repeat(bytes - empty.length) },
  });
}

function expectLimitError(reply: unknown): void {
  expect(reply).toMatchObject({
    jsonrpc: "2.0",
    id: null,
    error: { code: expect.any(Number), message: expect.stringContaining(String(SMALL_LIMIT)) },
  });
}

describe("hudkit frame limits (superset of the reference's 64 KiB)", () => {
  it("grades a 70 KB frame over TCP, which closes the reference's connection", async () => {
    const connection = await tcp(await serve());
    await expect(
      call(connection, {
        jsonrpc: "2.0",
        id: 1,
        method: "tasks.start",
        params: { id: "echo", args: { tag: "big" } },
      }),
    ).resolves.toEqual({ jsonrpc: "2.0", id: 1, result: { prompt: "Say big", args: { tag: "big", n: 1 } } });
    const answer = "b".repeat(70_000);
    await expect(
      call(connection, { jsonrpc: "2.0", id: 2, method: "tasks.grade", params: { answer } }),
    ).resolves.toEqual({
      jsonrpc: "2.0",
      id: 2,
      result: { score: 0, answer },
    });
    await expect(call(connection, { jsonrpc: "2.0", id: 3, method: "tasks.cancel" })).resolves.toEqual({
      jsonrpc: "2.0",
      id: 3,
      result: { cancelled: true },
    });
  });

  it("sends a 70 KB prompt frame whole", async () => {
    const connection = await tcp(await serve());
    const tag = "t".repeat(70_000);
    await expect(
      call(connection, {
        jsonrpc: "2.0",
        id: 1,
        method: "tasks.start",
        params: { id: "echo", args: { tag } },
      }),
    ).resolves.toEqual({ jsonrpc: "2.0", id: 1, result: { prompt: `Say ${tag}`, args: { tag, n: 1 } } });
  });

  it("accepts a frame of exactly the configured limit (the newline is not counted)", async () => {
    const connection = await tcp(await serve(SMALL_LIMIT));
    const line = gradeLineOfLength(SMALL_LIMIT);
    expect(Buffer.byteLength(line)).toBe(SMALL_LIMIT);
    await connection.sendLine(line);
    expect(JSON.parse(await connection.readLine(TIMEOUT_MS))).toEqual({
      jsonrpc: "2.0",
      id: 1,
      error: { code: -32600, message: "no task in progress" },
    });
  });

  it("answers a control frame over the configured limit with an error naming it, then closes (TCP)", async () => {
    const connection = await tcp(await serve(SMALL_LIMIT));
    await connection.sendLine(gradeLineOfLength(SMALL_LIMIT + 1));
    expectLimitError(JSON.parse(await connection.readLine(TIMEOUT_MS)));
    await connection.expectClose(TIMEOUT_MS);
  });

  it("answers a tunnel.open preface over the configured limit with an error naming it, then closes", async () => {
    const connection = await tcp(await serve(SMALL_LIMIT));
    const preface = {
      jsonrpc: "2.0",
      id: 1,
      method: "tunnel.open",
      params: { capability: "tools", pad: "p".repeat(2 * SMALL_LIMIT) },
    };
    await connection.sendLine(JSON.stringify(preface));
    expectLimitError(JSON.parse(await connection.readLine(TIMEOUT_MS)));
    await connection.expectClose(TIMEOUT_MS);
  });

  it.each([
    { size: "one byte over", bytes: SMALL_LIMIT + 1 },
    { size: "four times", bytes: 4 * SMALL_LIMIT },
    { size: "a thousand times", bytes: 1000 * SMALL_LIMIT },
  ])(
    "answers a WebSocket control message $size the configured limit with an error naming it, then closes",
    async ({ bytes }) => {
      const connection = await ws(await serve(SMALL_LIMIT));
      await connection.sendLine(gradeLineOfLength(bytes));
      expectLimitError(JSON.parse(await connection.readLine(TIMEOUT_MS)));
      await connection.expectClose(TIMEOUT_MS);
    },
  );

  it("refuses a WebSocket message past the hard cap with close code 1009 before buffering it", async () => {
    const server = await serve(SMALL_LIMIT);
    const socket = new WebSocket(`ws://127.0.0.1:${server.port}/`);
    await new Promise((resolve, reject) => {
      socket.once("open", resolve);
      socket.once("error", reject);
    });
    const closed = new Promise<number>((resolve) => socket.once("close", (code) => resolve(code)));
    socket.send("x".repeat(wsHardCap(SMALL_LIMIT) + 1));
    expect(await closed).toBe(1009);
  });
});
