/**
 * Docker runtime overhead (issue 5): per-rollout wall time of `createDockerRuntime` (acquire,
 * `hello` through the protocol client, close, dispose) beside a bare dockerode
 * create-start-inspect-handshake-remove of the same image, in the same run, rounds alternating
 * so machine drift hits both alike. Target: at most 1.2x, at concurrency 1, 2 and 4.
 *
 *   pnpm --filter @hudkit/bench docker-runtime [-- --rollouts 12 --image hudkit-bench-letters:latest]
 *
 * Needs a Docker engine and the built packages (`pnpm build`); builds the letter-count image
 * first unless it exists.
 */
import { fileURLToPath } from "node:url";
import { connect } from "@hudkit/core";
import { buildEnvironmentImage, createDockerRuntime } from "@hudkit/runtime-docker";
import Docker from "dockerode";
import { printTable, quantile, writeResult } from "./bench-table.js";

const argValue = (flag: string, fallback: string) => {
  const index = process.argv.indexOf(flag);
  return index === -1 ? fallback : process.argv[index + 1]!;
};
const ROLLOUTS = Number(argValue("--rollouts", "12"));
/** More, shorter rounds let a busy machine's drift hit both sides alike (the median is kept). */
const ROUNDS = Number(argValue("--rounds", "4"));
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

/** Wall time per rollout of `count` rollouts, `width` at a time. */
async function perRollout(rollout: () => Promise<void>, width: number, count: number): Promise<number> {
  const start = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: width }, async () => {
      while (next++ < count) await rollout();
    }),
  );
  return (performance.now() - start) / count;
}

await bareRollout(); // warm the image's layers and the engine
await providerRollout();
const rows = [];
for (const width of CONCURRENCY) {
  const bare: number[] = [];
  const provider: number[] = [];
  const rounds = ROUNDS;
  const count = Math.ceil(ROLLOUTS / rounds);
  for (let round = 0; round < rounds; round++) {
    // Alternate which side goes first: the engine's clean-up after one side's last container
    // must not always land on the same side.
    if (round % 2 === 0) {
      bare.push(await perRollout(bareRollout, width, count));
      provider.push(await perRollout(providerRollout, width, count));
    } else {
      provider.push(await perRollout(providerRollout, width, count));
      bare.push(await perRollout(bareRollout, width, count));
    }
  }
  const b = quantile(bare, 0.5);
  const p = quantile(provider, 0.5);
  rows.push({ concurrency: width, "bare (ms/rollout)": b, "provider (ms/rollout)": p, ratio: p / b });
}
printTable(
  `docker runtime: ${ROLLOUTS} rollouts per side and concurrency, ${ROUNDS} rounds alternating which side goes first; target ratio <= 1.2`,
  rows,
);
console.log(
  `\nwrote ${writeResult("docker-runtime", { rollouts: ROLLOUTS, rounds: ROUNDS, image: IMAGE, rows })}`,
);
