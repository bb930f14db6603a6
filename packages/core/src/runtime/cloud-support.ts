import { randomBytes } from "node:crypto";
import { z } from "zod";
import { HudkitError } from "../errors/hudkit-error.js";
import type { Task } from "../task/task.js";
import type { AcquireContext } from "./provider.js";

/** The keys every provider tags its resources with, so `hud <provider> prune` can find them. */
export const JOB_TAG = "hudkit.job";
export const RUN_TAG = "hudkit.run";
export const TASK_TAG = "hudkit.task";

/**
 * The tags of one rollout's resources (Docker labels, E2B metadata, Daytona labels, Modal
 * tags): the job, the run and the task.
 *
 * @example
 * ```ts
 * await Sandbox.create(template, { metadata: resourceTags(task, ctx) });
 * ```
 */
export function resourceTags(
  task: Task,
  ctx: Pick<AcquireContext, "jobId" | "runId">,
): Record<string, string> {
  return { [JOB_TAG]: ctx.jobId, [RUN_TAG]: ctx.runId, [TASK_TAG]: task.slug };
}

/** One resource a prune removed. */
export interface PrunedResource {
  /** The provider's id of the resource (container id, sandbox id). */
  readonly id: string;
  readonly jobId: string;
  readonly runId: string;
}

/** What `RuntimePlugin.prune` is asked to sweep. */
export interface PruneRequest {
  /** Only this job's resources. Default: every resource hudkit tagged. */
  readonly jobId?: string;
  readonly signal?: AbortSignal;
}

const MARKER = Symbol.for("hudkit.provider-auth-error");

/**
 * A provider's credentials are missing or were refused: a configuration mistake the user fixes,
 * not an infrastructure failure worth retrying. `code` is `"missing-credentials"` or
 * `"auth-rejected"`; `cause` keeps the vendor's own error.
 *
 * @example
 * ```ts
 * if (ProviderAuthError.isInstance(error)) console.error(error.message); // one line naming the variables
 * ```
 */
export class ProviderAuthError extends HudkitError {
  readonly [MARKER] = true;
  /** The provider's short name: `modal`, `e2b`, `daytona`. */
  readonly provider: string;

  constructor(
    provider: string,
    code: "missing-credentials" | "auth-rejected",
    message: string,
    options?: { cause?: unknown },
  ) {
    super(code, message, options);
    this.name = "ProviderAuthError";
    this.provider = provider;
  }

  /** True for a provider authentication error from any copy of `@hudkit/core`. */
  static override isInstance(value: unknown): value is ProviderAuthError {
    return HudkitError.isInstance(value) && (value as unknown as Record<symbol, unknown>)[MARKER] === true;
  }
}

/**
 * Reads a provider's credentials from the environment at call time (never at import), or throws
 * one line naming every variable that is missing.
 *
 * @example
 * ```ts
 * const { E2B_API_KEY } = readCredentials("e2b", ["E2B_API_KEY"]);
 * ```
 */
export function readCredentials<const Name extends string>(
  provider: string,
  names: readonly Name[],
  env: Readonly<Record<string, string | undefined>> = process.env,
): Record<Name, string> {
  const missing = names.filter((name) => !env[name]);
  if (missing.length > 0) {
    throw new ProviderAuthError(
      provider,
      "missing-credentials",
      `${provider}: no credentials: set ${joinNames(missing)}${missing.length < names.length ? ` (${joinNames(names)} are all needed)` : ""}`,
    );
  }
  return Object.fromEntries(names.map((name) => [name, env[name] as string])) as Record<Name, string>;
}

function joinNames(names: readonly string[]): string {
  if (names.length <= 1) return names.join("");
  return `${names.slice(0, -1).join(", ")} and ${names.at(-1)}`;
}

/**
 * Wraps a vendor SDK's error as a {@link HudkitError} that says what was being done, keeping the
 * vendor error as `cause`. Authentication failures (HTTP 401/403, or what `isAuth` recognises)
 * become {@link ProviderAuthError}. Hudkit errors pass through unchanged.
 *
 * @example
 * ```ts
 * try { await Sandbox.create(template) } catch (error) { throw vendorError("e2b", "creating a sandbox", error) }
 * ```
 */
export function vendorError(
  provider: string,
  action: string,
  error: unknown,
  isAuth: (error: unknown) => boolean = looksLikeAuthFailure,
): HudkitError {
  if (HudkitError.isInstance(error)) return error;
  const message = error instanceof Error ? error.message : String(error);
  if (isAuth(error)) {
    return new ProviderAuthError(
      provider,
      "auth-rejected",
      `${provider}: credentials refused while ${action}: ${message}`,
      {
        cause: error,
      },
    );
  }
  return new HudkitError(`${provider}-error`, `${provider}: ${action} failed: ${message}`, { cause: error });
}

