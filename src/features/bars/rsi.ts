import type { ValueCalculator } from '../../core/index.js';
import { WilderAverage } from './wilder.js';

/**
 * Relative Strength Index with Wilder smoothing, TA-Lib convention (MICROSTRUCTURE.md §15).
 *
 * The first input only anchors; each later input gives a change, split into a gain (up move) and a
 * loss (down move, positive); an unchanged close is neither. The first average gain and loss are
 * the simple means of the first N changes (ready after N+1 inputs), then Wilder:
 * `avg = (avg·(N−1) + x)/N`. RSI = 100·avgGain/(avgGain+avgLoss), which equals
 * 100 − 100/(1+RS) with RS = avgGain/avgLoss; it is 100 when there are no losses and 0 when there
 * are neither gains nor losses (a flat market, TA-Lib's choice; trading-signals returns 100 there).
 */
export class Rsi implements ValueCalculator<[close: number]> {
  readonly period: number;
  readonly #gain: WilderAverage;
  readonly #loss: WilderAverage;
  #count = 0;
  #prev = Number.NaN;
  #value = Number.NaN;

  constructor(period: number) {
    this.#gain = new WilderAverage(period);
    this.#loss = new WilderAverage(period);
    this.period = period;
  }

  /** Adds one close and returns the RSI (NaN until ready). */
  update(close: number): number {
    const d = close - this.#prev;
    this.#prev = close;
    if (this.#count++ === 0) return this.#value;
    const gain = this.#gain.update(Math.max(d, 0));
    const loss = this.#loss.update(d < 0 ? -d : 0);
    if (!this.#gain.isReady) return this.#value;
    const s = gain + loss;
    this.#value = s === 0 ? 0 : (100 * gain) / s;
    return this.#value;
  }

  /** RSI in [0, 100]; NaN until `period + 1` closes. */
  get value(): number {
    return this.#value;
  }
  get isReady(): boolean {
    return this.#gain.isReady;
  }
  /** Wilder average gain and loss; NaN until ready. */
  get averageGain(): number {
    return this.#gain.value;
  }
  get averageLoss(): number {
    return this.#loss.value;
  }

  reset(): void {
    this.#count = 0;
    this.#prev = Number.NaN;
    this.#gain.reset();
    this.#loss.reset();
    this.#value = Number.NaN;
  }
}
