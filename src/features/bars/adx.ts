import { requirePositiveInt } from '../../core/index.js';

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
export class Adx {
  readonly period: number;
  #count = 0;
  #prevHigh = Number.NaN;
  #prevLow = Number.NaN;
  #prevClose = Number.NaN;
  #sPdm = 0;
  #sMdm = 0;
  #sTr = 0;
  #pdi = Number.NaN;
  #mdi = Number.NaN;
  #dx = Number.NaN;
  #sumDx = 0;
  #adx = Number.NaN;

  constructor(period: number) {
    this.period = requirePositiveInt('period', period);
  }

  /** Adds one bar and returns the ADX (NaN until ready). */
  update(high: number, low: number, close: number): number {
    const n = this.period;
    const idx = this.#count++;
    const up = high - this.#prevHigh;
    const down = this.#prevLow - low;
    const pc = this.#prevClose;
    this.#prevHigh = high;
    this.#prevLow = low;
    this.#prevClose = close;
    if (idx === 0) return this.#adx;
    const pdm = up > down && up > 0 ? up : 0;
    const mdm = down > up && down > 0 ? down : 0;
    let tr = high - low;
    const a = high > pc ? high - pc : pc - high;
    const b = low > pc ? low - pc : pc - low;
    if (a > tr) tr = a;
    if (b > tr) tr = b;
    if (idx < n) {
      this.#sPdm += pdm;
      this.#sMdm += mdm;
      this.#sTr += tr;
      return this.#adx;
    }
    this.#sPdm = this.#sPdm - this.#sPdm / n + pdm;
    this.#sMdm = this.#sMdm - this.#sMdm / n + mdm;
    this.#sTr = this.#sTr - this.#sTr / n + tr;
    if (this.#sTr !== 0) {
      this.#pdi = (100 * this.#sPdm) / this.#sTr;
      this.#mdi = (100 * this.#sMdm) / this.#sTr;
    } else {
      this.#pdi = 0;
      this.#mdi = 0;
    }
    const s = this.#pdi + this.#mdi;
    const d = this.#pdi - this.#mdi;
    this.#dx = s !== 0 ? (100 * (d < 0 ? -d : d)) / s : 0;
    if (idx < 2 * n - 1) {
      this.#sumDx += this.#dx;
    } else if (idx === 2 * n - 1) {
      this.#adx = (this.#sumDx + this.#dx) / n;
    } else {
      this.#adx = (this.#adx * (n - 1) + this.#dx) / n;
    }
    return this.#adx;
  }

  /** ADX in [0, 100]; NaN until 2·period bars. */
  get value(): number {
    return this.#adx;
  }
  get isReady(): boolean {
    return this.#count >= 2 * this.period;
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
    return this.#count > this.period;
  }

  reset(): void {
    this.#count = 0;
    this.#prevHigh = Number.NaN;
    this.#prevLow = Number.NaN;
    this.#prevClose = Number.NaN;
    this.#sPdm = 0;
    this.#sMdm = 0;
    this.#sTr = 0;
    this.#pdi = Number.NaN;
    this.#mdi = Number.NaN;
    this.#dx = Number.NaN;
    this.#sumDx = 0;
    this.#adx = Number.NaN;
  }
}
