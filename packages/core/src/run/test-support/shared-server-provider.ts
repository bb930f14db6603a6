import type { BoundServer } from "../../protocol/server.js";
import type { RuntimeProvider } from "../../runtime/provider.js";

/** A provider that counts what it handed out and got back. */
export interface SharedServerProvider extends RuntimeProvider {
  readonly acquired: number;
  readonly released: number;
}

/**
 * A provider over env servers already bound in-process (`bind(env, { port: 0 })`): each
 * acquisition is a fresh session on the task's env server, and disposal releases nothing but
 * the count. Fast, for tests about the engine rather than about processes.
 *
 * @example
 * ```ts
 * await using server = await bind(env, { port: 0 });
 * const provider = sharedServerProvider({ [env.name]: server });
 * ```
 */
export function sharedServerProvider(servers: Record<string, BoundServer>): SharedServerProvider {
  let acquired = 0;
  let released = 0;
  return {
    specificationVersion: "runtime-v1",
    name: "test-shared-server",
    get acquired() {
      return acquired;
    },
    get released() {
      return released;
    },
    async acquire(task) {
      const server = servers[task.env];
      if (server === undefined) throw new Error(`no server for env '${task.env}'`);
      acquired++;
      return {
        endpoint: { url: server.url },
        [Symbol.asyncDispose]: async () => {
          released++;
        },
      };
    },
  };
}
