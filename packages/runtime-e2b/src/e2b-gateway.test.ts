import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type BoundServer, bind, type RuntimeProvider, Taskset } from "@hudkit/core";
import {
  GATEWAY_CA,
  LETTER_COUNT_TASK,
  solveLetterCount,
  startTlsGateway,
  type TlsGateway,
} from "@hudkit/runtime-conformance";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { env } from "../../../examples/letter-count/env.js";
import { createE2bRuntime } from "./index.js";

const TRAFFIC_TOKEN = "traffic-token-of-sbx-gw";

// The SDK is mocked, but what it stands for is real: `commands.run` starts a real hudkit server
// (with the control token the provider passed), and `getHost` names a TLS gateway that, like
// E2B's proxy, refuses any upgrade without the sandbox's traffic token.
const live = vi.hoisted(() => ({
  servers: [] as BoundServer[],
  gatewayHost: "",
  killed: 0,
}));
vi.mock("e2b", async (importOriginal) => {
  const actual = await importOriginal<typeof import("e2b")>();
  const create = async () => ({
    sandboxId: "sbx-gw",
    trafficAccessToken: TRAFFIC_TOKEN,
    getHost: () => live.gatewayHost,
    kill: async () => {
      live.killed += 1;
      await live.servers.pop()?.close();
      return true;
    },
    commands: {
      run: async (_line: string, options: { envs: Record<string, string> }) => {
        live.servers.push(await bind(env, { controlToken: options.envs.HUD_CONTROL_TOKEN }));
        return { pid: 1, wait: () => new Promise(() => {}), disconnect: async () => {} };
      },
    },
  });
  return { ...actual, Sandbox: { create } };
});

describe("the e2b runtime's wss:// endpoint through a gateway that demands the traffic token", () => {
  let gateway: TlsGateway;
  let jobsDir: string;

  beforeAll(async () => {
    vi.stubEnv("E2B_API_KEY", "e2b_test_key");
    gateway = await startTlsGateway({
      target: () => {
        const server = live.servers.at(-1);
        if (server === undefined) throw new Error("no sandbox server is running");
        return { host: server.host, port: server.port };
      },
      header: { name: "e2b-traffic-access-token", value: TRAFFIC_TOKEN },
    });
    live.gatewayHost = gateway.host;
    jobsDir = await mkdtemp(join(tmpdir(), "hudkit-e2b-gateway-"));
  });
  afterAll(async () => {
    vi.unstubAllEnvs();
    await gateway?.[Symbol.asyncDispose]();
    for (const server of live.servers) await server.close();
    if (jobsDir !== undefined) await rm(jobsDir, { recursive: true, force: true });
  });

  it("runs a full rollout with the header and the control token, then kills the sandbox", async () => {
    const e2b = createE2bRuntime({ template: "letter-count:v1" });
    // Trust the gateway's private certificate, as a user behind a private CA would.
    const runtime: RuntimeProvider = {
      ...e2b,
      acquire: async (task, ctx) => {
        const substrate = await e2b.acquire(task, ctx);
        return Object.assign(substrate, { endpoint: { ...substrate.endpoint, ca: GATEWAY_CA } });
      },
    };
    const job = await new Taskset("e2b-gateway", [LETTER_COUNT_TASK]).run(solveLetterCount, {
      runtime,
      jobsDir,
    });
    expect(job.runs.map((run) => run.error)).toEqual([null]);
    expect(job.reward).toBe(1);
    expect(job.runs[0]?.endpoint).toBe(`wss://${gateway.host}/`);
    expect(gateway.upgrades.length).toBeGreaterThan(0);
    expect(gateway.upgrades.every((upgrade) => upgrade.allowed)).toBe(true);
    expect(live.killed).toBe(1);
    expect(live.servers).toEqual([]);
  });
});
