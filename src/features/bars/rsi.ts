import { requirePositiveInt } from '../../core/index.js';

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
export class Rsi {
  readonly period: number;
  #count = 0;
  #prev = Number.NaN;
  #gain = 0;
  #loss = 0;
  #value = Number.NaN;

  constructor(period: number) {
    this.period = requirePositiveInt('period', period);
  }

  /** Adds one close and returns the RSI (NaN until ready). */
  update(close: number): number {
    const n = this.period;
    this.#count++;
    if (this.#count === 1) {
      this.#prev = close;
      return this.#value;
    }
    const d = close - this.#prev;
    this.#prev = close;
    const gain = Math.max(d, 0);
    const loss = d < 0 ? -d : 0;
    const changes = this.#count - 1;
    if (changes < n) {
      this.#gain += gain;
      this.#loss += loss;
      return this.#value;
    }
    if (changes === n) {
      this.#gain = (this.#gain + gain) / n;
      this.#loss = (this.#loss + loss) / n;
    } else {
      this.#gain = (this.#gain * (n - 1) + gain) / n;
      this.#loss = (this.#loss * (n - 1) + loss) / n;
    }
    const s = this.#gain + this.#loss;
    this.#value = s === 0 ? 0 : (100 * this.#gain) / s;
    return this.#value;
  }

  /** RSI in [0, 100]; NaN until `period + 1` closes. */
  get value(): number {
    return this.#value;
  }
  get isReady(): boolean {
    return this.#count > this.period;
  }
  /** Wilder average gain and loss (sums while warming up). */
  get averageGain(): number {
    return this.isReady ? this.#gain : Number.NaN;
  }
  get averageLoss(): number {
    return this.isReady ? this.#loss : Number.NaN;
  }

  reset(): void {
    this.#count = 0;
    this.#prev = Number.NaN;
    this.#gain = 0;
    this.#loss = 0;
    this.#value = Number.NaN;
  }
}
