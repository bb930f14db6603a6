/**
 * `promise`, or a rejection with `signal.reason` as soon as `signal` aborts. A value `promise`
 * resolves to after that is handed to `onLate` (a substrate or a client that arrived too late),
 * so it is released instead of leaked.
 *
 * @example
 * ```ts
 * const substrate = await untilAborted(provider.acquire(task, ctx), signal, (late) => void late[Symbol.asyncDispose]());
 * ```
 */
export function untilAborted<T>(
  promise: Promise<T>,
  signal: AbortSignal,
  onLate?: (value: T) => void,
): Promise<T> {
  if (signal.aborted) {
    promise.then((value) => onLate?.(value), swallow);
    return Promise.reject(signal.reason);
  }
  return new Promise<T>((resolve, reject) => {
    let settled = false;
    const onAbort = (): void => {
      settled = true;
      reject(signal.reason);
    };
    signal.addEventListener("abort", onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener("abort", onAbort);
        if (settled) onLate?.(value);
        else resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener("abort", onAbort);
        if (!settled) reject(error);
      },
    );
  });
}

/**
 * Resolves with the abort reason once `signal` aborts; never settles otherwise. Only for
 * signals that live no longer than the wait (one rollout's), as the listener stays until then.
 *
 * @example
 * ```ts
 * const outcome = await Promise.race([work, whenAborted(signal).then(() => "stopped")]);
 * ```
 */
export function whenAborted(signal: AbortSignal): Promise<unknown> {
  if (signal.aborted) return Promise.resolve(signal.reason);
  return new Promise((resolve) => {
    signal.addEventListener("abort", () => resolve(signal.reason), { once: true });
  });
}

/**
 * How a bounded wait ended.
 *
 * @example
 * ```ts
 * const outcome: Settled<void> = { status: "timeout" };
 * ```
 */
export type Settled<T> =
  | { status: "fulfilled"; value: T }
  | { status: "rejected"; error: unknown }
  | { status: "timeout" };

/**
 * Waits for `work` at most `ms` milliseconds; never rejects. Used for teardown steps, which
 * must not hang a job whatever a provider does.
 *
 * @example
 * ```ts
 * const outcome = await settleWithin(substrate[Symbol.asyncDispose](), 60_000);
 * if (outcome.status === "timeout") log("teardown still running");
 * ```
 */
export async function settleWithin<T>(work: Promise<T>, ms: number): Promise<Settled<T>> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<Settled<T>>((resolve) => {
    timer = setTimeout(() => resolve({ status: "timeout" }), ms);
  });
  try {
    return await Promise.race([
      work.then(
        (value): Settled<T> => ({ status: "fulfilled", value }),
        (error: unknown): Settled<T> => ({ status: "rejected", error }),
      ),
      deadline,
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/** Calls `fn` so that a synchronous throw becomes a rejection. */
export function attempt<T>(fn: () => PromiseLike<T> | T): Promise<T> {
  try {
    return Promise.resolve(fn());
  } catch (error) {
    return Promise.reject(error);
  }
}

function swallow(): void {}
