/**
 * Sweep detection (MICROSTRUCTURE.md §9): an aggressive order that takes several price levels in
 * one event (records sharing `ts_event`, the run ending with `F_LAST`), or empties the best level
 * and moves the mid. Score: levels taken, and traded quantity over the pre-event depth of the best
 * opposite level. Flagged (an alert) at ≥ 3 levels or quantity ≥ 2× that depth.
 *
 * A short burst (`burstMs` > 0) joins the trades of consecutive events of the same aggressor side
 * while they start within `burstMs` of the burst's first trade, so an order split over a few
 * events is seen as one sweep; the default, 0, is §9's single event. A burst raises at most one
 * alert, as soon as it qualifies; `lastSweep` keeps growing with it.
 *
 * Feed every record of the stream that carries the trades (MBO or MBP-10), after the book has
 * applied it: trade records (`T`, side = aggressor) do not change the book, so the book seen with
 * an event's first trade is the pre-event book, and the book seen with `F_LAST` is the post-event
 * book. `F` records are ignored (the `T` already carries the quantity), as are trades without an
 * aggressor side (`N`), a price (UNDEF) or a size.
 */

import { BookSide, type BookView, type L2Book } from '../../book/index.js';
import type { Calculator } from '../../core/index.js';
import { Action, Flags, type RecordCursor } from '../../data/dbn/index.js';

/** One detected sweep; a single instance is reused (copy the fields to keep them). */
export class SweepInfo {
  /** Aggressor side: `BookSide.BID` (66, a buyer lifting asks) or `BookSide.ASK` (65). */
  side = 0;
  /** Distinct price levels traded. */
  levels = 0;
  /** Traded quantity. */
  qty = 0;
  /** Size of the best opposite level before the sweep (0 when that side was empty). */
  l1Depth = 0;
  /** `qty / l1Depth`; NaN when the level was empty. */
  depthMultiple = Number.NaN;
  /** First and last (deepest) traded prices, raw units. */
  firstPx = Number.NaN;
  lastPx = Number.NaN;
  /** Mid before and after, raw units (NaN when not two-sided). */
  midBefore = Number.NaN;
  midAfter = Number.NaN;
  /** Time of the first trade and of the event end that completed this report, ms. */
  startMs = Number.NaN;
  endMs = Number.NaN;
  /** Meets the alert thresholds (levels or depth multiple). */
  flagged = false;
}

/** Options of `SweepDetector`. */
export interface SweepDetectorOptions {
  /** Alert at this many levels; default 3 (MICROSTRUCTURE.md §9). */
  readonly alertLevels?: number;
  /** Alert when quantity ≥ this multiple of the pre-event best opposite size; default 2 (§9). */
  readonly alertDepthMultiple?: number;
  /** Join same-side events starting within this many ms of the first; default 0 (one event). */
  readonly burstMs?: number;
  /** Called with the reused `SweepInfo` when a sweep is flagged (once per sweep). */
  readonly onAlert?: (sweep: SweepInfo) => void;
}

/** Detects sweeps from trade records and the book around them. */
export class SweepDetector implements Calculator<[record: RecordCursor, book: BookView]> {
  readonly alertLevels: number;
  readonly alertDepthMultiple: number;
  readonly burstMs: number;
  readonly #onAlert: ((sweep: SweepInfo) => void) | null;
  readonly #info = new SweepInfo();
  /** The current record's price and time (ms). */
  readonly #ev = new Float64Array(2);
  #hasSweep = false;
  #sweeps = 0;
  #alerts = 0;

  // The run of trades being accumulated.
  #active = false;
  #eventOpen = false;
  #counted = false;
  #alerted = false;
  #side = 0;
  #levels = 0;
  #qty = 0;
  #first = Number.NaN;
  #extreme = Number.NaN;
  #preL1 = 0;
  #preBest = Number.NaN;
  #preMid = Number.NaN;
  #startMs = Number.NaN;

  constructor(opts: SweepDetectorOptions = {}) {
    this.alertLevels = opts.alertLevels ?? 3;
    this.alertDepthMultiple = opts.alertDepthMultiple ?? 2;
    this.burstMs = opts.burstMs ?? 0;
    this.#onAlert = opts.onAlert ?? null;
  }

  /** Reads a record (after `book` applied it); time is the record's `ts_recv`. */
  update(c: RecordCursor, book: BookView): void {
    // Doubles reach the helpers through `#ev`: V8 boxes double arguments of calls it does not inline.
    const ev = this.#ev;
    const action = c.action;
    if (action === Action.TRADE) {
      ev[0] = c.price;
      ev[1] = c.tsRecvMs;
      this.#trade(c.side, c.size, book);
    }
    // The open event is tested first: it is rarely open, and then the flags need not be read.
    if (this.#eventOpen && (c.flags & Flags.LAST) !== 0) {
      ev[1] = c.tsRecvMs;
      this.#endEvent(book);
    }
  }

