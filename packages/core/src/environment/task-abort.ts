/**
 * The abort signal of one started task, created only once the template body reads it. An
 * `AbortSignal`, and the `DOMException` its abort creates, cost microseconds per task, and most
 * bodies never look at the signal; one read after the abort gets an already aborted signal, so
 * the body sees the same thing either way.
 *
 * @example
 * ```ts
 * const abort = new TaskAbort();
 * const generator = template.body(args, { sessionId, get signal() { return abort.signal; } });
 * abort.abort(); // on grade, cancel or shutdown
 * ```
 */
export class TaskAbort {
  #controller: AbortController | undefined;
  #aborted = false;

  /** The task's signal: aborted (reason: an `AbortError` DOMException) once {@link abort} ran. */
  get signal(): AbortSignal {
    if (this.#controller === undefined) {
      this.#controller = new AbortController();
      if (this.#aborted) this.#controller.abort();
    }
    return this.#controller.signal;
  }

  /** Aborts the signal if it was handed out, and any handed out later. Safe to call twice. */
  abort(): void {
    if (this.#aborted) return;
    this.#aborted = true;
    this.#controller?.abort();
  }
}
