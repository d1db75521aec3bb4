/**
 * Small statistics helpers for measuring stylized facts on generated (or real) market data:
 * moments, autocorrelation, ordinary least squares, a mid-price series resampled on a time grid
 * from top-of-book records, and best-level order flow imbalance summed over intervals.
 *
 * Conventions: estimators use population (1/n) moments, as is usual for the sample kurtosis and
 * the sample autocorrelation function (Box & Jenkins); non-finite inputs (NaN, ±Infinity) are
 * skipped where a function says so. Nothing here allocates per record in the streaming classes.
 */
import { EngineError, Random } from '../src/core/index.js';

/** Two series that must pair up value by value have different lengths. */
export class SeriesLengthError extends EngineError {
  readonly xLength: number;
  readonly yLength: number;
  constructor(what: string, xLength: number, yLength: number) {
    super('SERIES_LENGTH', `${what}: x has ${xLength} values, y ${yLength}`);
    this.xLength = xLength;
    this.yLength = yLength;
  }
}

/** Arithmetic mean of the finite values of `xs`; NaN when there are none. */
export function mean(xs: ArrayLike<number>): number {
  let s = 0;
  let n = 0;
  for (let i = 0; i < xs.length; i++) {
    const x = xs[i];
    if (Number.isFinite(x)) {
      s += x;
      n++;
    }
  }
  return n === 0 ? Number.NaN : s / n;
}

/**
 * Excess kurtosis `m4 / m2² − 3` of the finite values of `xs`, with central moments
 * `mk = (1/n) Σ (x − x̄)^k` (the population estimator g2). A normal sample gives about 0; heavy
 * tails give large positive values. NaN with fewer than two values or zero variance.
 */
export function excessKurtosis(xs: ArrayLike<number>): number {
  const mu = mean(xs);
  if (Number.isNaN(mu)) return Number.NaN;
  let m2 = 0;
  let m4 = 0;
  let n = 0;
  for (let i = 0; i < xs.length; i++) {
    const x = xs[i];
    if (!Number.isFinite(x)) continue;
    const d = x - mu;
    const d2 = d * d;
    m2 += d2;
    m4 += d2 * d2;
    n++;
  }
  if (n < 2 || m2 === 0) return Number.NaN;
  m2 /= n;
  m4 /= n;
  return m4 / (m2 * m2) - 3;
}

/**
 * Sample autocorrelation function of one or more series (for example one per trading day) at
 * lags 0..maxLag: `ρ(k) = Σ (x_t − x̄)(x_{t+k} − x̄) / Σ (x_t − x̄)²`, with the mean `x̄` and the
 * denominator pooled over all segments and the lagged products taken within a segment only (no
 * pair straddles two segments). This is the standard biased estimator (divisor independent of
 * k), which keeps the ACF positive semi-definite. Values must be finite. `ρ(0) = 1`; NaN for
 * every lag when the pooled variance is zero.
 */
export function autocorrelation(
  segments: ArrayLike<number> | readonly ArrayLike<number>[],
  maxLag: number,
): number[] {
  const segs: ArrayLike<number>[] = isSegmentList(segments) ? [...segments] : [segments];
  let sum = 0;
  let n = 0;
  for (const s of segs) {
    for (let i = 0; i < s.length; i++) sum += s[i];
    n += s.length;
  }
  const out = new Array<number>(maxLag + 1).fill(Number.NaN);
  if (n === 0) return out;
  const mu = sum / n;
  let den = 0;
  for (const s of segs) for (let i = 0; i < s.length; i++) den += (s[i] - mu) * (s[i] - mu);
  if (den === 0) return out;
  for (let k = 0; k <= maxLag; k++) {
    let num = 0;
    for (const s of segs) for (let i = 0; i + k < s.length; i++) num += (s[i] - mu) * (s[i + k] - mu);
    out[k] = num / den;
  }
  return out;
}

function isSegmentList(
  x: ArrayLike<number> | readonly ArrayLike<number>[],
): x is readonly ArrayLike<number>[] {
  return x.length > 0 && typeof (x as ArrayLike<unknown>)[0] === 'object';
}

