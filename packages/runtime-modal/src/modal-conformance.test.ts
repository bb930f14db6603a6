import { existsSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import { JOB_TAG } from "@hudkit/core";
import { describeProviderConformance } from "@hudkit/runtime-conformance";
import type { ModalClient } from "modal";
import { afterAll } from "vitest";
import { createModalRuntime } from "./index.js";

/**
 * The live suite against Modal: runs when credentials (`MODAL_TOKEN_ID` and `MODAL_TOKEN_SECRET`,
 * or a `~/.modal.toml` profile) and `HUDKIT_MODAL_IMAGE` (a registry image, or `modal://<id>`, of
 * `examples/letter-count` built from its `Dockerfile.hud`) are set; skipped, saying so, otherwise.
 */
const image = process.env.HUDKIT_MODAL_IMAGE;
const hasCredentials =
  Boolean(process.env.MODAL_TOKEN_ID && process.env.MODAL_TOKEN_SECRET) ||
  existsSync(process.env.MODAL_CONFIG_PATH || join(homedir(), ".modal.toml"));
const missing = [
  !hasCredentials && "MODAL_TOKEN_ID and MODAL_TOKEN_SECRET (or a ~/.modal.toml profile)",
  !image && "HUDKIT_MODAL_IMAGE (a registry image of examples/letter-count)",
].filter((name): name is string => typeof name === "string");

let client: ModalClient | undefined;
afterAll(() => client?.close());

describeProviderConformance({
  name: "modal",
  skipReason: missing.length > 0 ? `set ${missing.join(" and ")}` : undefined,
  provider: () => createModalRuntime({ image: image!, app: "hudkit-conformance", timeoutMs: 900_000 }),
  listResources: async (jobId) => {
    if (client === undefined) {
      const { ModalClient } = await import("modal");
      client = new ModalClient();
    }
    const ids: string[] = [];
    for await (const sandbox of client.sandboxes.list({ tags: { [JOB_TAG]: jobId } }))
      ids.push(sandbox.sandboxId);
    return ids;
  },
  // Sandbox creation includes Modal's pull of the registry image on a cold cache.
  timeoutMs: 600_000,
  settleMs: 60_000,
});
