import { stat } from "node:fs/promises";
import { basename, extname, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import type { Agent } from "@hudkit/core";
import { UsageError } from "./usage-error.js";

const TYPESCRIPT = new Set([".ts", ".mts", ".cts", ".tsx"]);

/** What `--agent <module>` names: the agent, and how `job.json` describes it. */
export interface AgentModule {
  agent: Agent;
  /** The function's name, else the module's file name. */
  name: string;
}

/**
 * Imports an agent module (TypeScript through tsx) and returns its default export, which must be
 * a function `(run) => Promise<void>`. A missing file, a module that fails to import or one
 * without a default export function is a {@link UsageError} that says what to write.
 *
 * @example
 * ```ts
 * const { agent } = await loadAgentModule("examples/letter-count/agent.ts");
 * ```
 */
export async function loadAgentModule(path: string): Promise<AgentModule> {
  const file = resolve(path);
  const info = await stat(file).catch(() => undefined);
  if (info === undefined || !info.isFile()) {
    throw new UsageError(`no agent module at ${path}: check the --agent path`);
  }
  let module: unknown;
  try {
    module = await importModule(file);
  } catch (error) {
    const reason = error instanceof Error ? error.message.split("\n")[0] : String(error);
    throw new UsageError(`cannot import agent module ${path}: ${reason}`, { cause: error });
  }
  const agent = defaultExport(module);
  if (typeof agent !== "function") {
    const what = agent === undefined ? "has no default export" : `default-exports a ${typeof agent}`;
    throw new UsageError(
      `agent module ${path} ${what}: it must default-export the agent, \`export default async function agent(run) {...}\``,
    );
  }
  const name = agent.name && agent.name !== "default" ? agent.name : basename(file, extname(file));
  return { agent: agent as Agent, name };
}

async function importModule(file: string): Promise<unknown> {
  const url = pathToFileURL(file).href;
  if (!TYPESCRIPT.has(extname(file))) return import(url);
  const { tsImport } = await import("tsx/esm/api");
  return tsImport(url, import.meta.url);
}

/** `module.default`, unwrapped once more for a CommonJS module seen through ESM interop. */
function defaultExport(module: unknown): unknown {
  let value = (module as { default?: unknown } | null)?.default;
  if (typeof value === "object" && value !== null && "default" in value) {
    value = (value as { default: unknown }).default;
  }
  return value;
}
