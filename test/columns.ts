/**
 * The feature columns CONVENTIONS.md ("Command-line output") names for `scalper features`, in its
 * order, with `sweep_alerts` before `basis`: written out here, apart from the engine's own list,
 * so that tests check the engine against the convention rather than against itself.
 */
export const CONVENTION_COLUMNS = [
  'spread_ticks',
  'spread_bps',
  'mid',
  'microprice',
  'microprice_stoikov',
  'qi_l1',
  'qi_l5',
  'qi_l10',
  'ofi_1s',
  'ofi_10s',
  'ofi_60s',
  'mlofi_10s',
  'vpin',
  'vpin_cdf',
  'kyle_lambda',
  'rv_1m',
  'rv_5m',
  'volume_delta',
  'cvd',
  'trade_rate',
  'cancel_add_ratio',
  'sweep_alerts',
  'basis',
] as const;
