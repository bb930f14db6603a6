import type { Task } from "../task/task.js";
import type { PrunedResource, PruneRequest } from "./cloud-support.js";

/** Where a substrate's environment server can be reached: `tcp://`, `ws://` or `wss://`. */
export interface Endpoint {
  readonly url: string;
  /** Headers that must travel with the URL (WebSocket upgrades), e.g. a gateway's auth. */
  readonly headers?: Readonly<Record<string, string>>;
  /** Bearer token the server demands (`HUD_CONTROL_TOKEN`), when the provider set one. */
  readonly token?: string;
  /** PEM certificate(s) to trust for a `wss://` URL besides the system's (a private CA). */
  readonly ca?: string;
  /** How long the server may take to answer `hello`; the provider knows its start-up cost. */
  readonly readyTimeoutMs?: number;
}

/** One provisioned place where a task's environment runs; disposing it tears it down. */
export interface Substrate extends AsyncDisposable {
  readonly endpoint: Endpoint;
  /** The tail of the substrate's own output, attached to failed runs. */
  logs?(): Promise<string>;
}

/** What a provider is given with each acquisition. */
export interface AcquireContext {
  /** Aborted when the rollout times out or the job is interrupted: stop provisioning. */
  readonly signal: AbortSignal;
  /** Progress lines for the user (image pulls, sandbox creation, ...). */
  readonly log: (line: string) => void;
  /** The job and run ids, for labelling every resource so `hud <provider> prune` can find it. */
  readonly jobId: string;
  readonly runId: string;
}

/**
 * A runtime provider: acquires one fresh substrate per rollout. Core accepts any object of this
 * shape; `specificationVersion` lets the contract grow without breaking older plugins.
 *
 * @example
 * ```ts
 * const borrowed: RuntimeProvider = {
 *   specificationVersion: "runtime-v1",
 *   name: "url",
 *   async acquire() {
 *     return { endpoint: { url: "tcp://127.0.0.1:8765" }, async [Symbol.asyncDispose]() {} };
 *   },
 * };
 * ```
 */
export interface RuntimeProvider {
  readonly specificationVersion: "runtime-v1";
  readonly name: string;
  acquire(task: Task, ctx: AcquireContext): Promise<Substrate>;
}

/**
 * A plugin package's default export: `--runtime <name>:<arg>` calls `create(arg, options)`.
 *
 * @example
 * ```ts
 * export default { specificationVersion: "runtime-plugin-v1", name: "docker", create: (image) => createDockerRuntime({ image }) };
 * ```
 */
export interface RuntimePlugin {
  readonly specificationVersion: "runtime-plugin-v1";
  readonly name: string;
  create(arg: string, options: Record<string, unknown>): RuntimeProvider | Promise<RuntimeProvider>;
  /**
   * Removes what killed processes left behind: every resource tagged with a job (or with the
   * given job). `hud <name> prune [--job ID]` calls it.
   */
  prune?(request: PruneRequest): Promise<PrunedResource[]>;
}
