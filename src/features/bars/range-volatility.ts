/**
 * Range-based volatility on bars, averaged over a rolling window of N bars (MICROSTRUCTURE.md §10).
 *
 * Per bar (natural logs):
 * - Parkinson (1980): σ² = (ln H/L)² / (4 ln 2);
 * - Garman & Klass (1980): σ² = ½(ln H/L)² − (2 ln 2 − 1)(ln C/O)².
 * `variance` is the mean per-bar σ² over the last N bars, `value` its square root (per-bar
 * volatility); `annualized(barsPerYear)` scales it by √barsPerYear (e.g. 1,380 × 252 one-minute bars).
 * Bars with a non-positive or NaN price (e.g. a bar with no trades) are skipped. H = L gives 0.
 * The window is a preallocated ring; its sum is recomputed exactly once per wrap to bound drift.
 */
import { requirePositiveInt, type ValueCalculator } from '../../core/index.js';

const FOUR_LN2 = 4 * Math.LN2;
const GK_C = 2 * Math.LN2 - 1;

class RollingMean {
  readonly #ring: Float64Array;
  #i = 0;
  #n = 0;
  #sum = 0;

  constructor(window: number) {
    this.#ring = new Float64Array(requirePositiveInt('window', window));
  }

  push(x: number): void {
    const r = this.#ring;
    if (this.#n === r.length) this.#sum -= r[this.#i];
    else this.#n++;
    r[this.#i] = x;
    this.#sum += x;
    this.#i++;
    if (this.#i === r.length) {
      this.#i = 0;
      if (this.#n === r.length) {
        let s = 0;
        for (let j = 0; j < r.length; j++) s += r[j];
        this.#sum = s;
      }
    }
  }

  get mean(): number {
    return this.#n === this.#ring.length ? this.#sum / this.#n : Number.NaN;
  }
  get full(): boolean {
    return this.#n === this.#ring.length;
  }
  get count(): number {
    return this.#n;
  }
  clear(): void {
    this.#i = 0;
    this.#n = 0;
    this.#sum = 0;
  }
}

/** Per-bar Parkinson variance (ln H/L)²/(4 ln 2). */
export function parkinsonVariance(high: number, low: number): number {
  const hl = Math.log(high / low);
  return (hl * hl) / FOUR_LN2;
}

/** Per-bar Garman–Klass variance ½(ln H/L)² − (2 ln 2 − 1)(ln C/O)². */
export function garmanKlassVariance(open: number, high: number, low: number, close: number): number {
  const hl = Math.log(high / low);
  const co = Math.log(close / open);
  return 0.5 * hl * hl - GK_C * co * co;
}

/** A rolling mean of per-bar variances and the volatility it implies (shared by the range estimators). */
abstract class RollingBarVolatility {
  readonly window: number;
  protected readonly bars: RollingMean;

  constructor(window: number) {
    this.window = window;
    this.bars = new RollingMean(window);
  }

  /** Mean per-bar variance over the window. */
  get variance(): number {
    return this.bars.mean;
  }
  /** Per-bar volatility (NaN until `window` bars). */
  get value(): number {
    return Math.sqrt(this.bars.mean);
  }
  get isReady(): boolean {
    return this.bars.full;
  }
  annualized(barsPerYear: number): number {
    return this.value * Math.sqrt(barsPerYear);
  }
  reset(): void {
    this.bars.clear();
  }
}

/** Parkinson volatility over a rolling window of bars. */
export class ParkinsonVolatility
  extends RollingBarVolatility
  implements ValueCalculator<[high: number, low: number]>
{
  /** Adds a bar's high and low; returns the per-bar volatility (NaN until `window` bars). */
  update(high: number, low: number): number {
    if (high > 0 && low > 0 && high >= low) this.bars.push(parkinsonVariance(high, low));
    return this.value;
  }
}

/** Garman–Klass volatility over a rolling window of bars. */
export class GarmanKlassVolatility
  extends RollingBarVolatility
  implements ValueCalculator<[open: number, high: number, low: number, close: number]>
{
  /** Adds a bar's OHLC; returns the per-bar volatility (NaN until `window` bars). */
  update(open: number, high: number, low: number, close: number): number {
    if (open > 0 && high > 0 && low > 0 && close > 0 && high >= low) {
      this.bars.push(garmanKlassVariance(open, high, low, close));
    }
    return this.value;
  }
}
