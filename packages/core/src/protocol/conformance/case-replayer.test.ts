import { createServer, type Server, type Socket } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { bind } from "../server.js";
import { type CaseLine, type CaseStep, type ConformanceCase, loadAllCases, toStep } from "./case-file.js";
import { ReplayFailure, replayCase } from "./case-replayer.js";
import { createConformanceEnv } from "./conformance-env.js";
import { hudkitSteps } from "./exemptions.js";

/**
 * The replayer must fail loudly, at the right line, when a server deviates. These tests feed it
 * deliberately wrong expectations (against the real server) and scripted misbehaving servers.
 */

const FAST = { expectTimeoutMs: 500, closePauseMs: 10, endGraceMs: 100 };
/** For a reply the real server does send: on a loaded machine it can take longer than FAST allows. */
const PATIENT = { ...FAST, expectTimeoutMs: 10_000 };

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function syntheticCase(lines: CaseLine[]): ConformanceCase {
  return {
    case: "synthetic",
    file: "cases/synthetic.jsonl",
    env: "conformance",
    description: "made up for a replayer test",
    lines: lines.length,
    steps: lines.map((line, index) => toStep(line, index + 1)),
  };
}

/** A TCP server that answers each connection with `script`; its sockets are destroyed afterwards. */
async function scriptedServer(script: (socket: Socket) => void): Promise<number> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on("error", () => socket.destroy());
    script(socket);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  cleanups.push(
    () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  );
  const address = server.address();
  if (typeof address !== "object" || address === null) throw new Error("no address");
  return address.port;
}

async function realServerPort(): Promise<number> {
  const server = await bind(createConformanceEnv(), { host: "127.0.0.1", port: 0 });
  cleanups.push(() => server.close());
  return server.port;
}

async function failureOf(run: Promise<void>): Promise<ReplayFailure> {
  const error = await run.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(ReplayFailure);
  return error as ReplayFailure;
}

function recorded(name: string): ConformanceCase {
  const found = loadAllCases().find((testCase) => testCase.case === name);
  if (!found) throw new Error(`no case ${name}`);
  return found;
}

function withStep(testCase: ConformanceCase, line: number, change: (step: CaseStep) => CaseStep): CaseStep[] {
  return hudkitSteps(testCase).map((step) => (step.line === line ? change(step) : step));
}

describe("replayCase catches deviations", () => {
  it("names the line and the path of a wrong value, with both sides", async () => {
    const testCase = recorded("start_good_args");
    const steps = withStep(testCase, 4, (step) => ({
      ...step,
      value: { jsonrpc: "2.0", id: 2, result: { score: 0.5 } },
    }));
    const failure = await failureOf(
      replayCase(testCase, steps, { port: await realServerPort(), ...PATIENT }),
    );
    expect(failure.step?.line).toBe(4);
    expect(failure.message).toContain(
      "case start_good_args, line 4 (conn 1, expect): mismatch at $.result.score",
    );
    expect(failure.message).toContain("expected: ");
    expect(failure.message).toContain('got:      {"jsonrpc":"2.0","id":2,"result":{"score":1}}');
  });

  it("holds a bound session id across connections and rejects a reused one for <session_id>", async () => {
    const testCase = recorded("resume_hello");
    const steps = withStep(testCase, 7, (step) => {
      if (step.kind !== "expect") throw new Error("line 7 is an expect");
      const value = structuredClone(step.value) as { result: { session_id: string } };
      value.result.session_id = "<session_id>";
      return { ...step, value };
    });
    const failure = await failureOf(
      replayCase(testCase, steps, { port: await realServerPort(), ...PATIENT }),
    );
    expect(failure.step?.line).toBe(7);
    expect(failure.message).toContain("already seen in this case");
  });

  it("reports unread bytes left at the end of a case", async () => {
    const port = await scriptedServer((socket) => {
      socket.once("data", () => socket.write('{"jsonrpc":"2.0","id":1,"result":{}}\n{"extra":true}\n'));
    });
    const testCase = syntheticCase([
      { conn: 1, send: { jsonrpc: "2.0", id: 1, method: "x" } },
      { conn: 1, expect: { jsonrpc: "2.0", id: 1, result: {} } },
    ]);
    const failure = await failureOf(replayCase(testCase, testCase.steps, { port, ...FAST }));
    expect(failure.message).toContain("end of case: conn 1 has unread data");
    expect(failure.message).toContain('{\\"extra\\":true}');
  });

  it("fails an expect_close when the server keeps the connection open, and when it sends more", async () => {
    const silent = await scriptedServer(() => undefined);
    const testCase = syntheticCase([
      { conn: 1, send: "anything" },
      { conn: 1, expect_close: true },
    ]);
    const timeout = await failureOf(replayCase(testCase, testCase.steps, { port: silent, ...FAST }));
    expect(timeout.message).toContain(
      "line 2 (conn 1, expect_close): the server did not close the connection within 500 ms",
    );

    const chatty = await scriptedServer((socket) => socket.once("data", () => socket.end("bye\n")));
    const extra = await failureOf(replayCase(testCase, testCase.steps, { port: chatty, ...FAST }));
    expect(extra.message).toContain('expected the server to close the connection, got 4 bytes: "bye\\n"');
  });

  it("fails an expect when the server closes instead, and compares tunnel bytes exactly", async () => {
    const closing = await scriptedServer((socket) => socket.once("data", () => socket.end()));
    const expectsLine = syntheticCase([
      { conn: 1, send: { id: 1 } },
      { conn: 1, expect: { id: 1 } },
    ]);
    const closed = await failureOf(replayCase(expectsLine, expectsLine.steps, { port: closing, ...FAST }));
    expect(closed.message).toContain("the server closed the connection before a complete line");

    const wrongEcho = await scriptedServer((socket) =>
      socket.on("data", (chunk) => socket.write(chunk.toString().toUpperCase())),
    );
    const expectsBytes = syntheticCase([
      { conn: 1, send_bytes: "abc" },
      { conn: 1, expect_bytes: "abc" },
    ]);
    const bytes = await failureOf(replayCase(expectsBytes, expectsBytes.steps, { port: wrongEcho, ...FAST }));
    expect(bytes.message).toContain('expected 3 bytes: "abc"\n  got 3 bytes: "ABC"');
  });

  it("compares expect_raw lines as text", async () => {
    const port = await scriptedServer((socket) =>
      socket.once("data", () => socket.write('{"score": NaN}\n')),
    );
    const testCase = syntheticCase([
      { conn: 1, send: { id: 1 } },
      { conn: 1, expect_raw: '{"score":NaN}' },
    ]);
    const failure = await failureOf(replayCase(testCase, testCase.steps, { port, ...FAST }));
    expect(failure.message).toContain("line 2 (conn 1, expect_raw)");
  });
});
