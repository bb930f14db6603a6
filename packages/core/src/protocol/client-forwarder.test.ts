import { afterEach, describe, expect, it } from "vitest";
import type { HudClient } from "./client.js";
import { type ConnectOptions, connect } from "./client-connect.js";
import {
  dialLocal,
  type FakeBinding,
  FakeControlServer,
  type FakeServerOptions,
  readBytes,
  readToEnd,
  startBackend,
  startEchoBackend,
} from "./client-fake-server.js";

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

async function echoBackend(): Promise<number> {
  const backend = await startEchoBackend();
  cleanups.push(() => backend.close());
  return backend.port;
}

function binding(name: string, protocol = "echo/1", url = "tcp://10.0.0.5:7000"): FakeBinding {
  return { name, protocol, url, params: {} };
}

/** The forwarder port of a routed binding URL. */
function forwarderPort(client: HudClient, ref: string): number {
  return Number(new URL(client.binding(ref).url).port);
}

function warnings(): { lines: string[]; logger: { warn(message: string): void } } {
  const lines: string[] = [];
  return { lines, logger: { warn: (message) => lines.push(message) } };
}

describe("capability forwarders over TCP", () => {
  it("carries bytes both ways through tunnel.open to a real backend", async () => {
    const server = await fake({ bindings: [binding("echo")], backends: { echo: await echoBackend() } });
    const client = await connected(server);
    const url = client.binding("echo").url;
    expect(url).toMatch(/^tcp:\/\/127\.0\.0\.1:\d+$/);
    expect(client.manifest.bindings[0]?.url).toBe("tcp://10.0.0.5:7000");
    const local = await dialLocal(forwarderPort(client, "echo"));
    const payload = "twenty-three bytes here";
    local.write(payload);
    expect(await readBytes(local, payload.length)).toBe(payload);
    local.end();
    await readToEnd(local);
    expect(server.tunnelOpens).toEqual([{ capability: "echo" }]);
    // The control session carried only the hello; the stream had its own connection.
    expect(server.methods).toEqual(["hello"]);
  });

  it("forwards bytes that arrive in the same segment as the tunnel.open reply", async () => {
    const server = await fake({
      bindings: [binding("echo")],
      backends: { echo: await echoBackend() },
      tunnelBanner: "BANNER\n",
    });
    const client = await connected(server);
    const local = await dialLocal(forwarderPort(client, "echo"));
    expect(await readBytes(local, "BANNER\n".length)).toBe("BANNER\n");
    local.write("after");
    expect(await readBytes(local, "after".length)).toBe("after");
    local.destroy();
  });

  it("propagates half-close both ways while the other direction keeps flowing", async () => {
    const backend = await startBackend((socket) => {
      const chunks: Buffer[] = [];
      socket.on("data", (chunk: Buffer) => chunks.push(chunk));
      // Answers only after the client's EOF arrived: proves local EOF reached the backend and
      // that the backend-to-local direction still works after it.
      socket.once("end", () => socket.end(`got:${Buffer.concat(chunks).toString()}`));
    });
    cleanups.push(() => backend.close());
    const server = await fake({ bindings: [binding("half")], backends: { half: backend.port } });
    const client = await connected(server);
    const local = await dialLocal(forwarderPort(client, "half"));
    const received = readToEnd(local);
    local.end("ping");
    expect(await received).toBe("got:ping");
  });

  it("keeps parallel streams apart", async () => {
    const server = await fake({ bindings: [binding("echo")], backends: { echo: await echoBackend() } });
    const client = await connected(server);
    const port = forwarderPort(client, "echo");
    const results = await Promise.all(
      Array.from({ length: 8 }, async (_, index) => {
        const local = await dialLocal(port);
        const payload = `stream-${index}-`.repeat(500);
        const received = readToEnd(local);
        local.end(payload);
        return (await received) === payload;
      }),
    );
    expect(results).toEqual(Array(8).fill(true));
  });

  it("closes the local socket and logs when tunnel.open is refused", async () => {
    const log = warnings();
    const server = await fake({ bindings: [binding("nope")] });
    const client = await connected(server, { logger: log.logger });
    const local = await dialLocal(forwarderPort(client, "nope"));
    expect(await readToEnd(local)).toBe("");
    expect(log.lines).toEqual([
      `tunnel.open 'nope' refused: hud rpc error -32000: "unknown capability: 'nope'"`,
    ]);
  });

  it("gives the local socket EOF and logs when the control endpoint is down (checklist 74)", async () => {
    const log = warnings();
    const server = await fake({ bindings: [binding("echo")], backends: { echo: await echoBackend() } });
    const client = await connected(server, { logger: log.logger });
    const controlPort = server.port;
    await server.stopListening();
    const local = await dialLocal(forwarderPort(client, "echo"));
    expect(await readToEnd(local)).toBe("");
    expect(log.lines).toHaveLength(1);
    expect(log.lines[0]).toMatch(
      new RegExp(`^tunnel peer 127\\.0\\.0\\.1:${controlPort} connection failed: .*ECONNREFUSED`),
    );
  });

  it("sends the token in tunnel.open params", async () => {
    const server = await fake({
      bindings: [binding("echo")],
      backends: { echo: await echoBackend() },
      token: "tk",
    });
    const client = await connected(server, { token: "tk" });
    const local = await dialLocal(forwarderPort(client, "echo"));
    local.write("hi");
    expect(await readBytes(local, 2)).toBe("hi");
    local.destroy();
    expect(server.tunnelOpens).toEqual([{ capability: "echo", auth: "tk" }]);
  });

  it("stops the forwarders on close() (checklist 75)", async () => {
    const server = await fake({ bindings: [binding("echo")], backends: { echo: await echoBackend() } });
    const client = await connected(server);
    const port = forwarderPort(client, "echo");
    const open = await dialLocal(port);
    open.write("x");
    expect(await readBytes(open, 1)).toBe("x");
    const ended = readToEnd(open);
    await client.close();
    await ended;
    await expect(dialLocal(port)).rejects.toMatchObject({ code: "ECONNREFUSED" });
  });

  it("replaces the forwarders on a second hello instead of leaking them", async () => {
    const server = await fake({ bindings: [binding("echo")], backends: { echo: await echoBackend() } });
    const client = await connected(server);
    const first = forwarderPort(client, "echo");
    await client.hello(client.manifest.sessionId);
    const second = forwarderPort(client, "echo");
    expect(second).not.toBe(first);
    await expect(dialLocal(first)).rejects.toMatchObject({ code: "ECONNREFUSED" });
    const local = await dialLocal(second);
    local.write("ok");
    expect(await readBytes(local, 2)).toBe("ok");
    local.destroy();
  });
});

