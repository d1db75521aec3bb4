/**
 * Level book (L2) from MBP-10 and MBP-1 records: every record carries the whole visible book
 * (10 levels, or the top level for MBP-1/TBBO/BBO), so applying one replaces the state. What the
 * record does not say, and a queue model needs, is how each price level's size changed; the book
 * derives that per record (see `LevelChanges`).
 *
 * Hot path: state lives in preallocated typed arrays; two sets are kept and swapped per record
 * (the new levels are written into the spare set, which then holds the previous record's levels
 * until the next one), so nothing is copied or allocated per event, and the change report is
 * derived from the two sets only when someone reads it: readers of levels alone do not pay for it.
 */

import { rawPriceFromHalves } from '../core/index.js';
import { MbpWord, type RecordCursor, RType } from '../data/dbn/index.js';
import { BookBase } from './book-base.js';
import { BookSide, type BookView } from './book-view.js';

/** DBN action codes of an add and a cancel ('A', 'C'). */
const ACTION_ADD = 65;
const ACTION_CANCEL = 67;
const ACTION_TRADE = 84;
const ACTION_MODIFY = 77;
const ACTION_FILL = 70;

/** Levels per side an L2 book holds (MBP-10). */
export const L2_MAX_LEVELS = 10;

/**
 * `changedSides` as tables: an action's kind (0 changes nothing: trade, fill; 1 changes its own
 * side: add, cancel, modify; 2 anything else), a side's bits (1 bid, 2 ask, 3 neither), and the
 * sides changed, at `kind << 2 | bits`.
 */
const EVENT_KIND = new Uint8Array(256).fill(2);
EVENT_KIND[ACTION_TRADE] = 0;
EVENT_KIND[ACTION_FILL] = 0;
EVENT_KIND[ACTION_ADD] = 1;
EVENT_KIND[ACTION_CANCEL] = 1;
EVENT_KIND[ACTION_MODIFY] = 1;
const SIDE_BITS = new Uint8Array(256).fill(3);
SIDE_BITS[BookSide.BID] = 1;
SIDE_BITS[BookSide.ASK] = 2;
const SIDES_OF_EVENT = new Uint8Array([0, 0, 0, 0, 3, 1, 2, 3, 3, 3, 3, 3]);

/** Level-changing records whose sides the book remembers (`sidesChangedSince`), a power of two. */
const SIDES_KEPT = 8;
const SIDES_MASK = SIDES_KEPT - 1;

/** Most changes one record can cause: per side, 10 levels vanish and 10 new ones appear. */
const MAX_CHANGES = 4 * L2_MAX_LEVELS;

/**
 * Size change per price level and side caused by the last applied record, in preallocated arrays
 * (entries `[0, count)` are valid until the next record).
 *
 * Levels are matched by price, not by index: a new best price shifts every index without changing
 * any queue. For each side:
 * - a price in both records whose size differs: `delta` = new size − old size;
 * - a price that disappeared: `delta` = −(its whole old size);
 * - a price that appeared: `delta` = +(its whole size).
 * A price beyond the other record's last level while that record's side was full (10 of 10 levels
 * for MBP-10, 1 of 1 for MBP-1) only scrolled into or out of view; its queue did not change, so it
 * is not reported (reporting it would show a queue model an add or a cancel that never happened).
 * The first record is compared with an empty book, so its levels are all positive deltas.
 *
 * Trades are not netted in, so nothing is counted twice: a trade (action T, or F) is its own
 * record and leaves the levels as they were; the depth the fill removed comes as a negative delta
 * in a following record at that price (the cancel or modify that removes the filled quantity). A
 * queue model takes the traded size from the T record (`L2Book.action/price/size`), subtracts it
 * from the next negative deltas at that price, and treats only the remainder as cancels.
 */
