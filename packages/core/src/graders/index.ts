export type { BashGraderInfo, BashGraderOptions } from "./bash-grader.js";
export {
  BASH_KILL_GRACE_MS,
  BASH_OUTPUT_CAP_BYTES,
  bashGrader,
  DEFAULT_BASH_TIMEOUT_MS,
} from "./bash-grader.js";
export type { CombineItem, CombineOptions } from "./combine.js";
export { combine, combineAll, combineAny } from "./combine.js";
export type { EvaluationResultInit, SubScoreInit } from "./evaluation-result.js";
export { EvaluationResult, isEvaluationResult, SubScore } from "./evaluation-result.js";
export type { GraderOptions } from "./grader-options.js";
export { normalizeText } from "./normalize-text.js";
export type {
  ContainsOptions,
  ExactMatchOptions,
  NumericMatchOptions,
  RegexMatchOptions,
} from "./text-graders.js";
export {
  contains,
  containsAll,
  containsAny,
  exactMatch,
  f1Score,
  numericMatch,
  regexMatch,
} from "./text-graders.js";
