import type { ValueCalculator } from '../../core/index.js';
import { TrueRange, WilderAverage, WilderSum } from './wilder.js';

/**
 * Directional Movement System: +DI, −DI, DX and ADX (Wilder 1978), TA-Lib convention
 * (MICROSTRUCTURE.md §15).
 *
 * Directional movement of a bar against the previous one: up = H − H_prev, down = L_prev − L.
 * +DM = up when up > down and up > 0, else 0; −DM = down when down > up and down > 0, else 0. On an
 * exact tie (up = down > 0) BOTH are 0 (Wilder, TA-Lib); trading-signals counts both.
 *
 * Smoothing uses Wilder's running sums as TA-Lib does: the first N−1 values of +DM, −DM and TR
 * (bars 2…N) are summed, then from bar N+1 on `S = S − S/N + x`. From bar N+1 (index N):
 * +DI = 100·S(+DM)/S(TR), −DI = 100·S(−DM)/S(TR) (0 when S(TR) = 0), and
 * DX = 100·|+DI − −DI|/(+DI + −DI) (0 when both DIs are 0). ADX is the mean of the first N DX
 * values (ready at index 2N−1, i.e. after 2N bars), then `ADX = (ADX·(N−1) + DX)/N`.
 *
 * trading-signals (`DX`, `ADX`) reports DIs as fractions (0–1) rather than percent, feeds the first
 * bar into its averages as DM = 0, TR = H − L, and seeds with simple means of N values, so its ADX
 * is ready one bar earlier; the difference decays as (1 − 1/N)^t and is shown in the tests.
 */
export class Adx implements ValueCalculator<[high: number, low: number, close: number]> {
  readonly period: number;
  readonly #tr = new TrueRange();
  readonly #sPdm: WilderSum;
  readonly #sMdm: WilderSum;
  readonly #sTr: WilderSum;
  readonly #adx: WilderAverage;
  #prevHigh = Number.NaN;
  #prevLow = Number.NaN;
  #pdi = Number.NaN;
  #mdi = Number.NaN;
  #dx = Number.NaN;

  constructor(period: number) {
    this.#sPdm = new WilderSum(period);
    this.#sMdm = new WilderSum(period);
    this.#sTr = new WilderSum(period);
    this.#adx = new WilderAverage(period);
    this.period = period;
  }

  /** Adds one bar and returns the ADX (NaN until ready). */
  update(high: number, low: number, close: number): number {
    const up = high - this.#prevHigh;
    const down = this.#prevLow - low;
    this.#prevHigh = high;
    this.#prevLow = low;
    const tr = this.#tr.update(high, low, close);
    if (!this.#tr.isReady) return this.#adx.value;
    const sPdm = this.#sPdm.update(up > down && up > 0 ? up : 0);
    const sMdm = this.#sMdm.update(down > up && down > 0 ? down : 0);
    const sTr = this.#sTr.update(tr);
    if (!this.#sTr.isReady) return this.#adx.value;
    if (sTr !== 0) {
      this.#pdi = (100 * sPdm) / sTr;
      this.#mdi = (100 * sMdm) / sTr;
    } else {
      this.#pdi = 0;
      this.#mdi = 0;
    }
    const s = this.#pdi + this.#mdi;
    const d = this.#pdi - this.#mdi;
    this.#dx = s !== 0 ? (100 * (d < 0 ? -d : d)) / s : 0;
    return this.#adx.update(this.#dx);
  }

  /** ADX in [0, 100]; NaN until 2·period bars. */
  get value(): number {
    return this.#adx.value;
  }
  get isReady(): boolean {
    return this.#adx.isReady;
  }
  /** +DI and −DI in percent; NaN until period + 1 bars. */
  get plusDi(): number {
    return this.#pdi;
  }
  get minusDi(): number {
    return this.#mdi;
  }
  /** The last DX; NaN until period + 1 bars. */
  get dx(): number {
    return this.#dx;
  }
  /** Whether +DI, −DI and DX are available (period + 1 bars). */
  get isDiReady(): boolean {
    return this.#sTr.isReady;
  }

  reset(): void {
    this.#tr.reset();
    this.#sPdm.reset();
    this.#sMdm.reset();
    this.#sTr.reset();
    this.#adx.reset();
    this.#prevHigh = Number.NaN;
    this.#prevLow = Number.NaN;
    this.#pdi = Number.NaN;
    this.#mdi = Number.NaN;
    this.#dx = Number.NaN;
  }
}
