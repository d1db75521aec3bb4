/**
 * Cancel-to-add ratio (MICROSTRUCTURE.md §8): cancelled quantity over added quantity per side over
 * a rolling time window, optionally only within K ticks of the mid. Two sources, each its own
 * class (report which one a value came from, `source`):
 *
 * - `MboCancelAddRatio`, exact from MBO records: `A` adds its size, `C` cancels its size. CME (as
 *   Databento normalises it) follows every fill `F` with the `C` that removes the filled quantity
 *   (CONVENTIONS.md "Market data semantics"); that part of a `C` is a fill, not a cancel, so the
 *   filled quantity of each order id is remembered and subtracted from its next `C`s. `M`
 *   (modify) is counted separately in `modifies` and left out of the ratio (the "count
 *   separately" option of §8: the old size is not on the record). Snapshot records
 *   (`F_SNAPSHOT`) and `R` rebuild the book and are not flow: ignored.
 * - `MbpCancelAddRatio`, inferred from MBP level-size changes (`L2Book.changes`): at each price a
 *   size increase is an add, a decrease not explained by trades is a cancel. A trade record (`T`)
 *   leaves the levels as they were, and the depth it removed shows up as a decrease at that price
 *   in a following record of the same event; the traded size is remembered per price and side and
 *   subtracted from those decreases so a trade is not counted as a cancel too. Biased low (adds and
 *   cancels inside one update net out); levels that scroll in or out of the top 10 are not changes
 *   (see `LevelChanges`). The first record seen, and snapshot records, are a baseline, not adds.
 */

import { BookSide, type L2Book } from '../../book/index.js';
import { type Calculator, InvalidOptionError } from '../../core/index.js';
import { Action, Flags, type RecordCursor } from '../../data/dbn/index.js';
import { RollingSums } from './rolling.js';

/** Options shared by both cancel-to-add calculators. */
export interface CancelAddOptions {
  /** Rolling window in ms; default 60 s (1 s buckets). */
  readonly windowMs?: number;
  /** Count only events within this many ticks of the mid; default Infinity (no filter). */
  readonly maxTicksFromMid?: number;
  /** Tick size in raw 1e-9 units; needed only with a finite `maxTicksFromMid`. */
  readonly tickSize?: number;
}

const CH_ADD_B = 0;
const CH_ADD_A = 1;
const CH_CXL_B = 2;
const CH_CXL_A = 3;
const CH_FILL_B = 4;
const CH_FILL_A = 5;
const CH_MOD = 6;
const CHANNELS = 7;
/** A side's offset from a bid channel to its ask channel: 1 for the asks, 0 for the bids. */
const ASK_OFFSET = new Uint8Array(256);
ASK_OFFSET[BookSide.ASK] = 1;

/** Window sums and the readers both sources share. */
abstract class CancelAddBase {
  /** Where the values come from: exact MBO or inferred MBP. */
  abstract readonly source: 'mbo' | 'mbp';
  readonly #win: RollingSums;
  /**
   * Sums of the current bucket, staged here and moved into the window when the bucket ends (one add
   * per change instead of two ring writes); quantities are whole lots, so the sums are exact either way.
   */
  readonly #st = new Float64Array(CHANNELS);
  #stBucket = Number.NEGATIVE_INFINITY;
  /** A staged sum is not 0. */
  #staged = false;
  protected readonly reach: number;
  /** No distance filter (`maxTicksFromMid` unset): every event counts. */
  protected readonly everywhere: boolean;

  constructor(opts: CancelAddOptions) {
    const windowMs = opts.windowMs ?? 60_000;
    this.#win = new RollingSums(windowMs, windowMs >= 10_000 ? 1000 : windowMs / 10, CHANNELS);
    const k = opts.maxTicksFromMid ?? Number.POSITIVE_INFINITY;
    if (Number.isFinite(k) && !((opts.tickSize ?? 0) > 0)) {
      throw new InvalidOptionError('tickSize', opts.tickSize, 'a positive number with maxTicksFromMid');
    }
    this.reach = Number.isFinite(k) ? k * (opts.tickSize as number) : Number.POSITIVE_INFINITY;
    this.everywhere = this.reach === Number.POSITIVE_INFINITY;
  }

  /** True when `price` is within the configured distance of `mid` (always, without a filter). */
  protected near(price: number, mid: number): boolean {
    if (this.everywhere) return true;
    return Math.abs(price - mid) <= this.reach; // NaN mid or price: false
  }

  /** Adds `value` to `channel` in the current bucket (after `advance` to the event's time). */
  protected add(channel: number, value: number): void {
    this.#st[channel] += value;
    this.#staged = true;
  }

