import type { Sandbox } from "@daytonaio/sdk";
import type { PrunedResource } from "@hudkit/core";
import { JOB_TAG, RUN_TAG } from "@hudkit/core";
import { type DaytonaConnection, daytonaClient, daytonaError, isNotFound } from "./daytona-client.js";

/** Options of {@link listDaytonaSandboxes} and {@link pruneDaytonaSandboxes}. */
export interface DaytonaSandboxQuery extends DaytonaConnection {
  /** Only this job's sandboxes. Default: every sandbox hudkit tagged. */
  jobId?: string;
  signal?: AbortSignal;
}

/** States of a sandbox that is gone or going: nothing left to delete or pay for. */
const GONE = new Set<string | undefined>(["destroyed", "destroying"]);

/**
 * The sandboxes hudkit's Daytona runtime tagged (`hudkit.job`, of one job or of any) that are
 * not already being destroyed.
 *
 * @example
 * ```ts
 * const left = await listDaytonaSandboxes({ jobId: "9b2c0d6e8f1a4b7c9d3e5f60718293a4" });
 * console.log(left.map((sandbox) => sandbox.id));
 * ```
 */
export async function listDaytonaSandboxes(query: DaytonaSandboxQuery = {}): Promise<Sandbox[]> {
  const daytona = await daytonaClient(query);
  const found: Sandbox[] = [];
  try {
    // Daytona filters on label values only, so "any job" is a listing of the whole organisation
    // narrowed here to what carries the job tag.
    const listing =
      query.jobId === undefined ? daytona.list() : daytona.list({ labels: { [JOB_TAG]: query.jobId } });
    for await (const sandbox of listing) {
      query.signal?.throwIfAborted();
      if (sandbox.labels?.[JOB_TAG] !== undefined && !GONE.has(sandbox.state)) found.push(sandbox);
    }
  } catch (error) {
    if (query.signal?.aborted) throw query.signal.reason;
    throw daytonaError("listing sandboxes", error);
  }
  return found;
}

/**
 * Deletes the sandboxes hudkit's Daytona runtime left behind, running or stopped: what a killed
 * process could not tear down. Only sandboxes labelled `hudkit.job` are touched; one deleted
 * meanwhile is not an error.
 *
 * @example
 * ```ts
 * const deleted = await pruneDaytonaSandboxes({ jobId: "9b2c0d6e8f1a4b7c9d3e5f60718293a4" });
 * ```
 */
export async function pruneDaytonaSandboxes(query: DaytonaSandboxQuery = {}): Promise<PrunedResource[]> {
  const found = await listDaytonaSandboxes(query);
  const pruned: PrunedResource[] = [];
  for (const sandbox of found) {
    query.signal?.throwIfAborted();
    try {
      await sandbox.delete();
    } catch (error) {
      if (!isNotFound(error)) throw daytonaError(`deleting sandbox ${sandbox.id}`, error);
    }
    pruned.push({
      id: sandbox.id,
      jobId: sandbox.labels[JOB_TAG] ?? "",
      runId: sandbox.labels[RUN_TAG] ?? "",
    });
  }
  return pruned;
}
