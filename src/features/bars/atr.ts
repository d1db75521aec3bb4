import type { ValueCalculator } from '../../core/index.js';
import { TrueRange, WilderAverage } from './wilder.js';

/**
 * Average True Range with Wilder smoothing, TA-Lib convention (MICROSTRUCTURE.md §15).
 *
 * TR = max(H−L, |H−C_prev|, |L−C_prev|). The first bar has no previous close and so no TR; it only
 * anchors. The first ATR is the simple mean of the first N true ranges (bars 2…N+1, ready after N+1
 * bars), then `ATR = (ATR·(N−1) + TR)/N`. trading-signals' `ATR` instead counts the first bar's
 * H−L as a true range inside the seed (ready after N bars); the tests show the difference with
 * worked numbers.
 */
export class Atr implements ValueCalculator<[high: number, low: number, close: number]> {
  readonly period: number;
  readonly #tr = new TrueRange();
  readonly #avg: WilderAverage;

  constructor(period: number) {
    this.#avg = new WilderAverage(period);
    this.period = period;
  }

  /** Adds one bar and returns the ATR (NaN until ready). */
  update(high: number, low: number, close: number): number {
    const tr = this.#tr.update(high, low, close);
    return this.#tr.isReady ? this.#avg.update(tr) : this.#avg.value;
  }

  /** ATR; NaN until `period + 1` bars. */
  get value(): number {
    return this.#avg.value;
  }
  get isReady(): boolean {
    return this.#avg.isReady;
  }
  /** The last bar's true range (NaN for the first bar). */
  get trueRange(): number {
    return this.#tr.value;
  }

  reset(): void {
    this.#tr.reset();
    this.#avg.reset();
  }
}
