import { HudkitError } from "@hudkit/core";

/** The `HudkitError` that `run` throws synchronously; anything else fails the test. */
export function thrown(run: () => unknown): HudkitError {
  try {
    run();
  } catch (error) {
    if (HudkitError.isInstance(error)) return error;
    throw error;
  }
  throw new Error("expected a HudkitError");
}
