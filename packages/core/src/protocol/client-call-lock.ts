/**
 * A first-come first-served mutex: one JSON-RPC call in flight per control connection, as the
 * reference client's `asyncio.Lock` (the protocol has no pipelining guarantees, spec §1.3).
 *
 * @example
 * ```ts
 * const lock = new CallLock();
 * const release = lock.tryAcquire() ?? (await lock.acquire(signal));
 * try { await roundTrip() } finally { release() }
 * ```
 */
export class CallLock {
  #held = false;
  /** Waiters in arrival order; only non-empty while the lock is held. */
  readonly #waiters: Array<(release: () => void) => void> = [];

  /**
   * Takes the lock at once if nobody holds it or waits for it, returning the release function;
   * `undefined` otherwise. The uncontended case, which is nearly every call, needs no promise.
   */
  tryAcquire(): (() => void) | undefined {
    if (this.#held) return undefined;
    this.#held = true;
    return this.#releaser();
  }

  /**
   * Waits for every earlier holder, then returns the release function. If `signal` aborts
   * while waiting, rejects with its reason; the slot is then passed on untouched.
   */
  async acquire(signal?: AbortSignal): Promise<() => void> {
    signal?.throwIfAborted();
    const now = this.tryAcquire();
    if (now !== undefined) return now;
    return new Promise<() => void>((resolve, reject) => {
      const grant = (release: () => void): void => {
        signal?.removeEventListener("abort", onAbort);
        resolve(release);
      };
      const onAbort = (): void => {
        const index = this.#waiters.indexOf(grant);
        if (index !== -1) this.#waiters.splice(index, 1);
        reject(signal?.reason);
      };
      this.#waiters.push(grant);
      signal?.addEventListener("abort", onAbort, { once: true });
    });
  }

  /** A release function for the current holder: hands the lock to the next waiter. Idempotent. */
  #releaser(): () => void {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = this.#waiters.shift();
      if (next === undefined) this.#held = false;
      else next(this.#releaser());
    };
  }
}
