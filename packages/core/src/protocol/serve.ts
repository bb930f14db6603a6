import type { Environment } from "../environment/environment.js";
import { type BindOptions, bind } from "./server.js";

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
  // Signals are watched from the start: a parent that sends SIGTERM as soon as it reads the port
  // line must get a clean shutdown, not the default disposition that kills the process.
  const stopRequested = new AbortController();
  const requestStop = () => stopRequested.abort();
  if (options.handleSignals !== false) {
    process.once("SIGTERM", requestStop);
    process.once("SIGINT", requestStop);
  }
  options.signal?.addEventListener("abort", requestStop, { once: true });
  if (options.signal?.aborted) requestStop();
  try {
    const server = await bind(env, options);
    try {
      if (!stopRequested.signal.aborted) {
        const announce = options.announce ?? ((line: string) => process.stdout.write(`${line}\n`));
        announce(`HUD_SERVE_PORT=${server.port}`);
        await new Promise<void>((resolve) => {
          stopRequested.signal.addEventListener("abort", () => resolve(), { once: true });
        });
      }
    } finally {
      await server.close().catch(() => {});
    }
  } finally {
    process.off("SIGTERM", requestStop);
    process.off("SIGINT", requestStop);
    options.signal?.removeEventListener("abort", requestStop);
  }
}
