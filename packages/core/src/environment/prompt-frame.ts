import { isPlainObject } from "../protocol/python-values.js";
import { toJsonSafe } from "./json-safe.js";

/**
 * The `tasks.start` result for a template's first yield (spec §1.11): a plain object that has a
 * `prompt` key is sent as it is, extra keys included; anything else is wrapped as `{prompt}`.
 */
export function toPromptFrame(firstYield: unknown): Record<string, unknown> {
  if (isPlainObject(firstYield) && "prompt" in firstYield) {
    return toJsonSafe(firstYield) as Record<string, unknown>;
  }
  return { prompt: toJsonSafe(firstYield) };
}
