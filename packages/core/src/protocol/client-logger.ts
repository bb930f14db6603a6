/**
 * Where the client reports problems it recovers from on its own: a refused tunnel, an unreachable
 * control endpoint for a tunnel, a failed heartbeat. Nothing else is logged.
 *
 * @example
 * ```ts
 * const lines: string[] = [];
 * const client = await connect("tcp://127.0.0.1:8765", { logger: { warn: (m) => lines.push(m) } });
 * ```
 */
export interface ClientLogger {
  warn(message: string): void;
}

/**
 * The logger used when none is given: `console.warn` with a `hudkit:` prefix, so the line is
 * attributable in an agent's mixed output.
 *
 * @example
 * ```ts
 * defaultClientLogger.warn("tunnel.open 'shell' refused: connection closed before the reply");
 * // prints "hudkit: tunnel.open 'shell' refused: ..."
 * ```
 */
export const defaultClientLogger: ClientLogger = {
  warn(message: string): void {
    console.warn(`hudkit: ${message}`);
  },
};
