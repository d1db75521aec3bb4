/**
 * Parameter sweeps and walk-forward, the parts that need no data: the points of a grid, the
 * objective a sweep ranks them by, and the folds of a walk-forward (train on earlier trading days,
 * test on the next ones, roll forward by the test span). Nothing is chosen on the days it is
 * scored on: a fold's test days never appear among its training days.
 */
import { InvalidOptionError } from '../core/index.js';
import type { Interval } from './metrics.js';
import { bootstrap } from './metrics.js';
import type { BacktestMetrics } from './results.js';

/** A value a configuration path takes in a sweep. */
export type GridValue = number | string | boolean;

/** One axis of a grid: a configuration path and the values it takes, in order. */
export interface GridAxis {
  readonly path: string;
  readonly values: readonly GridValue[];
}

/** A point of a grid: a value for each axis's path. */
export type GridPoint = Readonly<Record<string, GridValue>>;

/**
 * Every combination of the axes' values, the first axis varying slowest (so the grid's order is
 * the order of its axes and values as written). One point, `{}`, without axes.
 */
export function gridPoints(axes: readonly GridAxis[]): GridPoint[] {
  const seen = new Set<string>();
  for (const a of axes) {
    if (seen.has(a.path)) throw new InvalidOptionError('grid', a.path, 'each configuration path once');
    seen.add(a.path);
    if (a.values.length === 0) throw new InvalidOptionError(`grid ${a.path}`, a.values, 'at least one value');
  }
  let points: GridPoint[] = [{}];
  for (const a of axes) points = points.flatMap((p) => a.values.map((v) => ({ ...p, [a.path]: v })));
  return points;
}

/**
 * `PATH=V1,V2,…` (a command-line `--param`) as an axis: numbers, `true`/`false` and other words as
 * they read.
 */
export function parseAxis(text: string): GridAxis {
  const eq = text.indexOf('=');
  const path = text.slice(0, eq).trim();
  if (eq <= 0 || !/^[A-Za-z][\w]*(\.[A-Za-z][\w]*)*$/.test(path))
    throw new InvalidOptionError(
      '--param',
      text,
      'PATH=V1,V2,… with a configuration path such as decide.vpinThreshold',
    );
  const values = text
    .slice(eq + 1)
    .split(',')
    .map((s) => s.trim());
  if (values.some((v) => v === ''))
    throw new InvalidOptionError(`--param ${path}`, text.slice(eq + 1), 'a comma-separated list of values');
  return { path, values: values.map(gridValue) };
}

function gridValue(s: string): GridValue {
  if (s === 'true') return true;
  if (s === 'false') return false;
  const x = Number(s);
  return Number.isFinite(x) ? x : s;
}

/** What a sweep maximises on its training days. */
export const OBJECTIVES = ['pnl', 'sharpe', 'expectancy', 'profit-factor'] as const;
export type Objective = (typeof OBJECTIVES)[number];

/**
 * The score of a run under `objective`: P&L after costs, daily Sharpe, mean round-trip P&L, or
 * profit factor. A run without trades scores 0 on P&L and −∞ on the ratios (they are undefined: a
 * grid point that never traded is not chosen for a ratio it does not have).
 */
export function score(m: BacktestMetrics, objective: Objective): number {
  const v =
    objective === 'pnl'
      ? m.pnl
      : objective === 'sharpe'
        ? m.sharpeDaily
        : objective === 'expectancy'
          ? m.expectancy
          : m.profitFactor;
  return Number.isNaN(v) ? Number.NEGATIVE_INFINITY : v;
}

/** The index of the best score; ties go to the earlier point (the grid's order). −1 when empty. */
export function bestIndex(scores: readonly number[]): number {
  let best = -1;
  for (let i = 0; i < scores.length; i++) if (best < 0 || scores[i] > scores[best]) best = i;
  return best;
}

/** One fold of a walk-forward: the trading days it trains on and those it is tested on. */
export interface Fold {
  readonly index: number;
  readonly train: readonly string[];
  readonly test: readonly string[];
}

/**
 * The folds over `days` (trading dates, in order): train on `train` days, test on the `test` days
 * after them, then move on by `test` days, while a whole test span remains. With `anchored`, every
 * fold trains from the first day (an expanding window) instead of the last `train` days.
 */
export function walkForwardFolds(
  days: readonly string[],
  train: number,
  test: number,
  anchored = false,
): Fold[] {
  if (!Number.isInteger(train) || train < 1)
    throw new InvalidOptionError('--train', train, 'a positive integer');
  if (!Number.isInteger(test) || test < 1) throw new InvalidOptionError('--test', test, 'a positive integer');
  for (let i = 1; i < days.length; i++)
    if (!(days[i] > days[i - 1]))
      throw new InvalidOptionError('days', days, 'distinct trading dates in increasing order');
  const folds: Fold[] = [];
  for (let k = train; k + test <= days.length; k += test) {
    folds.push({
      index: folds.length,
      train: days.slice(anchored ? 0 : k - train, k),
      test: days.slice(k, k + test),
    });
  }
  return folds;
}

/**
 * The out-of-sample record of a walk-forward: each test day's P&L, once, from the fold that tested
 * it; their total with a bootstrap interval over days.
 */
export function outOfSample(
  folds: readonly { readonly metrics: BacktestMetrics }[],
  seed = 1,
): {
  readonly days: readonly { date: string; pnl: number }[];
  readonly total: Interval;
  readonly trades: number;
  readonly wins: number;
} {
  const days = folds.flatMap((f) => f.metrics.days);
  const trades = folds.reduce((s, f) => s + f.metrics.trades, 0);
  const wins = folds.reduce(
    (s, f) => s + (f.metrics.trades > 0 ? Math.round(f.metrics.winRate * f.metrics.trades) : 0),
    0,
  );
  const sum = (xs: readonly { pnl: number }[]) => xs.reduce((s, d) => s + d.pnl, 0);
  return { days, total: bootstrap(days, sum, { seed }), trades, wins };
}
