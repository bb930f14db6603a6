import { z } from "zod";
import { allowedHostProblem, normaliseAllowedHost } from "./allowed-hosts.js";

/**
 * The zod schemas of `task.toml`, Harbor schema versions 1.0 to 1.4 (spec §1.2-1.3).
 *
 * One schema serves every version: Harbor never checks `schema_version`, and features were
 * added without a bump, so a key is valid whatever version a task declares. Version-specific
 * spellings (`version`, `memory`, `storage`, `allow_internet`) are rewritten before validation by
 * `normaliseDeprecatedKeys`. Tables are strict so that unknown keys surface as issues, which
 * `parseTaskToml` turns into warnings and drops, as Harbor ignores them.
 */

/** The schema versions Harbor has published; any other string is accepted with a warning. */
export const KNOWN_SCHEMA_VERSIONS = ["1.0", "1.1", "1.2", "1.3", "1.4"] as const;

/** Harbor's default when a `task.toml` names no version (spec §1.3). */
export const DEFAULT_SCHEMA_VERSION = "1.4";

/** Harbor's defaults, in seconds (spec §1.3 and §1.10). */
export const DEFAULT_BUILD_TIMEOUT_SEC = 600;
export const DEFAULT_VERIFIER_TIMEOUT_SEC = 600;
export const DEFAULT_COLLECT_TIMEOUT_SEC = 60;

const seconds = z.number().positive().finite();
const nonEmpty = z.string().min(1);
const user = z.union([nonEmpty, z.int().nonnegative()], { error: "expected a user name or a numeric uid" });
const envVars = z.record(z.string(), z.string());

function hasDotDotSegment(value: string): boolean {
  return value.split(/[\\/]/).includes("..");
}

const networkMode = z.enum(["public", "no-network", "allowlist"]);

const allowedHost = z.string().transform((entry, ctx) => {
  const host = normaliseAllowedHost(entry);
  const problem = allowedHostProblem(host);
  if (problem !== undefined)
    ctx.addIssue({ code: "custom", message: `${JSON.stringify(entry)} is ${problem}` });
  return host;
});

interface NetworkFields {
  network_mode?: string | undefined;
  allowed_hosts?: string[] | undefined;
}

// Harbor rejects an allowlist that is not switched on, on baselines and phases alike, rather
// than guess which of the two keys the author meant.
function checkAllowlist(value: NetworkFields, ctx: z.RefinementCtx): void {
  if (value.allowed_hosts !== undefined && value.network_mode !== "allowlist") {
    ctx.addIssue({
      code: "custom",
      path: ["allowed_hosts"],
      message: `allowed_hosts needs network_mode = "allowlist" (network_mode is ${JSON.stringify(value.network_mode ?? "unset")})`,
    });
  }
}

const HealthcheckSchema = z.strictObject({
  command: nonEmpty,
  interval_sec: seconds.default(5),
  timeout_sec: seconds.default(30),
  start_period_sec: z.number().nonnegative().finite().default(0),
  start_interval_sec: seconds.default(5),
  retries: z.int().positive().default(3),
});

const McpServerSchema = z
  .strictObject({
    name: nonEmpty,
    // "http" is Harbor's accepted shorthand for streamable HTTP.
    transport: z
      .preprocess(
        (value) => (value === "http" ? "streamable-http" : value),
        z.enum(["sse", "streamable-http", "stdio"]),
      )
      .default("sse"),
    url: nonEmpty.optional(),
    command: nonEmpty.optional(),
    args: z.array(z.string()).default([]),
  })
  .superRefine((server, ctx) => {
    if (server.transport === "stdio" && server.command === undefined) {
      ctx.addIssue({ code: "custom", path: ["command"], message: 'transport "stdio" needs a command' });
    }
    if (server.transport !== "stdio" && server.url === undefined) {
      ctx.addIssue({
        code: "custom",
        path: ["url"],
        message: `transport "${server.transport}" needs a url`,
      });
    }
  });

const TpuSchema = z.strictObject({
  type: nonEmpty,
  topology: z
    .string()
    .regex(/^\d+x\d+(x\d+)?$/, 'topology must look like "2x2" or "2x2x4"')
    .optional(),
});

