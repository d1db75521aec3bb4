/**
 * Shared pieces of the trade-flow calculators: aggressor side codes, the standard normal CDF used
 * by bulk volume classification, the rule for which trades count, and a clock on a sampling grid.
 */

import { bucketEndBefore } from '../../core/index.js';

/** Aggressor side codes of Databento trades (`side` is the aggressor on trades): 'B', 'A', 'N'. */
export const Aggressor = {
  /** 'B': a buyer lifted the offer (buyer-initiated). */
  BUY: 66,
  /** 'A': a seller hit the bid (seller-initiated). */
  SELL: 65,
  /** 'N': no aggressor known. */
  NONE: 78,
} as const;

/**
 * A trade counts when its size is positive and its price finite. The decoder turns UNDEF_PRICE
 * into NaN; a print without a price is a malformed record, so it is dropped rather than guessed.
 */
export function isUsableTrade(price: number, size: number): boolean {
  return size > 0 && Number.isFinite(price) && Number.isFinite(size);
}

/**
 * Standard normal CDF Φ(x), absolute error below 1e-14: Hart's (1968) rational approximation in
 * the double-precision form given by G. West (2005), "Better approximations to cumulative normal
 * functions", Wilmott Magazine, Figure 2; a continued fraction beyond |x| = 7.07.
 */
export function normalCdf(x: number): number {
  if (Number.isNaN(x)) return Number.NaN;
  const a = Math.abs(x);
  let c: number;
  if (a > 37) {
    c = 0;
  } else {
    const e = Math.exp((-a * a) / 2);
    if (a < 7.07106781186547) {
      let n = 3.52624965998911e-2 * a + 0.700383064443688;
      n = n * a + 6.37396220353165;
      n = n * a + 33.912866078383;
      n = n * a + 112.079291497871;
      n = n * a + 221.213596169931;
      n = n * a + 220.206867912376;
      let d = 8.83883476483184e-2 * a + 1.75566716318264;
      d = d * a + 16.064177579207;
      d = d * a + 86.7807322029461;
      d = d * a + 296.564248779674;
      d = d * a + 637.333633378831;
      d = d * a + 793.826512519948;
      d = d * a + 440.413735824752;
      c = (e * n) / d;
    } else {
      let b = a + 0.65;
      b = a + 4 / b;
      b = a + 3 / b;
      b = a + 2 / b;
      b = a + 1 / b;
      c = e / b / 2.506628274631;
    }
  }
  return x > 0 ? 1 - c : c;
}
export {
  requireIntInRange,
  requireNonEmpty,
  requireOneOf,
  requirePositive,
  requirePositiveInt,
  requireSteps,
} from '../../core/index.js';

/** Non-negative remainder: ring index of a possibly negative slot number. */
export function mod(x: number, n: number): number {
  const r = x % n;
  return r < 0 ? r + n : r;
}

/**
 * A clock on a fixed sampling grid, moved by event times. `advance` says how many grid cells
 * ended since the last call, so the caller closes them in order; a silence longer than
 * `maxGapMs` is reported as -1 (the caller starts afresh rather than bridge the gap with stale
 * values). The first time seen only starts the clock.
 */
export class GridClock {
  readonly #stepMs: number;
  readonly #maxGapMs: number;
  #started = false;
  #cell = 0;
  /** `bucketEndBefore(#cell)`: before it a time is still in the current cell (−∞ until started). */
  #until = Number.NEGATIVE_INFINITY;
  #lastT = 0;
  #gaps = 0;

  constructor(stepMs: number, maxGapMs: number) {
    this.#stepMs = stepMs;
    this.#maxGapMs = maxGapMs;
  }

  /** Whether a first time has been seen. */
  get started(): boolean {
    return this.#started;
  }

  /** Gaps seen (each reported once as -1 by `advance`). */
  get gaps(): number {
    return this.#gaps;
  }

  /** Forgets the times and gaps seen: the next time starts the clock again. */
  reset(): void {
    this.#started = false;
    this.#cell = 0;
    this.#until = Number.NEGATIVE_INFINITY;
    this.#lastT = 0;
    this.#gaps = 0;
  }

  /** Moves to `tsMs`: the number of cells that ended (0 or more), or -1 after a gap. */
  advance(tsMs: number): number {
    // Most times fall inside the current cell and close to the last one: no division.
    if (tsMs < this.#until && tsMs - this.#lastT <= this.#maxGapMs) {
      if (tsMs > this.#lastT) this.#lastT = tsMs;
      return 0;
    }
    if (!Number.isFinite(tsMs)) return 0;
    const cell = Math.floor(tsMs / this.#stepMs);
    if (!this.#started) {
      this.#started = true;
      this.#enter(cell);
      this.#lastT = tsMs;
      return 0;
    }
    if (tsMs - this.#lastT > this.#maxGapMs) {
      this.#enter(cell);
      this.#lastT = tsMs;
      this.#gaps++;
      return -1;
    }
    if (tsMs > this.#lastT) this.#lastT = tsMs;
    const ended = cell > this.#cell ? cell - this.#cell : 0;
    if (ended > 0) this.#enter(cell);
    return ended;
  }

  /** Makes `cell` the current cell. */
  #enter(cell: number): void {
    this.#cell = cell;
    this.#until = bucketEndBefore(cell, this.#stepMs);
  }
}
