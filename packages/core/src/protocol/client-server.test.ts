import { createServer, type Server, type Socket, connect as tcpConnect } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { z } from "zod";
import { Capability } from "../environment/capability.js";
import { Environment } from "../environment/environment.js";
import type { HudClient } from "./client.js";
import { connect } from "./client-connect.js";
import { RpcError } from "./rpc-error.js";
import { type BoundServer, bind } from "./server.js";

/**
 * The real hudkit client against the real hudkit server: every error path of spec §1.5-1.8,
 * the split start/grade flow through parking, and tunnels to a real TCP echo backend.
 */

const cleanups: Array<() => Promise<unknown> | unknown> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function later<T extends { close(): unknown }>(resource: T): T {
  cleanups.push(() => resource.close());
  return resource;
}

async function echoBackend(): Promise<number> {
  const server: Server = createServer({ allowHalfOpen: true }, (socket) => {
    socket.on("data", (chunk) => socket.write(chunk));
    socket.on("end", () => socket.end());
    socket.on("error", () => socket.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  cleanups.push(() => new Promise((resolve) => server.close(resolve)));
  const address = server.address();
  return typeof address === "object" && address ? address.port : 0;
}

/** A closed port: bound, then released. */
async function deadPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  await new Promise((resolve) => server.close(resolve));
  return typeof address === "object" && address ? address.port : 0;
}

function makeEnv(capabilities: Capability[] = []): { env: Environment; closed: string[] } {
  const closed: string[] = [];
  const env = new Environment({ name: "paths", version: "1.0.0", capabilities });
  env.onTaskTeardown(({ sessionId }) => {
    closed.push(sessionId);
  });
  env.template(
    { id: "echo", args: z.object({ tag: z.string(), n: z.int().default(1) }) },
    async function* ({ tag }) {
      const answer = yield { prompt: `say ${tag}` };
      yield { score: answer === tag ? 1 : 0, answer };
    },
  );
  env.template({ id: "boom" }, async function* () {
    if (env.started) throw new Error("start exploded");
    yield "unreachable";
  });
  env.template({ id: "badgrade" }, async function* () {
    yield "go";
    yield { reward: 1 };
  });
  return { env, closed };
}

async function served(env: Environment, options: Parameters<typeof bind>[1] = {}): Promise<BoundServer> {
  return later(await bind(env, options));
}

async function client(url: string, options: Parameters<typeof connect>[1] = {}): Promise<HudClient> {
  return later(await connect(url, { heartbeatMs: 0, ...options }));
}

async function rpcError(promise: Promise<unknown>): Promise<{ code: number; message: string }> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(RpcError);
  return { code: (error as RpcError).rpcCode, message: (error as RpcError).rpcMessage };
}

describe("hello and sessions (spec §1.5, §1.7)", () => {
  it("rejects a non-string, unknown or live session id", async () => {
    const server = await served(makeEnv().env);
    const a = await client(server.url);
    const b = await client(server.url);
    expect(await rpcError(b.call("hello", { session_id: 5 }))).toEqual({
      code: -32602,
      message: "hello: 'session_id' must be a string",
    });
    expect(await rpcError(b.hello("sess-00000000"))).toEqual({
      code: -32600,
      message: "unknown session: 'sess-00000000'",
    });
    expect(await rpcError(b.hello(a.manifest.sessionId))).toEqual({
      code: -32600,
      message: `session '${a.manifest.sessionId}' has a live connection`,
    });
  });

  it("runs the split flow: start in one client, grade in another through parking", async () => {
    const { env, closed } = makeEnv();
    const server = await served(env);
    const starter = await connect(server.url, { heartbeatMs: 0 });
    const startedIn = starter.manifest.sessionId;
    expect((await starter.start("echo", { tag: "split" })).prompt).toBe("say split");
    await starter.close(); // never sends bye: the task parks
    await new Promise((resolve) => setTimeout(resolve, 50));

    const grader = await client(server.url);
    const grade = await grader.grade({ answer: "split" });
    expect(grade.reward).toBe(1);
    expect(grade.raw).toEqual({ score: 1, answer: "split" });
    expect(closed).toEqual([startedIn]); // teardown ran under the parked session's id
    expect(await rpcError(grader.grade({ answer: "again" }))).toEqual({
      code: -32600,
      message: "no task in progress",
    });
  });

  it("resumes a parked session by id, and refuses blind adoption when two are parked", async () => {
    const server = await served(makeEnv().env);
    const ids: string[] = [];
    for (const tag of ["one", "two"]) {
      const c = await connect(server.url, { heartbeatMs: 0 });
      ids.push(c.manifest.sessionId);
      await c.start("echo", { tag });
      await c.close();
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
    const grader = await client(server.url);
    expect(await rpcError(grader.grade({ answer: "x" }))).toEqual({
      code: -32600,
      message: `2 parked sessions (${[...ids].sort().join(", ")}); resume one by sending hello with its session_id`,
    });
    expect((await grader.hello(ids[1])).sessionId).toBe(ids[1]);
    expect((await grader.grade({ answer: "two" })).reward).toBe(1);
    expect((await grader.hello(ids[0])).sessionId).toBe(ids[0]);
    expect((await grader.grade({ answer: "one" })).reward).toBe(1);
  });

  it("never adopts the task of a live session", async () => {
    const server = await served(makeEnv().env);
    const owner = await client(server.url);
    await owner.start("echo", { tag: "mine" });
    const other = await client(server.url);
    expect(await rpcError(other.grade({ answer: "mine" }))).toEqual({
      code: -32600,
      message: "no task in progress",
    });
    expect((await owner.grade({ answer: "mine" })).reward).toBe(1);
  });

  it("bye cancels the task (teardown runs) and the server closes the connection", async () => {
    const { env, closed } = makeEnv();
    const server = await served(env);
    const c = await connect(server.url, { heartbeatMs: 0 });
    await c.start("echo", { tag: "b" });
    await c.bye();
    expect(closed).toHaveLength(1);
    const grader = await client(server.url);
    expect(await rpcError(grader.grade({ answer: "b" }))).toEqual({
      code: -32600,
      message: "no task in progress",
    });
  });
});

describe("tasks.start, tasks.grade, tasks.cancel errors (spec §1.5-1.6)", () => {
  it("answers each bad start with the reference code and text", async () => {
    const server = await served(makeEnv().env);
    const c = await client(server.url);
    expect(await rpcError(c.call("tasks.start", { id: 5 }))).toEqual({
      code: -32602,
      message: "tasks.start: 'id' must be a string",
    });
    expect(await rpcError(c.call("tasks.start", { id: "echo", args: [1] }))).toEqual({
      code: -32602,
      message: "tasks.start: 'args' must be an object",
    });
    expect(await rpcError(c.start("nope"))).toEqual({ code: -32602, message: "unknown task: 'nope'" });
    expect(await rpcError(c.start("echo", { x: 1 }))).toEqual({
      code: -32000,
      message: "task 'echo': bad args ['x']: missing a required argument: 'tag'",
    });
    expect(await rpcError(c.start("boom"))).toEqual({ code: -32000, message: "start exploded" });
    expect(await rpcError(c.call("no.such"))).toEqual({ code: -32601, message: "method not found: no.such" });
  });

  it("a failed start destroys the session's previous task, as the reference", async () => {
    const server = await served(makeEnv().env);
    const c = await client(server.url);
    await c.start("echo", { tag: "first" });
    await rpcError(c.start("nope"));
    expect(await rpcError(c.grade({ answer: "first" }))).toEqual({
      code: -32600,
      message: "no task in progress",
    });
  });

  it("a grading error is -32000 and consumes the task", async () => {
    const { env, closed } = makeEnv();
    const server = await served(env);
    const c = await client(server.url);
    await c.start("badgrade");
    expect(await rpcError(c.grade({ answer: 1 }))).toEqual({
      code: -32000,
      message: "task 'badgrade' graded with a dict missing a numeric 'score' (keys: ['reward'])",
    });
    expect(closed).toHaveLength(1);
    expect(await rpcError(c.grade({}))).toEqual({ code: -32600, message: "no task in progress" });
  });

  it("cancel always answers and runs teardown once", async () => {
    const { env, closed } = makeEnv();
    const server = await served(env);
    const c = await client(server.url);
    await c.cancel();
    await c.start("echo", { tag: "c" });
    await c.cancel();
    await c.cancel();
    expect(closed).toHaveLength(1);
  });
});

describe("tunnels through the client's forwarders (spec §1.8, §4.3)", () => {
  function roundTrip(url: string, payload: string): Promise<string> {
    const { hostname, port } = new URL(url.replace(/^[a-z]+:/, "http:"));
    return new Promise((resolve, reject) => {
      const socket: Socket = tcpConnect({ host: hostname, port: Number(port), allowHalfOpen: true });
      let got = "";
      socket.on("data", (chunk) => {
        got += chunk;
      });
      socket.on("end", () => resolve(got));
      socket.on("error", reject);
      socket.end(payload); // half-close: the echo backend answers, then ends
    });
  }

  for (const scheme of ["tcp", "ws"] as const) {
    it(`carries bytes to a real echo backend and honours half-close (${scheme}://)`, async () => {
      const echoPort = await echoBackend();
      const env = makeEnv([
        new Capability({ name: "echo", protocol: "echo/1", url: `tcp://127.0.0.1:${echoPort}` }),
      ]).env;
      const server = await served(env);
      const c = await client(`${scheme}://127.0.0.1:${server.port}`);
      const routed = c.binding("echo");
      expect(routed.url).toMatch(/^tcp:\/\/127\.0\.0\.1:\d+$/);
      expect(routed.url).not.toBe(`tcp://127.0.0.1:${echoPort}`);
      const payloads = Array.from({ length: 8 }, (_, i) => `stream ${i} `.repeat(500));
      const echoed = await Promise.all(payloads.map((p) => roundTrip(routed.url, p)));
      expect(echoed).toEqual(payloads);
    });
  }

  it("a refused backend ends the local connection", async () => {
    const env = makeEnv([
      new Capability({ name: "dead", protocol: "echo/1", url: `tcp://127.0.0.1:${await deadPort()}` }),
    ]).env;
    const server = await served(env);
    const c = await client(server.url, { logger: { warn: () => {} } });
    expect(await roundTrip(c.binding("dead").url, "hello?")).toBe("");
  });
});

describe("connecting", () => {
  it("retries until a server that starts late is ready", async () => {
    const port = await deadPort();
    const pending = connect(`tcp://127.0.0.1:${port}`, {
      heartbeatMs: 0,
      pollIntervalMs: 50,
      readyTimeoutMs: 10_000,
    });
    await new Promise((resolve) => setTimeout(resolve, 300));
    await served(makeEnv().env, { port });
    const c = later(await pending);
    expect(c.manifest.env).toEqual({ name: "paths", version: "1.0.0" });
  });

  it("gives up on an unreachable URL with a connect-timeout naming it", async () => {
    const url = `tcp://127.0.0.1:${await deadPort()}`;
    await expect(connect(url, { readyTimeoutMs: 300, pollIntervalMs: 50 })).rejects.toMatchObject({
      code: "connect-timeout",
      message: expect.stringContaining(`env at ${url} not ready`),
    });
  });

  it("authenticates with a token over TCP and WebSocket, and fails fast on a wrong one", async () => {
    const server = await served(makeEnv().env, { controlToken: "t0k" });
    for (const url of [server.url, `ws://127.0.0.1:${server.port}/`]) {
      const c = await client(url, { token: "t0k" });
      expect((await c.start("echo", { tag: "z" })).prompt).toBe("say z");
      expect((await c.grade({ answer: "z" })).reward).toBe(1);
      await expect(connect(url, { token: "wrong", readyTimeoutMs: 2_000 })).rejects.toBeTruthy();
    }
  });
});
