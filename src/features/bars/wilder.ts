/**
 * Wilder's smoothing and true range (J. Welles Wilder, *New Concepts in Technical Trading Systems*,
 * 1978), in the forms TA-Lib uses (MICROSTRUCTURE.md §15); ATR, RSI and ADX are built from them.
 *
 * Smoothing with period N is an exponential average with α = 1/N. TA-Lib seeds it two ways:
 * - `WilderAverage`: the mean of the first N values (ready after N), then `A = (A·(N−1) + x)/N`
 *   (ATR; RSI's average gain and loss; ADX's average of DX);
 * - `WilderSum`: the sum of the first N−1 values, then from the N-th on `S = S − S/N + x`, a running
 *   sum N times the average (ADX's +DM, −DM and TR; their ratios, the DIs, do not see the factor).
 * The two seeds differ, so the values differ by the seed difference times (1 − 1/N)^t.
 */
import { requirePositiveInt, type ValueCalculator } from '../../core/index.js';

/** Wilder's average: mean of the first N values, then `A = (A·(N−1) + x)/N`. */
export class WilderAverage implements ValueCalculator<[x: number]> {
  readonly period: number;
  #count = 0;
  #sum = 0;
  #value = Number.NaN;

  constructor(period: number) {
    this.period = requirePositiveInt('period', period);
  }

  /** Adds one value and returns the average (NaN until `period` values). */
  update(x: number): number {
    const n = this.period;
    this.#count++;
    if (this.#count < n) this.#sum += x;
    else if (this.#count === n) this.#value = (this.#sum + x) / n;
    else this.#value = (this.#value * (n - 1) + x) / n;
    return this.#value;
  }

  /** The average; NaN until `period` values. */
  get value(): number {
    return this.#value;
  }
  get isReady(): boolean {
    return this.#count >= this.period;
  }

  reset(): void {
    this.#count = 0;
    this.#sum = 0;
    this.#value = Number.NaN;
  }
}

/** Wilder's running sum as TA-Lib keeps it for ADX: N−1 values summed, then `S = S − S/N + x`. */
export class WilderSum implements ValueCalculator<[x: number]> {
  readonly period: number;
  #count = 0;
  #sum = 0;

  constructor(period: number) {
    this.period = requirePositiveInt('period', period);
  }

  /** Adds one value and returns the sum (a plain sum of the first N−1 values while warming up). */
  update(x: number): number {
    const n = this.period;
    this.#count++;
    this.#sum = this.#count < n ? this.#sum + x : this.#sum - this.#sum / n + x;
    return this.#sum;
  }

  /** The smoothed sum; NaN until `period` values. */
  get value(): number {
    return this.isReady ? this.#sum : Number.NaN;
  }
  get isReady(): boolean {
    return this.#count >= this.period;
  }

  reset(): void {
    this.#count = 0;
    this.#sum = 0;
  }
}

/** max(H−L, |H−C_prev|, |L−C_prev|); H−L when `prevClose` is NaN. */
export function trueRange(high: number, low: number, prevClose: number): number {
  let tr = high - low;
  if (!Number.isNaN(prevClose)) {
    const a = high > prevClose ? high - prevClose : prevClose - high;
    const b = low > prevClose ? low - prevClose : prevClose - low;
    if (a > tr) tr = a;
    if (b > tr) tr = b;
  }
  return tr;
}

/**
 * True range bar by bar: the first bar has no previous close and so no true range (NaN); it only
 * anchors the next.
 */
export class TrueRange implements ValueCalculator<[high: number, low: number, close: number]> {
  #bars = 0;
  #prevClose = Number.NaN;
  #value = Number.NaN;

  /** Adds one bar and returns its true range (NaN for the first bar). */
  update(high: number, low: number, close: number): number {
    const pc = this.#prevClose;
    this.#prevClose = close;
    if (this.#bars++ > 0) this.#value = trueRange(high, low, pc);
    return this.#value;
  }

  /** The last bar's true range; NaN for the first bar. */
  get value(): number {
    return this.#value;
  }
  get isReady(): boolean {
    return this.#bars > 1;
  }

  reset(): void {
    this.#bars = 0;
    this.#prevClose = Number.NaN;
    this.#value = Number.NaN;
  }
}
