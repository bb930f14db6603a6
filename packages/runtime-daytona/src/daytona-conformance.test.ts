import { describeProviderConformance } from "@hudkit/runtime-conformance";
import { createDaytonaRuntime, listDaytonaSandboxes, parseDaytonaSource } from "./index.js";

/** A snapshot name or image reference of examples/letter-count (see the README). */
const source = process.env.HUDKIT_DAYTONA_IMAGE;
const missing = [
  !process.env.DAYTONA_API_KEY && "DAYTONA_API_KEY",
  !source && "HUDKIT_DAYTONA_IMAGE (a Daytona snapshot or image of examples/letter-count)",
].filter((name): name is string => typeof name === "string");

describeProviderConformance({
  name: "daytona",
  skipReason: missing.length > 0 ? `set ${missing.join(" and ")}` : undefined,
  provider: () => createDaytonaRuntime(parseDaytonaSource(source ?? "")),
  listResources: async (jobId) => (await listDaytonaSandboxes({ jobId })).map((sandbox) => sandbox.id),
});
