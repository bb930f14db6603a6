/** One named, weighted part of a grade. `value` is in [0, 1]; a negative weight is a penalty. */
export interface SubScoreInit {
  name: string;
  value: number;
  weight?: number;
  children?: SubScoreInit[] | null;
  info?: Record<string, unknown> | null;
}

/**
 * A named, weighted part of a grade, as the reference's `SubScore`.
 *
 * @example
 * ```ts
 * new SubScore({ name: "tests", value: 0.5, weight: 1 });
 * ```
 */
export class SubScore {
  readonly name: string;
  readonly value: number;
  readonly weight: number;
  readonly children: SubScore[] | null;
  readonly info: Record<string, unknown> | null;

  constructor(init: SubScoreInit) {
    if (!(init.value >= 0 && init.value <= 1)) {
      throw new RangeError(`subscore '${init.name}': value must be between 0 and 1, got ${init.value}`);
    }
    this.name = init.name;
    this.value = init.value;
    this.weight = init.weight ?? 1;
    this.children = init.children
      ? init.children.map((c) => (c instanceof SubScore ? c : new SubScore(c)))
      : null;
    this.info = init.info ?? null;
  }

  /** Wire shape, keys in the reference's order: name, weight, value, children, info. */
  toJSON(): Record<string, unknown> {
    return {
      name: this.name,
      weight: this.weight,
      value: this.value,
      children: this.children ? this.children.map((c) => c.toJSON()) : null,
      info: this.info,
    };
  }
}

/** Marks results so grading recognises them across duplicate copies of this package. */
const EVALUATION_RESULT_MARKER = Symbol.for("hudkit.evaluation-result");

/** True for an {@link EvaluationResult} from any copy of `@hudkit/core`. */
export function isEvaluationResult(value: unknown): value is EvaluationResult {
  return (
    typeof value === "object" &&
    value !== null &&
    (value as Record<symbol, unknown>)[EVALUATION_RESULT_MARKER] === true
  );
}

export interface EvaluationResultInit {
  reward?: number;
  done?: boolean;
  content?: string | null;
  info?: Record<string, unknown>;
  isError?: boolean;
  subscores?: Array<SubScore | SubScoreInit> | null;
  /** Extra fields are kept and sent, as the reference's model allows. */
  [extra: string]: unknown;
}

/**
 * A rich grade: a reward plus content, info and subscores. Yielded as a template's second
 * value, it is sent as its fields with `reward` renamed to `score` (moved last).
 *
 * @example
 * ```ts
 * yield new EvaluationResult({ reward: 0.5, content: "half right", subscores: [new SubScore({ name: "a", value: 0.5 })] });
 * ```
 */
export class EvaluationResult {
  readonly [EVALUATION_RESULT_MARKER] = true;
  readonly reward: number;
  readonly done: boolean;
  readonly content: string | null;
  readonly info: Record<string, unknown>;
  readonly isError: boolean;
  readonly subscores: SubScore[] | null;
  readonly extra: Record<string, unknown>;

  constructor(init: EvaluationResultInit = {}) {
    const { reward, done, content, info, isError, subscores, ...extra } = init;
    this.reward = reward ?? 0;
    this.done = done ?? true;
    this.content = content ?? null;
    this.info = info ?? {};
    this.isError = isError ?? false;
    this.subscores = subscores ? subscores.map((s) => (s instanceof SubScore ? s : new SubScore(s))) : null;
    this.extra = extra;
  }

  /** A plain reward, done. */
  static fromFloat(reward: number): EvaluationResult {
    return new EvaluationResult({ reward });
  }

  /** The grade frame: fields in the reference's order, `score` last. */
  toGradeFrame(): Record<string, unknown> {
    return {
      done: this.done,
      content: this.content,
      info: this.info,
      isError: this.isError,
      subscores: this.subscores ? this.subscores.map((s) => s.toJSON()) : null,
      ...this.extra,
      score: this.reward,
    };
  }
}
