import { HudkitError } from "../errors/hudkit-error.js";
import type { Agent } from "../run/agent.js";
import type { Job } from "../run/job.js";
import type { TasksetRunOptions } from "../run/taskset-run.js";
import { indexTasksBySlug } from "./slug-collisions.js";
import type { Task } from "./task.js";
import { readTasksetSource, TASKSET_MARKER, writeTasksetFile } from "./taskset-file.js";
import type { TasksetSourceLoader } from "./taskset-source-loader.js";

/**
 * Options of the {@link Taskset} constructor and {@link Taskset.fromFile}.
 *
 * @example
 * ```ts
 * const options: TasksetOptions = { onWarning: (message) => log.warn(message) };
 * ```
 */
export interface TasksetOptions {
  /**
   * Receives the one warning given when rows whose default slugs collide in 8 hex digits get
   * 16-digit slugs instead. Default: `console.warn` with a `hudkit:` prefix.
   */
  onWarning?: (message: string) => void;
  /**
   * Readers for formats core does not know, asked before the built-in ones by `fromFile`
   * (a Harbor dataset through `@hudkit/harbor`'s `harborTasksetSource`). Their warnings go to
   * `onWarning`.
   */
  sources?: readonly TasksetSourceLoader[];
}

/** How many suggestions an unknown-slug error offers. */
const SUGGESTIONS = 3;

/**
 * A named, ordered collection of tasks with unique slugs: the reference's `Taskset`. Building one
 * with a slug twice throws a {@link HudkitError} (`duplicate-slugs`), except for different rows
 * whose default slugs merely collide in 8 hex digits: those get 16-digit slugs and a warning.
 *
 * @example
 * ```ts
 * const taskset = await Taskset.fromFile("examples/letter-count/tasks.ts");
 * const easy = taskset.filter(["count_letter-1a2b3c4d"]);
 * for (const task of easy) console.log(task.slug, task.args);
 * await taskset.toFile("out/letter-count.jsonl");
 * ```
 */
export class Taskset implements Iterable<Task> {
  /** Lets loaders recognise a Taskset made by another copy of `@hudkit/core`. */
  readonly [TASKSET_MARKER] = true;
  /** The taskset's name: a file's stem or a directory's name when loaded from one. */
  readonly name: string;
  readonly #tasks: readonly Task[];
  readonly #positions: ReadonlyMap<string, number>;

  /**
   * @param name defaults to `"taskset"`, like the reference's.
   * @param tasks kept in this order; slugs must be unique (see the class description).
   */
  constructor(name = "taskset", tasks: Iterable<Task> = [], options: TasksetOptions = {}) {
    this.name = name;
    // A copy, so that changing the caller's array later does not change the taskset.
    const index = indexTasksBySlug([...tasks], options.onWarning);
    // Frozen, since `tasks` hands this very array out and the positions index into it.
    this.#tasks = Object.freeze(index.tasks);
    this.#positions = index.positions;
  }

  /**
   * True for a Taskset from any copy of `@hudkit/core` (a plugin's nested copy, say), where
   * `instanceof` would fail.
   *
   * @example
   * ```ts
   * if (Taskset.isInstance(value)) console.log(value.size);
   * ```
   */
  static isInstance(value: unknown): value is Taskset {
    return (
      typeof value === "object" &&
      value !== null &&
      (value as Record<symbol, unknown>)[TASKSET_MARKER] === true
    );
  }

  /**
   * Loads and validates a taskset by suffix: `.json` (one task object or a list), `.jsonl` (one
   * task a line), `.csv` (the format {@link Taskset.toFile} writes), a `.ts`/`.mts`/`.js`/`.mjs`
   * module (its exported tasks, tasksets and arrays of tasks), or a directory of such modules
   * (top level, sorted, skipping tests, specs, `.d.ts` and configs). The name is the file stem
   * or the directory name. An invalid row throws a {@link HudkitError} naming the file, the row
   * and the key path.
   *
   * @example
   * ```ts
   * const taskset = await Taskset.fromFile("tasks.jsonl");
   * taskset.name; // "tasks"
   * ```
   */
  static async fromFile(path: string, options: TasksetOptions = {}): Promise<Taskset> {
    const { name, tasks } = await readTasksetSource(path, options);
    return new Taskset(name, tasks, options);
  }