/** An HTTP 401/403 on the error or its response, the common shape of vendor SDK errors. */
function looksLikeAuthFailure(error: unknown): boolean {
  if (typeof error !== "object" || error === null) return false;
  const record = error as Record<string, unknown>;
  const status =
    record.status ?? record.statusCode ?? (record.response as Record<string, unknown> | undefined)?.status;
  return status === 401 || status === 403;
}

/**
 * A fresh per-rollout control token: the server is started with it as `HUD_CONTROL_TOKEN` and
 * the endpoint carries it, so a public tunnel serves only this rollout's client.
 *
 * @example
 * ```ts
 * const token = generateControlToken(); // 43 url-safe characters
 * ```
 */
export function generateControlToken(): string {
  return randomBytes(32).toString("base64url");
}

/** Milliseconds to whole seconds, rounded up so a limit is never shortened (Daytona timeouts). */
export function millisToSeconds(ms: number): number {
  return Math.ceil(ms / 1_000);
}

/** Milliseconds to whole minutes, rounded up (Daytona's auto-stop intervals). */
export function millisToMinutes(ms: number): number {
  return Math.ceil(ms / 60_000);
}

/** Milliseconds rounded up to a multiple of 1000, which Modal demands of every timeout. */
export function wholeSecondMillis(ms: number): number {
  return Math.ceil(ms / 1_000) * 1_000;
}

/**
 * The command a `Dockerfile.hud` image's `CMD` runs: the bundled env served on every interface.
 * Sandboxes ignore an image's `CMD`, so cloud providers start it themselves.
 *
 * @example
 * ```ts
 * defaultServeCommand(8765); // ["node", "/env/env.mjs", "--host", "0.0.0.0", "--port", "8765"]
 * ```
 */
export function defaultServeCommand(port: number): string[] {
  return ["node", "/env/env.mjs", "--host", "0.0.0.0", "--port", String(port)];
}

const CloudRuntimeConfigSchema = z.object({
  image: z.string().min(1).optional(),
  resources: z
    .object({
      cpu: z.number().positive().optional(),
      memory_mb: z.int().positive().optional(),
      storage_mb: z.int().positive().optional(),
      gpu: z
        .object({
          type: z.union([z.string(), z.array(z.string())]).nullish(),
          count: z.int().min(1).default(1),
        })
        .nullish(),
    })
    .passthrough()
    .optional(),
  limits: z
    .object({
      startup_timeout_s: z.number().positive().optional(),
      run_timeout_s: z.number().positive().optional(),
    })
    .passthrough()
    .optional(),
});

/** What a task's `runtime_config` overrides on a cloud provider, in our units (ms, MiB). */
export interface CloudRuntimeOverrides {
  /** `image`: the image, template or snapshot instead of the provider's. */
  image?: string;
  /** `resources.cpu`: cores (fractions allowed where the vendor allows them). */
  cpu?: number;
  /** `resources.memory_mb`. */
  memoryMiB?: number;
  /** `resources.storage_mb`. */
  diskMiB?: number;
  /** `limits.startup_timeout_s`: how long the server may take to answer `hello`. */
  startupTimeoutMs?: number;
  /** `limits.run_timeout_s`: the sandbox's whole lifetime. */
  lifetimeMs?: number;
  /** `resources.gpu`: `type` is one name or a list of acceptable names. */
  gpu?: { type?: string | string[]; count: number };
}

/**
 * The part of a task's `runtime_config` (spec §4.2) a cloud provider honours, in milliseconds and
 * MiB whatever the vendor takes. A config that does not parse is an error naming the task.
 *
 * @example
 * ```ts
 * const overrides = cloudRuntimeOverrides(task, "e2b");
 * const timeoutMs = overrides.lifetimeMs ?? settings.timeoutMs;
 * ```
 */
export function cloudRuntimeOverrides(task: Task, provider: string): CloudRuntimeOverrides {
  const parsed = CloudRuntimeConfigSchema.safeParse(task.runtime_config ?? {});
  if (!parsed.success) {
    throw new HudkitError(
      "invalid-runtime-config",
      `task ${task.slug} has a runtime_config the ${provider} runtime cannot read: ${z.prettifyError(parsed.error)}`,
    );
  }
  const { image, resources, limits } = parsed.data;
  const overrides: CloudRuntimeOverrides = {};
  if (image !== undefined) overrides.image = image;
  if (resources?.cpu !== undefined) overrides.cpu = resources.cpu;
  if (resources?.memory_mb !== undefined) overrides.memoryMiB = resources.memory_mb;
  if (resources?.storage_mb !== undefined) overrides.diskMiB = resources.storage_mb;
  if (limits?.startup_timeout_s !== undefined) overrides.startupTimeoutMs = limits.startup_timeout_s * 1_000;
  if (limits?.run_timeout_s !== undefined) overrides.lifetimeMs = limits.run_timeout_s * 1_000;
  if (resources?.gpu != null) {
    overrides.gpu = {
      count: resources.gpu.count,
      ...(resources.gpu.type != null ? { type: resources.gpu.type } : {}),
    };
  }
  return overrides;
}
