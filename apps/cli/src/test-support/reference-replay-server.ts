import { existsSync, readFileSync } from "node:fs";
import { createServer, type Server, type Socket } from "node:net";
import { dirname, join } from "node:path";
import { REPO_ROOT } from "./hud-process.js";

/** What a recorded step looks like (the vectors' README documents the format). */
interface Step {
  conn: number;
  send?: unknown;
  expect?: unknown;
  raw?: string;
  close?: true;
}

/**
 * The conformance vectors of the Python reference server: `HUD_CONFORMANCE_DIR`, else a
 * `shared/conformance` beside the repository or above it.
 */
export function conformanceDir(): string {
  const override = process.env.HUD_CONFORMANCE_DIR;
  if (override) return override;
  for (let dir = REPO_ROOT; ; dir = dirname(dir)) {
    const candidate = join(dir, "shared", "conformance");
    if (existsSync(join(candidate, "index.json"))) return candidate;
    if (dirname(dir) === dir) throw new Error("no shared/conformance beside the repository");
  }
}

/**
 * A TCP server that answers as the Python reference server did in one recorded case: the n-th
 * connection it accepts plays the case's connection n. Each frame a client sends must have the
 * method and params the recording sent next on that connection; the reply is the reference's own line
 * (`raw`, its exact bytes: `1.0` floats, ASCII escapes), with the client's id put in. Session-id
 * placeholders become fixed ids. A frame the recording does not expect gets no reply and is
 * reported by {@link ReferenceReplay.mismatches}.
 *
 * @example
 * ```ts
 * await using replay = await replayReferenceCase("park_adopt");
 * // hud task start echo --url replay.url ...
 * ```
 */
export async function replayReferenceCase(name: string): Promise<ReferenceReplay> {
  const text = readFileSync(join(conformanceDir(), "cases", `${name}.jsonl`), "utf8");
  const steps = text
    .split("\n")
    .filter((line) => line.trim() !== "")
    .map((line) => JSON.parse(line) as Step);
  const mismatches: string[] = [];
  let accepted = 0;
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    accepted += 1;
    sockets.add(socket.once("close", () => sockets.delete(socket)));
    playConnection(
      socket,
      steps.filter((step) => step.conn === accepted),
      mismatches,
    );
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return new ReferenceReplay(server, sockets, mismatches);
}

/** A running replay (see {@link replayReferenceCase}). */
export class ReferenceReplay implements AsyncDisposable {
  constructor(
    readonly server: Server,
    private readonly sockets: Set<Socket>,
    /** Frames that did not match the recording, described. Empty when the client kept to it. */
    readonly mismatches: string[],
  ) {}

  get url(): string {
    const { port } = this.server.address() as { port: number };
    return `tcp://127.0.0.1:${port}`;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

function playConnection(socket: Socket, steps: Step[], mismatches: string[]): void {
  let next = 0;
  let buffered = "";
  socket.setEncoding("utf8");
  socket.on("error", () => {});
  socket.on("data", (chunk: string) => {
    buffered += chunk;
    for (let end = buffered.indexOf("\n"); end >= 0; end = buffered.indexOf("\n")) {
      const line = buffered.slice(0, end);
      buffered = buffered.slice(end + 1);
      const frame = JSON.parse(line) as { id?: unknown; method?: string; params?: unknown };
      const sent = steps[next]?.send as { method?: string; params?: unknown } | undefined;
      if (sent?.method !== frame.method || !sameParams(sent?.params, frame.params)) {
        mismatches.push(`unexpected ${line}; the recording sends ${JSON.stringify(sent ?? "nothing")} next`);
        continue;
      }
      next += 1;
      for (; steps[next]?.raw !== undefined; next += 1) {
        socket.write(`${withId(steps[next]!.raw!, frame.id)}\n`);
      }
    }
  });
}

/** The recorded reply line with the client's request id and fixed session ids put in. */
function withId(raw: string, id: unknown): string {
  return raw
    .replace(
      /^\{"jsonrpc":"2\.0","id":(?:\d+|"[^"]*"|null),/,
      `{"jsonrpc":"2.0","id":${JSON.stringify(id ?? null)},`,
    )
    .replace(/<session_id:conn(\d+)>/g, (_match, conn: string) => `sess-0000000${conn}`);
}

/** Equal JSON, with absent params and `{}` the same (the reference reads both alike). */
function sameParams(recorded: unknown, sent: unknown): boolean {
  const canonical = (value: unknown): string =>
    JSON.stringify(value ?? {}, (_key, inner: unknown) =>
      inner !== null && typeof inner === "object" && !Array.isArray(inner)
        ? Object.fromEntries(Object.entries(inner).sort(([a], [b]) => (a < b ? -1 : 1)))
        : inner,
    );
  return canonical(recorded) === canonical(sent);
}
