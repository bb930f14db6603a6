/**
 * The floor for the protocol benchmark: the same five steps (connect, hello, start, grade,
 * close) over a minimal newline-delimited JSON server and client written here, with no
 * framework and no validation. Run as a child process: `tsx raw-ndjson-floor.ts serve`.
 */
import { connect, createServer, type Socket } from "node:net";

type Frame = {
  id: number;
  method: string;
  params?: { id?: string; args?: { tag?: string }; answer?: string };
};

function lines(socket: Socket, onLine: (line: string) => void): void {
  let buffered = "";
  socket.setEncoding("utf8");
  socket.on("data", (chunk: string) => {
    buffered += chunk;
    let index = buffered.indexOf("\n");
    while (index !== -1) {
      onLine(buffered.slice(0, index));
      buffered = buffered.slice(index + 1);
      index = buffered.indexOf("\n");
    }
  });
}

/**
 * The `tasks.list` entry hudkit serves for trivial-env.ts's `echo`: `args` must be the JSON Schema
 * of the arguments (spec §1.10), so the floor sends and parses the same bytes rather than `{}`.
 */
const ECHO_ENTRY = {
  id: "echo",
  description: "",
  args: {
    properties: { tag: { title: "Tag", type: "string" } },
    required: ["tag"],
    type: "object",
    additionalProperties: false,
  },
};

export function serveFloor(): void {
  let sessions = 0;
  const server = createServer({ noDelay: true }, (socket) => {
    const session = `sess-${(sessions++).toString(16).padStart(8, "0")}`;
    let tag = "";
    socket.on("error", () => socket.destroy());
    lines(socket, (line) => {
      const frame = JSON.parse(line) as Frame;
      let result: unknown;
      if (frame.method === "hello")
        result = { session_id: session, env: { name: "floor", version: "0" }, bindings: [] };
      else if (frame.method === "tasks.list") result = { tasks: [ECHO_ENTRY] };
      else if (frame.method === "tasks.start") {
        tag = frame.params?.args?.tag ?? "";
        result = { prompt: `say ${tag}` };
      } else if (frame.method === "tasks.grade") result = { score: frame.params?.answer === tag ? 1 : 0 };
      else result = {};
      socket.write(`${JSON.stringify({ jsonrpc: "2.0", id: frame.id, result })}\n`);
    });
  });
  server.listen(0, "127.0.0.1", () => {
    const address = server.address();
    console.log(`HUD_SERVE_PORT=${typeof address === "object" && address ? address.port : 0}`);
  });
  process.on("SIGTERM", () => process.exit(0));
}

/** A minimal client connection: one call in flight, replies matched by order. */
export class FloorClient {
  #socket: Socket;
  #pending: Array<(frame: { result: Record<string, unknown> }) => void> = [];
  #id = 0;

  private constructor(socket: Socket) {
    this.#socket = socket;
    lines(socket, (line) => this.#pending.shift()?.(JSON.parse(line)));
  }

  static open(port: number): Promise<FloorClient> {
    return new Promise((resolve, reject) => {
      const socket = connect({ port, host: "127.0.0.1", noDelay: true }, () =>
        resolve(new FloorClient(socket)),
      );
      socket.once("error", reject);
    });
  }

  call(method: string, params?: unknown): Promise<Record<string, unknown>> {
    return new Promise((resolve) => {
      this.#pending.push((frame) => resolve(frame.result));
      this.#socket.write(`${JSON.stringify({ jsonrpc: "2.0", id: ++this.#id, method, params })}\n`);
    });
  }

  close(): void {
    this.#socket.destroy();
  }
}

if (process.argv[2] === "serve") serveFloor();