export class LevelChanges {
  /** Number of valid entries. */
  count = 0;
  /** Side of each change: `BookSide.BID` (66, 'B') or `BookSide.ASK` (65, 'A'). */
  readonly side = new Uint8Array(MAX_CHANGES);
  /** Price of each changed level, raw 1e-9 units. */
  readonly price = new Float64Array(MAX_CHANGES);
  /** Signed size change of each level. */
  readonly delta = new Float64Array(MAX_CHANGES);
}

/** Options of `L2Book`. */
export interface L2BookOptions {
  /**
   * Trust an MBP-10 add or cancel record to change the size of its own price only, on its own side,
   * a modify to change its own side only, and a trade or fill record to change nothing (true by
   * default, as for CME data from Databento, where each record is one order event): the change
   * report then looks at that price or that side alone, or at nothing, instead of comparing every
   * level of both sides.
   * False always compares every level.
   */
  readonly trustActions?: boolean;
}

/** A level book fed with MBP-10, MBP-1 (also TBBO) and BBO records. */
export class L2Book extends BookBase implements BookView {
  readonly kind = 'l2' as const;
  readonly #changes = new LevelChanges();
  /** `#updates` when `#changes` was last computed: the report is derived only when read. */
  #changesAt = 0;
  /** See `sizeOnlyLevel` (computed with `#changes`). */
  #sizeOnly = -1;

  // Current levels (index 0 = best) and the spare set the next record is written into.
  #bPx = new Float64Array(L2_MAX_LEVELS);
  #aPx = new Float64Array(L2_MAX_LEVELS);
  #bSz = new Float64Array(L2_MAX_LEVELS);
  #aSz = new Float64Array(L2_MAX_LEVELS);
  #bCt = new Float64Array(L2_MAX_LEVELS);
  #aCt = new Float64Array(L2_MAX_LEVELS);
  #sbPx = new Float64Array(L2_MAX_LEVELS);
  #saPx = new Float64Array(L2_MAX_LEVELS);
  #sbSz = new Float64Array(L2_MAX_LEVELS);
  #saSz = new Float64Array(L2_MAX_LEVELS);
  #sbCt = new Float64Array(L2_MAX_LEVELS);
  #saCt = new Float64Array(L2_MAX_LEVELS);
  #nb = 0;
  #na = 0;
  /** Levels per side the last record could carry (10 or 1); L2_MAX_LEVELS before the first. */
  #cap = L2_MAX_LEVELS;
  // The previous record's level counts; its levels are the spare arrays until the next apply.
  #pnb = 0;
  #pna = 0;
  #pcap = L2_MAX_LEVELS;

  #action = 0;
  #side = 0;
  #price = Number.NaN;
  #size = 0;
  /** The level the last record's event was at, as the record gives it (`depth`): a hint, checked. */
  #depth = 0;
  /** The spare arrays hold the previous record's levels (a record was applied since `clear`). */
  #hasPrevious = false;
  /** A record was applied since construction or `clear`. */
  #applied = false;
  /** See `levelChanges` and `sidesChangedSince`: the sides of the last changes, a ring. */
  #levelChanges = 0;
  readonly #sides = new Uint8Array(SIDES_KEPT);
  /** See `L2BookOptions.trustActions`. */
  readonly #trustActions: boolean;

  constructor(opts: L2BookOptions = {}) {
    super();
    this.#trustActions = opts.trustActions ?? true;
  }

  /** Whether this book trusts records' actions (`L2BookOptions.trustActions`). */
  get trustsActions(): boolean {
    return this.#trustActions;
  }