describe("binding(ref) through a client (spec §4.3)", () => {
  const bindings = [
    binding("shell", "ssh/2", "ssh://agent@10.0.0.5:2222"),
    binding("tools", "mcp/2025-11-25", "wss://user:pw@tools.example:443/mcp?x=1#top"),
    binding("wsmcp", "mcp/2025-11-25", "ws://127.0.0.1:8041/mcp"),
  ];

  it("routes by name, protocol, or family, keeping user, path, query and fragment", async () => {
    const server = await fake({ bindings });
    const client = await connected(server);
    const shell = client.binding("ssh");
    expect(shell).toEqual({ ...bindings[0], url: `ssh://agent@127.0.0.1:${forwarderPort(client, "shell")}` });
    expect(client.binding("ssh/2")).toEqual(shell);
    expect(client.binding("tools").url).toBe(
      `wss://user@127.0.0.1:${forwarderPort(client, "tools")}/mcp?x=1#top`,
    );
    expect(client.bindings().map((b) => b.name)).toEqual(["shell", "tools", "wsmcp"]);
    expect(client.manifest.bindings.map((b) => b.url)).toEqual(bindings.map((b) => b.url));
  });

  it("names every match when ambiguous and everything available when nothing matches", async () => {
    const server = await fake({ bindings });
    const client = await connected(server);
    expect(() => client.binding("mcp")).toThrow(
      "ambiguous capability 'mcp'; matches: tools (mcp/2025-11-25), wsmcp (mcp/2025-11-25)",
    );
    expect(() => client.binding("x")).toThrow(
      "no capability 'x' (available: shell (ssh/2), tools (mcp/2025-11-25), wsmcp (mcp/2025-11-25))",
    );
  });

  it("says <none> when the env has no bindings", async () => {
    const server = await fake();
    const client = await connected(server);
    expect(() => client.binding("ssh")).toThrow("no capability 'ssh' (available: <none>)");
  });
});
