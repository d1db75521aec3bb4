export {
  DEFAULT_PIPELINE_CONFIG,
  PIPELINE_CONFIG,
  type PipelineConfig,
  type PipelineConfigInput,
  PipelineConfigSchema,
  parsePipelineConfig,
  pipelineConfig,
} from './config.js';
export type { Consensus, Vote } from './consensus.js';
export type { DebateEnd, DebateResult, DebateTurn, JudgeCheck } from './debate.js';
export { type Fallback, type FallbackKind, isModelFallback } from './fallback.js';
export {
  actOnDecision,
  DecisionLoop,
  type DecisionLoopOptions,
  type PendingDecision,
  type SpotLegOf,
  tradeTerms,
} from './loop.js';
export {
  type Approval,
  analystsTier,
  BudgetExceededError,
  type Decision,
  DecisionPipeline,
  type PipelineOptions,
  type Route,
  type Tier1,
  type Tier1Result,
  type TierTimes,
  type Trigger,
  type TriggerKind,
} from './pipeline.js';
export { FLAT_PORTFOLIO, type PortfolioView } from './portfolio.js';
export {
  type DecisionSummary,
  decisionJson,
  type Percentiles,
  percentiles,
  summarizeDecisions,
} from './report.js';
export {
  decisionPortfolio,
  SPOT_LOT,
  type SpotLeg,
  SpotPortfolio,
  spotLevel,
  spotLots,
  spotTerms,
  type TradeTerms,
} from './spot-route.js';
export {
  type Intent,
  VALIDATOR_NAMES,
  type ValidationContext,
  type ValidatorName,
  type Verdict,
} from './validators.js';
export type { WarmUpReport } from './warmup.js';
