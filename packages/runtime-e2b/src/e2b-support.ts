import { readCredentials } from "@hudkit/core";
import { AuthenticationError, SandboxNotFoundError } from "e2b";

/** The variable the E2B SDK and CLI read the API key from. */
export const API_KEY_VARIABLE = "E2B_API_KEY";

/**
 * The API key: the one passed in, else `E2B_API_KEY`, read now (never at import) so that a
 * missing key is one line naming the variable rather than the SDK's long dashboard hint.
 *
 * @example
 * ```ts
 * const apiKey = e2bApiKey(settings.apiKey); // throws ProviderAuthError "e2b: no credentials: set E2B_API_KEY"
 * ```
 */
export function e2bApiKey(
  given: string | undefined,
  env: Readonly<Record<string, string | undefined>> = process.env,
): string {
  return given ?? readCredentials("e2b", [API_KEY_VARIABLE], env)[API_KEY_VARIABLE];
}

/**
 * True for an E2B error that means the key was refused: the SDK's `AuthenticationError` (its
 * 401), or a 403 it reports as a plain `SandboxError` with `statusCode`.
 *
 * @example
 * ```ts
 * throw vendorError("e2b", "creating a sandbox", error, isE2bAuthError);
 * ```
 */
export function isE2bAuthError(error: unknown): boolean {
  if (error instanceof AuthenticationError) return true;
  const status = statusOf(error);
  return status === 401 || status === 403;
}

/**
 * True when the sandbox no longer exists (killed by a prune, or expired): for a teardown that is
 * success, not an error.
 *
 * @example
 * ```ts
 * await sandbox.kill().catch((error) => { if (!isSandboxGone(error)) throw error; });
 * ```
 */
export function isSandboxGone(error: unknown): boolean {
  return error instanceof SandboxNotFoundError || statusOf(error) === 404;
}

function statusOf(error: unknown): unknown {
  return typeof error === "object" && error !== null
    ? (error as { statusCode?: unknown }).statusCode
    : undefined;
}

/**
 * One shell command line from an argument vector: E2B runs commands through `bash -c`, so each
 * argument is single-quoted unless it is made only of characters the shell leaves alone.
 *
 * @example
 * ```ts
 * shellCommand(["node", "/env/env.mjs", "--name", "it's"]); // "node /env/env.mjs --name 'it'\''s'"
 * ```
 */
export function shellCommand(argv: readonly string[]): string {
  return argv
    .map((arg) => (/^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replaceAll("'", `'\\''`)}'`))
    .join(" ");
}
