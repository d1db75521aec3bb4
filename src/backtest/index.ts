/** Backtests: metrics, round trips, ablations and reports over the execution layer's fills. */
export {
  type AblationBase,
  type AblationRow,
  ablationTable,
  runAblations,
  runVariant,
  type ToxicityClaim,
  toxicityClaim,
  toxicityLine,
  VARIANTS,
  type Variant,
  type VariantRun,
} from './ablations.js';
export {
  CompareInputError,
  type Comparison,
  compareRuns,
  comparisonJson,
  comparisonTable,
  type DecisionComparison,
  type DecisionSide,
  GAP_CAUSES,
  type GapCause,
  pairDecisions,
  type RunFolder,
  readRunFolder,
  tickOf,
} from './compare.js';
export { combineDays, type DayParts, dayParts } from './days.js';
export {
  bootstrap,
  bootstrapDifference,
  type Drawdown,
  type Interval,
  maxDrawdown,
  mean,
  meanStd,
  sharpe,
  sortino,
  type TradeStats,
  tradeStats,
} from './metrics.js';
export { decimal, equityCsv, fillsCsv, ordersCsv, tradesCsv, writeRunFiles } from './outputs.js';
export {
  type ChartLibrary,
  chartLibrary,
  chartLibraryFiles,
  escapeHtml,
  REPORT_FILE,
  ReportInputError,
  type ReportWritten,
  type TrainingJson,
  writeReport,
} from './report/index.js';
export { type BacktestMetrics, backtestMetrics, dailyPnl, sweepTrades, tradesOf } from './results.js';
export {
  BASELINE,
  type DayPnl,
  ORDER_FLOW_VARIANTS,
  orderFlowRoi,
  pairByDay,
  type Roi,
  RoiInputError,
  type RoiInputs,
  type RoiOptions,
  type RoiPart,
  roiInputs,
  roiTable,
  roiVerdict,
} from './roi/index.js';
export {
  type BacktestParts,
  type BacktestRun,
  type BacktestSetup,
  backtestParts,
  runBacktest,
} from './runner.js';
export { type RoundTrip, roundTrips } from './trades.js';
export {
  isToxic,
  readToxicEpisodes,
  readTruth,
  type ToxicEpisode,
  toxicLossesByDay,
  toxicTrades,
} from './truth.js';
export {
  bestIndex,
  type Fold,
  type GridAxis,
  type GridPoint,
  type GridValue,
  gridPoints,
  OBJECTIVES,
  type Objective,
  outOfSample,
  parseAxis,
  score,
  walkForwardFolds,
} from './walkforward.js';
