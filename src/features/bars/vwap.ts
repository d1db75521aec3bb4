/**
 * Session-anchored VWAP with standard-deviation bands (MICROSTRUCTURE.md §15).
 *
 * VWAP = Σv·p / Σv and σ² = Σv·p²/Σv − VWAP² over the session so far; bands are VWAP ± k·σ
 * (k = 1, 2, and 3 for extremes). The sums are kept relative to the session's first price so
 * the variance does not lose its digits to cancellation (σ is ~1e-4 of the price in FX).
 *
 * Feed trade prices (tick VWAP, preferred) with `update`, or bars with `updateBar`, which uses the
 * typical price (H+L+C)/3 as trading-signals' `VWAP` does. Zero-volume and NaN-price inputs are
 * ignored (a bar with no volume leaves the VWAP unchanged).
 *
 * Session boundaries: the caller calls `newSession()`, or passes an `anchor` and a new session starts
 * on the first input at or after each anchor time (time comes only from the inputs). `'globex'` anchors at
 * the CME Globex open, 17:00 America/Chicago; a centre name anchors at that FX centre's local
 * opening time (London 08:00 Europe/London, New York 08:00 America/New_York, …, FX_CENTRES); a
 * function returns the first anchor strictly after a time. The next anchor is computed once per
 * session (through the time-zone database), not per input. Weekend anchors are not skipped: the
 * first input of the week after an anchor that fell in the weekend starts a fresh session.
 * trading-signals' `VWAP` has neither bands nor resets.
 */
import {
  FX_CENTRES,
  type FxCentre,
  nextCentreOpenMs,
  nextGlobexOpenMs,
  requireOneOf,
  type ValueCalculator,
} from '../../core/index.js';

/** When a session-anchored VWAP resets. */
export type VwapAnchor = 'none' | 'globex' | FxCentre | ((ms: number) => number);

export interface SessionVwapOptions {
  /** Automatic reset times; default `'none'` (the caller resets). */
  anchor?: VwapAnchor;
}

export class SessionVwap implements ValueCalculator<[tsMs: number, price: number, volume: number]> {
  readonly #anchor: ((ms: number) => number) | undefined;
  #nextResetMs = Number.NEGATIVE_INFINITY;
  #ref = Number.NaN;
  #sv = 0;
  #sx = 0;
  #sxx = 0;
  #count = 0;
  #sessionStartMs = Number.NaN;
  #sessions = 0;

  constructor(options: SessionVwapOptions = {}) {
    const a = options.anchor ?? 'none';
    if (a === 'none') this.#anchor = undefined;
    else if (a === 'globex') this.#anchor = nextGlobexOpenMs;
    else if (typeof a === 'function') this.#anchor = a;
    else {
      const centres = Object.keys(FX_CENTRES) as FxCentre[];
      const centre = requireOneOf('anchor', a, ['none', 'globex', ...centres]) as FxCentre;
      this.#anchor = (ms) => nextCentreOpenMs(centre, ms);
    }
  }

  /** Adds a trade (or any price with a volume) at `tsMs` and returns the VWAP. */
  update(tsMs: number, price: number, volume: number): number {
    if (this.#anchor !== undefined && tsMs >= this.#nextResetMs) {
      this.newSession();
      this.#nextResetMs = this.#anchor(tsMs);
    }
    if (!(volume > 0) || Number.isNaN(price)) return this.value;
    if (this.#count === 0) {
      this.#ref = price;
      this.#sessionStartMs = tsMs;
      this.#sessions++;
    }
    const x = price - this.#ref;
    const vx = volume * x;
    this.#sv += volume;
    this.#sx += vx;
    this.#sxx += vx * x;
    this.#count++;
    return this.value;
  }

  /** Adds a bar at its time `tsMs` with the typical price (H+L+C)/3 and its volume. */
  updateBar(tsMs: number, high: number, low: number, close: number, volume: number): number {
    return this.update(tsMs, (high + low + close) / 3, volume);
  }

  /** Starts a new session (the next input anchors it); the session count and anchor times carry on. */
  newSession(): void {
    this.#ref = Number.NaN;
    this.#sv = 0;
    this.#sx = 0;
    this.#sxx = 0;
    this.#count = 0;
    this.#sessionStartMs = Number.NaN;
  }

  /** Forgets everything, sessions counted and the next anchor time included. */
  reset(): void {
    this.newSession();
    this.#sessions = 0;
    this.#nextResetMs = Number.NEGATIVE_INFINITY;
  }

  /** VWAP of the session; NaN before the first input with volume. */
  get value(): number {
    return this.#count === 0 ? Number.NaN : this.#ref + this.#sx / this.#sv;
  }
  get isReady(): boolean {
    return this.#count > 0;
  }
  /** Volume-weighted standard deviation of the session's prices about the VWAP. */
  get stdDev(): number {
    if (this.#count === 0) return Number.NaN;
    const m = this.#sx / this.#sv;
    const v = this.#sxx / this.#sv - m * m;
    return v > 0 ? Math.sqrt(v) : 0;
  }
  /** VWAP + k·σ (k < 0 gives the lower band). */
  band(k: number): number {
    return this.value + k * this.stdDev;
  }
  upper(k: number): number {
    return this.value + k * this.stdDev;
  }
  lower(k: number): number {
    return this.value - k * this.stdDev;
  }
  /** Session volume. */
  get volume(): number {
    return this.#sv;
  }
  /** Time of the session's first input; NaN before it. */
  get sessionStartMs(): number {
    return this.#sessionStartMs;
  }
  /** Sessions started so far (resets that were followed by an input). */
  get sessions(): number {
    return this.#sessions;
  }
  /** The next automatic reset time (−Infinity before the first input, +Infinity without anchor). */
  get nextResetMs(): number {
    return this.#anchor === undefined ? Number.POSITIVE_INFINITY : this.#nextResetMs;
  }
}
