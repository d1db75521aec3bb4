/**
 * Stoikov's micro-price (Stoikov 2018, "The micro-price: a high-frequency estimator of future
 * prices", Quantitative Finance 18(12)): the mid plus the expected long-run mid change given the
 * current state X = (imbalance bucket, spread in ticks), estimated from the instrument's own
 * history as MICROSTRUCTURE.md §4 lays out:
 *
 * 1. sample the top of book every `dt` → X = (I bucket of n equal bins of Ib = qb/(qb+qa), S ticks);
 * 2. symmetrise: every transition is also counted mirrored (Ib → 1−Ib, ΔM → −ΔM);
 * 3. for consecutive samples, count Q (X → X', no mid change), R1 (X → mid change k ticks) and
 *    T (X → X' with a mid change), row-normalised together;
 * 4. G1 = (I−Q)⁻¹·R1·K and B = (I−Q)⁻¹·T; g = Σ_{i<terms} Bⁱ·G1 (6 terms by default).
 *
 * Fitting happens offline (`StoikovFitter`, refit per instrument and day); the online value is a
 * table lookup (`StoikovMicroprice`). States never seen, and spreads above `m` ticks, fall back
 * to the weighted mid.
 */

import {
  requireIntInRange,
  requirePositive,
  requirePositiveInt,
  type ValueCalculator,
} from '../../core/index.js';

/** The fitted adjustment table and how it was fitted. */
export interface StoikovModel {
  /** Imbalance buckets. */
  readonly n: number;
  /** Spread states: 1..m ticks. */
  readonly m: number;
  /** Tick size in raw 1e-9 units. */
  readonly tickRaw: number;
  /** g(X) in ticks, index `(s − 1) · n + bucket`; NaN for states never seen. */
  readonly g: readonly number[];
  /** Transitions counted per state (mirrored ones included). */
  readonly counts: readonly number[];
  /** Transitions used (before mirroring). */
  readonly samples: number;
}

/** Options of the fitter. */
export interface StoikovOptions {
  /** Tick size in raw 1e-9 units (6E: 50,000). */
  tickRaw: number;
  /** Imbalance buckets (default 10). */
  n?: number;
  /** Largest spread state in ticks (default 2, as for 6E). */
  m?: number;
  /** Terms of the series Σ Bⁱ·G1 (default 6). */
  terms?: number;
}

/** Imbalance bucket 0..n−1 of Ib = qb/(qb+qa); −1 when both sizes are 0. */
export function imbalanceBucket(bidSz: number, askSz: number, n: number): number {
  const tot = bidSz + askSz;
  if (!(tot > 0)) return -1;
  const b = Math.floor((bidSz / tot) * n);
  return b >= n ? n - 1 : b;
}

/** The state index of a quote, or −1 when it is outside the model (crossed, empty, too wide). */
function stateOf(
  bidPx: number,
  askPx: number,
  bidSz: number,
  askSz: number,
  n: number,
  m: number,
  tickRaw: number,
): number {
  const s = Math.round((askPx - bidPx) / tickRaw);
  if (!(s >= 1 && s <= m)) return -1;
  const b = imbalanceBucket(bidSz, askSz, n);
  return b < 0 ? -1 : (s - 1) * n + b;
}

/** Counts transitions between sampled quotes and fits the micro-price table. */
export class StoikovFitter {
  readonly #n: number;
  readonly #m: number;
  readonly #tick: number;
  readonly #terms: number;
  readonly #ns: number;
  // Counts: Q[x][x'], T[x][x'], R[x][k] with k over the mid changes in `#k` (in ticks).
  readonly #q: Float64Array;
  readonly #t: Float64Array;
  readonly #r: Float64Array;
  readonly #k = [-1, -0.5, 0.5, 1];
  #prev = -1;
  #prevMid = Number.NaN;
  #samples = 0;

  constructor(opts: StoikovOptions) {
    this.#n = requirePositiveInt('n', opts.n ?? 10);
    this.#m = requirePositiveInt('m', opts.m ?? 2);
    this.#tick = requirePositive('tickRaw', opts.tickRaw);
    this.#terms = requirePositiveInt('terms', opts.terms ?? 6);
    this.#ns = this.#n * this.#m;
    this.#q = new Float64Array(this.#ns * this.#ns);
    this.#t = new Float64Array(this.#ns * this.#ns);
    this.#r = new Float64Array(this.#ns * this.#k.length);
  }

