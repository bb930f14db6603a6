import type { Run, RuntimeProvider } from "@hudkit/core";
import { afterEach, describe, expect, it, vi } from "vitest";
import { EvalProgress, formatDuration } from "./eval-progress.js";

/** The fields of a finished run that progress reads. */
function finishedRun(slug: string, groupIndex: number, outcome: { reward?: number; error?: string }): Run {
  const graded = outcome.error === undefined;
  return {
    slug,
    groupIndex,
    reward: outcome.reward ?? 0,
    error: outcome.error ?? null,
    durationMs: 1234.4,
    grade: { isError: false, raw: graded ? { score: outcome.reward } : {} },
  } as unknown as Run;
}

function stream(isTTY: boolean) {
  const chunks: string[] = [];
  return { chunks, isTTY, columns: 200, write: (text: string) => chunks.push(text) };
}

afterEach(() => {
  vi.useRealTimers();
});

describe("EvalProgress", () => {
  it("without a TTY writes one line per finished rollout", () => {
    const out = stream(false);
    const progress = new EvalProgress({ stream: out, total: 4, recorded: 1 });
    progress.finished(finishedRun("count_letter", 2, { reward: 1 }));
    progress.finished(finishedRun("count_letter-2dc7d4b0", 0, { error: "[agent loop] boom\n  at agent.ts" }));
    progress.stop();
    expect(out.chunks).toEqual([
      "[2/4] count_letter #2 reward 1 (1234 ms)\n",
      "[3/4] count_letter-2dc7d4b0 #0 error [agent loop] boom at agent.ts (1234 ms)\n",
    ]);
  });

  it("on a TTY keeps one refreshing line: done/total, running, mean reward, errors, elapsed, ETA", () => {
    vi.useFakeTimers();
    const out = stream(true);
    const progress = new EvalProgress({ stream: out, total: 4, recorded: 0 });
    expect(progress.line()).toMatch(
      /^0\/4 done {2}0 running {2}mean reward - {2}0 errors {2}0s elapsed {2}ETA \?$/,
    );
    const provider: RuntimeProvider = {
      specificationVersion: "runtime-v1",
      name: "fake",
      acquire: () => new Promise(() => {}),
    };
    const counting = progress.counting(provider);
    expect(counting.name).toBe("fake");
    const ctx = { signal: new AbortController().signal, log: () => {}, jobId: "j", runId: "r" };
    void counting.acquire({} as never, ctx);
    void counting.acquire({} as never, ctx);
    void counting.acquire({} as never, ctx);
    progress.finished(finishedRun("a", 0, { reward: 1 }));
    progress.finished(finishedRun("b", 0, { reward: 0 }));
    progress.finished(finishedRun("c", 0, { error: "[provisioning] no docker" }));
    expect(progress.line()).toMatch(
      /^3\/4 done {2}0 running {2}mean reward 0\.50 {2}1 error {2}\d+s elapsed {2}ETA \d+s$/,
    );
    const drawn = out.chunks.length;
    vi.advanceTimersByTime(2_500);
    expect(out.chunks.length).toBeGreaterThan(drawn); // redrawn as time passes
    for (const chunk of out.chunks) {
      expect(chunk.startsWith("\r\x1b[2K")).toBe(true);
      expect(chunk).not.toContain("\n");
    }
    progress.note("interrupting");
    expect(out.chunks.slice(-3)).toEqual([
      "\r\x1b[2K",
      "interrupting\n",
      expect.stringMatching(/^\r\x1b\[2K3\/4 done/),
    ]);
    progress.stop();
    expect(out.chunks.at(-1)).toBe("\r\x1b[2K");
    const count = out.chunks.length;
    vi.advanceTimersByTime(5_000);
    expect(out.chunks.length).toBe(count);
  });

  it("formats durations", () => {
    expect(formatDuration(41_600)).toBe("42s");
    expect(formatDuration(185_000)).toBe("3m05s");
    expect(formatDuration(3_720_000)).toBe("1h02m");
  });
});