  /**
   * Moves the window's end to `tsMs` without an event. Most events fall inside the current bucket:
   * one comparison (inlined where it is called once a record); the rest is `#roll`.
   */
  advance(tsMs: number): void {
    if (tsMs >= this.#win.nextBucketMs) this.#roll(tsMs);
  }

  /** `advance` past the end of the window's current bucket. */
  #roll(tsMs: number): void {
    const w = this.#win;
    const b = Math.floor(tsMs / w.bucketMs);
    // An earlier time (out-of-order data) stays in the current bucket, as `RollingSums` does.
    if (!(b > this.#stBucket)) return;
    if (this.#staged) {
      const st = this.#st;
      for (let c = 0; c < CHANNELS; c++) w.add(c, st[c]);
      st.fill(0);
      this.#staged = false;
    }
    w.advance(tsMs);
    this.#stBucket = b;
  }

  /** `channel` summed over the window, the current bucket's staged part included. */
  #sum(channel: number): number {
    return this.#win.sum(channel) + this.#st[channel];
  }

  /** Something was added in the window: the ratio is defined. */
  get isReady(): boolean {
    return this.#sum(CH_ADD_B) + this.#sum(CH_ADD_A) > 0;
  }

  /** Cancelled / added quantity, both sides; NaN when nothing was added in the window. */
  get ratio(): number {
    const add = this.#sum(CH_ADD_B) + this.#sum(CH_ADD_A);
    return add > 0 ? (this.#sum(CH_CXL_B) + this.#sum(CH_CXL_A)) / add : Number.NaN;
  }

  /** Cancelled / added quantity on `side` (`BookSide.BID`/`ASK`); NaN without adds. */
  sideRatio(side: number): number {
    const add = this.added(side);
    return add > 0 ? this.cancelled(side) / add : Number.NaN;
  }

  /** Quantity added on `side` in the window. */
  added(side: number): number {
    return this.#sum(side === BookSide.BID ? CH_ADD_B : CH_ADD_A);
  }
  /** Quantity cancelled on `side` in the window (fills excluded). */
  cancelled(side: number): number {
    return this.#sum(side === BookSide.BID ? CH_CXL_B : CH_CXL_A);
  }
  /** Resting quantity on `side` removed by trades in the window (as matched against removals). */
  filled(side: number): number {
    return this.#sum(side === BookSide.BID ? CH_FILL_B : CH_FILL_A);
  }
  /** Number of modify records in the window (MBO only). */
  get modifies(): number {
    return this.#sum(CH_MOD);
  }

  /** Forgets everything. */
  reset(): void {
    this.#win.reset();
    this.#st.fill(0);
    this.#staged = false;
    this.#stBucket = Number.NEGATIVE_INFINITY;
  }
}

/** Filled quantities waiting for the cancels that remove them. */
const PENDING = 64;

/** Exact cancel-to-add ratio from MBO records. */
export class MboCancelAddRatio
  extends CancelAddBase
  implements Calculator<[record: RecordCursor, mid?: number]>
{
  readonly source = 'mbo' as const;
  readonly #pId = new Float64Array(PENDING).fill(Number.NaN);
  readonly #pQty = new Float64Array(PENDING);
  #pNext = 0;
  /** The current record's price, order id, time (ms) and mid. */
  readonly #ev = new Float64Array(4);

  constructor(opts: CancelAddOptions = {}) {
    super(opts);
  }

  /** Reads an MBO record; `mid` (raw units) is needed only with `maxTicksFromMid`. */
  update(c: RecordCursor, mid = Number.NaN): void {
    // Doubles reach #apply through `#ev`: V8 boxes double arguments of calls it does not inline.
    const ev = this.#ev;
    ev[0] = c.price;
    ev[1] = c.orderId;
    ev[2] = c.tsRecvMs;
    ev[3] = mid;
    this.#apply(c.action, c.side, c.size, c.flags);
  }

  /** The same from the record's fields (prices raw units, NaN for UNDEF). */
  onMbo(
    action: number,
    side: number,
    price: number,
    size: number,
    orderId: number,
    flags: number,
    tsMs: number,
    mid = Number.NaN,
  ): void {
    const ev = this.#ev;
    ev[0] = price;
    ev[1] = orderId;
    ev[2] = tsMs;
    ev[3] = mid;
    this.#apply(action, side, size, flags);
  }

  /** Counts one record; price, order id, time and mid in `#ev`. */
  #apply(action: number, side: number, size: number, flags: number): void {
    const ev = this.#ev;
    this.advance(ev[2]);
    if ((flags & Flags.SNAPSHOT) !== 0) return;
    if (side !== BookSide.BID && side !== BookSide.ASK) return;
    const bid = side === BookSide.BID;
    const near = this.near(ev[0], ev[3]);
    if (action === Action.FILL) {
      this.#remember(ev[1], size);
      if (near) this.add(bid ? CH_FILL_B : CH_FILL_A, size);
    } else if (action === Action.CANCEL) {
      const cxl = size - this.#consume(ev[1], size);
      if (cxl > 0 && near) this.add(bid ? CH_CXL_B : CH_CXL_A, cxl);
    } else if (action === Action.ADD) {
      if (size > 0 && near) this.add(bid ? CH_ADD_B : CH_ADD_A, size);
    } else if (action === Action.MODIFY) {
      if (near) this.add(CH_MOD, 1);
    }
  }

  #remember(id: number, qty: number): void {
    const ids = this.#pId;
    for (let i = 0; i < PENDING; i++) {
      if (ids[i] === id) {
        this.#pQty[i] += qty;
        return;
      }
    }
    const k = this.#pNext;
    ids[k] = id;
    this.#pQty[k] = qty;
    this.#pNext = (k + 1) % PENDING;
  }