  /** Adds a sample of the top of book taken every `dt`; consecutive samples form transitions. */
  sample(bidPx: number, askPx: number, bidSz: number, askSz: number): void {
    const x = stateOf(bidPx, askPx, bidSz, askSz, this.#n, this.#m, this.#tick);
    const mid = (bidPx + askPx) / 2;
    if (x >= 0 && this.#prev >= 0) {
      const dm = (mid - this.#prevMid) / this.#tick;
      this.#count(this.#prev, x, dm);
    }
    this.#prev = x;
    this.#prevMid = x >= 0 ? mid : Number.NaN;
  }

  /** Forgets the previous sample (a gap in data: the next sample starts a new chain). */
  breakChain(): void {
    this.#prev = -1;
  }

  /** Counts one transition from state `x` to `x2` with a mid change of `dm` ticks, and its mirror. */
  addTransition(x: number, x2: number, dm: number): void {
    requireIntInRange('x', x, 0, this.#ns - 1);
    requireIntInRange('x2', x2, 0, this.#ns - 1);
    this.#count(x, x2, dm);
  }

  #count(x: number, x2: number, dm: number): void {
    const k = this.#kIndex(dm);
    if (k === -2) return; // a mid change larger than a tick: outside the model (dropped)
    this.#samples++;
    this.#add(x, x2, k);
    this.#add(this.#mirror(x), this.#mirror(x2), k < 0 ? -1 : this.#k.length - 1 - k);
  }

  #add(x: number, x2: number, k: number): void {
    if (k < 0) this.#q[x * this.#ns + x2]++;
    else {
      this.#t[x * this.#ns + x2]++;
      this.#r[x * this.#k.length + k]++;
    }
  }

  /** Index of a mid change in K, −1 for no change, −2 for a change outside K. */
  #kIndex(dm: number): number {
    if (Math.abs(dm) < 1e-9) return -1;
    for (let i = 0; i < this.#k.length; i++) if (Math.abs(dm - this.#k[i]) < 1e-6) return i;
    return -2;
  }

  #mirror(x: number): number {
    const s = Math.floor(x / this.#n);
    const b = x - s * this.#n;
    return s * this.#n + (this.#n - 1 - b);
  }

  /** Fits the table from the transitions counted so far. */
  fit(): StoikovModel {
    const ns = this.#ns;
    const nk = this.#k.length;
    const counts = new Array<number>(ns).fill(0);
    for (let x = 0; x < ns; x++) {
      let tot = 0;
      for (let j = 0; j < ns; j++) tot += this.#q[x * ns + j];
      for (let k = 0; k < nk; k++) tot += this.#r[x * nk + k];
      counts[x] = tot;
    }
    // Row-normalised Q, T and R1·K.
    const q: number[][] = [];
    const t: number[][] = [];
    const rk: number[] = [];
    for (let x = 0; x < ns; x++) {
      const tot = counts[x];
      q.push(Array.from({ length: ns }, (_, j) => (tot > 0 ? this.#q[x * ns + j] / tot : 0)));
      t.push(Array.from({ length: ns }, (_, j) => (tot > 0 ? this.#t[x * ns + j] / tot : 0)));
      let s = 0;
      for (let k = 0; k < nk; k++) s += (tot > 0 ? this.#r[x * nk + k] / tot : 0) * this.#k[k];
      rk.push(s);
    }
    const iq = q.map((row, i) => row.map((v, j) => (i === j ? 1 : 0) - v));
    const inv = invert(iq);
    const g1 = inv.map((row) => row.reduce((a, v, j) => a + v * rk[j], 0));
    const b = inv.map((row) => t[0].map((_, j) => row.reduce((a, v, l) => a + v * t[l][j], 0)));
    const g = g1.slice();
    let gi = g1;
    for (let i = 1; i < this.#terms; i++) {
      gi = b.map((row) => row.reduce((a, v, j) => a + v * gi[j], 0));
      for (let x = 0; x < ns; x++) g[x] += gi[x];
    }
    return {
      n: this.#n,
      m: this.#m,
      tickRaw: this.#tick,
      g: g.map((v, x) => (counts[x] > 0 ? v : Number.NaN)),
      counts,
      samples: this.#samples,
    };
  }
}

/**
 * Inverts a square matrix by Gauss–Jordan elimination with partial pivoting. A singular matrix
 * (a state that never leaves itself without a mid change) is regularised on its zero pivots, so
 * those states get a zero adjustment rather than an infinite one.
 */
function invert(a: number[][]): number[][] {
  const n = a.length;
  const m = a.map((row, i) => [...row, ...Array.from({ length: n }, (_, j) => (i === j ? 1 : 0))]);
  for (let c = 0; c < n; c++) {
    let p = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(m[r][c]) > Math.abs(m[p][c])) p = r;
    [m[c], m[p]] = [m[p], m[c]];
    if (Math.abs(m[c][c]) < 1e-12) m[c][c] = 1;
    const d = m[c][c];
    for (let j = 0; j < 2 * n; j++) m[c][j] /= d;
    for (let r = 0; r < n; r++) {
      if (r === c || m[r][c] === 0) continue;
      const f = m[r][c];
      for (let j = 0; j < 2 * n; j++) m[r][j] -= f * m[c][j];
    }
  }
  return m.map((row) => row.slice(n));
}

/** The micro-price online: a table lookup on the fitted model, the weighted mid where it has no answer. */
export class StoikovMicroprice
  implements ValueCalculator<[bidPx: number, askPx: number, bidSz: number, askSz: number]>
{
  readonly #model: StoikovModel;
  readonly #g: Float64Array;
  #value = Number.NaN;

  constructor(model: StoikovModel) {
    this.#model = model;
    this.#g = Float64Array.from(model.g);
  }

  /** Reads the top of book and returns the micro-price, raw 1e-9 units; NaN when a side is empty or bid ≥ ask. */
  update(bidPx: number, askPx: number, bidSz: number, askSz: number): number {
    this.#value = this.#price(bidPx, askPx, bidSz, askSz);
    return this.#value;
  }

  #price(bidPx: number, askPx: number, bidSz: number, askSz: number): number {
    if (!(askPx > bidPx)) return Number.NaN;
    const mid = (bidPx + askPx) / 2;
    const md = this.#model;
    const x = stateOf(bidPx, askPx, bidSz, askSz, md.n, md.m, md.tickRaw);
    const g = x >= 0 ? this.#g[x] : Number.NaN;
    if (!Number.isNaN(g)) return mid + g * md.tickRaw;
    const tot = bidSz + askSz;
    return tot > 0 ? (bidSz * askPx + askSz * bidPx) / tot : mid;
  }

  /** The micro-price of the last top of book; NaN before one, or when it had an empty side or bid ≥ ask. */
  get value(): number {
    return this.#value;
  }
  get isReady(): boolean {
    return !Number.isNaN(this.#value);
  }

  reset(): void {
    this.#value = Number.NaN;
  }
}
