import type { Run, RuntimeProvider } from "@hudkit/core";
import { plural } from "./job-report.js";
import { oneLine } from "./one-line.js";

/** How often the live line is redrawn between finished runs, so elapsed time keeps moving. */
const REDRAW_INTERVAL_MS = 1_000;
const CLEAR_LINE = "\r\x1b[2K";

/** A stream progress is written to: a TTY gets one live line, anything else a line per run. */
export interface ProgressStream {
  write(text: string): unknown;
  isTTY?: boolean;
  columns?: number;
}

/** Options of {@link EvalProgress}. */
export interface EvalProgressOptions {
  stream: ProgressStream;
  /** Rollouts the job holds in the end: tasks × group. */
  total: number;
  /** Rollouts already recorded before this run (a resumed job). */
  recorded: number;
}

/**
 * Reports an eval as it runs. On a TTY: one refreshing line (done/total, running, mean reward so
 * far, errors, elapsed, ETA). Otherwise: one line per finished rollout (slug, group index,
 * reward or error), which suits logs and pipes.
 *
 * @example
 * ```ts
 * const progress = new EvalProgress({ stream: process.stdout, total: 12, recorded: 0 });
 * await runTasks(tasks, agent, { provider: progress.counting(provider), onRun: (run) => progress.finished(run) });
 * progress.stop();
 * ```
 */
export class EvalProgress {
  readonly #stream: ProgressStream;
  readonly #live: boolean;
  readonly #total: number;
  readonly #recorded: number;
  readonly #startedAt = performance.now();
  #started = 0;
  #finished = 0;
  #errors = 0;
  #rewardSum = 0;
  #rewarded = 0;
  #timer: NodeJS.Timeout | undefined;

  constructor(options: EvalProgressOptions) {
    this.#stream = options.stream;
    this.#live = options.stream.isTTY === true;
    this.#total = options.total;
    this.#recorded = options.recorded;
    if (this.#live) {
      this.#timer = setInterval(() => this.#draw(), REDRAW_INTERVAL_MS);
      this.#timer.unref();
      this.#draw();
    }
  }

  /** A rollout asked for its substrate: it counts as running until it finishes. */
  started(): void {
    this.#started++;
    if (this.#live) this.#draw();
  }

  /** A rollout finished and was recorded. */
  finished(run: Run): void {
    this.#finished++;
    if (hasVerdict(run)) {
      this.#rewardSum += run.reward;
      this.#rewarded++;
    } else {
      this.#errors++;
    }
    if (this.#live) {
      this.#draw();
      return;
    }
    const outcome = run.error === null ? `reward ${formatReward(run.reward)}` : `error ${oneLine(run.error)}`;
    const duration = run.durationMs === null ? "" : ` (${Math.round(run.durationMs)} ms)`;
    this.#stream.write(
      `[${this.#recorded + this.#finished}/${this.#total}] ${run.slug} #${run.groupIndex} ${outcome}${duration}\n`,
    );
  }

  /** The provider, counting each substrate it is asked for as a rollout started. */
  counting(provider: RuntimeProvider): RuntimeProvider {
    return {
      specificationVersion: provider.specificationVersion,
      name: provider.name,
      acquire: (task, ctx) => {
        this.started();
        return provider.acquire(task, ctx);
      },
    };
  }

  /** Writes a line of its own, above the live line. */
  note(line: string): void {
    if (this.#live) this.#stream.write(CLEAR_LINE);
    this.#stream.write(`${line}\n`);
    if (this.#live) this.#draw();
  }

  /** Stops redrawing and clears the live line. */
  stop(): void {
    if (this.#timer !== undefined) clearInterval(this.#timer);
    this.#timer = undefined;
    if (this.#live) this.#stream.write(CLEAR_LINE);
  }

  /** The live line's text. */
  line(): string {
    const elapsedMs = performance.now() - this.#startedAt;
    const done = this.#recorded + this.#finished;
    const running = Math.max(0, this.#started - this.#finished);
    const mean = this.#rewarded === 0 ? "-" : (this.#rewardSum / this.#rewarded).toFixed(2);
    const remaining = this.#total - done;
    const eta =
      this.#finished === 0 ? "?" : formatDuration((elapsedMs / this.#finished) * Math.max(0, remaining));
    return `${done}/${this.#total} done  ${running} running  mean reward ${mean}  ${this.#errors} ${plural(this.#errors, "error")}  ${formatDuration(elapsedMs)} elapsed  ETA ${eta}`;
  }

  #draw(): void {
    // A pty may report 0 columns: then assume a common width.
    const width = this.#stream.columns || 120;
    this.#stream.write(`${CLEAR_LINE}${this.line().slice(0, Math.max(20, width - 1))}`);
  }
}

/**
 * Whether a run counts towards the reward, as the job counts it (spec §3.6): not graded as an
 * error, and graded or not failed.
 */
function hasVerdict(run: Run): boolean {
  return !run.grade.isError && (Object.keys(run.grade.raw).length > 0 || run.error === null);
}

function formatReward(reward: number): string {
  return Number.isInteger(reward) ? String(reward) : reward.toFixed(3);
}

/** `42s`, `3m05s`, `1h02m`. */
export function formatDuration(ms: number): string {
  const seconds = Math.round(ms / 1_000);
  if (seconds < 60) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes}m${String(seconds % 60).padStart(2, "0")}s`;
  return `${Math.floor(minutes / 60)}h${String(minutes % 60).padStart(2, "0")}m`;
}