/**
 * `[environment]`, and the same shape for `[verifier.environment]`. Resource fields stay
 * undefined when unset: since 2026-05 Harbor means "the provider's default" by that.
 */
export const EnvironmentSchema = z
  .strictObject({
    build_timeout_sec: seconds.default(DEFAULT_BUILD_TIMEOUT_SEC),
    docker_image: nonEmpty.optional(),
    os: z
      .preprocess(
        (value) => (typeof value === "string" ? value.toLowerCase() : value),
        z.enum(["linux", "windows"]),
      )
      .default("linux"),
    cpus: z.number().positive().finite().optional(),
    memory_mb: z.int().positive().optional(),
    storage_mb: z.int().positive().optional(),
    gpus: z.int().nonnegative().optional(),
    gpu_types: z.array(nonEmpty).optional(),
    tpu: TpuSchema.optional(),
    network_mode: networkMode.default("public"),
    allowed_hosts: z.array(allowedHost).optional(),
    env: envVars.default({}),
    mcp_servers: z.array(McpServerSchema).default([]),
    skills_dir: nonEmpty.optional(),
    workdir: nonEmpty.optional(),
    healthcheck: HealthcheckSchema.optional(),
  })
  .superRefine(checkAllowlist);

/** `[agent]` and `[steps.agent]`. There is no `[agent].env` in Harbor. */
export const AgentSchema = z
  .strictObject({
    timeout_sec: seconds.optional(),
    user: user.optional(),
    network_mode: networkMode.optional(),
    allowed_hosts: z.array(allowedHost).optional(),
  })
  .superRefine(checkAllowlist);

const CollectSchema = z.strictObject({
  command: nonEmpty,
  service: nonEmpty.default("main"),
  timeout_sec: seconds.default(DEFAULT_COLLECT_TIMEOUT_SEC),
  user: user.optional(),
});

/**
 * `[verifier]` and `[steps.verifier]`. A step's `timeout_sec` defaults to 600 like the task's,
 * not to the task value: that is what Harbor does, whatever its docs say (spec §1.3).
 */
export const VerifierSchema = z
  .strictObject({
    timeout_sec: seconds.default(DEFAULT_VERIFIER_TIMEOUT_SEC),
    env: envVars.default({}),
    user: user.optional(),
    network_mode: networkMode.optional(),
    allowed_hosts: z.array(allowedHost).optional(),
    environment_mode: z.enum(["shared", "separate"]).optional(),
    environment: EnvironmentSchema.optional(),
    collect: z.array(CollectSchema).default([]),
  })
  .superRefine((verifier, ctx) => {
    checkAllowlist(verifier, ctx);
    if (verifier.environment_mode === "shared" && verifier.environment !== undefined) {
      ctx.addIssue({
        code: "custom",
        path: ["environment_mode"],
        message:
          'environment_mode = "shared" contradicts a [verifier.environment] table, which implies "separate"',
      });
    }
  });

