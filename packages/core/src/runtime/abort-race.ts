/**
 * Waits for `work`, or rejects with the signal's reason as soon as it aborts. The work itself
 * goes on (it is shared, or cannot be cancelled); only this waiter stops.
 *
 * @example
 * ```ts
 * const server = await raceAbort(sharedServer, ctx.signal);
 * ```
 */
export function raceAbort<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener("abort", onAbort, { once: true });
    work.then(
      (value) => {
        signal.removeEventListener("abort", onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener("abort", onAbort);
        reject(error);
      },
    );
  });
}
