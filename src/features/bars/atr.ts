import { requirePositiveInt } from '../../core/index.js';

/**
 * True range and Average True Range with Wilder smoothing, TA-Lib convention (MICROSTRUCTURE.md §15).
 *
 * TR = max(H−L, |H−C_prev|, |L−C_prev|). The first bar has no previous close and so no TR; it only
 * anchors. The first ATR is the simple mean of the first N true ranges (bars 2…N+1, ready after N+1
 * bars), then `ATR = (ATR·(N−1) + TR)/N`. trading-signals' `ATR` instead counts the first bar's
 * H−L as a true range inside the seed (ready after N bars); the tests show the difference with
 * worked numbers.
 */
export class Atr {
  readonly period: number;
  #count = 0;
  #prevClose = Number.NaN;
  #tr = Number.NaN;
  #sum = 0;
  #value = Number.NaN;

  constructor(period: number) {
    this.period = requirePositiveInt('period', period);
  }

  /** Adds one bar and returns the ATR (NaN until ready). */
  update(high: number, low: number, close: number): number {
    const n = this.period;
    this.#count++;
    const pc = this.#prevClose;
    this.#prevClose = close;
    if (this.#count === 1) return this.#value;
    this.#tr = trueRange(high, low, pc);
    const k = this.#count - 1; // true ranges seen
    if (k < n) {
      this.#sum += this.#tr;
    } else if (k === n) {
      this.#value = (this.#sum + this.#tr) / n;
    } else {
      this.#value = (this.#value * (n - 1) + this.#tr) / n;
    }
    return this.#value;
  }

  /** ATR; NaN until `period + 1` bars. */
  get value(): number {
    return this.#value;
  }
  get isReady(): boolean {
    return this.#count > this.period;
  }
  /** The last bar's true range (NaN for the first bar). */
  get trueRange(): number {
    return this.#tr;
  }

  reset(): void {
    this.#count = 0;
    this.#prevClose = Number.NaN;
    this.#tr = Number.NaN;
    this.#sum = 0;
    this.#value = Number.NaN;
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
