import { buildAnswer } from "./answer.js";
import { bindStartArgs } from "./args-coercion.js";
import type { Environment } from "./environment.js";
import { toGradeFrame } from "./grade-frame.js";
import { toPromptFrame } from "./prompt-frame.js";
import { TaskAbort } from "./task-abort.js";
import type { TaskContext, Template } from "./template.js";

/**
 * One started task: a template generator suspended at its first yield, waiting for an answer.
 * Grading and cancelling both close the generator (its `finally` blocks run) and then run the
 * environment's task-teardown hooks, exactly once.
 *
 * @example
 * ```ts
 * const { runner, prompt } = await TaskRunner.start(env, "count_letter", { word: "kiwi" }, "sess-1");
 * const frame = await runner.grade({ answer: "0" });
 * ```
 */
export class TaskRunner {
  readonly template: Template;
  readonly sessionId: string;
  readonly #env: Environment;
  readonly #generator: AsyncGenerator<unknown, unknown, unknown>;
  readonly #abort: TaskAbort;
  #finished = false;

  private constructor(
    env: Environment,
    template: Template,
    sessionId: string,
    generator: AsyncGenerator<unknown, unknown, unknown>,
    abort: TaskAbort,
  ) {
    this.#env = env;
    this.template = template;
    this.sessionId = sessionId;
    this.#generator = generator;
    this.#abort = abort;
  }

  /**
   * Binds and coerces `args`, creates the generator and runs it to its first yield. On any
   * failure the generator is closed and the teardown hooks run before the error is thrown.
   */
  static async start(
    env: Environment,
    template: Template,
    args: Record<string, unknown>,
    sessionId: string,
  ): Promise<{ runner: TaskRunner; firstYield: unknown }> {
    const abort = new TaskAbort();
    let generator: AsyncGenerator<unknown, unknown, unknown> | undefined;
    try {
      const bound = bindStartArgs(template.id, template.args, args);
      const context: TaskContext = {
        sessionId,
        get signal() {
          return abort.signal;
        },
      };
      generator = template.body(bound, context);
      if (typeof generator?.next !== "function") {
        throw new TypeError(
          `template '${template.id}' did not return an async generator; use async function*`,
        );
      }
      const first = await generator.next();
      if (first.done) throw new Error(`template '${template.id}' ended before yielding a prompt`);
      return { runner: new TaskRunner(env, template, sessionId, generator, abort), firstYield: first.value };
    } catch (error) {
      abort.abort();
      await generator?.return(undefined).catch(() => undefined);
      await env.runTaskTeardown(sessionId);
      throw error;
    }
  }

  /** The prompt frame for a first yield (kept separate so a bad prompt still leaves the task). */
  static promptFrame(firstYield: unknown): Record<string, unknown> {
    return toPromptFrame(firstYield);
  }

  /**
   * Sends the answer in, normalises the second yield into a grade frame, then closes the task.
   * A generator that returns without a second yield scores 0; one that returns a value is
   * graded on that value (a JavaScript convenience; Python generators cannot return values).
   */
  async grade(payload: Record<string, unknown>): Promise<Record<string, unknown>> {
    try {
      const answer = this.template.returns
        ? buildAnswer(this.template.returns, payload.answer)
        : (payload.answer ?? null);
      const second = await this.#generator.next(answer);
      if (second.done && second.value === undefined) return { score: 0 };
      return toGradeFrame(this.template.id, second.value);
    } finally {
      await this.#finish();
    }
  }

  /** Closes the task without grading. Safe to call more than once. */
  async cancel(): Promise<void> {
    await this.#finish();
  }

  async #finish(): Promise<void> {
    if (this.#finished) return;
    this.#finished = true;
    this.#abort.abort();
    try {
      await this.#generator.return(undefined);
    } catch (error) {
      this.#env.logger.warn(`task ${this.template.id} raised while closing: ${String(error)}`);
    }
    await this.#env.runTaskTeardown(this.sessionId);
  }
}