  /**
   * Replaces the book with the levels of an MBP-10 (10 levels) or MBP-1/TBBO/BBO (top level)
   * record. Returns false, changing nothing, for other record types.
   */
  applyMbp(c: RecordCursor): boolean {
    const rt = c.rtype;
    let cap: number;
    if (rt === RType.MBP_10) cap = L2_MAX_LEVELS;
    else if (rt === RType.MBP_1 || rt === RType.BBO_1S || rt === RType.BBO_1M) cap = 1;
    else return false;

    const bPx = this.#sbPx;
    const bSz = this.#sbSz;
    const bCt = this.#sbCt;
    const aPx = this.#saPx;
    const aSz = this.#saSz;
    const aCt = this.#saCt;
    // Levels are packed best first; the first UNDEF price (NaN) ends a side. One bulk read of all
    // levels is ~1.5x faster than six getter calls per level.
    const depths = c.readLevels(cap, bPx, aPx, bSz, aSz, bCt, aCt);
    const nb = depths & 0xffff;
    const na = depths >>> 16;

    this.#sbPx = this.#bPx;
    this.#sbSz = this.#bSz;
    this.#sbCt = this.#bCt;
    this.#saPx = this.#aPx;
    this.#saSz = this.#aSz;
    this.#saCt = this.#aCt;
    this.#bPx = bPx;
    this.#bSz = bSz;
    this.#bCt = bCt;
    this.#aPx = aPx;
    this.#aSz = aSz;
    this.#aCt = aCt;
    this.#pnb = this.#nb;
    this.#pna = this.#na;
    this.#pcap = this.#cap;
    this.#nb = nb;
    this.#na = na;
    this.#cap = cap;

    // The MBP family's fields sit at the same words in every record this book takes: read them
    // there, rather than through the cursor's getters, most of which look their offset up by rtype.
    const i32 = c.words;
    const w = c.word;
    this.lastPublisherId = i32[w + MbpWord.HEADER] >>> 16;
    this.lastInstrumentId = i32[w + MbpWord.INSTRUMENT_ID] >>> 0;
    this.lastTsEventLo = i32[w + MbpWord.TS_EVENT] >>> 0;
    this.lastTsEventHi = i32[w + MbpWord.TS_EVENT + 1] >>> 0;
    this.#price = rawPriceFromHalves(i32[w + MbpWord.PRICE], i32[w + MbpWord.PRICE + 1]);
    this.#size = i32[w + MbpWord.SIZE] >>> 0;
    const event = i32[w + MbpWord.EVENT];
    this.#action = event & 0xff; // BBO records have no action: a reserved zero byte sits there
    this.#side = (event >>> 8) & 0xff;
    this.lastFlags = (event >>> 16) & 0xff;
    this.#depth = event >>> 24;
    this.lastTsRecvLo = i32[w + MbpWord.TS_RECV] >>> 0;
    this.lastTsRecvHi = i32[w + MbpWord.TS_RECV + 1] >>> 0;
    this.lastSequence = i32[w + MbpWord.SEQUENCE] >>> 0;
    // The previous record's levels are the spare arrays from now on (the first after a clear
    // compares with an empty book).
    this.#hasPrevious = this.#applied;
    this.#applied = true;
    this.updateCount++;
    const sides = this.changedSides;
    if (sides !== 0) this.#sides[++this.#levelChanges & SIDES_MASK] = sides;
    return true;
  }

  /**
   * Records so far that may have changed the levels (`changedSides` not 0, and clears): what a
   * reader passes to `sidesChangedSince` to learn which sides it must read again.
   */
  get levelChanges(): number {
    return this.#levelChanges;
  }

  /**
   * The sides (as `changedSides`) that may have changed since `levelChanges` was `count`: 0 when
   * none did, 3 when more records than the book remembers (8) came between.
   */
  sidesChangedSince(count: number): number {
    const n = this.#levelChanges;
    if (n - count > SIDES_KEPT) return 3;
    let sides = 0;
    for (let k = count + 1; k <= n; k++) sides |= this.#sides[k & SIDES_MASK];
    return sides;
  }

