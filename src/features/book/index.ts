/**
 * Order-book microstructure features (issue 5; definitions in MICROSTRUCTURE.md §1–9): small
 * calculators that read a `BookView` after each book update, with the event's time in ms (e.g.
 * `book.tsRecvMs`): construct with parameters, `update(...)`, read getters (NaN until defined).
 * No I/O, no clock reads, nothing allocated per event.
 *
 * Columns of `scalper features` (CONVENTIONS.md): `spread_ticks`/`spread_bps`/`mid` from
 * `QuotedSpread`; `microprice` from `WeightedMid`; `qi_l1`/`qi_l5`/`qi_l10` from `QueueImbalance`;
 * `ofi_1s`/`ofi_10s`/`ofi_60s` the values of `BestLevelOfi.normalized(0..2)`, which the engine takes
 * from `MultiLevelOfi.bestNormalized` (one pass over the book for both); `mlofi_10s` from
 * `MultiLevelOfi.score`; `cancel_add_ratio` from `MboCancelAddRatio` or `MbpCancelAddRatio`.
 */
export { type CancelAddOptions, MboCancelAddRatio, MbpCancelAddRatio } from './cancel-add.js';
export { QueueImbalance, type QueueImbalanceOptions, WeightedMid } from './imbalance.js';
export {
  BestLevelOfi,
  type BestLevelOfiOptions,
  isTwoSided,
  MultiLevelOfi,
  type MultiLevelOfiOptions,
} from './ofi.js';
export { RollingSums } from './rolling.js';
export { DepthProfile, type DepthProfileOptions, GapKind, QuotedSpread } from './spread-depth.js';
export { SweepDetector, type SweepDetectorOptions, SweepInfo } from './sweep.js';
