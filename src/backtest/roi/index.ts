/**
 * The cost–benefit table of the order-flow parts, from a backtest's ablations. It reads a parsed
 * `result.json` only: importing it loads `core` and the backtest's metrics, nothing else of the engine.
 */
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
} from './roi.js';
