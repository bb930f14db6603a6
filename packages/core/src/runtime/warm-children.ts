import { raceAbort } from "./abort-race.js";
import type { SpawnedEnv } from "./spawned-env.js";

/** Period of the timer that keeps the event loop alive while a rollout waits; it never fires usefully. */
const KEEP_ALIVE_MS = 60_000;

/** Starts one child in the background for a key; rejects if it never serves. */
export type StartWarmChild = (signal: AbortSignal) => Promise<SpawnedEnv>;

/**
 * Env children started ahead of the rollouts that will take them, `depth` per key (bundle file
 * and served env). Each child still serves exactly one rollout: this only moves its start-up off
 * the rollout's critical path, onto the other core while the current rollout runs.
 *
 * A key becomes eligible once a child started for it on demand has served (see
 * {@link WarmChildren.refill}), so an env that cannot start is never started twice per rollout.
 * A child that failed to start, or died while waiting, is never handed out: the caller starts
 * one on demand instead, which reports the failure in the run.
 *
 * @example
 * ```ts
 * await using warm = new WarmChildren(1);
 * const child = (await warm.take(key, ctx.signal)) ?? (await spawnEnvProcess(options));
 * warm.refill(key, (signal) => spawnEnvProcess({ ...options, signal, background: true }));
 * ```
 */
export class WarmChildren implements AsyncDisposable {
  readonly #depth: number;
  readonly #queues = new Map<string, Promise<SpawnedEnv | undefined>[]>();
  readonly #lifetime = new AbortController();

  constructor(depth: number) {
    this.#depth = depth;
  }

  /**
   * The oldest child waiting under `key`, in the foreground now, waiting for it to serve if it
   * is still starting; `undefined` when none is waiting or none of them could serve. If `signal`
   * aborts meanwhile, the child it waited for is stopped and the promise rejects.
   */
  async take(key: string, signal: AbortSignal): Promise<SpawnedEnv | undefined> {
    const queue = this.#queues.get(key);
    while (queue !== undefined && queue.length > 0) {
      const pending = queue.shift()!;
      let child: SpawnedEnv | undefined;
      // A child still starting in the background holds nothing that keeps this process alive,
      // and a rollout waiting for it must, as it would for a child started on demand.
      const keepAlive = setInterval(() => {}, KEEP_ALIVE_MS);
      try {
        child = await raceAbort(pending, signal);
      } catch (error) {
        void pending.then((late) => late?.[Symbol.asyncDispose]());
        throw error;
      } finally {
        clearInterval(keepAlive);
      }
      if (child === undefined) continue;
      if (child.hasExited()) {
        await child[Symbol.asyncDispose]();
        continue;
      }
      child.foreground();
      return child;
    }
    return undefined;
  }

  /** Starts children under `key` until `depth` of them are waiting. */
  refill(key: string, start: StartWarmChild): void {
    if (this.#lifetime.signal.aborted) return;
    let queue = this.#queues.get(key);
    if (queue === undefined) {
      queue = [];
      this.#queues.set(key, queue);
    }
    while (queue.length < this.#depth) {
      queue.push(
        start(this.#lifetime.signal).then(
          (child) => child,
          // A failed start is the next on-demand start's to report.
          () => undefined,
        ),
      );
    }
  }

  /** Stops every child waiting under a key `keep` rejects, such as those of an outdated bundle. */
  async discard(keep: (key: string) => boolean): Promise<void> {
    const dropped: Promise<SpawnedEnv | undefined>[] = [];
    for (const [key, queue] of this.#queues) {
      if (keep(key)) continue;
      dropped.push(...queue);
      this.#queues.delete(key);
    }
    await stopAll(dropped);
  }

  /** Stops every waiting child, those still starting included, and starts no more. */
  async close(): Promise<void> {
    this.#lifetime.abort(new Error("the runtime was closed"));
    const all = [...this.#queues.values()].flat();
    this.#queues.clear();
    await stopAll(all);
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }
}

async function stopAll(children: readonly Promise<SpawnedEnv | undefined>[]): Promise<void> {
  await Promise.allSettled(children.map(async (pending) => (await pending)?.[Symbol.asyncDispose]()));
}
