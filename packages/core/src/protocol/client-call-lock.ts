/**
 * A first-come first-served mutex: one JSON-RPC call in flight per control connection, as the
 * reference client's `asyncio.Lock` (the protocol has no pipelining guarantees, spec §1.3).
 *
 * @example
 * ```ts
 * const lock = new CallLock();
 * const release = await lock.acquire(signal);
 * try { await roundTrip() } finally { release() }
 * ```
 */
export class CallLock {
  #tail: Promise<void> = Promise.resolve();

  /**
   * Waits for every earlier holder, then returns the release function. If `signal` aborts
   * while waiting, rejects with its reason; the slot is then passed on untouched.
   */
  async acquire(signal?: AbortSignal): Promise<() => void> {
    signal?.throwIfAborted();
    let release!: () => void;
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    const previous = this.#tail;
    this.#tail = previous.then(() => held);
    if (signal === undefined) {
      await previous;
      return release;
    }
    try {
      await abortable(previous, signal);
    } catch (error) {
      void previous.then(release);
      throw error;
    }
    return release;
  }
}

function abortable(promise: Promise<void>, signal: AbortSignal): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const onAbort = (): void => reject(signal.reason);
    signal.addEventListener("abort", onAbort, { once: true });
    void promise.then(() => {
      signal.removeEventListener("abort", onAbort);
      resolve();
    });
  });
}
