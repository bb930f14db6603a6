/**
 * Docker runtime overhead (issue 5): per-rollout wall time of `createDockerRuntime` (acquire,
 * `hello` through the protocol client, close, dispose) beside a bare dockerode
 * create-start-inspect-handshake-remove of the same image, in the same run, in short alternating
 * chunks so machine drift and stalls hit both alike (see interleave.ts). Target: at most 1.2x,
 * at concurrency 1, 2 and 4.
 *
 *   pnpm --filter @hudkit/bench docker-runtime [-- --rollouts 24 --image hudkit-bench-letters:latest]
 *
 * Needs a Docker engine and the built packages (`pnpm build`); builds the letter-count image
 * first unless it exists.
 */
import { fileURLToPath } from "node:url";
import { connect } from "@hudkit/core";
import { buildEnvironmentImage, createDockerRuntime } from "@hudkit/runtime-docker";
import Docker from "dockerode";
import { printTable, writeResult } from "./bench-table.js";
import { interleave } from "./interleave.js";
import { startStallMonitor } from "./stall-monitor.js";

const argValue = (flag: string, fallback: string) => {
  const index = process.argv.indexOf(flag);
  return index === -1 ? fallback : process.argv[index + 1]!;
};
const ROLLOUTS = Number(argValue("--rollouts", "24"));
const IMAGE = argValue("--image", "hudkit-bench-letters:latest");
const CONCURRENCY = [1, 2, 4];
const PORT = "8765/tcp";
const docker = new Docker();
const task = { env: "letter-count", id: "count_letter", args: {}, slug: "bench" };

await docker
  .getImage(IMAGE)
  .inspect()
  .catch(async () => {
    const dir = fileURLToPath(new URL("../examples/letter-count", import.meta.url));
    await buildEnvironmentImage({ dir, tag: IMAGE });
  });

/** The floor: what any container runtime must do for one rollout, with dockerode alone. */
async function bareRollout(): Promise<void> {
  const container = await docker.createContainer({
    Image: IMAGE,
    ExposedPorts: { [PORT]: {} },
    HostConfig: { PortBindings: { [PORT]: [{ HostIp: "127.0.0.1", HostPort: "" }] } },
  });
  try {
    await container.start();
    const info = await container.inspect();
    const port = info.NetworkSettings.Ports[PORT]![0]!.HostPort;
    const client = await connect(`tcp://127.0.0.1:${port}`, { readyTimeoutMs: 120_000 });
    await client.close();
  } finally {
    await container.remove({ force: true, v: true });
  }
}

const runtime = createDockerRuntime({ image: IMAGE });
let runs = 0;
/** The provider: the same work through createDockerRuntime, as the engine drives it. */
async function providerRollout(): Promise<void> {
  const runId = `bench-${runs++}`;
  const ctx = { signal: new AbortController().signal, log: () => {}, jobId: "hudkit-bench", runId };
  const substrate = await runtime.acquire(task, ctx);
  try {
    const client = await connect(substrate.endpoint.url, {
      readyTimeoutMs: substrate.endpoint.readyTimeoutMs,
    });
    await client.close();
  } finally {
    await substrate[Symbol.asyncDispose]();
  }
}

await bareRollout(); // warm the image's layers and the engine
await providerRollout();
const monitor = startStallMonitor();
const rows = [];
const chunkMs: Record<string, Record<string, number[]>> = {};
for (const width of CONCURRENCY) {
  // Two rollouts per slot per chunk; A B B A order, so the engine's clean-up after one side's
  // last container does not always land on the same side.
  const sides = await interleave(
    { bare: () => bareRollout(), provider: () => providerRollout() },
    { total: ROLLOUTS, chunk: width * 2, concurrency: width },
  );
  chunkMs[width] = { bare: sides.bare.chunks, provider: sides.provider.chunks };
  const b = sides.bare.medianMs;
  const p = sides.provider.medianMs;
  rows.push({
    concurrency: width,
    "bare (ms/rollout)": b,
    "provider (ms/rollout)": p,
    ratio: p / b,
    "ratio of totals": sides.provider.meanMs / sides.bare.meanMs,
  });
}
const stalls = await monitor.stop();
printTable(
  `docker runtime: ${ROLLOUTS} rollouts per side and concurrency, in alternating chunks of 2 per slot (median chunk); target ratio <= 1.2`,
  rows,
);
console.log(
  `\nmachine stalls (>100 ms with no CPU) during the run: ${stalls.stalls}, ${(stalls.stalledMs / 1000).toFixed(1)} s of ${(stalls.wallMs / 1000).toFixed(1)} s`,
);
console.log(
  `\nwrote ${writeResult("docker-runtime", { rollouts: ROLLOUTS, image: IMAGE, rows, chunkMs, stalls })}`,
);
