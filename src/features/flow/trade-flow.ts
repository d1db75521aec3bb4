/**
 * Trade flow from the aggressor side (MICROSTRUCTURE.md §7): buyer- and seller-initiated volume
 * over rolling time windows, volume delta, cumulative volume delta (CVD), and trade intensity.
 *
 * Windows. Time is cut into slots of `slotMs`; a window of `W` ms is the last `W / slotMs` slots,
 * the current (partly elapsed) one included, so at time t it holds the trades with time in
 * (slotStart(t) − W + slotMs, t]: exact to one slot. Each slot's sums sit in a fixed ring and each
 * window keeps running sums; entering a new slot subtracts the slot leaving each window. Sizes are
 * integers, so the running sums are exact (no drift). A jump in time longer than the longest window
 * (a gap in the data, the daily CME break) clears the ring: every window then reads 0 volume.
 *
 * Intensity. Trades per second and volume per second are continuous-time EWMAs, i.e. exponential
 * kernel estimates of the arrival rate:
 *
 *     λ(t) = Σ_{t_i ≤ t} w_i · κ · exp(−κ (t − t_i)),   κ = ln 2 / halfLife (per second)
 *
 * with w_i = 1 for the trade rate and the trade's size for the volume rate. The kernel integrates
 * to 1, so a steady flow of r per second gives λ → r whatever the spacing of the events. It is
 * updated in O(1): λ ← λ·exp(−κ Δt) on each new time, then λ += κ·w_i. Started at t0 with λ = 0 it
 * is biased low by the factor (1 − exp(−κ (t − t0))); the getters divide that factor out and report
 * NaN until one half-life has elapsed (factor ≥ 1/2), so the early value is not inflated by a tiny
 * divisor. A gap needs no special case: the rate decays through it as it should.
 *
 * Side 'N' (no aggressor) trades count in trade counts, unknown volume and the intensities, never in
 * buy/sell volume, the delta or CVD. CVD runs from construction or the last `resetCvd()` (the caller
 * resets it at the 17:00 CT session start). Time going backwards is treated as no time passing.
 */
import type { Calculator } from '../../core/index.js';
import type { RecordCursor } from '../../data/dbn/index.js';
import { Aggressor, isUsableTrade, mod, requireNonEmpty, requirePositive, requireSteps } from './common.js';

const LN2 = Math.LN2;

/** Options of `TradeFlow`. */
export interface TradeFlowOptions {
  /** Rolling window lengths in ms, each a multiple of `slotMs`. Default [1000, 10000, 60000]. */
  readonly windowsMs?: readonly number[];
  /** Slot length in ms: the resolution of the windows. Default 100. */
  readonly slotMs?: number;
  /** Half-life of the intensity EWMAs in ms. Default 10000. */
  readonly halfLifeMs?: number;
}

/** Buyer- vs seller-initiated volume, volume delta, CVD and trade intensity. */
export class TradeFlow implements Calculator<[tsMs: number, price: number, size: number, side: number]> {
  readonly #slotMs: number;
  readonly #windowsMs: Float64Array;
  readonly #winSlots: Int32Array;
  readonly #ringLen: number;
  readonly #rBuy: Float64Array;
  readonly #rSell: Float64Array;
  readonly #rNone: Float64Array;
  readonly #rCount: Float64Array;
  readonly #wBuy: Float64Array;
  readonly #wSell: Float64Array;
  readonly #wNone: Float64Array;
  readonly #wCount: Float64Array;
  /** κ in 1/ms. */
  readonly #kappa: number;
  readonly #halfLifeMs: number;
  #slot = 0;
  /** Ring index of `#slot` (its remainder modulo the ring length). */
  #pos = 0;
  /**
   * The slots holding trades, oldest first (slot number and ring index), as a queue over a ring of
   * `#ringLen` entries addressed by running positions: `#qHead` is the oldest still in the ring,
   * `#qTail` one past the newest, `#qOut[w]` the oldest still inside window w. Expiring walks the
   * slots that hold trades, not every slot passed (most 100 ms slots are empty). The positions
   * restart at 0 whenever the ring is cleared (a silence of the longest window, as the daily break).
   */
  readonly #qSlot: Float64Array;
  readonly #qIdx: Int32Array;
  readonly #qOut: Int32Array;
  #qHead = 0;
  #qTail = 0;
  #firstSlot = 0;
  #started = false;
  #t0 = 0;
  #lastT = 0;
  #tradeRate = 0;
  #volumeRate = 0;
  #cvd = 0;
  #dropped = 0;