  /** Empties the book (e.g. on a gap, before a fresh snapshot); the next record is diffed against nothing. */
  clear(): void {
    this.#sides[++this.#levelChanges & SIDES_MASK] = 3;
    this.#applied = false;
    this.#hasPrevious = false;
    this.#nb = 0;
    this.#na = 0;
    this.#cap = L2_MAX_LEVELS;
    this.#changes.count = 0;
    this.#sizeOnly = -1;
    this.#changesAt = this.updateCount;
  }

  /**
   * Size changes per price level caused by the last applied record (see `LevelChanges`). Derived
   * on first read after each record, so readers that only need levels do not pay for it; valid
   * until the next `applyMbp`.
   */
  get changes(): LevelChanges {
    if (this.#changesAt !== this.updateCount) this.#derive();
    return this.#changes;
  }

  /** Works out `#changes` and `#sizeOnly` for the last record. */
  #derive(): void {
    this.#changesAt = this.updateCount;
    const ch = this.#changes;
    ch.count = 0;
    this.#sizeOnly = -1;
    const action = this.#action;
    const sides = this.changedSides;
    if (sides === 0) return;
    const bids = (sides & 1) !== 0;
    const asks = (sides & 2) !== 0;
    // A trusted add or cancel changes only its own price on its side.
    if (sides !== 3 && (action === ACTION_ADD || action === ACTION_CANCEL)) {
      this.#priceChange(ch, bids);
      return;
    }
    // The spare arrays still hold the previous record's levels.
    let only = -1;
    if (bids) {
      only = diffSide(
        ch,
        BookSide.BID,
        1,
        this.#sbPx,
        this.#sbSz,
        this.#pnb,
        this.#pcap,
        this.#bPx,
        this.#bSz,
        this.#nb,
        this.#cap,
      );
    }
    if (asks) {
      only = diffSide(
        ch,
        BookSide.ASK,
        -1,
        this.#saPx,
        this.#saSz,
        this.#pna,
        this.#pcap,
        this.#aPx,
        this.#aSz,
        this.#na,
        this.#cap,
      );
    }
    // A modify that changed one level's size alone on its side (the other side is as it was).
    if (sides !== 3) this.#sizeOnly = only;
  }

