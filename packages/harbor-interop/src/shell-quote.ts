import { HudkitError } from "@hudkit/core";

/**
 * `text` as one POSIX shell word: single-quoted, each `'` written as `'\''`. Nothing inside
 * single quotes is special to the shell, so any text survives (newlines included), except NUL,
 * which no shell argument can hold.
 *
 * @example
 * ```ts
 * shellQuote(`it's 3`); // 'it'\''s 3'
 * `printf '%s' ${shellQuote(answer)} > ${shellQuote(answerFile)}`;
 * ```
 */
export function shellQuote(text: string): string {
  if (text.includes("\0")) {
    throw new HudkitError("unquotable-shell-argument", "a shell argument cannot hold a NUL character");
  }
  return `'${text.replaceAll("'", `'\\''`)}'`;
}
