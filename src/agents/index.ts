export { type Analyst, type AnalystSpec, defineAnalyst, type SnapshotField } from './analyst.js';
export { ANALYSTS, type CreateAnalystsOptions, createAnalysts } from './analysts.js';
export type { Evidence } from './common.js';
export {
  AGENTS_CONFIG,
  type AgentsConfig,
  type AgentsConfigInput,
  AgentsConfigSchema,
  agentsConfig,
  DEFAULT_AGENTS_CONFIG,
  type MarketMakingParams,
  type MicrostructureParams,
  type MomentumParams,
  parseAgentsConfig,
  type RegimeParams,
  type SessionParams,
  type TechnicalParams,
  type ToxicityParams,
} from './config.js';
export {
  type AgentOutcome,
  type AgentStatus,
  AgentsAbortedError,
  type AgentsRun,
  AgentTimeoutError,
  NEVER_ABORTED,
  type RunAgentsOptions,
  realTimer,
  runAgents,
  type Timer,
} from './runner.js';
export {
  AGENT_NAMES,
  type Agent,
  type AgentInput,
  type AgentName,
  type AgentSignal,
  AgentSignalSchema,
  DIRECTIONS,
  type Direction,
  type RegimeState,
  RISK_FLAGS,
  type RiskFlag,
} from './types.js';
export {
  WorkerAnalyst,
  type WorkerAnalystOptions,
  WorkerPool,
  WorkerPoolClosedError,
  type WorkerPoolOptions,
  WorkerTaskError,
} from './worker.js';
