export { resolveEnvTemplates } from "./env-templates.js";
export {
  type HarborGradeFrame,
  type HarborVerifierOptions,
  runHarborVerifier,
  TEST_STDOUT_PATH,
  type VerifierErrorCode,
  type VerifierOutcome,
  verifierGradeFrame,
} from "./harbor-verifier.js";
export {
  REWARD_JSON_PATH,
  REWARD_TXT_PATH,
  type RewardErrorCode,
  type RewardReading,
  readRewards,
} from "./reward-file.js";
export { aggregateStepRewards, passesMinReward, type StepRewardStrategy } from "./step-rewards.js";
