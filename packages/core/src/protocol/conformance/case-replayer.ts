import { setTimeout as sleep } from "node:timers/promises";
import type { CaseStep, ConformanceCase } from "./case-file.js";
import { matchJson, SessionIds, show, substitutePlaceholders } from "./json-match.js";
import {
  ConnectionFailure,
  describeBytes,
  type ReplayConnection,
  TcpReplayConnection,
  WsReplayConnection,
} from "./replay-connection.js";

/** How a case talks to the server: TCP lines and bytes, or a WebSocket control session. */
export type ReplayTransport = "tcp" | "ws";

export interface ReplayOptions {
  port: number;
  host?: string;
  transport?: ReplayTransport;
  /** Per expectation; the recorder allowed 5 s. */
  expectTimeoutMs?: number;
  /** After a client `close`, so a parked session is really parked; the recorder slept 250 ms. */
  closePauseMs?: number;
  /** At the end, how long to watch open connections for unread bytes; the recorder used 300 ms. */
  endGraceMs?: number;
}

/** Timings of the recording (README, "Execution rules"). */
export const REPLAY_TIMINGS = { expectTimeoutMs: 5_000, closePauseMs: 250, endGraceMs: 300 } as const;

/** A replay that went wrong: the case, the line, and what was expected versus what came. */
export class ReplayFailure extends Error {
  override name = "ReplayFailure";

  constructor(
    readonly caseName: string,
    readonly step: CaseStep | undefined,
    readonly detail: string,
  ) {
    const where = step ? `${step.label} (conn ${step.conn}, ${step.kind})` : "end of case";
    super(`case ${caseName}, ${where}: ${detail}`);
  }
}

/**
 * Replays `steps` (normally `hudkitSteps(testCase)`) against a server, strictly in file order
 * across connections. Connection n is opened just before the first line that mentions it.
 * Throws a {@link ReplayFailure} at the first line that does not hold.
 */
