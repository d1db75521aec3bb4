/**
 * Futures–spot: basis, rolling correlation of returns and lead–lag between a future and its spot
 * pair (MICROSTRUCTURE.md §13, CONVENTIONS.md "Instruments").
 *
 * Basis = future mid − spot mid, with the spot inverted first (`invertSpot: true`) for 6J, which is
 * quoted in USD per JPY while USD/JPY is JPY per USD: basis = F − 1/S. Both mids must be in the same
 * price unit; inversion needs decimal prices, so the book adapters take a `scale` (1e-9 turns raw
 * Databento units into decimals). NaN until both mids are known. The basis also has an EW mean on the
 * grid (`basisMean`) and its deviation from it (`basisDeviation`), since the fair basis drifts with
 * the interest-rate differential (covered interest parity, §13).
 *
 * Sampling grid. Both mids are sampled on one grid of `sampleMs` (default 100 ms) by the
 * previous-tick rule: the sample of cell k is the last valid mid seen before the cell ends, and an
 * update from either stream closes the cells that ended before it. Each closed cell, once both mids
 * exist, gives log returns rF_k and rS_k (of the inverted spot when `invertSpot`).
 *
 * Cross-correlation. For each lag ℓ in −L…+L grid steps (L = `maxLagMs / sampleMs`, default 5 s),
 * ρ(ℓ) is the Pearson correlation of the pairs (rF_{u−ℓ}, rS_u) over the last W = `windowMs /
 * sampleMs` grid steps u (default 30 min), each pair indexed by its later time. ρ(ℓ) > 0 peaking at
 * ℓ > 0 means the future's moves precede the spot's by ℓ steps: the future leads. `correlation` is
 * ρ(0); `leadLagMs` is the ℓ with the highest ρ (ties go to the smaller |ℓ|, 0 first) times
 * `sampleMs`. Per-lag running sums (n, Σx, Σy, Σx², Σy², Σxy) make each grid step O(L) and each event
 * O(1) apart from the cells it closes; the sums are recomputed exactly once per ring wrap (amortised
 * O(L)) so subtraction error cannot accumulate. ρ(ℓ) is NaN with fewer than `minPairs` pairs (default
 * W) or a series that does not move.
 *
 * Gaps: a silence of both streams longer than `maxGapMs` resets the returns and sums (the mids
 * before it are stale; a return across it is not an intraday return). A stream that stays silent
 * while the other moves contributes zero returns (previous tick), which dilutes ρ: IG spot carries
 * only ts_recv, so its latency biases the measured lag towards "future leads" by that latency.
 */
import type { BookView } from '../../book/index.js';
import type { Calculator } from '../../core/index.js';
import { GridClock, requireIntInRange, requirePositive, requireSteps } from './common.js';

/** Running sums kept per lag. */
const SUMS = 6;

/** Options of `FuturesSpot`. */
export interface FuturesSpotOptions {
  /** Compare the future with 1/spot (6J against USD/JPY). Default false. */
  readonly invertSpot?: boolean;
  /** Grid step in ms. Default 100. */
  readonly sampleMs?: number;
  /** Largest lag examined, in ms, a multiple of `sampleMs`. Default 5000. */
  readonly maxLagMs?: number;
  /** Rolling window in ms, a multiple of `sampleMs`. Default 1800000 (30 min). */
  readonly windowMs?: number;
  /** Pairs needed before ρ(ℓ) is reported. Default windowMs / sampleMs. */
  readonly minPairs?: number;
  /** A longer silence of both streams is a gap that resets the estimates. Default 60000. */
  readonly maxGapMs?: number;
  /** Half-life of the EW mean of the basis, in ms. Default 1800000 (30 min). */
  readonly basisHalfLifeMs?: number;
}

/** Basis, return correlation and lead–lag of a future against its spot pair. */
export class FuturesSpot implements Calculator<[tsMs: number, futureMid: number, spotMid: number]> {
  readonly #invert: boolean;
  readonly #sampleMs: number;
  readonly #L: number;
  readonly #W: number;
  readonly #minPairs: number;
  readonly #rf: Float64Array;
  readonly #rs: Float64Array;
  /** Per lag j (at j · 6): n, Σx, Σy, Σx², Σy², Σxy of its pairs, side by side in memory. */
  readonly #sums: Float64Array;
  /** Returns pushed since the start or the last gap; the next return gets this index. */
  #t = 0;
  readonly #clock: GridClock;
  #fut = Number.NaN;
  #spot = Number.NaN;
  #prevLf = Number.NaN;
  #prevLs = Number.NaN;
  readonly #basisAlpha: number;
  readonly #basisWarmup: number;
  #basisMean = Number.NaN;
  #basisSamples = 0;
  /** Bumped whenever the sums change; `leadLagSteps` is kept for the count it was worked out at. */
  #changes = 0;
  #leadAt = -1;
  #lead = Number.NaN;