  /** Takes up to `size` of order `id`'s filled quantity not yet removed; returns what it took. */
  #consume(id: number, size: number): number {
    const ids = this.#pId;
    for (let i = 0; i < PENDING; i++) {
      if (ids[i] === id) {
        const q = this.#pQty[i];
        const m = Math.min(q, size);
        if (q - m <= 0) ids[i] = Number.NaN;
        else this.#pQty[i] = q - m;
        return m;
      }
    }
    return 0;
  }

  override reset(): void {
    super.reset();
    this.#pId.fill(Number.NaN);
    this.#pNext = 0;
  }
}

/** Trades waiting for the level decreases that show them. */
const TRADES = 16;

/** Cancel-to-add ratio inferred from MBP level-size changes that trades do not explain. */
export class MbpCancelAddRatio extends CancelAddBase implements Calculator<[book: L2Book, tsMs: number]> {
  readonly source = 'mbp' as const;
  readonly #tSide = new Uint8Array(TRADES);
  readonly #tPx = new Float64Array(TRADES);
  readonly #tQty = new Float64Array(TRADES);
  #tNext = 0;
  /** Trades remembered since the last event end (skips clearing when there were none). */
  #tCount = 0;
  #started = false;

  constructor(opts: CancelAddOptions = {}) {
    super(opts);
  }

  /** Reads the L2 book after each `applyMbp`; `tsMs` is the record's time. O(changes). */
  update(book: L2Book, tsMs: number): void {
    this.advance(tsMs);
    const action = book.action;
    const trade = action === Action.TRADE || action === Action.FILL;
    if (trade) {
      const px = book.price;
      const qty = book.size;
      if (!Number.isNaN(px) && qty > 0) {
        // The aggressor's side is on the record; the resting side it traded against is the other.
        const ag = book.side;
        const rest = ag === BookSide.BID ? BookSide.ASK : ag === BookSide.ASK ? BookSide.BID : 0;
        this.#remember(rest, px, qty);
        this.#tCount++;
      }
    }
    const baseline = !this.#started || (book.flags & Flags.SNAPSHOT) !== 0;
    this.#started = true;
    if (!baseline) this.#count(book);
    // A trade's removals come by the end of its event: drop what is left once a book record ends it.
    if (!trade && this.#tCount > 0 && book.consistent) {
      this.#tQty.fill(0);
      this.#tCount = 0;
    }
  }

  #count(book: L2Book): void {
    const ch = book.changes;
    // The mid matters only to a distance filter (`near` ignores it without one).
    const mid = this.everywhere ? Number.NaN : book.mid;
    // Adds and cancels come in no order a branch predictor learns: each change goes to its
    // channels by arithmetic (a side's offset, a delta's positive and negative parts, whole lots,
    // so exact), and a zero added to the others leaves their sums as they were.
    for (let i = 0; i < ch.count; i++) {
      const side = ch.side[i];
      const px = ch.price[i];
      const d = ch.delta[i];
      const s = ASK_OFFSET[side];
      const size = Math.abs(d);
      const added = (size + d) * 0.5;
      const removed = (size - d) * 0.5;
      const traded = this.#tCount > 0 && removed > 0 ? this.#consume(side, px, removed) : 0;
      if (!this.near(px, mid)) continue;
      this.add(CH_ADD_B + s, added);
      this.add(CH_FILL_B + s, traded);
      this.add(CH_CXL_B + s, removed - traded);
    }
  }

  #remember(side: number, px: number, qty: number): void {
    for (let i = 0; i < TRADES; i++) {
      if (this.#tQty[i] > 0 && this.#tPx[i] === px && this.#tSide[i] === side) {
        this.#tQty[i] += qty;
        return;
      }
    }
    const k = this.#tNext;
    this.#tSide[k] = side;
    this.#tPx[k] = px;
    this.#tQty[k] = qty;
    this.#tNext = (k + 1) % TRADES;
  }

  /** Takes up to `size` of the traded quantity at (side, px); side 0 (unknown aggressor) matches both. */
  #consume(side: number, px: number, size: number): number {
    let taken = 0;
    for (let i = 0; i < TRADES && taken < size; i++) {
      const q = this.#tQty[i];
      if (q > 0 && this.#tPx[i] === px && (this.#tSide[i] === side || this.#tSide[i] === 0)) {
        const m = Math.min(q, size - taken);
        this.#tQty[i] = q - m;
        taken += m;
      }
    }
    return taken;
  }

  override reset(): void {
    super.reset();
    this.#tQty.fill(0);
    this.#tNext = 0;
    this.#tCount = 0;
    this.#started = false;
  }
}
