import { z } from "zod";
import { HudkitError } from "../errors/hudkit-error.js";
import { pyRepr } from "../protocol/python-repr.js";
import { bindStartArgs } from "./args-coercion.js";
import { Capability } from "./capability.js";
import {
  type Answer,
  makeTemplateFactory,
  type TaskContext,
  Template,
  type TemplateBody,
  type TemplateFactory,
  type TemplateSpec,
} from "./template.js";

/** Constructor options of {@link Environment}. */
export interface EnvironmentOptions {
  /** Returned in `hello.env`, and the join key in `Task.env`. Default `"environment"`. */
  name?: string;
  /** Default `"0.0.1"`, as the reference. */
  version?: string;
  capabilities?: Capability[];
}

type Hook = () => unknown | Promise<unknown>;
type TeardownHook = (ctx: { sessionId: string }) => unknown | Promise<unknown>;

/** Where hook failures that must not stop anything are reported. */
export interface EnvironmentLogger {
  warn(message: string): void;
}

const EMPTY_ARGS = z.object({});

/** Marks environments so loaders recognise them across duplicate copies of this package. */
const ENVIRONMENT_MARKER = Symbol.for("hudkit.environment");

/** True for an {@link Environment} from any copy of `@hudkit/core`. */
export function isEnvironment(value: unknown): value is Environment {
  return (
    typeof value === "object" &&
    value !== null &&
    (value as Record<symbol, unknown>)[ENVIRONMENT_MARKER] === true
  );
}

/**
 * An agent environment: templates that mint tasks, capabilities it publishes, and lifecycle hooks.
 *
 * @example
 * ```ts
 * export const env = new Environment({ name: "letter-count", version: "1.0.0" });
 * export const countLetter = env.template(
 *   { id: "count_letter", args: z.object({ word: z.string(), letter: z.string().default("r") }) },
 *   async function* ({ word, letter }) {
 *     const answer = yield `How many '${letter}'s are in '${word}'?`;
 *     yield String(answer).trim() === String([...word].filter((c) => c === letter).length) ? 1 : 0;
 *   },
 * );
 * ```
 */
export class Environment {
  readonly [ENVIRONMENT_MARKER] = true;
  readonly name: string;
  readonly version: string;
  readonly #capabilities = new Map<string, Capability>();
  readonly #templates = new Map<string, Template>();
  readonly #initializeHooks: Hook[] = [];
  readonly #shutdownHooks: Hook[] = [];
  readonly #teardownHooks: TeardownHook[] = [];
  #started = false;
  #starting: Promise<void> | undefined;
  logger: EnvironmentLogger = { warn: (message) => console.warn(`hudkit: ${message}`) };

  constructor(options: EnvironmentOptions = {}) {
    this.name = options.name ?? "environment";
    this.version = options.version ?? "0.0.1";
    for (const capability of options.capabilities ?? []) this.addCapability(capability);
  }