  /**
   * Runs every task `group` times with `agent` and returns the job, written as it runs under
   * `.hud/jobs/<job-id>/` (spec §2). `runtime` is where rollouts run: by default each task's own
   * module in a fresh child process per rollout (or, for a task minted in this process, its live
   * Environment in this process); or a provider; or a spec such as `"docker:my-env:latest"` or
   * `"url:tcp://127.0.0.1:8765"`. Options are checked before anything runs; rollout failures
   * never throw, they are runs with an error and a phase. See `runTasks` for every option.
   *
   * @example
   * ```ts
   * const taskset = await Taskset.fromFile("examples/letter-count/tasks.ts");
   * const job = await taskset.run(agent, { group: 3, maxConcurrent: 8 });
   * console.log(job.reward, job.errors.length, job.dir);
   * ```
   */
  async run(agent: Agent, options: TasksetRunOptions = {}): Promise<Job> {
    // The engine loads on first use, so a tasks module bundled into an env child stays small.
    const { runTaskset } = await import("../run/taskset-run.js");
    return runTaskset(this.name, this.#tasks, agent, options);
  }

  /** How many tasks there are. */
  get size(): number {
    return this.#tasks.length;
  }

  /** The tasks, in order. */
  get tasks(): readonly Task[] {
    return this.#tasks;
  }

  [Symbol.iterator](): Iterator<Task> {
    return this.#tasks.values();
  }

  /**
   * Whether a task has this slug.
   *
   * @example
   * ```ts
   * if (!taskset.has(slug)) console.error(`no ${slug}`);
   * ```
   */
  has(slug: string): boolean {
    return this.#positions.has(slug);
  }

  /**
   * The task with this slug. An unknown slug throws a {@link HudkitError} (`unknown-task`)
   * that names it and suggests close matches.
   *
   * @example
   * ```ts
   * taskset.get("verify-5579a3e5").args; // { expected: 3 }
   * ```
   */
  get(slug: string): Task {
    const at = this.#positions.get(slug);
    if (at !== undefined) return this.#tasks[at]!;
    const label = `no task with slug ${JSON.stringify(slug)} in taskset ${JSON.stringify(this.name)}`;
    if (this.size === 0) throw new HudkitError("unknown-task", `${label}: it is empty`);
    const slugs = this.#tasks.map((task) => task.slug);
    const close = closeMatches(slug, slugs);
    const hint =
      close.length > 0
        ? `did you mean ${close.map((s) => JSON.stringify(s)).join(", ")}?`
        : `its slugs start ${slugs.slice(0, SUGGESTIONS).join(", ")}${this.size > SUGGESTIONS ? ", ..." : ""}`;
    throw new HudkitError("unknown-task", `${label}; ${hint}`);
  }

  /**
   * A new taskset, with the same name, holding only the tasks with these slugs, in this
   * taskset's order. Unknown slugs are ignored.
   *
   * @example
   * ```ts
   * const picked = taskset.filter(["count-4376680e", "solve"]);
   * ```
   */
  filter(slugs: Iterable<string>): Taskset {
    const wanted = new Set(slugs);
    return new Taskset(
      this.name,
      this.tasks.filter((task) => wanted.has(task.slug)),
    );
  }

  /**
   * A new taskset, with the same name, without the tasks with these slugs, in this taskset's
   * order. Unknown slugs are ignored.
   *
   * @example
   * ```ts
   * const rest = taskset.exclude(["flaky-task"]);
   * ```
   */
  exclude(slugs: Iterable<string>): Taskset {
    const unwanted = new Set(slugs);
    return new Taskset(
      this.name,
      this.tasks.filter((task) => !unwanted.has(task.slug)),
    );
  }

  /**
   * The names of the environments the tasks need: every task's `env` and every verifier's, in
   * order of first use.
   *
   * @example
   * ```ts
   * [...taskset.environmentNames()]; // ["letters", "grader"]
   * ```
   */
  environmentNames(): Set<string> {
    const names = new Set<string>();
    for (const task of this.#tasks) {
      names.add(task.env);
      if (task.verifier) names.add(task.verifier.env);
    }
    return names;
  }

  /**
   * Writes the tasks by suffix: `.json` (an indented list), `.jsonl` (one compact row a line)
   * or `.csv` (columns `slug,id,env,arg:<name>...`, which {@link Taskset.fromFile} reads back).
   * Unset optional fields are left out; `args` is always written. Creates parent directories
   * and resolves to the absolute path written.
   *
   * @example
   * ```ts
   * await taskset.toFile("out/tasks.json");
   * ```
   */
  toFile(path: string): Promise<string> {
    return writeTasksetFile(path, this.tasks);
  }
}

/**
 * Up to {@link SUGGESTIONS} slugs close to `query`: those it is a prefix of (a template id
 * typed without its hash) first, then those within a few edits (a typo).
 */
function closeMatches(query: string, slugs: Iterable<string>): string[] {
  const budget = Math.max(2, Math.floor(query.length / 3));
  const scored: Array<{ slug: string; score: number }> = [];
  for (const slug of slugs) {
    if (slug.startsWith(query) || query.startsWith(slug)) {
      scored.push({ slug, score: 0 });
      continue;
    }
    if (Math.abs(slug.length - query.length) > budget) continue;
    const distance = editDistance(query, slug, budget);
    if (distance <= budget) scored.push({ slug, score: distance });
  }
  // A stable sort: equally close slugs keep the taskset's order.
  return scored
    .sort((a, b) => a.score - b.score)
    .slice(0, SUGGESTIONS)
    .map((entry) => entry.slug);
}

/** Levenshtein distance, or `budget + 1` as soon as it must exceed `budget`. */
function editDistance(a: string, b: string, budget: number): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    let rowMin = i;
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      const value = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + cost);
      current.push(value);
      rowMin = Math.min(rowMin, value);
    }
    if (rowMin > budget) return budget + 1;
    previous = current;
  }
  return previous[b.length]!;
}
