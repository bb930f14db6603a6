const MARKER = Symbol.for("hudkit.error");

/**
 * Base class of every error a user can cause or see. The marker symbol lets `isInstance` work
 * across duplicate copies of `@hudkit/core` (a plugin with its own nested copy, say), where
 * `instanceof` would fail.
 *
 * @example
 * ```ts
 * try { await connect("tcp://127.0.0.1:1") } catch (e) {
 *   if (HudkitError.isInstance(e) && e.code === "connect-timeout") console.error(e.message);
 * }
 * ```
 */
export class HudkitError extends Error {
  readonly [MARKER] = true;
  /** A stable machine-readable code, kebab-case (for example `"unknown-task"`). */
  readonly code: string;

  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "HudkitError";
    this.code = code;
  }

  /** True for any hudkit error, whichever copy of the package created it. */
  static isInstance(value: unknown): value is HudkitError {
    return typeof value === "object" && value !== null && (value as Record<symbol, unknown>)[MARKER] === true;
  }
}
