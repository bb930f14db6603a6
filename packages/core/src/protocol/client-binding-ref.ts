import { HudkitError } from "../errors/hudkit-error.js";
import type { Binding } from "./client-result-schemas.js";
import { pyRepr } from "./python-repr.js";

/**
 * Finds the one binding `ref` names: a capability name, a full protocol (`mcp/2025-11-25`), or
 * a protocol family (`mcp`). No match is a `unknown-capability` error listing what exists;
 * several matches is `ambiguous-capability` (use the name). Texts are the reference's
 * (spec §4.3).
 *
 * @example
 * ```ts
 * findBinding(manifest.bindings, "ssh");   // the ssh/2 binding
 * findBinding(manifest.bindings, "mcp");   // throws: ambiguous capability 'mcp'; matches: tools (mcp/2025-11-25), wsmcp (mcp/2025-11-25)
 * ```
 */
export function findBinding<T extends Binding>(bindings: readonly T[], ref: string): T {
  const matches = bindings.filter(
    (binding) =>
      ref === binding.name || ref === binding.protocol || ref === binding.protocol.split("/", 1)[0],
  );
  if (matches.length === 1) return matches[0]!;
  if (matches.length > 1) {
    throw new HudkitError(
      "ambiguous-capability",
      `ambiguous capability ${pyRepr(ref)}; matches: ${describe(matches)}`,
    );
  }
  const available = describe(bindings);
  throw new HudkitError(
    "unknown-capability",
    `no capability ${pyRepr(ref)} (available: ${available === "" ? "<none>" : available})`,
  );
}

function describe(bindings: readonly Binding[]): string {
  return bindings.map((binding) => `${binding.name} (${binding.protocol})`).join(", ");
}
