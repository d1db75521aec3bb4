/** Orders, risk, portfolio and brokers: what turns approved decisions into positions. */

export { type BracketExits, type BracketPlan, planBracket, type TradeIntent } from './bracket.js';
export {
  acceptReport,
  adoptedId,
  adoptedOrder,
  applyReport,
  type Broker,
  BrokerRequestError,
  type ExecutionReport,
  isReplaying,
  type ReplaceChange,
  type ReplayingBroker,
  type ReportKind,
  type ReportListener,
  type VenueBroker,
  type VenueEvent,
  type VenueListener,
  type VenueOrder,
  type VenueOrderStatus,
  type VenuePosition,
  type VenueState,
} from './broker.js';
export { decodeFill, decodeOrder, encodeFill, encodeOrder } from './codec.js';
export {
  DEFAULT_EXECUTION_CONFIG,
  EXECUTION_CONFIG,
  type ExecutionConfig,
  type ExecutionConfigInput,
  ExecutionConfigSchema,
  executionConfig,
  type FixSection,
} from './config.js';
export {
  CME_FX_FEES,
  type ContractFees,
  type FeeModel,
  type Liquidity,
  NoFees,
  PerContractFees,
  type SpotFeeOptions,
  SpotFees,
} from './fees.js';
export {
  type FixBackoff,
  FixBroker,
  type FixBrokerOptions,
  type FixInstrument,
  FixSessionError,
  FixStoreError,
  type FixSymbology,
  fixBrokerOptions,
  type SecurityIdSymbology,
  type SymbolMonthExchange,
} from './fix/index.js';
export { ConstantLatency, FeedLatency, type LatencyModel, type OrderAction } from './latency.js';
export {
  ClientOrderIds,
  isTerminal,
  Order,
  type OrderEvent,
  type OrderProblem,
  type OrderSide,
  type OrderSpec,
  OrderStateError,
  type OrderStatus,
  type OrderTransition,
  type OrderType,
  orderProblem,
  type TimeInForce,
} from './order.js';
export { PaperBroker, type PaperBrokerOptions, type PaperInstrument, type PaperWarnings } from './paper.js';
export { type EquityPoint, type Fill, FillPortfolio, type InstrumentTerms } from './portfolio.js';
export {
  type CancelBehindProbability,
  logProbability,
  MboQueue,
  ProbabilisticQueue,
  powerProbability,
  type QueueModel,
  type QueuePosition,
  queueFill,
  RiskAverseQueue,
} from './queue.js';
export {
  carryOut,
  describeMismatches,
  type Mismatch,
  type OrderTerms,
  type OurState,
  type ReconcileAction,
  type ReconcileOutcome,
  type ReconcilePolicy,
  type Reconciliation,
  reconcile,
  reconciliationPlan,
} from './reconcile.js';
export {
  inWindow,
  type RiskContext,
  RiskEngine,
  type RiskLimits,
  type RiskReason,
  RiskRejection,
  type TradeWindow,
} from './risk.js';
export { type Take, takeLiquidity } from './take.js';
export {
  type DecisionFate,
  type ExitReason,
  feedHealthOptions,
  isTradable,
  type OrderRole,
  paperBroker,
  paperInstrument,
  paperTrader,
  type ResumedBracket,
  riskLimits,
  type TradedInstrument,
  Trader,
  type TraderEvent,
  type TraderFill,
  type TraderOptions,
  type TraderResume,
  venueTrader,
} from './trader.js';
