import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { bind, connect, type RuntimeProvider, Taskset, WebSocketUpgradeError } from "@hudkit/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { env } from "../../../examples/letter-count/env.js";
import { LETTER_COUNT_TASK, solveLetterCount } from "./provider-conformance.js";
import { GATEWAY_CA, startTlsGateway, type TlsGateway } from "./tls-gateway.js";

const HEADER = { name: "e2b-traffic-access-token", value: "traffic-token-for-this-sandbox" };
const CONTROL_TOKEN = "per-rollout-control-token";

// A real hudkit server behind a TLS-terminating gateway that demands a vendor header: the path a
// cloud provider's `wss://` endpoint takes through E2B's or Daytona's proxy.
describe("wss:// with a provider header through a TLS gateway", () => {
  let server: Awaited<ReturnType<typeof bind>>;
  let gateway: TlsGateway;
  let jobsDir: string;

  beforeAll(async () => {
    server = await bind(env, { controlToken: CONTROL_TOKEN });
    gateway = await startTlsGateway({ target: { host: server.host, port: server.port }, header: HEADER });
    jobsDir = await mkdtemp(join(tmpdir(), "hudkit-gateway-jobs-"));
  });
  afterAll(async () => {
    await gateway?.[Symbol.asyncDispose]();
    await server?.close();
    if (jobsDir !== undefined) await rm(jobsDir, { recursive: true, force: true });
  });

  it("carries a full rollout when the header is right", async () => {
    const before = gateway.upgrades.length;
    const runtime: RuntimeProvider = {
      specificationVersion: "runtime-v1",
      name: "gateway",
      async acquire() {
        return {
          endpoint: {
            url: `wss://${gateway.host}`,
            headers: { [HEADER.name]: HEADER.value },
            token: CONTROL_TOKEN,
            ca: GATEWAY_CA,
          },
          async [Symbol.asyncDispose]() {},
        };
      },
    };
    const job = await new Taskset("gateway", [LETTER_COUNT_TASK]).run(solveLetterCount, { runtime, jobsDir });
    expect(job.runs.map((run) => run.error)).toEqual([null]);
    expect(job.reward).toBe(1);
    expect(job.runs[0]?.endpoint).toBe(`wss://${gateway.host}/`);
    const seen = gateway.upgrades.slice(before);
    expect(seen.length).toBeGreaterThan(0);
    expect(seen.every((upgrade) => upgrade.allowed && upgrade.path === "/")).toBe(true);
  });

  it("is refused without the header", async () => {
    const attempt = connect(`wss://${gateway.host}`, {
      token: CONTROL_TOKEN,
      ca: GATEWAY_CA,
      readyTimeoutMs: 10_000,
    });
    await expect(attempt).rejects.toBeInstanceOf(WebSocketUpgradeError);
    await expect(attempt).rejects.toMatchObject({ status: 403, code: "unauthorized" });
    expect(gateway.upgrades.at(-1)).toMatchObject({ header: undefined, allowed: false });
  });

  it("is refused with a wrong header", async () => {
    const attempt = connect(`wss://${gateway.host}`, {
      headers: { [HEADER.name]: "someone-elses-token" },
      token: CONTROL_TOKEN,
      ca: GATEWAY_CA,
      readyTimeoutMs: 10_000,
    });
    await expect(attempt).rejects.toMatchObject({ status: 403 });
    expect(gateway.upgrades.at(-1)).toMatchObject({ header: "someone-elses-token", allowed: false });
  });

  it("does not trust the gateway's certificate unless told to", async () => {
    const attempt = connect(`wss://${gateway.host}`, {
      headers: { [HEADER.name]: HEADER.value },
      token: CONTROL_TOKEN,
      readyTimeoutMs: 2_000,
    });
    await expect(attempt).rejects.toThrow(/certificate/i);
  });

  it("lets the server refuse a wrong control token behind a right header", async () => {
    const attempt = connect(`wss://${gateway.host}`, {
      headers: { [HEADER.name]: HEADER.value },
      token: "not-the-token",
      ca: GATEWAY_CA,
      readyTimeoutMs: 10_000,
    });
    await expect(attempt).rejects.toMatchObject({ status: 401, code: "unauthorized" });
  });
});
