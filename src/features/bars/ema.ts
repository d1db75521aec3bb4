import { requirePositiveInt, type ValueCalculator } from '../../core/index.js';

/**
 * Exponential moving average, TA-Lib convention (MICROSTRUCTURE.md §15).
 *
 * k = 2/(N+1); the first value is the simple mean of the first N inputs (ready after N inputs),
 * then `E = E_prev + k·(x − E_prev)`. trading-signals' `EMA` instead seeds with the first input
 * (E_0 = x_0) and reports from the N-th input on; the two differ by the seed difference times
 * (1−k)^t, which the tests show with worked numbers.
 */
export class Ema implements ValueCalculator<[x: number]> {
  readonly period: number;
  readonly #k: number;
  #count = 0;
  #sum = 0;
  #value = Number.NaN;

  constructor(period: number) {
    this.period = requirePositiveInt('period', period);
    this.#k = 2 / (period + 1);
  }

  /** Adds one input (a bar close) and returns the value (NaN until ready). */
  update(x: number): number {
    this.#count++;
    if (this.#count < this.period) {
      this.#sum += x;
    } else if (this.#count === this.period) {
      this.#sum += x;
      this.#value = this.#sum / this.period;
    } else {
      this.#value += (x - this.#value) * this.#k;
    }
    return this.#value;
  }

  /** The average; NaN until `period` inputs. */
  get value(): number {
    return this.#value;
  }
  get isReady(): boolean {
    return this.#count >= this.period;
  }
  /** Inputs seen. */
  get count(): number {
    return this.#count;
  }

  reset(): void {
    this.#count = 0;
    this.#sum = 0;
    this.#value = Number.NaN;
  }
}