/** Result of `ols`. */
export interface OlsFit {
  slope: number;
  intercept: number;
  /** Coefficient of determination, `1 − SSres/SStot` (the squared correlation for one regressor). */
  r2: number;
  /** Number of (x, y) pairs used. */
  n: number;
}

/** Pearson correlation of two series of equal length, from their means (NaN when one is constant). */
export function pearson(x: ArrayLike<number>, y: ArrayLike<number>): number {
  if (x.length !== y.length) throw new SeriesLengthError('pearson', x.length, y.length);
  const mx = mean(x);
  const my = mean(y);
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (let i = 0; i < x.length; i++) {
    sxy += (x[i] - mx) * (y[i] - my);
    sxx += (x[i] - mx) ** 2;
    syy += (y[i] - my) ** 2;
  }
  return sxy / Math.sqrt(sxx * syy);
}

/**
 * Ordinary least squares of `y = intercept + slope·x` over the pairs where both values are
 * finite. NaN slope and R² when fewer than two pairs or `x` is constant; R² is 0 when `y` is
 * constant and `x` is not.
 */
export function ols(x: ArrayLike<number>, y: ArrayLike<number>): OlsFit {
  if (x.length !== y.length) throw new SeriesLengthError('ols', x.length, y.length);
  let n = 0;
  let sx = 0;
  let sy = 0;
  for (let i = 0; i < x.length; i++) {
    if (!Number.isFinite(x[i]) || !Number.isFinite(y[i])) continue;
    sx += x[i];
    sy += y[i];
    n++;
  }
  if (n < 2) return { slope: Number.NaN, intercept: Number.NaN, r2: Number.NaN, n };
  const mx = sx / n;
  const my = sy / n;
  let sxx = 0;
  let sxy = 0;
  let syy = 0;
  for (let i = 0; i < x.length; i++) {
    if (!Number.isFinite(x[i]) || !Number.isFinite(y[i])) continue;
    const dx = x[i] - mx;
    const dy = y[i] - my;
    sxx += dx * dx;
    sxy += dx * dy;
    syy += dy * dy;
  }
  if (sxx === 0) return { slope: Number.NaN, intercept: Number.NaN, r2: Number.NaN, n };
  const slope = sxy / sxx;
  const r2 = syy === 0 ? 0 : (sxy * sxy) / (sxx * syy);
  return { slope, intercept: my - slope * mx, r2, n };
}

/**
 * Consecutive differences of a series: `out[i] = xs[i+1] − xs[i]` (NaN where either is NaN).
 * With `log`, differences of natural logarithms (log returns).
 */
export function diff(xs: ArrayLike<number>, log = false): Float64Array {
  const out = new Float64Array(Math.max(0, xs.length - 1));
  for (let i = 0; i < out.length; i++)
    out[i] = log ? Math.log(xs[i + 1]) - Math.log(xs[i]) : xs[i + 1] - xs[i];
  return out;
}

/**
 * Sums of consecutive blocks of `size` values (`out[j] = Σ xs[j·size .. j·size+size−1]`); a
 * trailing partial block is dropped. Turns 1-second counts into 1-minute counts, say.
 */
export function blockSums(xs: ArrayLike<number>, size: number): Float64Array {
  const out = new Float64Array(Math.floor(xs.length / size));
  for (let j = 0; j < out.length; j++) {
    let s = 0;
    for (let i = j * size; i < (j + 1) * size; i++) s += xs[i];
    out[j] = s;
  }
  return out;
}

/** The best level of a book record (an MBP-1/MBP-10 `RecordCursor` fits; prices NaN when empty). */
export interface TopOfBook {
  bidPx(level: number): number;
  askPx(level: number): number;
  bidSz(level: number): number;
  askSz(level: number): number;
}

/** A time grid `startMs + i·stepMs`, i = 0..count−1. */
export interface TimeGrid {
  startMs: number;
  stepMs: number;
  count: number;
}

