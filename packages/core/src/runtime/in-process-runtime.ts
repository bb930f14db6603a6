import type { Environment } from "../environment/environment.js";
import { HudkitError } from "../errors/hudkit-error.js";
import { type BoundServer, bind } from "../protocol/server.js";
import type { Task } from "../task/task.js";
import { raceAbort } from "./abort-race.js";
import type { LocalRuntime } from "./local-runtime-contract.js";
import type { AcquireContext, Substrate } from "./provider.js";

/**
 * Serves a live `Environment` from this process: bound once, lazily, on `127.0.0.1:0` and shared
 * by every rollout. Each rollout still gets its own control connection and session, so
 * concurrent rollouts run concurrently (the reference holds a lock for the whole acquisition,
 * which makes them serial). Disposing a substrate does nothing; `close()` closes the server.
 *
 * @example
 * ```ts
 * await using runtime = createInProcessRuntime(async () => env, "letter-count");
 * ```
 */
export function createInProcessRuntime(environment: () => Promise<Environment>, label: string): LocalRuntime {
  let server: Promise<BoundServer> | undefined;
  let closed = false;

  const start = () => {
    server ??= environment()
      .then((env) => bind(env, { host: "127.0.0.1", port: 0 }))
      .catch((error: unknown) => {
        // A failed start is not cached: the next rollout tries again.
        server = undefined;
        throw error;
      });
    return server;
  };

  const close = async () => {
    closed = true;
    const running = server;
    server = undefined;
    const bound = await running?.catch(() => undefined);
    await bound?.close();
  };

  return {
    specificationVersion: "runtime-v1",
    name: "local",
    async acquire(_task: Task, ctx: AcquireContext): Promise<Substrate> {
      if (closed) {
        throw new HudkitError(
          "runtime-closed",
          `the in-process localRuntime for ${label} was closed: create a new one`,
        );
      }
      const bound = await raceAbort(start(), ctx.signal);
      return {
        endpoint: { url: bound.url, token: process.env.HUD_CONTROL_TOKEN || undefined },
        async [Symbol.asyncDispose]() {},
      };
    },
    close,
    [Symbol.asyncDispose]: close,
  };
}
