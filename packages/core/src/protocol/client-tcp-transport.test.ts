import { type AddressInfo, createServer, type Server, type Socket } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { waitUntil } from "./client-fake-server.js";
import { dialTcp } from "./client-tcp-dial.js";
import { TcpControlTransport } from "./client-tcp-transport.js";

/** What the peer of a transport saw of its connection. */
interface PeerView {
  lines: string[];
  ended: boolean;
  error: string | undefined;
  closed: boolean;
}

const servers: Server[] = [];
const accepted = new Set<Socket>();
afterEach(async () => {
  for (const socket of accepted) socket.destroy();
  accepted.clear();
  for (const server of servers.splice(0)) {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
});

/**
 * A peer that never closes its side on its own (`allowHalfOpen`), so only the transport decides
 * when the connection ends. `onLine` may answer each line it reads.
 */
async function peer(onLine: (socket: Socket, line: string, view: PeerView) => void): Promise<{
  port: number;
  view: PeerView;
  socket: () => Socket | undefined;
}> {
  const view: PeerView = { lines: [], ended: false, error: undefined, closed: false };
  let current: Socket | undefined;
  const server = createServer({ allowHalfOpen: true }, (socket) => {
    current = socket;
    accepted.add(socket);
    let buffered = "";
    socket.on("data", (chunk) => {
      buffered += chunk.toString("utf8");
      for (let index = buffered.indexOf("\n"); index !== -1; index = buffered.indexOf("\n")) {
        const line = buffered.slice(0, index);
        buffered = buffered.slice(index + 1);
        view.lines.push(line);
        onLine(socket, line, view);
      }
    });
    socket.on("end", () => {
      view.ended = true;
    });
    socket.on("error", (error: NodeJS.ErrnoException) => {
      view.error = error.code ?? error.message;
    });
    socket.on("close", () => {
      view.closed = true;
    });
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { port: (server.address() as AddressInfo).port, view, socket: () => current };
}

/** A transport dialled to `port`, with its socket to look at. */
async function dial(port: number): Promise<{ socket: Socket; transport: TcpControlTransport }> {
  const socket = await dialTcp("127.0.0.1", port);
  return { socket, transport: new TcpControlTransport(socket) };
}

describe("TcpControlTransport.close", () => {
  it("closes at once when no reply is awaited, and the peer still reads every frame, then a clean end", async () => {
    const server = await peer((socket, line) => {
      if (line === "ping") socket.write("pong\n");
    });
    const { socket, transport } = await dial(server.port);
    await transport.send("ping");
    expect(await transport.receive()).toBe("pong");
    await transport.send("last");
    await transport.close();
    // The peer has not closed its side, yet the socket is already released.
    expect(socket.destroyed).toBe(true);
    await waitUntil(() => server.view.ended);
    expect(server.view.lines).toEqual(["ping", "last"]);
    expect(server.view.error).toBeUndefined();
    server.socket()?.end();
  });

  it("keeps reading until the peer's FIN when a reply is still awaited, so a late reply arrives", async () => {
    const server = await peer(() => {});
    const { socket, transport } = await dial(server.port);
    await transport.send("slow");
    const reply = transport.receive();
    await transport.close();
    expect(socket.destroyed).toBe(false);
    // The peer answers only after it has seen the FIN: a closed socket would answer with a reset.
    await waitUntil(() => server.view.ended);
    server.socket()?.end("late reply\n");
    expect(await reply).toBe("late reply");
    await waitUntil(() => socket.destroyed && server.view.closed);
    expect(server.view.error).toBeUndefined();
  });

  it("keeps reading when a frame arrived but was not read yet", async () => {
    const server = await peer((socket, line) => {
      if (line === "ping") socket.write("pong\nextra\n");
    });
    const { socket, transport } = await dial(server.port);
    await transport.send("ping");
    expect(await transport.receive()).toBe("pong");
    await transport.close();
    expect(socket.destroyed).toBe(false);
    await waitUntil(() => server.view.ended);
    server.socket()?.end();
    await waitUntil(() => socket.destroyed && server.view.closed);
    expect(server.view.error).toBeUndefined();
  });
});
