import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Daytona } from "@daytonaio/sdk";
import { type BoundServer, bind, type RuntimeProvider, Taskset } from "@hudkit/core";
import {
  GATEWAY_CA,
  LETTER_COUNT_TASK,
  solveLetterCount,
  startTlsGateway,
  type TlsGateway,
} from "@hudkit/runtime-conformance";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { env } from "../../../examples/letter-count/env.js";
import { createDaytonaRuntime } from "./index.js";

const PREVIEW_TOKEN = "preview-token-of-sb-gw";

// A client passed in stands for Daytona, but what it does is real: the session command starts a
// real hudkit server, and the preview link names a TLS gateway that, like Daytona's proxy,
// refuses any upgrade without the sandbox's preview token.
describe("the daytona runtime's wss:// endpoint through a gateway that demands the preview token", () => {
  let gateway: TlsGateway;
  let jobsDir: string;
  const servers: BoundServer[] = [];
  let deleted = 0;

  const sandbox = {
    id: "sb-gw",
    labels: {},
    state: "started",
    process: {
      createSession: async () => {},
      executeSessionCommand: async () => {
        servers.push(await bind(env));
        return { cmdId: "cmd-gw" };
      },
      getSessionCommandLogs: async () => ({ output: "" }),
    },
    getPreviewLink: async (port: number) => ({
      sandboxId: "sb-gw",
      url: `https://${gateway.host}`,
      token: PREVIEW_TOKEN,
      port,
    }),
    delete: async () => {
      deleted += 1;
      await servers.pop()?.close();
    },
  };
  const client = {
    create: async () => sandbox,
    list: async function* () {},
  } as unknown as Daytona;

  beforeAll(async () => {
    gateway = await startTlsGateway({
      target: () => {
        const server = servers.at(-1);
        if (server === undefined) throw new Error("no sandbox server is running");
        return { host: server.host, port: server.port };
      },
      header: { name: "x-daytona-preview-token", value: PREVIEW_TOKEN },
    });
    jobsDir = await mkdtemp(join(tmpdir(), "hudkit-daytona-gateway-"));
  });
  afterAll(async () => {
    await gateway?.[Symbol.asyncDispose]();
    for (const server of servers) await server.close();
    if (jobsDir !== undefined) await rm(jobsDir, { recursive: true, force: true });
  });

  it("runs a full rollout with the preview token header, then deletes the sandbox", async () => {
    const daytona = createDaytonaRuntime({ snapshot: "letter-count", daytona: client });
    // Trust the gateway's private certificate, as a user behind a private CA would.
    const runtime: RuntimeProvider = {
      ...daytona,
      acquire: async (task, ctx) => {
        const substrate = await daytona.acquire(task, ctx);
        return Object.assign(substrate, { endpoint: { ...substrate.endpoint, ca: GATEWAY_CA } });
      },
    };
    const job = await new Taskset("daytona-gateway", [LETTER_COUNT_TASK]).run(solveLetterCount, {
      runtime,
      jobsDir,
    });
    expect(job.runs.map((run) => run.error)).toEqual([null]);
    expect(job.reward).toBe(1);
    expect(job.runs[0]?.endpoint).toBe(`wss://${gateway.host}/`);
    expect(gateway.upgrades.length).toBeGreaterThan(0);
    expect(gateway.upgrades.every((upgrade) => upgrade.allowed)).toBe(true);
    expect(deleted).toBe(1);
    expect(servers).toEqual([]);
  });
});
