import { connect, type Socket } from "node:net";
import { FrameReader } from "./frame-reader.js";

/**
 * A raw NDJSON peer for tests: writes frames and reads reply lines off a real TCP socket,
 * with no client library in between.
 */
export class RawPeer {
  readonly socket: Socket;
  readonly reader: FrameReader;

  private constructor(socket: Socket) {
    this.socket = socket;
    this.reader = new FrameReader(socket);
  }

  static open(port: number, host = "127.0.0.1"): Promise<RawPeer> {
    return new Promise((resolve, reject) => {
      const socket = connect({ port, host, allowHalfOpen: true });
      socket.once("connect", () => resolve(new RawPeer(socket)));
      socket.once("error", reject);
    });
  }

  send(frame: object | string): void {
    this.socket.write(typeof frame === "string" ? `${frame}\n` : `${JSON.stringify(frame)}\n`);
  }

  /** The next line parsed as JSON; rejects on EOF or after `timeoutMs`. */
  async next(timeoutMs = 5_000): Promise<Record<string, unknown>> {
    const line = await this.nextLine(timeoutMs);
    if (line === null) throw new Error("EOF while waiting for a frame");
    return JSON.parse(line) as Record<string, unknown>;
  }

  async nextLine(timeoutMs = 5_000): Promise<string | null> {
    let timer: NodeJS.Timeout | undefined;
    try {
      const line = await Promise.race([
        this.reader.read(),
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new Error(`no frame within ${timeoutMs} ms`)), timeoutMs);
        }),
      ]);
      return line === null ? null : line.toString("utf8");
    } finally {
      clearTimeout(timer);
    }
  }

  async call(id: number, method: string, params?: unknown): Promise<Record<string, unknown>> {
    this.send({ jsonrpc: "2.0", id, method, ...(params === undefined ? {} : { params }) });
    return this.next();
  }

  close(): void {
    this.socket.destroy();
  }
}