/**
 * A mid-price series on a time grid from a time-ordered stream of book records: `mid[i]` is the
 * mid `(bid + ask) / 2` of the book left by the last record with timestamp strictly before grid
 * point `i` (the book "as of" that instant, before anything stamped exactly at it), and
 * `spread[i]` the matching `ask − bid`. Points before the first two-sided book are NaN; a
 * one-sided or crossed book carries the last two-sided mid forward (the quote the market last
 * showed). Prices keep the records' units (raw 1e-9 for DBN).
 */
export class MidResampler {
  readonly mid: Float64Array;
  readonly spread: Float64Array;
  /** Level-1 queue imbalance `(bidSz − askSz) / (bidSz + askSz)` of the same book. */
  readonly imbalance: Float64Array;
  #next = 0;
  #mid = Number.NaN;
  #spread = Number.NaN;
  #imbalance = Number.NaN;

  constructor(readonly grid: TimeGrid) {
    this.mid = new Float64Array(grid.count).fill(Number.NaN);
    this.spread = new Float64Array(grid.count).fill(Number.NaN);
    this.imbalance = new Float64Array(grid.count).fill(Number.NaN);
  }

  /** Feeds one record stamped `tsMs` (records must come in time order). */
  update(tsMs: number, rec: TopOfBook): void {
    this.#fillTo(tsMs);
    const b = rec.bidPx(0);
    const a = rec.askPx(0);
    if (Number.isFinite(b) && Number.isFinite(a) && a > b) {
      this.#mid = (a + b) / 2;
      this.#spread = a - b;
      const qb = rec.bidSz(0);
      const qa = rec.askSz(0);
      this.#imbalance = (qb - qa) / (qb + qa);
    }
  }

  /** Fills the grid points not reached by any later record; call once after the last record. */
  finish(): void {
    this.#fillTo(Number.POSITIVE_INFINITY);
  }

