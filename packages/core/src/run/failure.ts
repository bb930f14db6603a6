import { HudkitError } from "../errors/hudkit-error.js";
import type { Phase } from "./phase.js";

/**
 * One line describing what went wrong, like Python's `format_exception_only`: hudkit errors are
 * already worded for the user; other errors keep their class name when it says something
 * (`TypeError: ...`), and plain `Error`s are just their message.
 *
 * @example
 * ```ts
 * describeError(new TypeError("x is not a function")); // "TypeError: x is not a function"
 * describeError("boom"); // "boom"
 * ```
 */
export function describeError(error: unknown): string {
  if (HudkitError.isInstance(error)) return error.message;
  if (error instanceof Error) {
    const message = error.message || "(no message)";
    return error.name && error.name !== "Error" ? `${error.name}: ${message}` : message;
  }
  return String(error);
}

/**
 * The text of a failure as runs record it: the phase in brackets, then what happened.
 *
 * @example
 * ```ts
 * phaseError("provisioning", "docker: image not found"); // "[provisioning] docker: image not found"
 * ```
 */
export function phaseError(phase: Phase, message: string): string {
  return `[${phase}] ${message}`;
}

/** Seconds for messages: `2s`, `0.5s`. */
export function seconds(ms: number): string {
  return `${Number((ms / 1000).toFixed(3))}s`;
}

/**
 * Why a rollout was stopped from outside its own flow. Used as the abort reason of the signals
 * the engine hands out, so whoever sees the abort can tell a deadline from an interruption.
 */
export class RolloutStopped extends HudkitError {
  readonly kind: "timeout" | "interrupted";

  constructor(kind: "timeout" | "interrupted", message: string) {
    super(kind === "timeout" ? "rollout-timeout" : "rollout-interrupted", message);
    this.name = "RolloutStopped";
    this.kind = kind;
  }
}
