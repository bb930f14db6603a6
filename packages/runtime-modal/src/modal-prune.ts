import type { PrunedResource } from "@hudkit/core";
import { JOB_TAG, RUN_TAG } from "@hudkit/core";
import type { Sandbox, SandboxListParams } from "modal";
import {
  createModalClient,
  DEFAULT_APP_NAME,
  isModalNotFound,
  type ModalConnectionSettings,
  modalError,
  terminateSandbox,
} from "./modal-connection.js";

/** Options of {@link pruneModalSandboxes}. */
export interface PruneModalOptions extends ModalConnectionSettings {
  /** Only this job's sandboxes, wherever they run. Default: every tagged sandbox of `app`. */
  jobId?: string;
  /** The app swept when no `jobId` is given. Default `"hud-envs"`. */
  app?: string;
  /** Stops the sweep between sandboxes. */
  signal?: AbortSignal;
}

/**
 * Terminates the running sandboxes hudkit's Modal runtime left behind: what a killed process
 * could not tear down. With a `jobId`, Modal filters on the `hudkit.job` tag across the
 * environment; without one, the app's sandboxes are listed and only those carrying a
 * `hudkit.job` tag are touched (a tag filter needs a value, so "any job" cannot be asked of
 * Modal directly).
 *
 * @example
 * ```ts
 * const removed = await pruneModalSandboxes({ jobId: "9b2c0d6e8f1a4b7c9d3e5f60718293a4" });
 * ```
 */
export async function pruneModalSandboxes(options: PruneModalOptions = {}): Promise<PrunedResource[]> {
  const client = await createModalClient(options);
  try {
    const environment = options.environment !== undefined ? { environment: options.environment } : {};
    let params: SandboxListParams;
    if (options.jobId !== undefined) {
      params = { tags: { [JOB_TAG]: options.jobId }, ...environment };
    } else {
      const appName = options.app ?? DEFAULT_APP_NAME;
      try {
        const app = await client.apps.fromName(appName, environment);
        params = { appId: app.appId, ...environment };
      } catch (error) {
        if (isModalNotFound(error)) return [];
        throw modalError(`looking up app ${appName}`, error);
      }
    }
    // Listed in full before terminating: the listing pages by creation time of running sandboxes.
    const found: Sandbox[] = [];
    try {
      for await (const sandbox of client.sandboxes.list(params)) found.push(sandbox);
    } catch (error) {
      throw modalError("listing sandboxes", error);
    }
    const removed: PrunedResource[] = [];
    for (const sandbox of found) {
      options.signal?.throwIfAborted();
      const tags = await tagsOf(sandbox);
      const jobId = tags?.[JOB_TAG];
      if (jobId === undefined || (options.jobId !== undefined && jobId !== options.jobId)) continue;
      await terminateSandbox(sandbox);
      removed.push({ id: sandbox.sandboxId, jobId, runId: tags?.[RUN_TAG] ?? "" });
    }
    return removed;
  } finally {
    if (options.client === undefined) client.close();
  }
}

/** The sandbox's tags, or undefined when it ended since it was listed. */
async function tagsOf(sandbox: Sandbox): Promise<Record<string, string> | undefined> {
  try {
    return await sandbox.getTags();
  } catch (error) {
    if (isModalNotFound(error)) return undefined;
    throw modalError(`reading the tags of sandbox ${sandbox.sandboxId}`, error);
  }
}
