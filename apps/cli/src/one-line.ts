/**
 * A text squeezed onto one line of at most `max` characters (`…` marks a cut).
 *
 * @example
 * ```ts
 * oneLine("[agent loop] boom\n  at agent.ts:3", 20); // "[agent loop] boom a…"
 * ```
 */
export function oneLine(text: string, max = 160): string {
  const flat = text.replace(/\s+/g, " ").trim();
  return flat.length <= max ? flat : `${flat.slice(0, max - 1)}…`;
}
