/**
 * Calls `beat` every `intervalMs` until it returns `false` or `stop()` is called. Beats never
 * overlap: the next interval starts when a beat finishes. The timer is unref'd, so a heartbeat
 * alone never keeps a process alive (the open socket does that). `intervalMs <= 0` disables it.
 *
 * @example
 * ```ts
 * const heartbeat = new Heartbeat(120_000, async () => { await ping(); return true; });
 * heartbeat.start();
 * // ...
 * heartbeat.stop();
 * ```
 */
export class Heartbeat {
  readonly #intervalMs: number;
  readonly #beat: () => Promise<boolean>;
  #timer: NodeJS.Timeout | undefined;
  #started = false;
  #stopped = false;

  constructor(intervalMs: number, beat: () => Promise<boolean>) {
    this.#intervalMs = intervalMs;
    this.#beat = beat;
  }

  /** Starts beating; later calls (and calls after `stop()`) do nothing. */
  start(): void {
    if (this.#started || this.#stopped || this.#intervalMs <= 0) return;
    this.#started = true;
    this.#schedule();
  }

  stop(): void {
    this.#stopped = true;
    clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  #schedule(): void {
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      void this.#beat().then(
        (again) => {
          if (again && !this.#stopped) this.#schedule();
        },
        () => this.stop(),
      );
    }, this.#intervalMs);
    this.#timer.unref();
  }
}
