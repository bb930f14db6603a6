import { JOB_TAG, type PrunedResource, RUN_TAG, vendorError } from "@hudkit/core";
import { Sandbox, type SandboxApiOpts, type SandboxInfo } from "e2b";
import { e2bApiKey, isE2bAuthError, isSandboxGone } from "./e2b-support.js";

/** Options of {@link pruneE2bSandboxes}: the SDK's API options, plus which job. */
export interface E2bPruneOptions
  extends Pick<SandboxApiOpts, "apiKey" | "domain" | "requestTimeoutMs" | "signal"> {
  /** Only this job's sandboxes. Default: every sandbox hudkit tagged. */
  jobId?: string;
}

/**
 * Kills the sandboxes hudkit's e2b runtime left behind, running or paused: what a killed process
 * could not tear down (E2B would kill them at their timeout, billing until then). Only sandboxes
 * whose metadata has `hudkit.job` are touched.
 *
 * @example
 * ```ts
 * const killed = await pruneE2bSandboxes({ jobId: "9b2c0d6e8f1a4b7c9d3e5f60718293a4" });
 * ```
 */
export async function pruneE2bSandboxes(options: E2bPruneOptions = {}): Promise<PrunedResource[]> {
  const { jobId, signal, ...connection } = options;
  const api = { ...connection, apiKey: e2bApiKey(connection.apiKey) };
  const found = await listSandboxes({ ...api, ...(signal ? { signal } : {}) }, jobId);
  const killed: PrunedResource[] = [];
  for (const info of found) {
    signal?.throwIfAborted();
    try {
      // `false` (already gone) counts as removed, as a 404 does.
      await Sandbox.kill(info.sandboxId, { ...api, ...(signal ? { signal } : {}) });
    } catch (error) {
      if (!isSandboxGone(error))
        throw vendorError("e2b", `killing sandbox ${info.sandboxId}`, error, isE2bAuthError);
    }
    killed.push({
      id: info.sandboxId,
      jobId: info.metadata[JOB_TAG] ?? "",
      runId: info.metadata[RUN_TAG] ?? "",
    });
  }
  return killed;
}

/**
 * The sandboxes tagged with the job (or with any job), every page: all are read before any is
 * killed, so killing cannot shift the pages under the cursor.
 */
async function listSandboxes(api: SandboxApiOpts, jobId: string | undefined): Promise<SandboxInfo[]> {
  const { signal, ...listOptions } = api;
  const found: SandboxInfo[] = [];
  try {
    const pages = Sandbox.list({
      ...listOptions,
      // The API filters by exact metadata values only; "has the key" is checked below.
      ...(jobId !== undefined ? { query: { metadata: { [JOB_TAG]: jobId } } } : {}),
    });
    while (pages.hasNext) found.push(...(await pages.nextItems(signal ? { signal } : undefined)));
  } catch (error) {
    throw vendorError("e2b", "listing sandboxes", error, isE2bAuthError);
  }
  return found.filter((info) => {
    const tag = info.metadata?.[JOB_TAG];
    return tag !== undefined && (jobId === undefined || tag === jobId);
  });
}
