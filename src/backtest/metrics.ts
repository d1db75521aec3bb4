/**
 * Performance metrics of a backtest, each a plain function of its inputs with the definition
 * spelled out, so that a reader can check a figure by hand:
 *
 * - Sharpe: mean / sample standard deviation (n − 1) of per-period returns, times √(periods a year)
 *   (252 for daily P&L); per trade, the same without annualising. 0 when the deviation is 0, NaN
 *   below two periods (one day says nothing of its variance); Sortino likewise.
 * - Sortino: mean / downside deviation, where the downside deviation is √(mean of min(r, 0)²)
 *   over all periods (Sortino and Price's target of 0), annualised the same way.
 * - Win rate: winners / trades (a trade at exactly 0 is not a winner); profit factor: gross wins
 *   / gross losses (∞ without losses); expectancy: mean P&L per trade.
 * - Maximum drawdown: the largest fall of the equity curve from a running peak, and how long the
 *   curve stayed below that peak (to the new high, or to the end if it never came back).
 * - Bootstrap confidence intervals: percentile intervals of a statistic over resamples drawn with
 *   replacement by a seeded generator, so a report gives the same interval every run; an interval
 *   that holds zero, or comes from a single value, is marked noise.
 */
import { Random } from '../core/index.js';

/** Population-free moments: mean and sample standard deviation (n − 1); NaN below two values. */
export function meanStd(xs: readonly number[]): { mean: number; std: number } {
  const n = xs.length;
  if (n === 0) return { mean: Number.NaN, std: Number.NaN };
  let s = 0;
  for (const x of xs) s += x;
  const mean = s / n;
  if (n < 2) return { mean, std: Number.NaN };
  let q = 0;
  for (const x of xs) q += (x - mean) ** 2;
  return { mean, std: Math.sqrt(q / (n - 1)) };
}

/** Sharpe ratio of per-period returns, annualised by √`periodsPerYear` (1: not annualised). */
export function sharpe(returns: readonly number[], periodsPerYear = 1): number {
  const { mean, std } = meanStd(returns);
  if (returns.length < 2) return Number.NaN;
  if (!(std > 0)) return 0;
  return (mean / std) * Math.sqrt(periodsPerYear);
}

/** Sortino ratio: mean over the downside deviation (target 0), annualised by √`periodsPerYear`. */
export function sortino(returns: readonly number[], periodsPerYear = 1): number {
  const n = returns.length;
  if (n < 2) return Number.NaN;
  let s = 0;
  let d = 0;
  for (const r of returns) {
    s += r;
    if (r < 0) d += r * r;
  }
  const mean = s / n;
  const down = Math.sqrt(d / n);
  if (down === 0) return mean > 0 ? Number.POSITIVE_INFINITY : 0;
  return (mean / down) * Math.sqrt(periodsPerYear);
}

/** What a list of round-trip P&Ls says. */
export interface TradeStats {
  readonly trades: number;
  readonly winRate: number;
  readonly profitFactor: number;
  readonly expectancy: number;
  readonly grossWin: number;
  readonly grossLoss: number;
}

export function tradeStats(pnls: readonly number[]): TradeStats {
  let wins = 0;
  let gw = 0;
  let gl = 0;
  for (const p of pnls) {
    if (p > 0) {
      wins++;
      gw += p;
    } else gl -= p;
  }
  const n = pnls.length;
  return {
    trades: n,
    winRate: n === 0 ? Number.NaN : wins / n,
    profitFactor: gl === 0 ? (gw > 0 ? Number.POSITIVE_INFINITY : Number.NaN) : gw / gl,
    expectancy: n === 0 ? Number.NaN : (gw - gl) / n,
    grossWin: gw,
    grossLoss: gl,
  };
}

/**
 * Wilson's score interval of a proportion, `wins` of `n` at 95 % (z = 1.96) unless `z` says
 * otherwise (Wilson 1927; better than the normal interval for small n and rates near 0 or 1).
 * [NaN, NaN] when n is 0.
 */
export function wilsonInterval(wins: number, n: number, z = 1.959964): { low: number; high: number } {
  if (n <= 0) return { low: Number.NaN, high: Number.NaN };
  const p = wins / n;
  const z2 = z * z;
  const centre = (p + z2 / (2 * n)) / (1 + z2 / n);
  const half = (z * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n))) / (1 + z2 / n);
  return { low: Math.max(0, centre - half), high: Math.min(1, centre + half) };
}

