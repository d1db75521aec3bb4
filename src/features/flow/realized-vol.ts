/**
 * Realized volatility from mid log returns (MICROSTRUCTURE.md §10), over several rolling windows.
 *
 * Sampling rule: the mid is sampled on a fixed grid of `sampleMs` by the previous-tick rule: the
 * sample of grid cell k (time [k·sampleMs, (k+1)·sampleMs)) is the last valid mid seen before the
 * cell ends. Each closed cell gives the return r_k = ln(M_k / M_{k−1}); cells with no update repeat
 * the last mid (return 0). `rv(w)` is the realized variance Σ r_k² over the last `windowsMs[w] /
 * sampleMs` returns, NaN until that many returns exist. Sampling on a grid rather than summing every
 * tick return keeps bid-ask bounce out: tick-by-tick mid returns overstate variance (§10 notes that
 * even 5-s sampling is noisier than 1-min). The default grid is 5 s so that a 1-min window still holds
 * 12 returns; for a low-noise estimate use `sampleMs: 60000` with windows of 30 min or more.
 *
 * Annualisation (optional getter): σ_ann = sqrt(RV · Y / W) with W the window in minutes and Y the
 * trading minutes in a year, by default 1380 × 252 (a CME FX day of 23 h less the break, §10).
 *
 * Edge cases: a NaN, non-positive or infinite mid (an empty book side, UNDEF) is ignored and the last
 * valid mid carries on. A gap between consecutive updates longer than `maxGapMs` (a feed outage, the
 * daily break) resets the windows: a return spanning a gap mixes overnight-like moves into an
 * intraday estimate, so the estimate starts again after it. Callers should feed every book event
 * (or call `advance`) so that quiet markets are not mistaken for gaps.
 *
 * Cost: O(1) per event plus one O(windows) step per closed grid cell; running sums of r² are
 * recomputed from the ring at each wrap so subtraction error cannot accumulate.
 */
import type { BookView } from '../../book/index.js';
import type { Calculator } from '../../core/index.js';
import { GridClock, requireNonEmpty, requirePositive, requireSteps } from './common.js';

/** Options of `RealizedVolatility`. */
export interface RealizedVolatilityOptions {
  /** Grid step in ms. Default 5000. */
  readonly sampleMs?: number;
  /** Window lengths in ms, multiples of `sampleMs`. Default [60000, 300000] (rv_1m, rv_5m). */
  readonly windowsMs?: readonly number[];
  /** A longer silence between updates is a gap that resets the estimate. Default 120000. */
  readonly maxGapMs?: number;
  /** Trading minutes per year for annualisation. Default 1380 × 252. */
  readonly minutesPerYear?: number;
}

/** Realized variance of grid-sampled mid log returns over rolling windows. */
export class RealizedVolatility implements Calculator<[tsMs: number, mid: number]> {
  readonly #sampleMs: number;
  readonly #minutesPerYear: number;
  readonly #windowsMs: Float64Array;
  readonly #n: Int32Array;
  readonly #sums: Float64Array;
  readonly #ring: Float64Array;
  #pos = 0;
  #count = 0;
  readonly #clock: GridClock;
  #lastMid = Number.NaN;
  #prevClose = Number.NaN;
  #lastReturn = Number.NaN;

