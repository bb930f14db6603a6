import { fileURLToPath } from "node:url";
import { describeProviderConformance } from "@hudkit/runtime-conformance";
import { buildEnvironmentImage } from "./docker-build.js";
import { createDockerRuntime } from "./index.js";
import { containersOfJob, dockerTestsEnabled, SKIP_VARIABLE } from "./test-support/docker-tests.js";

const LETTER_COUNT = fileURLToPath(new URL("../../../examples/letter-count", import.meta.url));
// Its own tag: other test files build the same example concurrently under theirs.
const IMAGE = "hudkit-test-conformance:latest";

describeProviderConformance({
  name: "docker",
  skipReason: (await dockerTestsEnabled()) ? undefined : `${SKIP_VARIABLE}=1`,
  setup: async () => {
    await buildEnvironmentImage({ dir: LETTER_COUNT, tag: IMAGE });
  },
  provider: () => createDockerRuntime({ image: IMAGE }),
  listResources: async (jobId) => (await containersOfJob(jobId)).map((container) => container.Id),
  // The engine removes a container before answering, so nothing lingers to wait for.
  settleMs: 0,
});