  constructor(options: TradeFlowOptions = {}) {
    const slotMs = requirePositive('slotMs', options.slotMs ?? 100);
    const windows = requireNonEmpty('windowsMs', options.windowsMs ?? [1000, 10000, 60000]);
    this.#slotMs = slotMs;
    this.#windowsMs = Float64Array.from(windows);
    this.#winSlots = new Int32Array(windows.length);
    let maxSlots = 1;
    for (let w = 0; w < windows.length; w++) {
      const k = requireSteps(`windowsMs[${w}]`, windows[w], slotMs);
      this.#winSlots[w] = k;
      if (k > maxSlots) maxSlots = k;
    }
    this.#ringLen = maxSlots;
    this.#rBuy = new Float64Array(maxSlots);
    this.#rSell = new Float64Array(maxSlots);
    this.#rNone = new Float64Array(maxSlots);
    this.#rCount = new Float64Array(maxSlots);
    this.#wBuy = new Float64Array(windows.length);
    this.#wSell = new Float64Array(windows.length);
    this.#wNone = new Float64Array(windows.length);
    this.#wCount = new Float64Array(windows.length);
    this.#qSlot = new Float64Array(maxSlots);
    this.#qIdx = new Int32Array(maxSlots);
    this.#qOut = new Int32Array(windows.length);
    this.#halfLifeMs = requirePositive('halfLifeMs', options.halfLifeMs ?? 10000);
    this.#kappa = LN2 / this.#halfLifeMs;
  }