  /** The published capabilities, in insertion order (a replaced entry moves to the end). */
  get capabilities(): readonly Capability[] {
    return [...this.#capabilities.values()];
  }

  /** The registered templates by id, in registration order. */
  get templates(): ReadonlyMap<string, Template> {
    return this.#templates;
  }

  /** True once the initialize hooks have all run. */
  get started(): boolean {
    return this.#started;
  }

  /**
   * Registers a template and returns its factory. The body yields the prompt, receives the
   * answer, then yields the grade.
   */
  template<A extends z.ZodObject = z.ZodObject<{}>, R extends z.ZodType | undefined = undefined>(
    spec: TemplateSpec<A, R>,
    body: TemplateBody<z.output<A>, R extends z.ZodType ? Answer<z.output<R>> : unknown>,
  ): TemplateFactory<A> {
    if (typeof spec.id !== "string" || spec.id.length === 0) {
      throw new HudkitError("invalid-template", "env.template: 'id' must be a non-empty string");
    }
    if (this.#templates.has(spec.id)) {
      throw new HudkitError(
        "duplicate-template",
        `template ${pyRepr(spec.id)} already registered on env ${pyRepr(this.name)}`,
      );
    }
    if (typeof body !== "function") {
      throw new HudkitError(
        "invalid-template",
        `env.template: ${pyRepr(spec.id)} needs an async generator function (\`async function* (args) { ... }\`)`,
      );
    }
    const template = new Template(
      spec as TemplateSpec<z.ZodObject, z.ZodType | undefined>,
      body as TemplateBody<Record<string, unknown>, unknown>,
      EMPTY_ARGS,
    );
    this.#templates.set(template.id, template);
    return makeTemplateFactory<A>(this, template);
  }

  /**
   * The reference answer of template `taskId` for `args`, from its `solution`, or undefined when
   * the template declares none. The args are bound and coerced as `tasks.start` does, so the
   * solution sees the same values as the body (defaults filled in). An unknown id or args the
   * template rejects throw a {@link HudkitError}.
   *
   * @example
   * ```ts
   * await env.solutionFor("count_letter", { word: "banana", letter: "a" }); // "3"
   * await env.solutionFor(task.id, task.args); // undefined: no `solution` declared
   * ```
   */
  async solutionFor(taskId: string, args: Record<string, unknown> = {}): Promise<unknown> {
    const template = this.#templates.get(taskId);
    if (!template) {
      const known = [...this.#templates.keys()].map((id) => pyRepr(id)).join(", ") || "none";
      throw new HudkitError(
        "unknown-template",
        `no template ${pyRepr(taskId)} on env ${pyRepr(this.name)} (templates: ${known})`,
      );
    }
    if (template.solution === undefined) return undefined;
    return await template.solution(bindStartArgs(template.id, template.args, args));
  }

  /** Runs `fn` when the environment starts serving, in registration order. */
  initialize(fn: Hook): this {
    this.#initializeHooks.push(fn);
    return this;
  }

  /** Runs `fn` when the environment stops, in reverse registration order; errors are logged. */
  shutdown(fn: Hook): this {
    this.#shutdownHooks.push(fn);
    return this;
  }

  /** Runs `fn` at the end of every task session: graded, cancelled, bye, failed start, shutdown. */
  onTaskTeardown(fn: TeardownHook): this {
    this.#teardownHooks.push(fn);
    return this;
  }

  /** Publishes a capability; an existing entry with the same name is replaced and moves last. */
  addCapability(capability: Capability): this {
    if (!(capability instanceof Capability)) {
      throw new HudkitError(
        "invalid-capability",
        "addCapability expects a Capability (see Capability.ssh/mcp/cdp/rfb)",
      );
    }
    if (!capability.url) {
      throw new HudkitError(
        "invalid-capability",
        `capability ${pyRepr(capability.name)} has no url; give it one`,
      );
    }
    this.#capabilities.delete(capability.name);
    this.#capabilities.set(capability.name, capability);
    return this;
  }

  /** The capability named `name`; throws naming the ones that exist. */
  capability(name: string): Capability {
    const found = this.#capabilities.get(name);
    if (!found) throw new HudkitError("unknown-capability", `unknown capability: ${pyRepr(name)}`);
    return found;
  }

  /**
   * Runs the initialize hooks once. If one fails, the shutdown hooks run (so daemons started
   * by earlier hooks do not leak, unlike the reference) and the error is thrown; a later
   * `start()` tries again.
   */
  async start(): Promise<void> {
    if (this.#started) return;
    this.#starting ??= (async () => {
      try {
        for (const hook of this.#initializeHooks) await hook();
        this.#started = true;
      } catch (error) {
        await this.#runShutdownHooks();
        throw error;
      } finally {
        this.#starting = undefined;
      }
    })();
    return this.#starting;
  }

  /** Runs the shutdown hooks in reverse order, logging their errors. */
  async stop(): Promise<void> {
    this.#started = false;
    await this.#runShutdownHooks();
  }

  /** Runs the task-teardown hooks for a session; errors are logged, never thrown. */
  async runTaskTeardown(sessionId: string): Promise<void> {
    for (const hook of this.#teardownHooks) {
      try {
        await hook({ sessionId });
      } catch (error) {
        this.logger.warn(`task teardown hook failed for ${sessionId}: ${describe(error)}`);
      }
    }
  }

  async #runShutdownHooks(): Promise<void> {
    for (const hook of [...this.#shutdownHooks].reverse()) {
      try {
        await hook();
      } catch (error) {
        this.logger.warn(`shutdown hook failed: ${describe(error)}`);
      }
    }
  }
}

export type { TaskContext };

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