  constructor(options: RealizedVolatilityOptions = {}) {
    this.#sampleMs = requirePositive('sampleMs', options.sampleMs ?? 5000);
    this.#clock = new GridClock(this.#sampleMs, requirePositive('maxGapMs', options.maxGapMs ?? 120000));
    this.#minutesPerYear = requirePositive('minutesPerYear', options.minutesPerYear ?? 1380 * 252);
    const windows = requireNonEmpty('windowsMs', options.windowsMs ?? [60000, 300000]);
    this.#windowsMs = Float64Array.from(windows);
    this.#n = new Int32Array(windows.length);
    let max = 1;
    for (let w = 0; w < windows.length; w++) {
      const k = requireSteps(`windowsMs[${w}]`, windows[w], this.#sampleMs);
      this.#n[w] = k;
      if (k > max) max = k;
    }
    this.#sums = new Float64Array(windows.length);
    this.#ring = new Float64Array(max);
  }

  /** A mid observation at `tsMs` (any price unit; NaN = no valid mid). */
  update(tsMs: number, mid: number): void {
    this.advance(tsMs);
    if (this.#clock.started && mid > 0 && Number.isFinite(mid)) this.#lastMid = mid;
  }

  /** Adapter for a book: its mid, skipped while the book is crossed or locked. */
  updateBook(tsMs: number, book: BookView): void {
    this.update(tsMs, book.crossed ? Number.NaN : book.mid);
  }

  /** Moves time to `tsMs`, closing grid cells, without a new mid. */
  advance(tsMs: number): void {
    const ended = this.#clock.advance(tsMs);
    if (ended < 0) this.#clear();
    for (let i = 0; i < ended; i++) this.#closeCell();
  }

  #closeCell(): void {
    const close = this.#lastMid;
    if (Number.isNaN(close)) return;
    if (!Number.isNaN(this.#prevClose)) this.#push(Math.log(close / this.#prevClose));
    this.#prevClose = close;
  }

  #push(r: number): void {
    const len = this.#ring.length;
    const r2 = r * r;
    this.#lastReturn = r;
    for (let w = 0; w < this.#n.length; w++) {
      const n = this.#n[w];
      this.#sums[w] += r2;
      if (this.#count >= n) this.#sums[w] -= this.#ring[(this.#pos - n + len) % len];
    }
    this.#ring[this.#pos] = r2;
    this.#count++;
    this.#pos++;
    if (this.#pos === len) {
      this.#pos = 0;
      // Exact recomputation once per wrap (amortised O(1)): removes accumulated rounding.
      for (let w = 0; w < this.#n.length; w++) {
        const n = Math.min(this.#n[w], this.#count);
        let s = 0;
        for (let i = 1; i <= n; i++) s += this.#ring[len - i];
        this.#sums[w] = s;
      }
    }
  }

  /** Forgets the returns and mids (a gap, or `reset`). */
  #clear(): void {
    this.#ring.fill(0);
    this.#sums.fill(0);
    this.#pos = 0;
    this.#count = 0;
    this.#lastMid = Number.NaN;
    this.#prevClose = Number.NaN;
    this.#lastReturn = Number.NaN;
  }

  /** Forgets everything, the clock and the gap count included. */
  reset(): void {
    this.#clear();
    this.#clock.reset();
  }

  /** Window lengths in ms, in the order the per-window getters index them. */
  get windowsMs(): readonly number[] {
    return Array.from(this.#windowsMs);
  }

  /** Window `w` holds its full number of returns. */
  isWindowReady(w: number): boolean {
    return this.#count >= this.#n[w];
  }

  /** Every window holds its full number of returns. */
  get isReady(): boolean {
    for (let w = 0; w < this.#n.length; w++) if (this.#count < this.#n[w]) return false;
    return true;
  }

  /** Realized variance Σ r² over window `w` (log-return units); NaN until ready. */
  rv(w: number): number {
    return this.isWindowReady(w) ? Math.max(0, this.#sums[w]) : Number.NaN;
  }

  /** Realized volatility sqrt(rv) over window `w`; NaN until ready. */
  volatility(w: number): number {
    return Math.sqrt(this.rv(w));
  }

  /** Annualised volatility sqrt(rv · minutesPerYear / window minutes); NaN until ready. */
  annualisedVolatility(w: number): number {
    return Math.sqrt((this.rv(w) * this.#minutesPerYear * 60000) / this.#windowsMs[w]);
  }

  /** The last grid return; NaN before the first. */
  get lastReturn(): number {
    return this.#lastReturn;
  }

  /** Grid returns since the start or the last gap. */
  get returnCount(): number {
    return this.#count;
  }

  /** Gaps seen (each reset the estimate). */
  get gapResets(): number {
    return this.#clock.gaps;
  }
}