/**
 * A win rate beside its break-even: the rate at which these round trips' average win and average
 * loss (after costs) would make nothing, `avg loss / (avg win + avg loss)`. A technique has an
 * edge only when its win rate's interval lies above its break-even (`edge: 'above'`); 'below' is a
 * measured loser; 'none' is indistinguishable from break-even.
 */
export interface WinRateVsBreakEven {
  readonly trades: number;
  readonly wins: number;
  readonly winRate: number;
  /** Wilson 95 % interval of the win rate. */
  readonly low: number;
  readonly high: number;
  /** NaN without both a win and a loss. */
  readonly breakEven: number;
  readonly expectancy: number;
  readonly pnl: number;
  readonly edge: 'above' | 'below' | 'none';
}

/** `WinRateVsBreakEven` of round trips' P&L after costs. */
export function winRateVsBreakEven(pnls: readonly number[]): WinRateVsBreakEven {
  const s = tradeStats(pnls);
  const wins = pnls.filter((p) => p > 0).length;
  const losses = s.trades - wins;
  const avgWin = wins > 0 ? s.grossWin / wins : Number.NaN;
  const avgLoss = losses > 0 ? s.grossLoss / losses : Number.NaN;
  const breakEven = avgWin + avgLoss > 0 ? avgLoss / (avgWin + avgLoss) : Number.NaN;
  const { low, high } = wilsonInterval(wins, s.trades);
  return {
    trades: s.trades,
    wins,
    winRate: s.winRate,
    low,
    high,
    breakEven,
    expectancy: s.expectancy,
    pnl: s.grossWin - s.grossLoss,
    edge: low > breakEven ? 'above' : high < breakEven ? 'below' : 'none',
  };
}

/** The deepest fall from a running peak of an equity curve, and how long it lasted. */
export interface Drawdown {
  /** Peak minus trough (>= 0), in the curve's units. */
  readonly depth: number;
  /** Time of the peak, of the trough, and of the recovery (the first new high; null if none). */
  readonly peakNs: bigint;
  readonly troughNs: bigint;
  readonly recoveredNs: bigint | null;
  /** Recovery (or the curve's end) minus the peak, ns. */
  readonly durationNs: bigint;
}

export function maxDrawdown(curve: readonly { readonly tsNs: bigint; readonly equity: number }[]): Drawdown {
  if (curve.length === 0) return { depth: 0, peakNs: 0n, troughNs: 0n, recoveredNs: null, durationNs: 0n };
  let peak = curve[0].equity;
  let peakNs = curve[0].tsNs;
  let best: Drawdown = { depth: 0, peakNs, troughNs: peakNs, recoveredNs: peakNs, durationNs: 0n };
  let open: { depth: number; troughNs: bigint } | null = null;
  const endNs = curve[curve.length - 1].tsNs;
  const close = (recoveredNs: bigint | null) => {
    if (open !== null && open.depth > best.depth) {
      best = {
        depth: open.depth,
        peakNs,
        troughNs: open.troughNs,
        recoveredNs,
        durationNs: (recoveredNs ?? endNs) - peakNs,
      };
    }
  };
  for (const p of curve) {
    if (p.equity > peak) {
      close(p.tsNs);
      open = null;
      peak = p.equity;
      peakNs = p.tsNs;
    } else if (peak - p.equity > (open?.depth ?? 0)) {
      open = { depth: peak - p.equity, troughNs: p.tsNs };
    }
  }
  close(null);
  return best;
}

/** A percentile confidence interval and the statistic on the whole sample. */
export interface Interval {
  readonly estimate: number;
  readonly low: number;
  readonly high: number;
  /** The interval crosses zero: the sign of the estimate is not established (noise). */
  readonly noise: boolean;
}

/**
 * Percentile bootstrap interval of `stat` over `samples` (`level` 0.95 by default): `resamples`
 * draws of n with replacement by mulberry32 from `seed`. NaN bounds for an empty sample.
 */
