/** Exit code of a mistake the user can fix: a bad option, a missing file, a plugin not installed. */
export const EXIT_USAGE = 2;
/** Exit code after Ctrl-C, the shell's 128 + SIGINT. */
export const EXIT_INTERRUPTED = 130;
/** Exit code of anything unexpected (a bug, an I/O failure). */
export const EXIT_FAILURE = 1;

/**
 * A mistake on the command line, raised by the CLI itself before `@hudkit/core` is involved (a
 * bad option value, an agent module without a default export). Printed as one line, exit 2.
 *
 * @example
 * ```ts
 * throw new UsageError("--group must be a whole number, at least 1 (got \"0\")");
 * ```
 */
export class UsageError extends Error {
  readonly code = "usage";

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "UsageError";
  }
}

/** Marker of `HudkitError`, checked by shape so that `@hudkit/core` need not be loaded here. */
const HUDKIT_ERROR = Symbol.for("hudkit.error");

/** Error codes of `@hudkit/core` that are failures of the machine, not mistakes of the user. */
const INFRASTRUCTURE_CODES = new Set(["job-store-failed"]);

/**
 * Writes an error as one line on stderr (its stack too with `verbose`) and returns the exit code:
 * 2 for usage errors, `HudkitError`s (they say what to do) and ports in use, else 1.
 */
export function reportError(error: unknown, verbose: boolean): number {
  const write = (line: string): void => {
    process.stderr.write(`${line}\n`);
  };
  const code = errorCode(error);
  const message = describe(error);
  write(`hud: ${message}`);
  if (verbose) {
    if (code !== undefined) write(`code: ${code}`);
    if (error instanceof Error && error.stack !== undefined) write(error.stack);
    if (error instanceof Error && error.cause instanceof Error && error.cause.stack !== undefined) {
      write(`caused by: ${error.cause.stack}`);
    }
  }
  if (error instanceof UsageError) return EXIT_USAGE;
  if (isHudkitError(error)) return INFRASTRUCTURE_CODES.has(error.code) ? EXIT_FAILURE : EXIT_USAGE;
  return EXIT_FAILURE;
}

function isHudkitError(value: unknown): value is Error & { code: string } {
  return (
    typeof value === "object" && value !== null && (value as Record<symbol, unknown>)[HUDKIT_ERROR] === true
  );
}

function errorCode(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === "string" ? code : undefined;
}

/** The message on one line: the lines of a multi-line message are joined. */
function describe(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.replace(/\s*\n\s*/g, " ").trim() || "unknown error";
}
