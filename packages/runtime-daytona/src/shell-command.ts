/** Words a POSIX shell reads literally, which stay unquoted so the logged command reads naturally. */
const PLAIN_WORD = /^[\w@%+=:,./-]+$/;

/**
 * An argument list as one POSIX shell command line: Daytona sessions take a string, run by a
 * shell, so every argument with a space, quote or other special character is single-quoted.
 *
 * @example
 * ```ts
 * shellCommand(["node", "/env/env.mjs", "--name", "it's"]); // node /env/env.mjs --name 'it'\''s'
 * ```
 */
export function shellCommand(args: readonly string[]): string {
  return args.map((arg) => (PLAIN_WORD.test(arg) ? arg : `'${arg.replaceAll("'", `'\\''`)}'`)).join(" ");
}
