import { createServer, type Server, type Socket } from "node:net";
import { Capability } from "../../environment/capability.js";
import { Environment } from "../../environment/environment.js";

/**
 * The `conf-tunnel` environment (version 0.1.0) of the recorded vectors (`envs.md` §2): three
 * declared capabilities, two echo backends started by the initialize hook and published then,
 * and one template. The ports are fixed because the recorded `hello` and error texts name them.
 */

/** The plain echo backend. The `tools` capability deliberately points here too. */
export const ECHO_PORT = 18951;
/** The echo backend that first writes `BANNER\n`. */
export const BANNER_PORT = 18952;
/** Nothing listens here: `tunnel.open` of `dead` must fail to connect. */
export const DEAD_PORT = 18999;

/** A TCP echo server on 127.0.0.1 that closes its side when the client's side ends. */
interface EchoBackend {
  close(): Promise<void>;
}

function startEchoBackend(port: number, banner?: string): Promise<EchoBackend> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.once("close", () => sockets.delete(socket));
    socket.on("error", () => socket.destroy());
    if (banner !== undefined) socket.write(banner);
    socket.on("data", (chunk) => socket.write(chunk));
    // allowHalfOpen is off: when the client's side ends, Node ends ours after pending writes,
    // as the reference's `writer.close()` after EOF.
  });
  return new Promise((resolve, reject) => {
    server.once("error", (error) =>
      reject(new Error(`conf-tunnel: cannot start the echo backend on 127.0.0.1:${port}: ${error.message}`)),
    );
    server.listen(port, "127.0.0.1", () =>
      resolve({
        close: () =>
          new Promise<void>((done) => {
            for (const socket of sockets) socket.destroy();
            server.close(() => done());
          }),
      }),
    );
  });
}

/** A fresh `conf-tunnel` environment; its backends live from initialize to shutdown. */
export function createConfTunnelEnv(): Environment {
  const backends: EchoBackend[] = [];
  const env = new Environment({
    name: "conf-tunnel",
    version: "0.1.0",
    capabilities: [
      // Tunnels only use host and port of the URL: this "mcp" capability is the echo backend.
      Capability.mcp({ name: "tools", url: `http://127.0.0.1:${ECHO_PORT}/mcp` }),
      new Capability({ name: "dead", protocol: "echo/1", url: `tcp://127.0.0.1:${DEAD_PORT}` }),
      new Capability({ name: "noport", protocol: "echo/1", url: "tcp://127.0.0.1" }),
    ],
  });

  env.initialize(async () => {
    backends.push(await startEchoBackend(ECHO_PORT));
    backends.push(await startEchoBackend(BANNER_PORT, "BANNER\n"));
    env.addCapability(
      new Capability({ name: "echo", protocol: "echo/1", url: `tcp://127.0.0.1:${ECHO_PORT}` }),
    );
    env.addCapability(
      new Capability({ name: "banner", protocol: "echo/1", url: `tcp://127.0.0.1:${BANNER_PORT}` }),
    );
  });

  env.shutdown(async () => {
    await Promise.all(backends.splice(0).map((backend) => backend.close()));
  });

  env.template({ id: "ping" }, async function* () {
    const answer = yield "ping";
    yield answer === "pong" ? 1.0 : 0.0;
  });

  return env;
}
