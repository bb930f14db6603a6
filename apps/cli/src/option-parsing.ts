import { z } from "zod";
import { UsageError } from "./usage-error.js";

/**
 * A whole number written on the command line (`--group 3`), at least `min`.
 *
 * @example
 * ```ts
 * z.object({ group: wholeNumber(1).default(1) }).parse({ group: "3" }); // { group: 3 }
 * ```
 */
export function wholeNumber(min: number, max = Number.MAX_SAFE_INTEGER) {
  const range = max === Number.MAX_SAFE_INTEGER ? `at least ${min}` : `from ${min} to ${max}`;
  return z
    .string()
    .regex(/^\s*\d+\s*$/, { error: `must be a whole number, ${range}` })
    .transform(Number)
    .pipe(
      z
        .number()
        .min(min, { error: `must be a whole number, ${range}` })
        .max(max, { error: `must be a whole number, ${range}` }),
    );
}

/** A positive number of seconds written on the command line (`--rollout-timeout 90`), in ms. */
export function secondsAsMs() {
  return z
    .string()
    .regex(/^\s*\d+(\.\d+)?\s*$/, { error: "must be a number of seconds greater than 0" })
    .transform((text) => Number(text) * 1_000)
    .pipe(z.number().positive({ error: "must be a number of seconds greater than 0" }));
}

/** A comma-separated list (`--filter a,b`), blanks dropped; at least one item. */
export function commaList() {
  return z
    .string()
    .transform((text) =>
      text
        .split(",")
        .map((item) => item.trim())
        .filter((item) => item !== ""),
    )
    .pipe(z.array(z.string()).min(1, { error: "needs at least one value, separated by commas" }));
}

/** A job id as the job store writes them (letters, digits, `-` and `_`). */
export function jobId() {
  return z.string().regex(/^[A-Za-z0-9_-]+$/, { error: "is not a job id (see `hud jobs list`)" });
}

/**
 * Validates a command's raw options and arguments with `schema`. The first problem becomes a
 * {@link UsageError} naming the flag as typed (`--max-concurrent`, or `<out>` for the keys listed
 * in `positional`), what it must be, and the value given.
 *
 * @example
 * ```ts
 * const options = parseOptions(EvalOptionsSchema, { ...command.opts(), source });
 * ```
 */
export function parseOptions<Schema extends z.ZodType>(
  schema: Schema,
  raw: Record<string, unknown>,
  positional: readonly string[] = [],
): z.output<Schema> {
  const parsed = schema.safeParse(raw);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0]!;
  const key = issue.path[0];
  if (typeof key !== "string") throw new UsageError(issue.message);
  const value = raw[key];
  const got = value === undefined ? "" : ` (got ${JSON.stringify(value)})`;
  const name = positional.includes(key) ? `<${key}>` : flagName(key);
  throw new UsageError(`${name} ${issue.message}${got}`);
}

/** `maxConcurrent` → `--max-concurrent`. */
function flagName(key: string): string {
  return `--${key.replace(/[A-Z]/g, (letter) => `-${letter.toLowerCase()}`)}`;
}
