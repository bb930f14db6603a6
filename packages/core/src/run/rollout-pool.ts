/**
 * Runs `work` over `items` in order with at most `limit` in flight, and stops taking new items
 * once `signal` aborts (items already started run to their end). A worker's failure also stops
 * new items; the first failure is thrown once every started item has finished.
 *
 * @example
 * ```ts
 * await runPool(planned, 8, signal, async (item) => { await rollout(item.task, agent, options) });
 * ```
 */
export async function runPool<T>(
  items: readonly T[],
  limit: number,
  signal: AbortSignal,
  work: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  let failure: { error: unknown } | undefined;
  const worker = async (): Promise<void> => {
    while (failure === undefined && !signal.aborted && next < items.length) {
      const item = items[next++]!;
      try {
        await work(item);
      } catch (error) {
        failure ??= { error };
      }
    }
  };
  const workers = Math.max(0, Math.min(limit, items.length));
  await Promise.all(Array.from({ length: workers }, worker));
  if (failure !== undefined) throw failure.error;
}
