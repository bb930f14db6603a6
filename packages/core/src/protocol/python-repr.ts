/**
 * Code points Python's `str.isprintable()` rejects: the "Other" and "Separator" general categories,
 * except the ASCII space. Python 3.11 uses Unicode 14 while Node's regex engine follows its own ICU
 * (newer) tables, so a code point assigned after Unicode 14 is printable here but escaped by Python.
 */
const NON_PRINTABLE = /^[\p{Cc}\p{Cf}\p{Cs}\p{Co}\p{Cn}\p{Zl}\p{Zp}\p{Zs}]$/u;

const NAMED_ESCAPES: Readonly<Record<string, string>> = {
  "\\": "\\\\",
  "\n": "\\n",
  "\r": "\\r",
  "\t": "\\t",
};

function hex(codePoint: number, width: number): string {
  return codePoint.toString(16).padStart(width, "0");
}

function escapeCodePoint(char: string, codePoint: number, quote: string): string {
  if (char === quote) return `\\${quote}`;
  const named = NAMED_ESCAPES[char];
  if (named !== undefined) return named;
  if (codePoint < 0x20 || codePoint === 0x7f) return `\\x${hex(codePoint, 2)}`;
  if (codePoint < 0x7f) return char;
  if (!NON_PRINTABLE.test(char)) return char;
  if (codePoint <= 0xff) return `\\x${hex(codePoint, 2)}`;
  if (codePoint <= 0xffff) return `\\u${hex(codePoint, 4)}`;
  return `\\U${hex(codePoint, 8)}`;
}

/**
 * Python 3's `repr()` of a `str`, character for character. The reference server puts `repr()`
 * of ids inside its error messages, so those messages can only be reproduced with the same
 * quoting and escaping rules: single quotes unless the text holds `'` and no `"`, backslash
 * escapes for `\\`, `\n`, `\r`, `\t` and the quote, `\xNN`/`\uNNNN`/`\UNNNNNNNN` for other
 * non-printable characters, printable non-ASCII kept as is, lone surrogates as `\udXXX`.
 *
 * @example
 * ```ts
 * pyRepr("nope");      // "'nope'"
 * pyRepr("it's");      // "\"it's\""
 * pyRepr("a\nb\u0001"); // "'a\\nb\\x01'"
 * const message = `unknown task: ${pyRepr(id)}`;
 * ```
 */
export function pyRepr(text: string): string {
  const quote = text.includes("'") && !text.includes('"') ? '"' : "'";
  let body = "";
  // for...of walks code points, so a valid surrogate pair is one astral character while a lone
  // surrogate arrives on its own, as Python sees it.
  for (const char of text) {
    body += escapeCodePoint(char, char.codePointAt(0)!, quote);
  }
  return `${quote}${body}${quote}`;
}

/**
 * Python 3's `repr()` of a `list` of `str`: `['a', 'b']`, each item rendered by {@link pyRepr}.
 * The reference uses it for the sorted argument names in `bad args [...]` messages.
 *
 * @example
 * ```ts
 * pyReprList(["tag", "x"]); // "['tag', 'x']"
 * pyReprList([]);           // "[]"
 * ```
 */
export function pyReprList(strings: readonly string[]): string {
  return `[${strings.map(pyRepr).join(", ")}]`;
}
