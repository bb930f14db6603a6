import { type AddressInfo, createServer, type Server, type Socket } from "node:net";
import type { ClientLogger } from "./client-logger.js";
import type { OpenedTunnel } from "./client-tunnel-dial.js";
import { spliceTcpTunnel, spliceWebSocketTunnel } from "./client-tunnel-splice.js";

/**
 * What a forwarder needs: the capability it serves, how to open one stream to it, and where
 * to report refused or failed streams.
 *
 * @example
 * ```ts
 * const options: CapabilityForwarderOptions = {
 *   capability: "shell",
 *   openTunnel: (signal) => openTunnel(endpoint, "shell", { signal }),
 *   logger: defaultClientLogger,
 * };
 * ```
 */
export interface CapabilityForwarderOptions {
  capability: string;
  openTunnel: (signal: AbortSignal) => Promise<OpenedTunnel>;
  logger: ClientLogger;
}

/** The resources of one accepted local connection, torn down together. */
interface Stream {
  readonly local: Socket;
  readonly opening: AbortController;
  tunnel?: OpenedTunnel;
}

/**
 * A loopback listener for one capability (spec §4.3): every connection accepted on
 * `127.0.0.1:<port>` becomes one new stream to the env through `tunnel.open`, spliced byte for
 * byte. A refused or unreachable stream is logged and the local socket is ended, so the local
 * reader sees EOF. `close()` stops listening and tears down every open stream.
 *
 * @example
 * ```ts
 * const forwarder = await CapabilityForwarder.start({ capability: "shell", openTunnel, logger });
 * console.log(routedUrl("ssh://agent@10.0.0.5:2222", forwarder.port));
 * await forwarder.close();
 * ```
 */
export class CapabilityForwarder {
  readonly capability: string;
  readonly port: number;
  readonly #server: Server;
  readonly #options: CapabilityForwarderOptions;
  readonly #streams = new Set<Stream>();
  #closing: Promise<void> | undefined;

  private constructor(server: Server, options: CapabilityForwarderOptions) {
    this.#server = server;
    this.#options = options;
    this.capability = options.capability;
    this.port = (server.address() as AddressInfo).port;
    server.on("connection", (local) => {
      void this.#forward(local);
    });
  }

  /** Listens on `127.0.0.1:0` and resolves once the port is known. */
  static async start(options: CapabilityForwarderOptions): Promise<CapabilityForwarder> {
    const server = createServer({ allowHalfOpen: true, pauseOnConnect: true });
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(0, "127.0.0.1", () => {
        server.off("error", reject);
        resolve();
      });
    });
    return new CapabilityForwarder(server, options);
  }

  /** Stops accepting, destroys every stream (local and tunnel side), and waits for the listener. */
  close(): Promise<void> {
    this.#closing ??= new Promise<void>((resolve) => {
      this.#server.close(() => resolve());
      for (const stream of this.#streams) destroyStream(stream);
      this.#streams.clear();
    });
    return this.#closing;
  }

  async #forward(local: Socket): Promise<void> {
    if (this.#closing) {
      local.destroy();
      return;
    }
    local.setNoDelay(true);
    // Handled through 'close'; without a listener a reset from the local peer would crash.
    local.on("error", () => {});
    const stream: Stream = { local, opening: new AbortController() };
    this.#streams.add(stream);
    // Tracked until the local socket is gone, so close() also reaches a refused stream whose
    // local peer has not hung up yet.
    local.once("close", () => {
      stream.opening.abort(new Error("local connection closed"));
      this.#streams.delete(stream);
    });
    try {
      stream.tunnel = await this.#options.openTunnel(stream.opening.signal);
    } catch (error) {
      if (!stream.opening.signal.aborted && !this.#closing) {
        this.#options.logger.warn(error instanceof Error ? error.message : String(error));
      }
      endQuietly(local);
      return;
    }
    if (this.#closing || local.destroyed) {
      destroyStream(stream);
      return;
    }
    // pauseOnConnect held the local bytes back until the tunnel existed; splicing resumes them.
    if (stream.tunnel.kind === "tcp")
      await spliceTcpTunnel(local, stream.tunnel.socket, stream.tunnel.leftover);
    else await spliceWebSocketTunnel(local, stream.tunnel.ws);
  }
}

/**
 * Ends the local socket so its reader sees EOF, then drains and discards whatever it still
 * sends: destroying a socket with unread input would send a reset instead of the EOF.
 */
function endQuietly(local: Socket): void {
  local.end();
  local.resume();
}

function destroyStream(stream: Stream): void {
  stream.opening.abort(new Error("forwarder closed"));
  stream.local.destroy();
  if (stream.tunnel?.kind === "tcp") stream.tunnel.socket.destroy();
  else if (stream.tunnel?.kind === "ws") stream.tunnel.ws.terminate();
}