  /**
   * The change an add or cancel record made at its own price on its side (`bids` or the asks): its
   * new size minus its old one, with the rule of `diffSide` for a price only one of the two records
   * could show; nothing when the size did not change.
   */
  #priceChange(ch: LevelChanges, bids: boolean): void {
    const price = this.#price;
    const oPx = bids ? this.#sbPx : this.#saPx;
    const nPx = bids ? this.#bPx : this.#aPx;
    const oSz = bids ? this.#sbSz : this.#saSz;
    const nSz = bids ? this.#bSz : this.#aSz;
    const no = bids ? this.#pnb : this.#pna;
    const nn = bids ? this.#nb : this.#na;
    // Better is higher for bids, lower for asks: prices times `dir` compare the same way on both
    // sides, with no branch on the side in the loops and tests below.
    const dir = bids ? 1 : -1;
    const key = dir * price;
    // The levels better than the price are the same in both records (only the price changed), so
    // the price has the same rank in each record that shows it: one search, one comparison. The
    // record's depth names that rank; two comparisons with its neighbours prove it (the levels
    // are sorted), where a search's exit at a rank that changes from record to record is a branch
    // mispredicted about once a record. A depth they do not prove is searched for.
    let o = -1;
    let n = -1;
    let r = this.#depth;
    // Most adds and cancels change the size of a level both records show at the rank the record
    // names: prices on a side are distinct, so a match in each record is that price's rank in both.
    if (r < nn && r < no && nPx[r] === price && oPx[r] === price) {
      this.#sizeOnly = r;
      const d = nSz[r] - oSz[r];
      if (d === 0) return;
      ch.side[0] = bids ? BookSide.BID : BookSide.ASK;
      ch.price[0] = price;
      ch.delta[0] = d;
      ch.count = 1;
      return;
    }
    if (!(r <= nn && (r === 0 || dir * nPx[r - 1] > key) && (r === nn || !(dir * nPx[r] > key)))) {
      r = 0;
      while (r < nn && dir * nPx[r] > key) r++;
    }
    if (r < nn && nPx[r] === price) n = r;
    if (r < no && oPx[r] === price) o = r;
    if (o >= 0 && o === n) this.#sizeOnly = r;
    // A price beyond the worst level a full side shows only scrolled into or out of view.
    let d: number;
    if (o >= 0 && n >= 0) d = nSz[n] - oSz[o];
    else if (n >= 0) {
      if (no >= this.#pcap && !(key > dir * oPx[no - 1])) return;
      d = nSz[n];
    } else if (o >= 0) {
      if (nn >= this.#cap && !(key > dir * nPx[nn - 1])) return;
      d = -oSz[o];
    } else return;
    if (d === 0) return;
    ch.side[0] = bids ? BookSide.BID : BookSide.ASK;
    ch.price[0] = price;
    ch.delta[0] = d;
    ch.count = 1;
  }

  /**
   * When the last record was a trusted add or cancel at a price both it and the record before show,
   * the rank of that price on its side (`changedSides`): the one level whose size may differ, every
   * other level of both sides as it was. For a trusted modify, the rank of the one level of its side
   * whose size changed when its side shows the same prices as before and nothing else changed. −1
   * for any other record.
   */
  get sizeOnlyLevel(): number {
    if (this.#changesAt !== this.updateCount) this.#derive();
    return this.#sizeOnly;
  }

  /**
   * The sides the last record may have changed, from its action when actions are trusted
   * (`L2BookOptions.trustActions`): 1 the bids, 2 the asks, 3 both, 0 neither. A trade or fill
   * record is an order event that leaves the levels as they were (the depth it removes comes in a
   * following record); an add, cancel or modify is one order on one side, so the other side is as
   * it was. 3 for untrusted books, the first record after a clear, and anything else.
   */
  get changedSides(): number {
    if (!this.#trustActions || !this.#hasPrevious) return 3;
    // Table lookups, not branches: actions and sides come in no order a branch predictor learns.
    return SIDES_OF_EVENT[(EVENT_KIND[this.#action] << 2) | SIDE_BITS[this.#side]];
  }

  /**
   * The current levels for hot-path readers, best first: entries `[0, bidLevels)` and
   * `[0, askLevels)` are valid until the next record (the arrays are swapped per record: read
   * them again after each one, and never write to them).
   */
  get bidPrices(): Float64Array {
    return this.#bPx;
  }
  get bidSizes(): Float64Array {
    return this.#bSz;
  }
  get askPrices(): Float64Array {
    return this.#aPx;
  }
  get askSizes(): Float64Array {
    return this.#aSz;
  }

  get bidLevels(): number {
    return this.#nb;
  }
  get askLevels(): number {
    return this.#na;
  }
  get bestBidPx(): number {
    return this.#nb > 0 ? this.#bPx[0] : Number.NaN;
  }
  get bestAskPx(): number {
    return this.#na > 0 ? this.#aPx[0] : Number.NaN;
  }
  get bestBidSz(): number {
    return this.#nb > 0 ? this.#bSz[0] : 0;
  }
  get bestAskSz(): number {
    return this.#na > 0 ? this.#aSz[0] : 0;
  }
  bidPx(i: number): number {
    return i >= 0 && i < this.#nb ? this.#bPx[i] : Number.NaN;
  }
  askPx(i: number): number {
    return i >= 0 && i < this.#na ? this.#aPx[i] : Number.NaN;
  }
  bidSz(i: number): number {
    return i >= 0 && i < this.#nb ? this.#bSz[i] : 0;
  }
  askSz(i: number): number {
    return i >= 0 && i < this.#na ? this.#aSz[i] : 0;
  }
  bidCt(i: number): number {
    return i >= 0 && i < this.#nb ? this.#bCt[i] : 0;
  }
  askCt(i: number): number {
    return i >= 0 && i < this.#na ? this.#aCt[i] : 0;
  }
  get mid(): number {
    return this.#nb > 0 && this.#na > 0 ? (this.#bPx[0] + this.#aPx[0]) / 2 : Number.NaN;
  }
  get spread(): number {
    return this.#nb > 0 && this.#na > 0 ? this.#aPx[0] - this.#bPx[0] : Number.NaN;
  }
  depth(side: number, k: number): number {
    const bid = side === BookSide.BID;
    const sz = bid ? this.#bSz : this.#aSz;
    const n = Math.min(k, bid ? this.#nb : this.#na);
    let total = 0;
    for (let i = 0; i < n; i++) total += sz[i];
    return total;
  }
  get crossed(): boolean {
    return this.#nb > 0 && this.#na > 0 && this.#bPx[0] >= this.#aPx[0];
  }
  /** Action of the last record as a character code ('T' = 84 for a trade); 0 for BBO records. */
  get action(): number {
    return this.#action;
  }
  /** Side of the last record's event (for a trade, the aggressor) as a character code. */
  get side(): number {
    return this.#side;
  }
  /** Price of the last record's event (the trade price for a trade), raw units; NaN if none. */
  get price(): number {
    return this.#price;
  }
  /** Size of the last record's event (the traded quantity for a trade). */
  get size(): number {
    return this.#size;
  }
}

/**
 * Appends the changes of one side by a merge walk over the old and new levels, both sorted best
 * first. `dir` is +1 for bids (better = higher) and −1 for asks (better = lower). Returns the rank
 * of the one level whose size changed when the two records show the same prices and no other
 * change on this side, else −1.
 */
function diffSide(
  ch: LevelChanges,
  side: number,
  dir: number,
  oPx: Float64Array,
  oSz: Float64Array,
  no: number,
  oCap: number,
  nPx: Float64Array,
  nSz: Float64Array,
  nn: number,
  nCap: number,
): number {
  // A price missing from one record is a real change only if that record would have shown it:
  // its side had room (not full) or the price is better than its worst level.
  const nWorst = nn > 0 ? dir * nPx[nn - 1] : 0;
  const oWorst = no > 0 ? dir * oPx[no - 1] : 0;
  const nFull = nn >= nCap;
  const oFull = no >= oCap;
  let i = 0;
  let j = 0;
  const first = ch.count;
  let k = first;
  // Most records change sizes only: walk the common run of equal prices without the merge.
  const m = Math.min(no, nn);
  let changed = -1;
  while (i < m && oPx[i] === nPx[i]) {
    const d = nSz[i] - oSz[i];
    if (d !== 0) {
      ch.side[k] = side;
      ch.price[k] = nPx[i];
      ch.delta[k++] = d;
      changed = i;
    }
    i++;
  }
  if (i === no && i === nn) {
    ch.count = k;
    return k === first + 1 ? changed : -1;
  }
  j = i;
  while (i < no || j < nn) {
    const op = i < no ? dir * oPx[i] : Number.NEGATIVE_INFINITY;
    const np = j < nn ? dir * nPx[j] : Number.NEGATIVE_INFINITY;
    if (op > np) {
      if (!nFull || op > nWorst) {
        ch.side[k] = side;
        ch.price[k] = oPx[i];
        ch.delta[k++] = -oSz[i];
      }
      i++;
    } else if (np > op) {
      if (!oFull || np > oWorst) {
        ch.side[k] = side;
        ch.price[k] = nPx[j];
        ch.delta[k++] = nSz[j];
      }
      j++;
    } else {
      const d = nSz[j] - oSz[i];
      if (d !== 0) {
        ch.side[k] = side;
        ch.price[k] = nPx[j];
        ch.delta[k++] = d;
      }
      i++;
      j++;
    }
  }
  ch.count = k;
  return -1;
}
