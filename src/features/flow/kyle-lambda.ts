/**
 * Kyle's lambda, the price impact of order flow: Kyle (1985), "Continuous Auctions and Insider
 * Trading", Econometrica 53(6); MICROSTRUCTURE.md §12.
 *
 * Time is cut into intervals of `intervalMs` (default 1 min). For each interval k, OF_k is the signed
 * traded volume (+size for buyer-initiated 'B', −size for seller-initiated 'A'; side 'N' and trades
 * with an UNDEF price are left out) and ΔM_k = M_k − M_{k−1} is the change of the mid between the
 * interval ends (the last valid mid seen before each end). Over the last `windowIntervals` intervals
 * (default 60, i.e. one hour) the OLS fit ΔM_k = α + λ·OF_k + ε gives
 *
 *     λ = Cov(ΔM, OF) / Var(OF) = (n Σxy − Σx Σy) / (n Σx² − (Σx)²),   x = OF, y = ΔM
 *
 * from running sums over a ring (O(1) per closed interval; recomputed exactly at each wrap). The
 * reported `value` is λ · `contracts` / `tick`: with `tick` = the instrument's tick in the mid's units
 * and `contracts` = 100 it is §12's "ticks per 100 contracts"; the defaults (1, 1) give mid units per
 * contract. With `flow: 'sqrt'` the regressor is sign(OF)·sqrt(|OF|), the concave-impact variant of
 * Hasbrouck (2009), "Trading costs and returns for US equities", J. Finance 64, and λ is per
 * sqrt-contract. (§12 also describes exponentially weighted moments with a 60-interval half-life; this
 * class uses the equal-weight rolling window the issue asks for.)
 *
 * Edge cases: an interval with no trades has OF = 0 and still counts (a quiet minute is data). Until
 * two interval ends with a valid mid exist there is no ΔM and no point. A silence longer than
 * `maxGapIntervals` intervals is a gap in the data: the intervals inside it are not added, and the
 * mid before the gap is not used as a reference (the next point starts after the gap). With
 * Var(OF) ≈ 0 (relative to Σx², quiet periods) λ is undefined and `value` is NaN, as it is until
 * `minPoints` points (default: the full window) exist.
 */
import type { BookView } from '../../book/index.js';
import { bucketEndBefore, type ValueCalculator } from '../../core/index.js';
import type { RecordCursor } from '../../data/dbn/index.js';
import {
  Aggressor,
  isUsableTrade,
  requireIntInRange,
  requireOneOf,
  requirePositive,
  requirePositiveInt,
} from './common.js';

/** Options of `KyleLambda`. */
export interface KyleLambdaOptions {
  /** Interval length in ms. Default 60000. */
  readonly intervalMs?: number;
  /** Intervals in the rolling regression window. Default 60. */
  readonly windowIntervals?: number;
  /** Points required before λ is reported. Default `windowIntervals`. */
  readonly minPoints?: number;
  /** More empty intervals than this in a row are a gap. Default 5. */
  readonly maxGapIntervals?: number;
  /** Tick size in the mid's units (value is in ticks when set). Default 1. */
  readonly tick?: number;
  /** Volume unit of the value (100 for "per 100 contracts"). Default 1. */
  readonly contracts?: number;
  /** Regressor: 'linear' OF_k, or 'sqrt' sign(OF_k)·sqrt(|OF_k|) (Hasbrouck 2009). Default 'linear'. */
  readonly flow?: 'linear' | 'sqrt';
}