  /**
   * The same from an L2 book that has just applied the record (it keeps the record's action, side,
   * price, size and flags); `tsMs` is the record's ts_recv.
   */
  updateFromBook(book: L2Book, tsMs: number): void {
    const ev = this.#ev;
    if (book.action === Action.TRADE) {
      ev[0] = book.price;
      ev[1] = tsMs;
      this.#trade(book.side, book.size, book);
    }
    if (this.#eventOpen && (book.flags & Flags.LAST) !== 0) {
      ev[1] = tsMs;
      this.#endEvent(book);
    }
  }

  /** The same from the record's fields (price raw units, NaN for UNDEF). */
  onRecord(
    action: number,
    side: number,
    price: number,
    size: number,
    flags: number,
    tsMs: number,
    book: BookView,
  ): void {
    const ev = this.#ev;
    ev[0] = price;
    ev[1] = tsMs;
    if (action === Action.TRADE) this.#trade(side, size, book);
    if ((flags & Flags.LAST) !== 0 && this.#eventOpen) this.#endEvent(book);
  }

  /** A trade record: price and time in `#ev`. */
  #trade(side: number, size: number, book: BookView): void {
    const price = this.#ev[0];
    const tsMs = this.#ev[1];
    if ((side !== BookSide.BID && side !== BookSide.ASK) || Number.isNaN(price) || !(size > 0)) return;
    if (this.#active && (side !== this.#side || tsMs - this.#startMs > this.burstMs)) this.#active = false;
    const buy = side === BookSide.BID;
    if (!this.#active) {
      this.#active = true;
      this.#counted = false;
      this.#alerted = false;
      this.#side = side;
      this.#levels = 1;
      this.#qty = size;
      this.#first = price;
      this.#extreme = price;
      this.#preL1 = buy ? book.bestAskSz : book.bestBidSz;
      this.#preBest = buy ? book.bestAskPx : book.bestBidPx;
      this.#preMid = book.crossed ? Number.NaN : book.mid;
      this.#startMs = tsMs;
    } else {
      this.#qty += size;
      if (buy ? price > this.#extreme : price < this.#extreme) {
        this.#levels++;
        this.#extreme = price;
      }
    }
    this.#eventOpen = true;
  }

  /** The end of an event (F_LAST): time in `#ev[1]`, `book` is the post-event book. */
  #endEvent(book: BookView): void {
    const tsMs = this.#ev[1];
    this.#eventOpen = false;
    const buy = this.#side === BookSide.BID;
    const midAfter = book.crossed ? Number.NaN : book.mid;
    const best = buy ? book.bestAskPx : book.bestBidPx;
    // The pre-event best level is gone: the side is empty or its best price is now worse.
    const emptied =
      !Number.isNaN(this.#preBest) &&
      (Number.isNaN(best) || (buy ? best > this.#preBest : best < this.#preBest));
    const midMoved = buy ? midAfter > this.#preMid : midAfter < this.#preMid;
    if (this.#levels >= 2 || (emptied && midMoved)) {
      const s = this.#info;
      s.side = this.#side;
      s.levels = this.#levels;
      s.qty = this.#qty;
      s.l1Depth = this.#preL1;
      s.depthMultiple = this.#preL1 > 0 ? this.#qty / this.#preL1 : Number.NaN;
      s.firstPx = this.#first;
      s.lastPx = this.#extreme;
      s.midBefore = this.#preMid;
      s.midAfter = midAfter;
      s.startMs = this.#startMs;
      s.endMs = tsMs;
      s.flagged =
        this.#levels >= this.alertLevels ||
        (this.#preL1 > 0 && this.#qty >= this.alertDepthMultiple * this.#preL1);
      this.#hasSweep = true;
      if (!this.#counted) {
        this.#counted = true;
        this.#sweeps++;
      }
      if (s.flagged && !this.#alerted) {
        this.#alerted = true;
        this.#alerts++;
        if (this.#onAlert !== null) this.#onAlert(s);
      }
    }
    if (this.burstMs <= 0) this.#active = false;
  }

  /** A sweep has been detected: `lastSweep` holds it. */
  get isReady(): boolean {
    return this.#hasSweep;
  }
  /** The last detected sweep (flagged or not), or null before the first. */
  get lastSweep(): SweepInfo | null {
    return this.#hasSweep ? this.#info : null;
  }
  /** Sweeps detected so far (a burst counts once). */
  get sweepCount(): number {
    return this.#sweeps;
  }
  /** Sweeps flagged so far. */
  get alertCount(): number {
    return this.#alerts;
  }

  /** Forgets the run in progress, the last sweep and the counts. */
  reset(): void {
    this.#active = false;
    this.#eventOpen = false;
    this.#hasSweep = false;
    this.#sweeps = 0;
    this.#alerts = 0;
  }
}
