import type { Daytona, DaytonaConfig } from "@daytonaio/sdk";
import type { HudkitError } from "@hudkit/core";
import { readCredentials, vendorError } from "@hudkit/core";

/** The provider's short name, in tags, error codes and messages. */
export const PROVIDER = "daytona";
/** The variable the API key is read from when no key or client is passed. */
export const API_KEY_VARIABLE = "DAYTONA_API_KEY";

/**
 * How to reach Daytona: a ready client, or the parts of the SDK's `DaytonaConfig` to build one.
 * Unset parts come from `DAYTONA_API_KEY`, `DAYTONA_API_URL` and `DAYTONA_TARGET`, read when the
 * client is first needed.
 *
 * @example
 * ```ts
 * const connection: DaytonaConnection = { apiKey: process.env.MY_DAYTONA_KEY, target: "eu" };
 * ```
 */
export interface DaytonaConnection {
  /** A Daytona client; the other fields are then ignored. */
  daytona?: Daytona;
  /** Default: `DAYTONA_API_KEY` (required when no client is given). */
  apiKey?: DaytonaConfig["apiKey"];
  /** Default: `DAYTONA_API_URL`, else the SDK's (`https://app.daytona.io/api`). */
  apiUrl?: DaytonaConfig["apiUrl"];
  /** Where sandboxes run (`us`, `eu`). Default: `DAYTONA_TARGET`, else the organisation's default. */
  target?: DaytonaConfig["target"];
}

/**
 * A Daytona client for the connection. The SDK is imported here, not at module load, because it
 * takes seconds to import and only a Daytona run needs it. The key and URL are always passed
 * explicitly: otherwise the SDK's constructor takes them from `.env` files of the working
 * directory, which a user running `hud eval` in some project does not expect.
 *
 * @example
 * ```ts
 * const daytona = await daytonaClient({ target: "us" });
 * ```
 */
export async function daytonaClient(connection: DaytonaConnection = {}): Promise<Daytona> {
  if (connection.daytona !== undefined) return connection.daytona;
  const apiKey = connection.apiKey ?? readCredentials(PROVIDER, [API_KEY_VARIABLE])[API_KEY_VARIABLE];
  const apiUrl = connection.apiUrl ?? (process.env.DAYTONA_API_URL || undefined);
  const target = connection.target ?? (process.env.DAYTONA_TARGET || undefined);
  const { Daytona } = await import("@daytonaio/sdk");
  try {
    return new Daytona({
      apiKey,
      ...(apiUrl !== undefined ? { apiUrl } : {}),
      ...(target !== undefined ? { target } : {}),
    });
  } catch (error) {
    throw daytonaError("connecting", error);
  }
}

const AUTH_ERROR_NAMES = new Set([
  "DaytonaAuthenticationError",
  "DaytonaForbiddenError",
  "DaytonaAuthorizationError",
]);

/**
 * Whether a Daytona SDK error is a refused or missing credential: the SDK's authentication and
 * forbidden errors (by name, since a mocked or second copy of the SDK has other classes), or a
 * 401/403 status.
 *
 * @example
 * ```ts
 * isDaytonaAuthError(new DaytonaAuthenticationError("Unauthorized", 401)); // true
 * ```
 */
export function isDaytonaAuthError(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const status = (error as { statusCode?: unknown }).statusCode;
  return AUTH_ERROR_NAMES.has(error.name) || status === 401 || status === 403;
}

/**
 * A Daytona SDK error as a hudkit error saying what was being done, the SDK error kept as
 * `cause`; refused credentials become a `ProviderAuthError`.
 *
 * @example
 * ```ts
 * throw daytonaError("creating a sandbox from snapshot letter-count", error);
 * ```
 */
export function daytonaError(action: string, error: unknown): HudkitError {
  return vendorError(PROVIDER, action, error, isDaytonaAuthError);
}

/**
 * Whether an SDK error says the sandbox does not exist (any more).
 *
 * @example
 * ```ts
 * await sandbox.delete().catch((error) => { if (!isNotFound(error)) throw error; });
 * ```
 */
export function isNotFound(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  return error.name === "DaytonaNotFoundError" || (error as { statusCode?: unknown }).statusCode === 404;
}