  /** Moves the calculator's time to `tsMs` without a trade (expires windows, decays rates). */
  advance(tsMs: number): void {
    if (!Number.isFinite(tsMs)) return;
    const slot = Math.floor(tsMs / this.#slotMs);
    if (!this.#started) {
      this.#started = true;
      this.#slot = slot;
      this.#pos = mod(slot, this.#ringLen);
      this.#firstSlot = slot;
      this.#t0 = tsMs;
      this.#lastT = tsMs;
      return;
    }
    if (tsMs > this.#lastT) {
      const decay = Math.exp(-this.#kappa * (tsMs - this.#lastT));
      this.#tradeRate *= decay;
      this.#volumeRate *= decay;
      this.#lastT = tsMs;
    }
    if (slot <= this.#slot) return;
    const len = this.#ringLen;
    if (slot - this.#slot >= len) {
      this.#clearWindows();
      this.#pos = mod(slot, len);
    } else {
      // Slot numbers are beyond 2^31, so `mod(slot, len)` would be a floating-point remainder (a
      // runtime call): the ring index moves on by the slots passed, wrapping at the end.
      const i = this.#pos + (slot - this.#slot);
      this.#pos = i >= len ? i - len : i;
      this.#expire(slot);
    }
    this.#slot = slot;
  }

  /**
   * Entering `slot`: a window of k slots spans slot − k + 1..slot, so every slot up to slot − k
   * leaves it (its sums are subtracted, oldest first); a slot that left the longest window (k is the
   * ring length) is cleared, as its ring entry is next used by a slot entering now or later.
   */
  #expire(slot: number): void {
    const len = this.#ringLen;
    const winSlots = this.#winSlots;
    const qSlot = this.#qSlot;
    const qIdx = this.#qIdx;
    const out = this.#qOut;
    const tail = this.#qTail;
    for (let w = 0; w < winSlots.length; w++) {
      const last = slot - winSlots[w];
      let q = out[w];
      while (q < tail && qSlot[q % len] <= last) {
        const j = qIdx[q % len];
        this.#wBuy[w] -= this.#rBuy[j];
        this.#wSell[w] -= this.#rSell[j];
        this.#wNone[w] -= this.#rNone[j];
        this.#wCount[w] -= this.#rCount[j];
        q++;
      }
      out[w] = q;
    }
    const last = slot - len;
    let h = this.#qHead;
    while (h < tail && qSlot[h % len] <= last) {
      const j = qIdx[h % len];
      this.#rBuy[j] = 0;
      this.#rSell[j] = 0;
      this.#rNone[j] = 0;
      this.#rCount[j] = 0;
      h++;
    }
    this.#qHead = h;
  }

  /** One trade: time (ms), price (any unit; NaN = UNDEF), size, aggressor side code ('B' 66, 'A' 65, 'N' 78). */
  update(tsMs: number, price: number, size: number, side: number): void {
    this.advance(tsMs);
    if (!this.#started || !isUsableTrade(price, size)) {
      this.#dropped++;
      return;
    }
    const i = this.#pos;
    if (this.#rCount[i] === 0) {
      const t = this.#qTail % this.#ringLen;
      this.#qSlot[t] = this.#slot;
      this.#qIdx[t] = i;
      this.#qTail++;
    }
    const nw = this.#winSlots.length;
    if (side === Aggressor.BUY) {
      this.#rBuy[i] += size;
      for (let w = 0; w < nw; w++) this.#wBuy[w] += size;
      this.#cvd += size;
    } else if (side === Aggressor.SELL) {
      this.#rSell[i] += size;
      for (let w = 0; w < nw; w++) this.#wSell[w] += size;
      this.#cvd -= size;
    } else {
      this.#rNone[i] += size;
      for (let w = 0; w < nw; w++) this.#wNone[w] += size;
    }
    this.#rCount[i] += 1;
    for (let w = 0; w < nw; w++) this.#wCount[w] += 1;
    // κ per ms × 1000 = per second.
    this.#tradeRate += this.#kappa * 1000;
    this.#volumeRate += this.#kappa * 1000 * size;
  }

  /** Empties the slot ring and the window sums. */
  #clearWindows(): void {
    this.#qHead = 0;
    this.#qTail = 0;
    this.#qOut.fill(0);
    this.#rBuy.fill(0);
    this.#rSell.fill(0);
    this.#rNone.fill(0);
    this.#rCount.fill(0);
    this.#wBuy.fill(0);
    this.#wSell.fill(0);
    this.#wNone.fill(0);
    this.#wCount.fill(0);
  }

  /** Adapter for a decoded trade record (ts_recv, price, size, side). */
  updateTrade(cursor: RecordCursor): void {
    this.update(cursor.tsRecvMs, cursor.price, cursor.size, cursor.side);
  }

  /** Resets the cumulative volume delta to 0 (call at the session start). */
  resetCvd(): void {
    this.#cvd = 0;
  }

  /** Window lengths in ms, in the order the per-window getters index them. */
  get windowsMs(): readonly number[] {
    return Array.from(this.#windowsMs);
  }

  /** Window `w` has seen its full length of time since the first event. */
  isWindowReady(w: number): boolean {
    return this.#started && this.#slot - this.#firstSlot + 1 >= this.#winSlots[w];
  }

  /** Every window has seen its full length and the rates one half-life. */
  get isReady(): boolean {
    for (let w = 0; w < this.#winSlots.length; w++) if (!this.isWindowReady(w)) return false;
    return this.isRateReady;
  }

  /** Forgets every trade and time seen, the CVD and the dropped count included. */
  reset(): void {
    this.#clearWindows();
    this.#slot = 0;
    this.#pos = 0;
    this.#firstSlot = 0;
    this.#started = false;
    this.#t0 = 0;
    this.#lastT = 0;
    this.#tradeRate = 0;
    this.#volumeRate = 0;
    this.#cvd = 0;
    this.#dropped = 0;
  }

  /** Buyer-initiated volume in window `w`; NaN until ready. */
  buyVolume(w: number): number {
    return this.isWindowReady(w) ? this.#wBuy[w] : Number.NaN;
  }
  /** Seller-initiated volume in window `w`; NaN until ready. */
  sellVolume(w: number): number {
    return this.isWindowReady(w) ? this.#wSell[w] : Number.NaN;
  }
  /** Volume of side-'N' trades in window `w`; NaN until ready. */
  unknownVolume(w: number): number {
    return this.isWindowReady(w) ? this.#wNone[w] : Number.NaN;
  }
  /** Volume delta (buy − sell volume) in window `w`; 0 for a window with no volume; NaN until ready. */
  volumeDelta(w: number): number {
    return this.isWindowReady(w) ? this.#wBuy[w] - this.#wSell[w] : Number.NaN;
  }
  /** Trades (all sides) in window `w`; NaN until ready. */
  tradeCount(w: number): number {
    return this.isWindowReady(w) ? this.#wCount[w] : Number.NaN;
  }
  /** Buy share buy / (buy + sell) in window `w`; NaN until ready or when the window has no signed volume. */
  buyShare(w: number): number {
    const total = this.#wBuy[w] + this.#wSell[w];
    return this.isWindowReady(w) && total > 0 ? this.#wBuy[w] / total : Number.NaN;
  }

  /** Cumulative volume delta since construction or `resetCvd()`; NaN before the first event. */
  get cvd(): number {
    return this.#started ? this.#cvd : Number.NaN;
  }

  /** Rates are ready once one half-life has passed since the first event. */
  get isRateReady(): boolean {
    return this.#started && this.#lastT - this.#t0 >= this.#halfLifeMs;
  }

  /** Trades per second (bias-corrected continuous-time EWMA, see the module comment); NaN until ready. */
  get tradeRate(): number {
    return this.isRateReady ? this.#tradeRate / this.#coverage() : Number.NaN;
  }

  /** Volume per second (as `tradeRate`, each trade weighted by its size); NaN until ready. */
  get volumeRate(): number {
    return this.isRateReady ? this.#volumeRate / this.#coverage() : Number.NaN;
  }

  /** Trades dropped for an UNDEF/NaN price or a non-positive size. */
  get droppedTrades(): number {
    return this.#dropped;
  }

  #coverage(): number {
    return 1 - Math.exp(-this.#kappa * (this.#lastT - this.#t0));
  }
}
