import { JOB_TAG } from "@hudkit/core";
import { describeProviderConformance } from "@hudkit/runtime-conformance";
import { Sandbox } from "e2b";
import { createE2bRuntime } from "./index.js";

// Live: needs an E2B account and a template of examples/letter-count (README, "Templates").
const template = process.env.HUDKIT_E2B_IMAGE;
const missing = [
  !process.env.E2B_API_KEY && "E2B_API_KEY",
  !template && "HUDKIT_E2B_IMAGE (an E2B template built from examples/letter-count/Dockerfile.hud)",
].filter((name): name is string => typeof name === "string");

describeProviderConformance({
  name: "e2b",
  skipReason: missing.length > 0 ? `set ${missing.join(" and ")}` : undefined,
  // Ten minutes: a leak from a failed test is killed by E2B soon, and billed little.
  provider: () => createE2bRuntime({ template: template as string, timeoutMs: 10 * 60_000 }),
  listResources: async (jobId) => {
    const pages = Sandbox.list({ query: { metadata: { [JOB_TAG]: jobId } } });
    const ids: string[] = [];
    while (pages.hasNext) ids.push(...(await pages.nextItems()).map((info) => info.sandboxId));
    return ids;
  },
});