const ArtifactObjectSchema = z
  .strictObject({
    source: nonEmpty.refine((source) => !hasDotDotSegment(source), "source must not contain '..'"),
    destination: nonEmpty
      .refine(
        (dest) => !dest.startsWith("/") && !/^[A-Za-z]:/.test(dest),
        "destination must be a relative path",
      )
      .refine((dest) => !dest.includes("\\"), "destination must use '/' separators")
      .refine((dest) => !hasDotDotSegment(dest), "destination must not contain '..'")
      .refine(
        (dest) => dest.replace(/^\.\//, "") !== "manifest.json",
        "destination must not be manifest.json",
      )
      .optional(),
    exclude: z.array(z.string()).default([]),
    service: nonEmpty.optional(),
  })
  .superRefine((artifact, ctx) => {
    // A sidecar's files are copied out after main stops, so there is no workdir to be relative to.
    if (artifact.service !== undefined && artifact.service !== "main" && !artifact.source.startsWith("/")) {
      ctx.addIssue({
        code: "custom",
        path: ["source"],
        message: `an artifact of the sidecar "${artifact.service}" needs an absolute source`,
      });
    }
  });

/** An `artifacts` entry: a bare path string is shorthand for `{ source = "<path>" }`. */
export const ArtifactSchema = z.preprocess(
  (value) => (typeof value === "string" ? { source: value } : value),
  ArtifactObjectSchema,
);

const TASK_NAME = /^[a-zA-Z0-9][a-zA-Z0-9._-]*\/[a-zA-Z0-9][a-zA-Z0-9._-]*$/;

/** `[task]` (schema 1.1+): when present, `name` is required and must look like `org/name`. */
export const TaskSectionSchema = z.strictObject({
  name: z
    .string()
    .regex(TASK_NAME, 'name must look like "org/name" (letters, digits, ".", "_" and "-")')
    .refine((name) => !name.includes(".."), "name must not contain '..'"),
  version: nonEmpty.optional(),
  description: z.string().default(""),
  authors: z.array(z.strictObject({ name: z.string(), email: z.string().optional() })).default([]),
  keywords: z.array(z.string()).default([]),
});

/** One `[[steps]]` entry; `name` is also the folder `steps/<name>/`. */
export const StepSchema = z.strictObject({
  name: nonEmpty
    .regex(/^[^/\\]+$/, "a step name is a folder name and cannot contain '/'")
    .refine((name) => name !== "." && name !== "..", "a step name cannot be '.' or '..'"),
  agent: AgentSchema.optional(),
  verifier: VerifierSchema.optional(),
  min_reward: z
    .union([z.number(), z.record(z.string(), z.number())], {
      error: "expected a number or a table of reward key = threshold",
    })
    .optional(),
  healthcheck: HealthcheckSchema.optional(),
  artifacts: z.array(ArtifactSchema).default([]),
});

/** A whole `task.toml`, after `normaliseDeprecatedKeys`. */
export const TaskTomlSchema = z
  .strictObject({
    schema_version: nonEmpty.default(DEFAULT_SCHEMA_VERSION),
    source: z.string().optional(),
    task: TaskSectionSchema.optional(),
    metadata: z.record(z.string(), z.unknown()).default({}),
    agent: AgentSchema.prefault({}),
    verifier: VerifierSchema.prefault({}),
    solution: z.strictObject({ env: envVars.default({}) }).prefault({}),
    environment: EnvironmentSchema.prefault({}),
    multi_step_reward_strategy: z.enum(["mean", "final"]).optional(),
    artifacts: z.array(ArtifactSchema).default([]),
    steps: z.array(StepSchema).optional(),
  })
  .superRefine((config, ctx) => {
    const seen = new Set<string>();
    config.steps?.forEach((step, index) => {
      if (seen.has(step.name)) {
        ctx.addIssue({
          code: "custom",
          path: ["steps", index, "name"],
          message: `step name "${step.name}" is used twice`,
        });
      }
      seen.add(step.name);
    });
  });

/**
 * A validated `task.toml`, defaults filled in, keys spelled as in the file.
 *
 * @example
 * ```ts
 * const { config } = parseTaskToml('schema_version = "1.4"\n');
 * config?.verifier.timeout_sec; // 600
 * ```
 */
export type HarborTaskConfig = z.output<typeof TaskTomlSchema>;

/**
 * `[environment]` (or `[verifier.environment]`) after validation.
 *
 * @example
 * ```ts
 * const environment: HarborEnvironmentConfig = config.environment;
 * environment.network_mode; // "public"
 * ```
 */
export type HarborEnvironmentConfig = z.output<typeof EnvironmentSchema>;

/**
 * One `[[steps]]` entry after validation.
 *
 * @example
 * ```ts
 * const first: HarborStepConfig | undefined = config.steps?.[0];
 * ```
 */
export type HarborStepConfig = z.output<typeof StepSchema>;

/**
 * One `artifacts` entry after validation (strings become `{ source }`).
 *
 * @example
 * ```ts
 * const artifact: HarborArtifact = { source: "/app/out.log", exclude: [] };
 * ```
 */
export type HarborArtifact = z.output<typeof ArtifactObjectSchema>;

/**
 * A parsed `[environment.healthcheck]` or `[steps.healthcheck]`, defaults applied.
 *
 * @example
 * ```ts
 * const check: HealthcheckConfig = { command: "test -f /ready", interval_sec: 5, timeout_sec: 30, start_period_sec: 0, start_interval_sec: 5, retries: 3 };
 * ```
 */
export type HealthcheckConfig = z.output<typeof HealthcheckSchema>;
