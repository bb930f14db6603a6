import type { Environment } from "../environment/environment.js";
import { type BindOptions, type BoundServer, bind } from "./server.js";

/** Options of {@link serve}. */
export interface ServeOptions extends BindOptions {
  /** Where the `HUD_SERVE_PORT=<port>` line goes. Default: stdout. */
  announce?: (line: string) => void;
  /** Shut down cleanly on SIGTERM and SIGINT (default true). */
  handleSignals?: boolean;
  /** Stops serving when aborted. */
  signal?: AbortSignal;
}

/**
 * Serves an environment until SIGTERM/SIGINT (or the signal): runs its initialize hooks, binds,
 * prints `HUD_SERVE_PORT=<port>` once listening, and on shutdown cancels every task and runs the
 * shutdown hooks. Resolves when serving has stopped.
 *
 * @example
 * ```ts
 * await serve(env, { host: "127.0.0.1", port: 8765 });
 * ```
 */
export async function serve(env: Environment, options: ServeOptions = {}): Promise<void> {
  const server = await bind(env, options);
  const announce = options.announce ?? ((line: string) => process.stdout.write(`${line}\n`));
  announce(`HUD_SERVE_PORT=${server.port}`);
  await waitForStop(server, options);
}

async function waitForStop(server: BoundServer, options: ServeOptions): Promise<void> {
  await new Promise<void>((resolve) => {
    const stop = () => {
      process.off("SIGTERM", stop);
      process.off("SIGINT", stop);
      options.signal?.removeEventListener("abort", stop);
      void server.close().then(resolve, resolve);
    };
    if (options.handleSignals !== false) {
      process.once("SIGTERM", stop);
      process.once("SIGINT", stop);
    }
    if (options.signal?.aborted) stop();
    options.signal?.addEventListener("abort", stop, { once: true });
  });
}