export function bootstrap<T>(
  samples: readonly T[],
  stat: (xs: readonly T[]) => number,
  opts: { readonly resamples?: number; readonly level?: number; readonly seed?: number } = {},
): Interval {
  const estimate = samples.length === 0 ? Number.NaN : stat(samples);
  const n = samples.length;
  if (n === 0) return { estimate, low: Number.NaN, high: Number.NaN, noise: true };
  const B = opts.resamples ?? 2_000;
  const level = opts.level ?? 0.95;
  const rnd = new Random(opts.seed ?? 1);
  const stats: number[] = [];
  const draw: T[] = new Array(n);
  for (let b = 0; b < B; b++) {
    for (let i = 0; i < n; i++) draw[i] = samples[rnd.int(n)];
    const v = stat(draw);
    if (Number.isFinite(v)) stats.push(v);
  }
  stats.sort((a, b) => a - b);
  const q = (p: number) => {
    if (stats.length === 0) return Number.NaN;
    // The nearest-rank percentile: the smallest value with at least p of the draws at or below it.
    const k = Math.min(stats.length - 1, Math.max(0, Math.ceil(p * stats.length) - 1));
    return stats[k];
  };
  const low = q((1 - level) / 2);
  const high = q(1 - (1 - level) / 2);
  // One value says nothing of its spread: its interval is a point, not evidence.
  return { estimate, low, high, noise: n < 2 || !(low > 0 || high < 0) };
}

/**
 * Percentile bootstrap interval of mean(a) − mean(b) for two independent samples: each resample
 * draws |a| values from `a` and |b| from `b` with replacement (one seeded generator for both).
 */
export function bootstrapDifference(
  a: readonly number[],
  b: readonly number[],
  opts: { readonly resamples?: number; readonly level?: number; readonly seed?: number } = {},
): Interval {
  const one = (x: number) => ({ num: x, den: 1 });
  return twoSampleInterval(a.map(one), b.map(one), opts, mean(a) - mean(b));
}

/**
 * The difference of two ratios of sums, `Σ a.num / Σ a.den − Σ b.num / Σ b.den` (P&L per contract
 * of two sets of round trips, say), with a percentile interval from resampling each side's items
 * with replacement; `noise` when the interval holds zero.
 */
export function bootstrapRatioDifference(
  a: readonly { readonly num: number; readonly den: number }[],
  b: readonly { readonly num: number; readonly den: number }[],
  opts: { readonly resamples?: number; readonly level?: number; readonly seed?: number } = {},
): Interval {
  return twoSampleInterval(a, b, opts, ratioOf(a) - ratioOf(b));
}

/** Σ num / Σ den of items (NaN without any den). */
function ratioOf(xs: readonly { readonly num: number; readonly den: number }[]): number {
  let n = 0;
  let d = 0;
  for (const x of xs) {
    n += x.num;
    d += x.den;
  }
  return d > 0 ? n / d : Number.NaN;
}

/**
 * The percentile interval of `ratio(a*) − ratio(b*)` over resamples a*, b* of each side's items
 * with replacement (one seeded generator for both), around `estimate`.
 */
function twoSampleInterval(
  a: readonly { readonly num: number; readonly den: number }[],
  b: readonly { readonly num: number; readonly den: number }[],
  opts: { readonly resamples?: number; readonly level?: number; readonly seed?: number },
  estimate: number,
): Interval {
  if (a.length === 0 || b.length === 0) return { estimate, low: Number.NaN, high: Number.NaN, noise: true };
  const B = opts.resamples ?? 2_000;
  const level = opts.level ?? 0.95;
  const rnd = new Random(opts.seed ?? 1);
  const draws = new Float64Array(B);
  const resampled = (xs: readonly { num: number; den: number }[]) => {
    let n = 0;
    let d = 0;
    for (let i = 0; i < xs.length; i++) {
      const x = xs[rnd.int(xs.length)];
      n += x.num;
      d += x.den;
    }
    return n / d;
  };
  for (let k = 0; k < B; k++) draws[k] = resampled(a) - resampled(b);
  draws.sort();
  const q = (p: number) => draws[Math.min(B - 1, Math.max(0, Math.ceil(p * B) - 1))];
  const low = q((1 - level) / 2);
  const high = q(1 - (1 - level) / 2);
  return { estimate, low, high, noise: !(low > 0 || high < 0) };
}

/** The mean of numbers (the usual statistic to bootstrap). */
export function mean(xs: readonly number[]): number {
  let s = 0;
  for (const x of xs) s += x;
  return xs.length === 0 ? Number.NaN : s / xs.length;
}
