import { createTask, type Task } from "@hudkit/core";
import type { HarborTask } from "./harbor-task.js";

/** The `env` of every Harbor row: a runtime that knows Harbor task folders serves them. */
export const HARBOR_ENV = "harbor";

/** The one template id of the `harbor` env: "run the Harbor task at `args.task_dir`". */
export const HARBOR_TASK_TEMPLATE = "harbor-task";

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

// TOML has dates and non-finite floats, JSON has neither; a row must survive a JSON round trip.
function toJson(value: unknown): Json {
  if (value instanceof Date) return value.toISOString();
  if (typeof value === "number") return Number.isFinite(value) ? value : String(value);
  if (typeof value === "bigint") return value.toString();
  if (Array.isArray(value)) return value.map(toJson);
  if (typeof value === "object" && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, toJson(item)]));
  }
  return value === undefined ? null : (value as Json);
}

function agentTimeoutSeconds(task: HarborTask): number | undefined {
  if (!task.multiStep) return task.config.agent.timeout_sec;
  // The agent runs once per step, so the rollout's agent budget is the sum of the step budgets;
  // one step without a timeout leaves the whole rollout unbounded.
  let total = 0;
  for (const step of task.steps) {
    if (step.agentTimeoutSec === undefined) return undefined;
    total += step.agentTimeoutSec;
  }
  return total;
}

function resources(task: HarborTask): Record<string, Json> {
  const environment = task.config.environment;
  const out: Record<string, Json> = {};
  if (environment.cpus !== undefined) out.cpu = environment.cpus;
  if (environment.memory_mb !== undefined) out.memory_mb = environment.memory_mb;
  if (environment.storage_mb !== undefined) out.storage_mb = environment.storage_mb;
  if ((environment.gpus ?? 0) > 0) {
    const types = environment.gpu_types;
    // As HUD's adapter writes it: one allowed type as a string, several as a list, any as null.
    const type = types === undefined || types.length === 0 ? null : types.length === 1 ? types[0]! : types;
    out.gpu = { count: environment.gpus!, type };
  }
  if (environment.os !== "linux") out.os = environment.os;
  if (environment.tpu !== undefined) out.tpu = toJson(environment.tpu);
  return out;
}

/**
 * The hudkit task row of a loaded Harbor task: `env` "harbor", template `id` "harbor-task", the
 * Harbor task name as `slug`, and `args.task_dir` (the absolute folder) for the runtime to find
 * the task. `runtime_config.resources` carries `cpu`, `memory_mb`, `storage_mb` and `gpu` (the
 * shape `@hudkit/runtime-docker` reads) and `limits.startup_timeout_s` the build timeout;
 * `agent_config.timeout_seconds` is `[agent].timeout_sec` (summed over the steps of a
 * multi-step task); `columns` are `[metadata]` plus `[task].keywords`. Unset resources stay
 * unset, meaning the runtime's defaults, as in Harbor.
 *
 * @example
 * ```ts
 * const { task } = await loadHarborTask("shared/harbor-samples/hello-user");
 * harborTaskToRow(task);
 * // { env: "harbor", id: "harbor-task", slug: "harbor/hello-user",
 * //   args: { task_dir: "/work/shared/harbor-samples/hello-user" },
 * //   agent_config: { timeout_seconds: 120 },
 * //   columns: { author_name: "Alex Shaw", ... },
 * //   runtime_config: { resources: { cpu: 1, memory_mb: 2048, storage_mb: 10240 },
 * //                     limits: { startup_timeout_s: 600 } } }
 * ```
 */
export function harborTaskToRow(task: HarborTask): Task {
  const columns: Record<string, Json> = toJson(task.config.metadata) as Record<string, Json>;
  const keywords = task.config.task?.keywords ?? [];
  if (keywords.length > 0) columns.keywords = keywords;
  const timeout = agentTimeoutSeconds(task);
  return createTask({
    env: HARBOR_ENV,
    id: HARBOR_TASK_TEMPLATE,
    slug: task.name,
    args: { task_dir: task.dir },
    ...(timeout === undefined ? {} : { agent_config: { timeout_seconds: timeout } }),
    ...(Object.keys(columns).length === 0 ? {} : { columns }),
    runtime_config: {
      resources: resources(task),
      limits: { startup_timeout_s: Math.ceil(task.config.environment.build_timeout_sec) },
    },
  });
}