/** Rolling OLS estimate of Kyle's lambda. */
export class KyleLambda
  implements ValueCalculator<[tsMs: number, price: number, size: number, side: number]>
{
  readonly #intervalMs: number;
  readonly #n: number;
  readonly #minPoints: number;
  readonly #maxGap: number;
  readonly #scale: number;
  readonly #sqrt: boolean;
  readonly #xs: Float64Array;
  readonly #ys: Float64Array;
  #pos = 0;
  #count = 0;
  #sx = 0;
  #sy = 0;
  #sxx = 0;
  #sxy = 0;
  #syy = 0;
  #started = false;
  #interval = 0;
  /** `bucketEndBefore(#interval)`: before it a time is still in the current interval (−∞ until started). */
  #until = Number.NEGATIVE_INFINITY;
  #flow = 0;
  #lastMid = Number.NaN;
  #prevEndMid = Number.NaN;
  #dropped = 0;

  constructor(options: KyleLambdaOptions = {}) {
    this.#intervalMs = requirePositive('intervalMs', options.intervalMs ?? 60000);
    this.#n = requirePositiveInt('windowIntervals', options.windowIntervals ?? 60);
    // A line through fewer than 3 points has no residual: λ would fit the noise exactly.
    this.#minPoints = requireIntInRange('minPoints', options.minPoints ?? this.#n, 3, this.#n);
    this.#maxGap = requirePositiveInt('maxGapIntervals', options.maxGapIntervals ?? 5);
    this.#scale =
      requirePositive('contracts', options.contracts ?? 1) / requirePositive('tick', options.tick ?? 1);
    this.#sqrt = requireOneOf('flow', options.flow ?? 'linear', ['linear', 'sqrt']) === 'sqrt';
    this.#xs = new Float64Array(this.#n);
    this.#ys = new Float64Array(this.#n);
  }

  /** A mid observation (any price unit; NaN = no valid mid, ignored). */
  updateMid(tsMs: number, mid: number): void {
    this.advance(tsMs);
    if (Number.isFinite(mid)) this.#lastMid = mid;
  }

  /** Adapter for a book: its mid, skipped while crossed or locked. */
  updateBook(tsMs: number, book: BookView): void {
    this.updateMid(tsMs, book.crossed ? Number.NaN : book.mid);
  }

  /** One trade: time (ms), price (NaN = UNDEF, dropped), size, aggressor side code. */
  update(tsMs: number, price: number, size: number, side: number): void {
    this.advance(tsMs);
    if (!isUsableTrade(price, size)) {
      this.#dropped++;
      return;
    }
    if (side === Aggressor.BUY) this.#flow += size;
    else if (side === Aggressor.SELL) this.#flow -= size;
  }

  /** Adapter for a decoded trade record (ts_recv, price, size, side). */
  updateTrade(cursor: RecordCursor): void {
    this.update(cursor.tsRecvMs, cursor.price, cursor.size, cursor.side);
  }

  /** Moves time to `tsMs`, closing the intervals that ended. */
  advance(tsMs: number): void {
    // Most times fall inside the current interval: no division.
    if (tsMs < this.#until) return;
    if (!Number.isFinite(tsMs)) return;
    const k = Math.floor(tsMs / this.#intervalMs);
    if (!this.#started) {
      this.#started = true;
      this.#interval = k;
      this.#until = bucketEndBefore(k, this.#intervalMs);
      return;
    }
    if (k <= this.#interval) return;
    this.#closeInterval();
    const empty = k - this.#interval - 1;
    if (empty > this.#maxGap) {
      // A gap: drop the reference so no ΔM spans it.
      this.#prevEndMid = Number.NaN;
      this.#lastMid = Number.NaN;
    } else {
      for (let i = 0; i < empty; i++) this.#closeInterval();
    }
    this.#interval = k;
    this.#until = bucketEndBefore(k, this.#intervalMs);
  }

  #closeInterval(): void {
    const end = this.#lastMid;
    if (!Number.isNaN(end) && !Number.isNaN(this.#prevEndMid)) {
      const of = this.#flow;
      this.#push(this.#sqrt ? Math.sign(of) * Math.sqrt(Math.abs(of)) : of, end - this.#prevEndMid);
    }
    if (!Number.isNaN(end)) this.#prevEndMid = end;
    this.#flow = 0;
  }

  #push(x: number, y: number): void {
    const n = this.#n;
    if (this.#count >= n) {
      const ox = this.#xs[this.#pos];
      const oy = this.#ys[this.#pos];
      this.#sx -= ox;
      this.#sy -= oy;
      this.#sxx -= ox * ox;
      this.#sxy -= ox * oy;
      this.#syy -= oy * oy;
    }
    this.#xs[this.#pos] = x;
    this.#ys[this.#pos] = y;
    this.#sx += x;
    this.#sy += y;
    this.#sxx += x * x;
    this.#sxy += x * y;
    this.#syy += y * y;
    this.#count++;
    this.#pos++;
    if (this.#pos === n) {
      this.#pos = 0;
      let sx = 0;
      let sy = 0;
      let sxx = 0;
      let sxy = 0;
      let syy = 0;
      for (let i = 0; i < n; i++) {
        const a = this.#xs[i];
        const b = this.#ys[i];
        sx += a;
        sy += b;
        sxx += a * a;
        sxy += a * b;
        syy += b * b;
      }
      this.#sx = sx;
      this.#sy = sy;
      this.#sxx = sxx;
      this.#sxy = sxy;
      this.#syy = syy;
    }
  }

  /** Points in the window. */
  get points(): number {
    return Math.min(this.#count, this.#n);
  }

  /** Enough points and a non-degenerate order flow. */
  get isReady(): boolean {
    const m = this.points;
    if (m < this.#minPoints) return false;
    const sxxc = m * this.#sxx - this.#sx * this.#sx;
    return sxxc > 1e-9 * m * this.#sxx;
  }

  /** λ · contracts / tick; NaN until ready or while Var(OF) ≈ 0. */
  get value(): number {
    if (!this.isReady) return Number.NaN;
    const m = this.points;
    return ((m * this.#sxy - this.#sx * this.#sy) / (m * this.#sxx - this.#sx * this.#sx)) * this.#scale;
  }

  /** R² of the fit; NaN until ready or when ΔM does not vary. */
  get rSquared(): number {
    if (!this.isReady) return Number.NaN;
    const m = this.points;
    const cxy = m * this.#sxy - this.#sx * this.#sy;
    const cxx = m * this.#sxx - this.#sx * this.#sx;
    const cyy = m * this.#syy - this.#sy * this.#sy;
    return cyy > 0 ? Math.min(1, (cxy * cxy) / (cxx * cyy)) : Number.NaN;
  }

  /** Trades dropped for an UNDEF/NaN price or a non-positive size. */
  get droppedTrades(): number {
    return this.#dropped;
  }

  /** Forgets every interval, mid and trade seen. */
  reset(): void {
    this.#xs.fill(0);
    this.#ys.fill(0);
    this.#pos = 0;
    this.#count = 0;
    this.#sx = 0;
    this.#sy = 0;
    this.#sxx = 0;
    this.#sxy = 0;
    this.#syy = 0;
    this.#started = false;
    this.#interval = 0;
    this.#until = Number.NEGATIVE_INFINITY;
    this.#flow = 0;
    this.#lastMid = Number.NaN;
    this.#prevEndMid = Number.NaN;
    this.#dropped = 0;
  }
}
