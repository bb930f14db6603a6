/**
 * Unique names for a list of subscores, by the reference's rule: every occurrence of a repeated
 * name, the first included, gets `-1`, `-2`, ...; a candidate that is already taken or that is
 * another item's own name is skipped. `[a, a, b]` gives `[a-1, a-2, b]`; `[a, a, a-1]` gives
 * `[a-2, a-3, a-1]`.
 */
export function uniqueSubScoreNames(names: readonly string[]): string[] {
  const counts = new Map<string, number>();
  for (const name of names) counts.set(name, (counts.get(name) ?? 0) + 1);
  const reserved = new Set(names);
  const lastSuffix = new Map<string, number>();
  const used = new Set<string>();
  return names.map((name) => {
    let chosen = name;
    if (counts.get(name) !== 1 || used.has(name)) {
      let suffix = lastSuffix.get(name) ?? 0;
      do {
        suffix++;
        chosen = `${name}-${suffix}`;
      } while (used.has(chosen) || reserved.has(chosen));
      lastSuffix.set(name, suffix);
    }
    used.add(chosen);
    return chosen;
  });
}
