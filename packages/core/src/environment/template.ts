import type { z } from "zod";
import type { Agent } from "../run/agent.js";
import type { Job } from "../run/job.js";
import type { TasksetRunOptions } from "../run/taskset-run.js";
import { createTask, type Task } from "../task/task.js";
import { setTaskOrigin } from "../task/task-origin.js";
import { validateMintArgs } from "./args-coercion.js";
import { argsJsonSchema, jsonSchemaOf } from "./args-schema.js";
import type { Environment } from "./environment.js";

/** What a template body receives besides its arguments. */
export interface TaskContext {
  /** The control session the task belongs to (a parked task keeps its own id). */
  readonly sessionId: string;
  /** Aborted when the task is cancelled or the server shuts down. */
  readonly signal: AbortSignal;
}

/** The answer a template with `returns` receives: parsed `content` (or the raw value) and `raw`. */
export interface Answer<T = unknown> {
  content: T | unknown;
  raw: string;
}

/** A template body: `const answer = yield prompt; yield reward`. */
export type TemplateBody<Args, TAnswer> = (
  args: Args,
  ctx: TaskContext,
) => AsyncGenerator<unknown, unknown, TAnswer>;

/** The declaration half of `env.template(spec, body)`. */
export interface TemplateSpec<A extends z.ZodObject, R extends z.ZodType | undefined = undefined> {
  /** The task id, unique per environment (`"count_letter"`, `"math.add"`). */
  id: string;
  description?: string;
  /** Arguments as a zod object; published as JSON Schema by `tasks.list`. */
  args?: A;
  /** Metadata only: the schema of what the agent is given. */
  input?: z.ZodType;
  /** When set, the answer arrives as `{ content, raw }` with `content` validated against it. */
  returns?: R;
  /**
   * A reference answer for the given args (defaults filled in, as the body gets them): what
   * an oracle submits, and what `hud harbor export` writes into `solution/solve.sh`. Never
   * published by `tasks.list`. Read it with `env.solutionFor(id, args)`.
   */
  solution?: TemplateSolution<z.output<A>>;
}

/**
 * A template's reference answer for its (bound) args. A string is submitted as it is; any
 * other value is the answer object a grader receives.
 *
 * @example
 * ```ts
 * const solution: TemplateSolution<{ word: string; letter: string }> = ({ word, letter }) =>
 *   String([...word].filter((c) => c === letter).length);
 * ```
 */
export type TemplateSolution<Args> = (args: Args) => unknown | Promise<unknown>;

/** A `tasks.list` entry. */
export interface ManifestEntry {
  id: string;
  description: string;
  args: Record<string, unknown>;
  input?: Record<string, unknown>;
  returns?: Record<string, unknown>;
}

/** A registered template: its schema and body. */
export class Template {
  readonly id: string;
  readonly description: string;
  readonly args: z.ZodObject;
  readonly input: z.ZodType | undefined;
  readonly returns: z.ZodType | undefined;
  /** The reference answer, when the template declares one (see {@link TemplateSpec.solution}). */
  readonly solution: TemplateSolution<Record<string, unknown>> | undefined;
  readonly body: TemplateBody<Record<string, unknown>, unknown>;
  #manifest: ManifestEntry | undefined;

  constructor(
    spec: TemplateSpec<z.ZodObject, z.ZodType | undefined>,
    body: TemplateBody<Record<string, unknown>, unknown>,
    emptyArgs: z.ZodObject,
  ) {
    this.id = spec.id;
    this.description = spec.description ?? "";
    this.args = spec.args ?? emptyArgs;
    this.input = spec.input;
    this.returns = spec.returns;
    this.solution = spec.solution as TemplateSolution<Record<string, unknown>> | undefined;
    this.body = body;
  }

  /** The `tasks.list` entry, computed once. */
  manifestEntry(): ManifestEntry {
    if (!this.#manifest) {
      const entry: ManifestEntry = {
        id: this.id,
        description: this.description,
        args: argsJsonSchema(this.args),
      };
      if (this.input) entry.input = jsonSchemaOf(this.input);
      if (this.returns) entry.returns = jsonSchemaOf(this.returns);
      this.#manifest = entry;
    }
    return this.#manifest;
  }
}

/**
 * A task minted by a template: plain task data (JSON, spread and `parseTask` see only that) that
 * also remembers its environment, so it can run on its own. `task.run(agent, options)` is
 * `new Taskset(task.slug, [task]).run(agent, options)`.
 *
 * @example
 * ```ts
 * const job = await countLetter({ word: "banana" }).run(agent, { group: 3 });
 * ```
 */
export type MintedTask = Task & {
  /** Runs this task alone; see `Taskset.run`. */
  run(agent: Agent, options?: TasksetRunOptions): Promise<Job>;
};

/**
 * Calling a template mints a {@link MintedTask} holding only the arguments passed, validated
 * against the schema. It also carries the template (`.template`) and its id.
 */
export type TemplateFactory<A extends z.ZodObject> = ((args?: Partial<z.input<A>>) => MintedTask) & {
  readonly id: string;
  readonly template: Template;
};

export function makeTemplateFactory<A extends z.ZodObject>(
  environment: Environment,
  template: Template,
): TemplateFactory<A> {
  const mint = (args?: Partial<z.input<A>>): MintedTask => {
    const given = validateMintArgs(template.id, template.args, (args ?? {}) as Record<string, unknown>);
    const task = setTaskOrigin(createTask({ env: environment.name, id: template.id, args: given }), {
      environment,
    });
    // Not enumerable: the task stays plain data for JSON, equality and copies.
    Object.defineProperty(task, "run", {
      // The engine loads on first use: an env served in a child process never needs it.
      value: async (agent: Agent, options?: TasksetRunOptions) => {
        const { runTaskset } = await import("../run/taskset-run.js");
        return runTaskset(task.slug, [task], agent, options);
      },
      enumerable: false,
      configurable: true,
      writable: true,
    });
    return task as MintedTask;
  };
  return Object.assign(mint, { id: template.id, template });
}
