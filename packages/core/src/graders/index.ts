export type { EvaluationResultInit, SubScoreInit } from "./evaluation-result.js";
export { EvaluationResult, isEvaluationResult, SubScore } from "./evaluation-result.js";