  constructor(options: FuturesSpotOptions = {}) {
    this.#invert = options.invertSpot ?? false;
    this.#sampleMs = requirePositive('sampleMs', options.sampleMs ?? 100);
    const L = requireSteps('maxLagMs', options.maxLagMs ?? 5000, this.#sampleMs, 0);
    const W = requireSteps('windowMs', options.windowMs ?? 1800000, this.#sampleMs, 2);
    this.#L = L;
    this.#W = W;
    this.#minPairs = requireIntInRange('minPairs', options.minPairs ?? W, 2, W);
    this.#clock = new GridClock(this.#sampleMs, requirePositive('maxGapMs', options.maxGapMs ?? 60000));
    const hl = requirePositive('basisHalfLifeMs', options.basisHalfLifeMs ?? 1800000);
    this.#basisAlpha = 1 - 2 ** (-this.#sampleMs / hl);
    this.#basisWarmup = Math.ceil(hl / this.#sampleMs);
    const ringLen = W + L + 1;
    this.#rf = new Float64Array(ringLen);
    this.#rs = new Float64Array(ringLen);
    const lags = 2 * L + 1;
    this.#sums = new Float64Array(lags * SUMS);
  }

  /**
   * Observations of both legs at `tsMs` (NaN for a leg with no new mid, as when only one stream
   * moved): `updateFuture` and `updateSpot` at once.
   */
  update(tsMs: number, futureMid: number, spotMid: number): void {
    this.advance(tsMs);
    if (!this.#clock.started) return;
    if (futureMid > 0 && Number.isFinite(futureMid)) this.#fut = futureMid;
    if (spotMid > 0 && Number.isFinite(spotMid)) this.#spot = spotMid;
  }

  /** A future mid observation (NaN or non-positive = none, ignored). */
  updateFuture(tsMs: number, mid: number): void {
    this.advance(tsMs);
    if (this.#clock.started && mid > 0 && Number.isFinite(mid)) this.#fut = mid;
  }

  /** A spot mid observation (as quoted; inverted internally when `invertSpot`). */
  updateSpot(tsMs: number, mid: number): void {
    this.advance(tsMs);
    if (this.#clock.started && mid > 0 && Number.isFinite(mid)) this.#spot = mid;
  }

  /** Adapter: the future's book mid in `scale` units per raw unit (e.g. 1e-9 for decimal prices). */
  updateFutureBook(tsMs: number, book: BookView, scale = 1): void {
    this.updateFuture(tsMs, book.crossed ? Number.NaN : book.mid * scale);
  }

  /** Adapter: the spot's book mid in `scale` units per raw unit. */
  updateSpotBook(tsMs: number, book: BookView, scale = 1): void {
    this.updateSpot(tsMs, book.crossed ? Number.NaN : book.mid * scale);
  }

  /** Moves time to `tsMs`, closing the grid cells that ended. */
  advance(tsMs: number): void {
    const ended = this.#clock.advance(tsMs);
    if (ended < 0) this.#clear();
    for (let i = 0; i < ended; i++) this.#closeCell();
  }

  #closeCell(): void {
    if (Number.isNaN(this.#fut) || Number.isNaN(this.#spot)) return;
    const lf = Math.log(this.#fut);
    const ls = this.#invert ? -Math.log(this.#spot) : Math.log(this.#spot);
    const b = this.basis;
    this.#basisMean =
      this.#basisSamples === 0 ? b : this.#basisMean + this.#basisAlpha * (b - this.#basisMean);
    this.#basisSamples++;
    if (!Number.isNaN(this.#prevLf)) this.#push(lf - this.#prevLf, ls - this.#prevLs);
    this.#prevLf = lf;
    this.#prevLs = ls;
  }

  #push(rf: number, rs: number): void {
    this.#changes++;
    const R = this.#rf.length;
    const T = this.#t;
    this.#rf[T % R] = rf;
    this.#rs[T % R] = rs;
    this.#t = T + 1;
    if (T - this.#W >= this.#L) this.#slide(T);
    else {
      this.#pairs(T, 1);
      if (T - this.#W >= 0) this.#pairs(T - this.#W, -1);
    }
    if ((T + 1) % R === 0) this.#recompute();
  }

  /**
   * Adds (sign 1) or removes (sign −1) the pairs whose later index is `u`, for every lag. For a lag
   * ℓ ≥ 0 the pair is (rF_{u−ℓ}, rS_u), for ℓ < 0 it is (rF_u, rS_{u+ℓ}): one member is the same for
   * every lag of a side, so each side is a loop of its own that walks the ring backwards from u. A
   * removal subtracts what an addition adds (a − x is a + (−x) exactly, and ±x·y is (±x)·y), so the
   * sums are the same, bit for bit, as with the sign multiplied in.
   */
  #pairs(u: number, sign: number): void {
    const L = this.#L;
    const R = this.#rf.length;
    const rf = this.#rf;
    const rs = this.#rs;
    const sums = this.#sums;
    const at = u % R;
    // The lags a side can take: the earlier index u − |ℓ| must exist.
    const deep = Math.min(L, u);
    const xu = rf[at];
    const yu = rs[at];
    const xx = xu * xu;
    const yy = yu * yu;
    if (sign > 0) {
      // ℓ = 0 … deep at j = L + ℓ: y is rS_u, x walks back from rF_u.
      for (let k = L * SUMS, end = k + deep * SUMS, i = at; k <= end; k += SUMS) {
        const x = rf[i];
        sums[k] += 1;
        sums[k + 1] += x;
        sums[k + 2] += yu;
        sums[k + 3] += x * x;
        sums[k + 4] += yy;
        sums[k + 5] += x * yu;
        i = i === 0 ? R - 1 : i - 1;
      }
      // ℓ = −1 … −deep at j = L + ℓ: x is rF_u, y walks back from rS_{u−1}.
      for (
        let k = (L - 1) * SUMS, end = (L - deep) * SUMS, i = at === 0 ? R - 1 : at - 1;
        k >= end;
        k -= SUMS
      ) {
        const y = rs[i];
        sums[k] += 1;
        sums[k + 1] += xu;
        sums[k + 2] += y;
        sums[k + 3] += xx;
        sums[k + 4] += y * y;
        sums[k + 5] += xu * y;
        i = i === 0 ? R - 1 : i - 1;
      }
    } else {
      for (let k = L * SUMS, end = k + deep * SUMS, i = at; k <= end; k += SUMS) {
        const x = rf[i];
        sums[k] -= 1;
        sums[k + 1] -= x;
        sums[k + 2] -= yu;
        sums[k + 3] -= x * x;
        sums[k + 4] -= yy;
        sums[k + 5] -= x * yu;
        i = i === 0 ? R - 1 : i - 1;
      }
      for (
        let k = (L - 1) * SUMS, end = (L - deep) * SUMS, i = at === 0 ? R - 1 : at - 1;
        k >= end;
        k -= SUMS
      ) {
        const y = rs[i];
        sums[k] -= 1;
        sums[k + 1] -= xu;
        sums[k + 2] -= y;
        sums[k + 3] -= xx;
        sums[k + 4] -= y * y;
        sums[k + 5] -= xu * y;
        i = i === 0 ? R - 1 : i - 1;
      }
    }
  }

  /**
   * `#pairs(u, 1)` then `#pairs(u − W, −1)`, for a `u` past both their starts, in one pass over the
   * lags: each lag's sums get the same addition, then the same subtraction, as the two calls give
   * them (lags do not share sums), so the result is the same to the bit.
   */
  #slide(u: number): void {
    const L = this.#L;
    const R = this.#rf.length;
    const rf = this.#rf;
    const rs = this.#rs;
    const sums = this.#sums;
    const at = u % R;
    const old = (u - this.#W) % R;
    const xu = rf[at];
    const yu = rs[at];
    const xo = rf[old];
    const yo = rs[old];
    const xx = xu * xu;
    const yy = yu * yu;
    const xxo = xo * xo;
    const yyo = yo * yo;
    // ℓ = 0 … L: (rF_{u−ℓ}, rS_u) in, (rF_{u−W−ℓ}, rS_{u−W}) out.
    for (let k = L * SUMS, end = 2 * L * SUMS, i = at, o = old; k <= end; k += SUMS) {
      const x = rf[i];
      const xr = rf[o];
      sums[k + 1] = sums[k + 1] + x - xr;
      sums[k + 2] = sums[k + 2] + yu - yo;
      sums[k + 3] = sums[k + 3] + x * x - xr * xr;
      sums[k + 4] = sums[k + 4] + yy - yyo;
      sums[k + 5] = sums[k + 5] + x * yu - xr * yo;
      i = i === 0 ? R - 1 : i - 1;
      o = o === 0 ? R - 1 : o - 1;
    }
    // ℓ = −1 … −L: (rF_u, rS_{u+ℓ}) in, (rF_{u−W}, rS_{u−W+ℓ}) out.
    for (
      let k = (L - 1) * SUMS, i = at === 0 ? R - 1 : at - 1, o = old === 0 ? R - 1 : old - 1;
      k >= 0;
      k -= SUMS
    ) {
      const y = rs[i];
      const yr = rs[o];
      sums[k + 1] = sums[k + 1] + xu - xo;
      sums[k + 2] = sums[k + 2] + y - yr;
      sums[k + 3] = sums[k + 3] + xx - xxo;
      sums[k + 4] = sums[k + 4] + y * y - yr * yr;
      sums[k + 5] = sums[k + 5] + xu * y - xo * yr;
      i = i === 0 ? R - 1 : i - 1;
      o = o === 0 ? R - 1 : o - 1;
    }
    // The counts gain a pair and lose one at every lag: they stay as they are.
  }

  #recompute(): void {
    this.#zeroSums();
    const last = this.#t - 1;
    for (let u = Math.max(0, last - this.#W + 1); u <= last; u++) this.#pairs(u, 1);
  }

  /** Forgets the mids, returns and sums (a gap, or `reset`). */
  #clear(): void {
    this.#t = 0;
    this.#fut = Number.NaN;
    this.#spot = Number.NaN;
    this.#prevLf = Number.NaN;
    this.#prevLs = Number.NaN;
    this.#basisMean = Number.NaN;
    this.#basisSamples = 0;
    this.#zeroSums();
  }

  #zeroSums(): void {
    this.#changes++;
    this.#sums.fill(0);
  }

  /** Forgets everything, the clock and the gap count included. */
  reset(): void {
    this.#clear();
    this.#clock.reset();
  }

  /** Every lag's correlation and the basis mean are defined. */
  get isReady(): boolean {
    const L = this.#L;
    return (
      this.#sums[0] >= this.#minPairs &&
      this.#sums[2 * L * SUMS] >= this.#minPairs &&
      this.#basisSamples >= this.#basisWarmup
    );
  }

  /** Future mid − spot mid (1/spot when inverted); NaN until both are known. */
  get basis(): number {
    const s = this.#invert ? 1 / this.#spot : this.#spot;
    return this.#fut - s;
  }

  /** EW mean of the grid-sampled basis (half-life `basisHalfLifeMs`); NaN until one half-life of samples. */
  get basisMean(): number {
    return this.#basisSamples >= this.#basisWarmup ? this.#basisMean : Number.NaN;
  }

  /**
   * Basis minus its EW mean: §13's "F − S minus its rolling mean", which removes the slowly moving
   * carry (interest-rate differential) and leaves the dislocation; NaN until `basisMean` is ready.
   */
  get basisDeviation(): number {
    return this.basis - this.basisMean;
  }

  /** Largest lag L in grid steps. */
  get maxLagSteps(): number {
    return this.#L;
  }

  /** ρ(ℓ) for a lag of `lagSteps` grid steps (positive: future leads); NaN until ready. */
  crossCorrelation(lagSteps: number): number {
    if (!Number.isInteger(lagSteps) || lagSteps < -this.#L || lagSteps > this.#L) return Number.NaN;
    const j = lagSteps + this.#L;
    const sums = this.#sums;
    const k = j * SUMS;
    const n = sums[k];
    if (n < this.#minPairs) return Number.NaN;
    const cxy = n * sums[k + 5] - sums[k + 1] * sums[k + 2];
    const cxx = n * sums[k + 3] - sums[k + 1] * sums[k + 1];
    const cyy = n * sums[k + 4] - sums[k + 2] * sums[k + 2];
    if (!(cxx > 1e-12 * n * sums[k + 3]) || !(cyy > 1e-12 * n * sums[k + 4])) return Number.NaN;
    // Rounding can push a perfect correlation a few ulps past ±1.
    return Math.max(-1, Math.min(1, cxy / Math.sqrt(cxx * cyy)));
  }

  /** Rolling correlation of same-time grid returns, ρ(0). */
  get correlation(): number {
    return this.crossCorrelation(0);
  }

  /** The lag (grid steps) with the highest ρ; NaN when no lag is ready. */
  get leadLagSteps(): number {
    // A pure function of the sums: worked out once for each state of them.
    if (this.#leadAt === this.#changes) return this.#lead;
    let best = Number.NaN;
    let bestRho = Number.NEGATIVE_INFINITY;
    for (let a = 0; a <= this.#L; a++) {
      for (let s = 0; s < (a === 0 ? 1 : 2); s++) {
        const lag = s === 0 ? a : -a;
        const rho = this.crossCorrelation(lag);
        if (rho > bestRho) {
          bestRho = rho;
          best = lag;
        }
      }
    }
    this.#lead = best;
    this.#leadAt = this.#changes;
    return best;
  }

  /** `leadLagSteps` in ms: > 0 means the future leads the spot. */
  get leadLagMs(): number {
    return this.leadLagSteps * this.#sampleMs;
  }

  /** ρ at `leadLagSteps`; NaN when no lag is ready. */
  get leadLagCorrelation(): number {
    return this.crossCorrelation(this.leadLagSteps);
  }

  /** Grid returns since the start or the last gap. */
  get returnCount(): number {
    return this.#t;
  }

  /** Gaps seen (each reset the estimates). */
  get gapResets(): number {
    return this.#clock.gaps;
  }
}
