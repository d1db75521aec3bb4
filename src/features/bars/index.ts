export { Adx } from './adx.js';
export { Atr } from './atr.js';
export { Ema } from './ema.js';
export { type Ohlc, OhlcPrices } from './ohlc.js';
export * from './opening-range.js';
export {
  GarmanKlassVolatility,
  garmanKlassVariance,
  ParkinsonVolatility,
  parkinsonVariance,
} from './range-volatility.js';
export {
  type ContractDay,
  ContractDays,
  ContractDayTally,
  type ContractHistory,
  frontAverageDailyVolume,
  frontPriorDay,
} from './roll-days.js';
export { Rsi } from './rsi.js';
export { Bar, BarPeriod, TimeBarBuilder, type TimeBarBuilderOptions } from './time-bars.js';
export {
  SessionVwap,
  type SessionVwapOptions,
  type VwapAnchor,
} from './vwap.js';
export { TrueRange, trueRange, WilderAverage, WilderSum } from './wilder.js';
