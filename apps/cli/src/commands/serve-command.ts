import { z } from "zod";
import { parseOptions, wholeNumber } from "../option-parsing.js";
import { UsageError } from "../usage-error.js";

/** `hud serve`'s options. */
export const ServeOptionsSchema = z.object({
  host: z.string().trim().min(1, { error: "needs a host name or address" }),
  port: wholeNumber(0, 65_535),
});

/**
 * `hud serve <env-file>[:name]`: serves the environment over TCP and WebSocket on one port with
 * `serve`, announcing `HUD_SERVE_PORT=<port>` on stdout, until SIGINT or SIGTERM.
 */
export async function serveCommand(target: string, raw: Record<string, unknown>): Promise<number> {
  const options = parseOptions(ServeOptionsSchema, raw);
  const { file, name } = splitTarget(target);
  const { loadEnvironment, serve } = await import("@hudkit/core");
  const env = await loadEnvironment(file, name === undefined ? {} : { name });
  try {
    await serve(env, { host: options.host, port: options.port });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException | null)?.code;
    if (code === "EADDRINUSE") {
      throw new UsageError(
        `port ${options.port} is already in use on ${options.host}: pick another with --port, or --port 0 for any free port`,
        { cause: error },
      );
    }
    if (code === "EADDRNOTAVAIL" || code === "ENOTFOUND") {
      throw new UsageError(`cannot listen on ${options.host}: pass a local address with --host`, {
        cause: error,
      });
    }
    throw error;
  }
  return 0;
}

/** `env.ts:name` names one environment of the file; a Windows drive letter (`C:`) is not a name. */
function splitTarget(target: string): { file: string; name: string | undefined } {
  const colon = target.lastIndexOf(":");
  if (colon <= 1) return { file: target, name: undefined };
  return { file: target.slice(0, colon), name: target.slice(colon + 1) || undefined };
}