export async function replayCase(
  testCase: ConformanceCase,
  steps: readonly CaseStep[],
  options: ReplayOptions,
): Promise<void> {
  const host = options.host ?? "127.0.0.1";
  const transport = options.transport ?? "tcp";
  const expectTimeoutMs = options.expectTimeoutMs ?? REPLAY_TIMINGS.expectTimeoutMs;
  const closePauseMs = options.closePauseMs ?? REPLAY_TIMINGS.closePauseMs;
  const endGraceMs = options.endGraceMs ?? REPLAY_TIMINGS.endGraceMs;
  const connections = new Map<number, ReplayConnection>();
  /** Connections closed by either side; no line may use them again. */
  const ended = new Set<number>();
  const ids = new SessionIds();
  const fail = (step: CaseStep | undefined, detail: string): never => {
    throw new ReplayFailure(testCase.case, step, detail);
  };

  const open = (): Promise<ReplayConnection> =>
    transport === "tcp"
      ? TcpReplayConnection.open(options.port, host)
      : WsReplayConnection.open(`ws://${host}:${options.port}/`);

  try {
    for (const step of steps) {
      let connection = connections.get(step.conn);
      if (ended.has(step.conn)) fail(step, `conn ${step.conn} was already closed`);
      if (!connection) {
        if (
          step.kind !== "send" &&
          step.kind !== "send_raw" &&
          step.kind !== "send_bytes" &&
          step.kind !== "half_close"
        ) {
          fail(step, `conn ${step.conn} is first used by a ${step.kind} line; the case file is malformed`);
        }
        try {
          connection = await open();
        } catch (error) {
          fail(step, errorText(error));
        }
        connections.set(step.conn, connection!);
      }
      try {
        await runStep(step, connection!);
      } catch (error) {
        if (error instanceof ReplayFailure) throw error;
        fail(step, errorText(error));
      }
    }
    await sleep(endGraceMs);
    for (const [conn, connection] of connections) {
      if (ended.has(conn)) continue;
      const unread = connection.unread();
      if (unread) fail(undefined, `conn ${conn} has unread data at the end of the case: ${unread}`);
    }
  } finally {
    await Promise.all(
      [...connections.values()].map((connection) => connection.close().catch(() => undefined)),
    );
  }

  async function runStep(step: CaseStep, connection: ReplayConnection): Promise<void> {
    switch (step.kind) {
      case "send":
        await connection.sendLine(JSON.stringify(substitutePlaceholders(step.value, ids)));
        return;
      case "send_raw":
        await connection.sendLine(substitutePlaceholders(step.text, ids));
        return;
      case "send_bytes":
        await connection.sendBytes(step.text);
        return;
      case "half_close":
        await connection.halfClose();
        return;
      case "expect": {
        const line = await connection.readLine(expectTimeoutMs);
        let parsed: unknown;
        try {
          parsed = JSON.parse(line);
        } catch {
          fail(step, `expected ${show(step.value)}\n  got a line that is not JSON: ${show(line, 1_000)}`);
        }
        const result = matchJson(step.value, parsed, ids);
        if (!result.ok) {
          fail(
            step,
            `mismatch at ${result.path}: ${result.reason}\n  expected: ${show(step.value, 1_500)}\n  got:      ${show(parsed, 1_500)}` +
              (step.raw ? `\n  reference wrote: ${step.raw.slice(0, 1_500)}` : "") +
              bindingsNote(ids),
          );
        }
        return;
      }
      case "expect_raw": {
        const line = await connection.readLine(expectTimeoutMs);
        if (line !== step.text)
          fail(step, `expected the line ${show(step.text)}\n  got ${show(line, 1_000)}`);
        return;
      }
      case "expect_bytes": {
        const want = Buffer.from(step.text, "utf8");
        const got = await connection.readBytes(want.length, expectTimeoutMs);
        if (!got.equals(want)) fail(step, `expected ${describeBytes(want)}\n  got ${describeBytes(got)}`);
        return;
      }
      case "expect_close":
        await connection.expectClose(expectTimeoutMs);
        ended.add(step.conn);
        return;
      case "close": {
        const unread = connection.unread();
        await connection.close();
        ended.add(step.conn);
        if (unread) fail(step, `conn ${step.conn} had unread data when the client closed it: ${unread}`);
        await sleep(closePauseMs);
        return;
      }
    }
  }
}

function bindingsNote(ids: SessionIds): string {
  const entries = ids.entries();
  return entries.length > 0 ? `\n  bound: ${entries.map(([name, id]) => `${name}=${id}`).join(", ")}` : "";
}

function errorText(error: unknown): string {
  if (error instanceof ConnectionFailure) return error.message;
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

/** Why a case cannot be replayed over a WebSocket control session, or `undefined` if it can. */
export function webSocketIneligibility(testCase: ConformanceCase): string | undefined {
  if (testCase.case === "line_limit") return "frame-size limits are a TCP line-framing property";
  const firstFrame = new Map<number, CaseStep>();
  for (const step of testCase.steps) {
    if (step.kind === "send_bytes") return "send_bytes writes raw byte segments (framing, BOMs, tunnel data)";
    if (step.kind === "half_close") return "half_close (a TCP FIN with reads kept) has no WebSocket form";
    if (step.kind === "expect_bytes") return "expect_bytes reads tunnel bytes";
    if (!firstFrame.has(step.conn)) firstFrame.set(step.conn, step);
  }
  for (const step of firstFrame.values()) {
    if (step.kind === "send" && isTunnelOpen(step.value)) {
      return "a connection starts with tunnel.open: capability streams use /tunnel/<name>, not the control path";
    }
    if (step.kind === "send_raw" && /"method"\s*:\s*"tunnel\.open"/.test(step.text)) {
      return "a connection starts with tunnel.open: capability streams use /tunnel/<name>, not the control path";
    }
  }
  return undefined;
}

function isTunnelOpen(value: unknown): boolean {
  return (
    typeof value === "object" && value !== null && (value as { method?: unknown }).method === "tunnel.open"
  );
}