  #fillTo(tsMs: number): void {
    const g = this.grid;
    // Grid point i takes the state before any record stamped at or after it.
    while (this.#next < g.count && g.startMs + this.#next * g.stepMs <= tsMs) {
      this.mid[this.#next] = this.#mid;
      this.spread[this.#next] = this.#spread;
      this.imbalance[this.#next] = this.#imbalance;
      this.#next++;
    }
  }
}

/** Best bid/ask prices and sizes, the state the OFI of one update is computed from. */
export interface BestLevel {
  bidPx: number;
  bidSz: number;
  askPx: number;
  askSz: number;
}

/**
 * Order flow imbalance contribution of one best-level update (Cont, Kukanov & Stoikov 2014,
 * *The Price Impact of Order Book Events*, eq. for e_n; MICROSTRUCTURE.md §1):
 * `e = 1[Pb ≥ Pb'] qb − 1[Pb ≤ Pb'] qb' − 1[Pa ≤ Pa'] qa + 1[Pa ≥ Pa'] qa'`, primes marking the
 * previous state. Positive when buying pressure grows (bid added or raised, ask removed or lifted).
 */
export function ofiContribution(prev: BestLevel, cur: BestLevel): number {
  let e = 0;
  if (cur.bidPx >= prev.bidPx) e += cur.bidSz;
  if (cur.bidPx <= prev.bidPx) e -= prev.bidSz;
  if (cur.askPx <= prev.askPx) e -= cur.askSz;
  if (cur.askPx >= prev.askPx) e += prev.askSz;
  return e;
}

/**
 * Best-level OFI summed over the intervals of a time grid: `ofi[i]` is the sum of the `e_n` of
 * the records stamped in `[startMs + i·stepMs, startMs + (i+1)·stepMs)`, so that with a
 * `MidResampler` on the same grid `mid[i+1] − mid[i]` is the mid change those same records made.
 * A record whose best level is one-sided, locked or crossed is skipped and resets the previous
 * state, so the next valid record starts afresh instead of emitting a jump (MICROSTRUCTURE.md §1,
 * edge cases). Records outside the grid update the state but are not summed.
 */
export class OfiAccumulator {
  readonly ofi: Float64Array;
  readonly #prev: BestLevel = { bidPx: 0, bidSz: 0, askPx: 0, askSz: 0 };
  readonly #cur: BestLevel = { bidPx: 0, bidSz: 0, askPx: 0, askSz: 0 };
  #hasPrev = false;

  constructor(readonly grid: TimeGrid) {
    this.ofi = new Float64Array(grid.count);
  }

  /** Feeds one record stamped `tsMs`. */
  update(tsMs: number, rec: TopOfBook): void {
    const c = this.#cur;
    c.bidPx = rec.bidPx(0);
    c.askPx = rec.askPx(0);
    if (!(Number.isFinite(c.bidPx) && Number.isFinite(c.askPx) && c.askPx > c.bidPx)) {
      this.#hasPrev = false;
      return;
    }
    c.bidSz = rec.bidSz(0);
    c.askSz = rec.askSz(0);
    if (this.#hasPrev) {
      const g = this.grid;
      const k = Math.floor((tsMs - g.startMs) / g.stepMs);
      if (k >= 0 && k < g.count) this.ofi[k] += ofiContribution(this.#prev, c);
    }
    const p = this.#prev;
    p.bidPx = c.bidPx;
    p.bidSz = c.bidSz;
    p.askPx = c.askPx;
    p.askSz = c.askSz;
    this.#hasPrev = true;
  }
}

/**
 * A percentile interval of the Pearson correlation of `(x, y)` pairs by a moving-block bootstrap
 * over whole blocks: `blocks[i]` names the block of pair i (pairs of one block stay together, so
 * the dependence between neighbours is kept); `reps` resamples draw as many blocks as there are,
 * with replacement, from a seeded stream. Returns the correlation and its [lo, hi] interval at
 * `level` (two-sided).
 */
export function bootstrapCorrelation(
  x: ArrayLike<number>,
  y: ArrayLike<number>,
  blocks: ArrayLike<number>,
  opts: { reps?: number; level?: number; seed?: number } = {},
): { r: number; lo: number; hi: number; blocks: number } {
  if (x.length !== y.length || x.length !== blocks.length)
    throw new SeriesLengthError('bootstrapCorrelation', x.length, y.length);
  // Moment sums per block: n, Σx, Σy, Σx², Σy², Σxy.
  const ids = new Map<number, number>();
  const sums: number[][] = [];
  for (let i = 0; i < x.length; i++) {
    let k = ids.get(blocks[i]);
    if (k === undefined) {
      k = sums.length;
      ids.set(blocks[i], k);
      sums.push([0, 0, 0, 0, 0, 0]);
    }
    const s = sums[k];
    s[0]++;
    s[1] += x[i];
    s[2] += y[i];
    s[3] += x[i] * x[i];
    s[4] += y[i] * y[i];
    s[5] += x[i] * y[i];
  }
  const corr = (t: number[]) => {
    const cxx = t[3] - (t[1] * t[1]) / t[0];
    const cyy = t[4] - (t[2] * t[2]) / t[0];
    return (t[5] - (t[1] * t[2]) / t[0]) / Math.sqrt(cxx * cyy);
  };
  const total = [0, 0, 0, 0, 0, 0];
  for (const s of sums) for (let j = 0; j < 6; j++) total[j] += s[j];
  const reps = opts.reps ?? 2000;
  const rnd = new Random(opts.seed ?? 1);
  const rs = new Float64Array(reps);
  for (let b = 0; b < reps; b++) {
    const t = [0, 0, 0, 0, 0, 0];
    for (let i = 0; i < sums.length; i++) {
      const s = sums[rnd.int(sums.length)];
      for (let j = 0; j < 6; j++) t[j] += s[j];
    }
    rs[b] = corr(t);
  }
  rs.sort();
  const alpha = (1 - (opts.level ?? 0.95)) / 2;
  const at = (q: number) => rs[Math.min(reps - 1, Math.max(0, Math.floor(q * reps)))];
  return { r: corr(total), lo: at(alpha), hi: at(1 - alpha), blocks: sums.length };
}
