// Harbor's own pattern (`models/task/task.py`), matched against each line with surrounding
// whitespace removed. It also catches a Markdown heading that merely mentions "canary"; Harbor
// strips that too, and the loader must show agents what Harbor shows them.
const CANARY_LINE = /^(<!--.*canary.*-->|#.*canary.*)$/i;

/**
 * An instruction as Harbor shows it to the agent: leading canary lines (`<!-- ...canary... -->`
 * or `# ...canary...`, any case) removed, then the blank lines at the start. Later canary lines
 * stay, as in Harbor. Line endings are kept as they are.
 *
 * @example
 * ```ts
 * stripCanary("<!-- harbor-canary GUID 1234 -->\n\nSay hello.\n"); // "Say hello.\n"
 * ```
 */
export function stripCanary(text: string): string {
  const lines = text.split("\n");
  let index = 0;
  while (index < lines.length && CANARY_LINE.test(lines[index]!.trim())) index++;
  // Harbor drops leading blank lines even when there was no canary block.
  while (index < lines.length && lines[index]!.trim() === "") index++;
  return lines.slice(index).join("\n");
}
