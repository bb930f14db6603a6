import { z } from "zod";
import { parseControlUrl } from "../protocol/client-endpoint.js";
import type { Task } from "../task/task.js";
import { parseOptions } from "./parse-options.js";
import type { AcquireContext, Endpoint, RuntimeProvider, Substrate } from "./provider.js";

/** Options of {@link urlRuntime}: what must travel with the URL. */
export interface UrlRuntimeOptions {
  /** Sent on WebSocket upgrades (a gateway's auth header, say). */
  headers?: Record<string, string>;
  /** The server's `HUD_CONTROL_TOKEN`. */
  token?: string;
  /** How long the server may take to answer `hello`. Default: the client's. */
  readyTimeoutMs?: number;
}

const OptionsSchema = z.strictObject({
  headers: z.record(z.string(), z.string()).optional(),
  token: z.string().min(1).optional(),
  readyTimeoutMs: z.number().positive().finite().optional(),
});

/**
 * Borrows an environment that is already being served (the reference's `Runtime(url)`): every
 * rollout gets the same endpoint, and disposing a substrate does nothing; the server's lifecycle
 * is yours. Each rollout still opens its own session on it.
 *
 * @example
 * ```ts
 * const runtime = urlRuntime("wss://envs.example.com/letter-count", { headers: { authorization: `Bearer ${key}` } });
 * ```
 */
export function urlRuntime(url: string, options: UrlRuntimeOptions = {}): RuntimeProvider {
  parseControlUrl(url);
  const endpoint: Endpoint = { url, ...parseOptions("urlRuntime", OptionsSchema, options) };
  const substrate: Substrate = { endpoint, async [Symbol.asyncDispose]() {} };
  return {
    specificationVersion: "runtime-v1",
    name: "url",
    async acquire(_task: Task, ctx: AcquireContext): Promise<Substrate> {
      ctx.signal.throwIfAborted();
      return substrate;
    },
  };
}
