import { HudkitError } from "../errors/hudkit-error.js";
import { defaultSlug, slugWithDigits } from "./default-slug.js";
import type { Task } from "./task.js";
import { setTaskOrigin, taskOrigin } from "./task-origin.js";

/**
 * How many hex digits a default slug gets once its 8 collide with another row's. Eight digits
 * are 32 bits, so 100k distinct rows share a slug with near certainty (the birthday bound is
 * about 77k); 64 bits make that about one in 10^9 at a million rows.
 */
export const LENGTHENED_SLUG_DIGITS = 16;

/** Where {@link indexTasksBySlug} reports what it changed. */
export type WarningSink = (message: string) => void;

/** Prints a warning the way every hudkit library warning looks. */
export const consoleWarning: WarningSink = (message) => console.warn(`hudkit: ${message}`);

/** Tasks in order, and where each slug sits in that order. */
export interface SlugIndex {
  tasks: Task[];
  positions: Map<string, number>;
}

/**
 * Indexes tasks by slug. Rows that only share a slug because their default 8-digit hashes
 * collide are told apart by lengthening both slugs to {@link LENGTHENED_SLUG_DIGITS} digits
 * (as new task objects in a new array; the inputs are never changed), with one warning for the
 * lot. A slug that repeats for any other reason (the same env, id and args twice, or an
 * explicit slug given twice) is a real duplicate and throws a {@link HudkitError} with code
 * `duplicate-slugs`.
 *
 * @example
 * ```ts
 * const { tasks, positions } = indexTasksBySlug(rows, (message) => log.warn(message));
 * tasks[positions.get("verify-5579a3e5")!];
 * ```
 */
export function indexTasksBySlug(tasks: Task[], onWarning: WarningSink = consoleWarning): SlugIndex {
  const positions = new Map<string, number>();
  // Slug -> the positions of every task that claimed it after the first.
  let repeats: Map<string, number[]> | undefined;
  for (let i = 0; i < tasks.length; i++) {
    const slug = tasks[i]!.slug;
    if (!positions.has(slug)) {
      positions.set(slug, i);
      continue;
    }
    repeats ??= new Map();
    const later = repeats.get(slug);
    if (later) later.push(i);
    else repeats.set(slug, [i]);
  }
  if (repeats === undefined) return { tasks, positions };
  return resolveRepeats(tasks, positions, repeats, onWarning);
}

/**
 * The slow path: for each repeated slug, lengthen or call it a duplicate. Only the repeated
 * rows are touched; the other 99.99% keep their place in the index.
 */
function resolveRepeats(
  tasks: Task[],
  positions: Map<string, number>,
  repeats: Map<string, number[]>,
  onWarning: WarningSink,
): SlugIndex {
  const duplicates = new Set<string>();
  const lengthened: Array<{ at: number; long: string }> = [];
  // Slug -> the one explicit row that keeps it, once its default-slug rivals move away.
  const keepers = new Map<string, number>();
  for (const [slug, later] of repeats) {
    const longSlugs = new Set<string>();
    const explicit: number[] = [];
    for (const at of [positions.get(slug)!, ...later]) {
      const task = tasks[at]!;
      if (task.slug !== defaultSlug(task.id, task.args)) {
        explicit.push(at);
        continue;
      }
      const long = slugWithDigits(task.id, task.args, LENGTHENED_SLUG_DIGITS);
      // Same id and args: more digits of the same hash cannot tell these apart.
      if (longSlugs.has(long)) duplicates.add(slug);
      longSlugs.add(long);
      lengthened.push({ at, long });
    }
    if (explicit.length > 1) duplicates.add(slug);
    else if (explicit.length === 1) keepers.set(slug, explicit[0]!);
  }
  if (duplicates.size > 0) throw duplicateSlugs(duplicates);

  for (const slug of repeats.keys()) {
    const keeper = keepers.get(slug);
    if (keeper === undefined) positions.delete(slug);
    else positions.set(slug, keeper);
  }
  const result = tasks.slice();
  const clashes = new Set<string>();
  for (const { at, long } of lengthened) {
    // A spread keeps the key order, so the new slug sits where the old one was.
    result[at] = keepOrigin(tasks[at]!, { ...tasks[at]!, slug: long });
    // A lengthened slug can still meet an explicit slug someone wrote out in 16 digits.
    if (positions.has(long)) clashes.add(long);
    positions.set(long, at);
  }
  if (clashes.size > 0) throw duplicateSlugs(clashes);
  const { at, long } = lengthened.reduce((first, entry) => (entry.at < first.at ? entry : first));
  onWarning(
    `${lengthened.length} tasks had default slugs that collide in 8 hex digits; they now have ` +
      `${LENGTHENED_SLUG_DIGITS} (${tasks[at]!.slug} is now ${long}). Set explicit slugs to choose your own.`,
  );
  return { tasks: result, positions };
}

/** The copy carries on the original's origin, so `Taskset.run` still knows where it runs. */
function keepOrigin(original: Task, copy: Task): Task {
  const origin = taskOrigin(original);
  return origin === undefined ? copy : setTaskOrigin(copy, origin);
}

function duplicateSlugs(slugs: Iterable<string>): HudkitError {
  return new HudkitError("duplicate-slugs", `duplicate task slugs: ${[...slugs].sort().join(", ")}`);
}
