/**
 * Interleaved measurement for a machine whose speed is not steady. This VM is frozen for
 * 0.5-1 s at a time, several times a minute (see stall-monitor.ts): a long run of one side
 * absorbs whichever freezes fall in it, so totals swing by several times between runs. Running
 * the sides in short alternating chunks (A B B A ...) and taking each side's median chunk keeps
 * the freezes out of the comparison; totals are still reported beside it.
 */

/** Runs `count` jobs at `concurrency`; returns the wall time in ms and each job's latency. */
export async function timedPool(
  count: number,
  concurrency: number,
  job: (i: number) => Promise<unknown>,
): Promise<{ wallMs: number; latencies: number[] }> {
  const latencies: number[] = [];
  let next = 0;
  const start = performance.now();
  await Promise.all(
    Array.from({ length: Math.min(concurrency, count) }, async () => {
      while (next < count) {
        const i = next++;
        const t = performance.now();
        await job(i);
        latencies.push(performance.now() - t);
      }
    }),
  );
  return { wallMs: performance.now() - start, latencies };
}

/** What {@link interleave} measured for one side. */
export interface SideResult {
  /** Wall ms per job in each chunk, in run order. */
  chunks: number[];
  /** Median of `chunks`: the figure freezes do not move. */
  medianMs: number;
  /** Total wall ms over total jobs: what a plain run would report, freezes included. */
  meanMs: number;
  latencies: number[];
}

/**
 * Runs `total` jobs per side at `concurrency`, in chunks of `chunk`, alternating the sides in
 * A B B A order so that neither always runs first.
 */
export async function interleave<K extends string>(
  sides: Record<K, (i: number) => Promise<unknown>>,
  options: { total: number; chunk: number; concurrency: number },
): Promise<Record<K, SideResult>> {
  const names = Object.keys(sides) as K[];
  const raw = Object.fromEntries(
    names.map((n) => [n, { chunks: [] as number[], wall: 0, jobs: 0, latencies: [] as number[] }]),
  ) as Record<K, { chunks: number[]; wall: number; jobs: number; latencies: number[] }>;
  const rounds = Math.ceil(options.total / options.chunk);
  for (let round = 0; round < rounds; round++) {
    const count = Math.min(options.chunk, options.total - round * options.chunk);
    const order = round % 2 === 0 ? names : [...names].reverse();
    for (const name of order) {
      const offset = round * options.chunk;
      const { wallMs, latencies } = await timedPool(count, options.concurrency, (i) =>
        sides[name](offset + i),
      );
      const side = raw[name];
      side.chunks.push(wallMs / count);
      side.wall += wallMs;
      side.jobs += count;
      side.latencies.push(...latencies);
    }
  }
  return Object.fromEntries(
    names.map((n) => {
      const side = raw[n];
      return [
        n,
        {
          chunks: side.chunks,
          medianMs: median(side.chunks),
          meanMs: side.wall / side.jobs,
          latencies: side.latencies,
        },
      ];
    }),
  ) as Record<K, SideResult>;
}

/**
 * The median over rounds of `a`'s chunk divided by `b`'s chunk of the same round. The two
 * chunks of a round run back to back, so a slow drift of the machine's speed (which moves both
 * sides' medians, but not in step) cancels out of each ratio.
 */
export function medianRoundRatio(a: SideResult, b: SideResult): number {
  return median(a.chunks.map((ms, round) => ms / b.chunks[round]!));
}

function median(sample: number[]): number {
  const sorted = [...sample].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}
