/**
 * Order book (L3) from MBO records, with each price level's orders kept in priority (FIFO) order
 * so that a queue-aware broker can ask how much size rests ahead of an order.
 *
 * Rules (CONVENTIONS.md, "Market data semantics", CME as Databento normalises it):
 * - `A` adds the order at the back of its price level;
 * - `C` removes `size` from the order (partial cancels exist); the order goes at 0;
 * - `M` sets the new price and size: a price (or side) change or a size increase sends the order
 *   to the back of its (new) level, a size decrease keeps its place;
 * - `R` clears the book (a snapshot starts with it, then adds flagged F_SNAPSHOT);
 * - `T`, `F` and `N` change nothing: every fill is followed by the cancel that removes it, so
 *   applying the fill too would remove the quantity twice.
 * The state is publishable only after a record with F_LAST (`consistent`).
 *
 * Layout, for a hot path that allocates nothing per event:
 * - orders live in a pool of slots (structure of typed arrays, recycled through a free list),
 *   found by id through `OrderIndex`, and linked per level in an intrusive doubly linked list;
 * - levels live in a second slot pool with their total size, order count, head and tail;
 * - each side keeps its level slots sorted by price with the best level at the END of the array,
 *   so the frequent inserts and removals near the touch move few elements, and binary search
 *   finds a price. Top-k reads index from the end; nothing is allocated;
 * - order ids and prices (doubles beyond V8's small integers) never travel as call arguments, which
 *   V8 boxes whenever it does not inline the call: they go through typed arrays (`#ev`,
 *   `Ladder.probe`, `OrderIndex.getAt`).
 * Pools and the id table double when full; that is the only allocation after warm-up.
 */

import { grown } from '../core/index.js';
import { Action, type RecordCursor, RType } from '../data/dbn/index.js';
import { BookBase } from './book-base.js';
import { BookSide, type BookView } from './book-view.js';
import { OrderIndex } from './order-index.js';

const NIL = -1;

/** Initial capacities; every pool grows by doubling. */
export interface L3BookOptions {
  /** Resting orders expected (default 4096). */
  orders?: number;
  /** Price levels expected over both sides (default 512). */
  levels?: number;
}

/** One resting order, as `L3Book.order` reports it (an edge-of-hot-path snapshot). */
export interface RestingOrder {
  orderId: number;
  /** `BookSide.BID` (66) or `BookSide.ASK` (65). */
  side: number;
  /** Raw 1e-9 units. */
  price: number;
  size: number;
  /** Size resting ahead of it at its level. */
  sizeAhead: number;
  /** Priority stamp: lower stamps at the same level are ahead (see `L3Book.nextPriority`). */
  priority: number;
}

/**
 * Level slots of one side, sorted by key ascending with the best level last. The key being
 * looked up or inserted is passed in `probe[0]`, not as an argument (see `L3Book.applyMbo`).
 */
class Ladder {
  keys: Float64Array;
  slots: Int32Array;
  n = 0;
  readonly probe = new Float64Array(1);

  constructor(capacity: number) {
    this.keys = new Float64Array(capacity);
    this.slots = new Int32Array(capacity);
  }

  /** Index of the key in `probe[0]`, or `~insertionPoint` (negative) when absent. */
  find(): number {
    const key = this.probe[0];
    const keys = this.keys;
    let lo = 0;
    let hi = this.n - 1;
    // Most events are at the touch: test the best level first.
    if (hi >= 0 && keys[hi] === key) return hi;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      const k = keys[mid];
      if (k < key) lo = mid + 1;
      else if (k > key) hi = mid - 1;
      else return mid;
    }
    return ~lo;
  }

  /** Inserts the key in `probe[0]` with its level slot at index `at`. */
  insert(at: number, slot: number): void {
    if (this.n === this.keys.length) {
      this.keys = grown(this.keys, this.n * 2);
      this.slots = grown(this.slots, this.n * 2);
    }
    if (at < this.n) {
      this.keys.copyWithin(at + 1, at, this.n);
      this.slots.copyWithin(at + 1, at, this.n);
    }
    this.keys[at] = this.probe[0];
    this.slots[at] = slot;
    this.n++;
  }

  removeAt(at: number): void {
    this.n--;
    if (at < this.n) {
      this.keys.copyWithin(at, at + 1, this.n + 1);
      this.slots.copyWithin(at, at + 1, this.n + 1);
    }
  }
}

/** An order book fed with MBO records. */
export class L3Book extends BookBase implements BookView {
  readonly kind = 'l3' as const;

  readonly #index: OrderIndex;
  // Order pool.
  #oId: Float64Array;
  #oPx: Float64Array;
  #oSz: Float64Array;
  #oPri: Float64Array;
  #oSide: Uint8Array;
  #oPrev: Int32Array;
  #oNext: Int32Array;
  #oLvl: Int32Array;
  #oTop = 0;
  #oFree = NIL;
  #orders = 0;
  // Level pool.
  #lPx: Float64Array;
  #lSz: Float64Array;
  #lCt: Float64Array;
  #lHead: Int32Array;
  #lTail: Int32Array;
  #lTop = 0;
  #lFree = NIL;
  // Sides: bids keyed by price, asks by −price, so "best" is the largest key on both.
  readonly #bids: Ladder;
  readonly #asks: Ladder;

  /** The current record's order id and price (see `applyMbo`). */
  readonly #ev = new Float64Array(2);
  #priority = 0;
  #anomalies = 0;

  constructor(opts: L3BookOptions = {}) {
    super();
    const no = Math.max(16, opts.orders ?? 4096);
    const nl = Math.max(16, opts.levels ?? 512);
    this.#index = new OrderIndex(no);
    this.#oId = new Float64Array(no);
    this.#oPx = new Float64Array(no);
    this.#oSz = new Float64Array(no);
    this.#oPri = new Float64Array(no);
    this.#oSide = new Uint8Array(no);
    this.#oPrev = new Int32Array(no);
    this.#oNext = new Int32Array(no);
    this.#oLvl = new Int32Array(no);
    this.#lPx = new Float64Array(nl);
    this.#lSz = new Float64Array(nl);
    this.#lCt = new Float64Array(nl);
    this.#lHead = new Int32Array(nl);
    this.#lTail = new Int32Array(nl);
    this.#bids = new Ladder(nl >> 1);
    this.#asks = new Ladder(nl >> 1);
  }

  /**
   * Applies one MBO record. Returns false, changing nothing, for other record types. Unknown
   * order ids and impossible quantities are counted in `anomalies`, never thrown.
   */
  applyMbo(c: RecordCursor): boolean {
    if (c.rtype !== RType.MBO) return false;
    // Read every field here, then hand over to #mutate, too large for V8 to inline into callers:
    // cursor getters are inlined only while the caller's inlining budget lasts, and a getter left
    // as a call returns its double (order id, price, ts half) boxed, i.e. garbage per event. V8
    // considers getter calls last-first, so the ones that return doubles on every event come last.
    // Ids and prices reach #mutate through a typed array, as double arguments would be boxed too.
    const action = c.action;
    const side = c.side;
    const sz = c.size;
    this.lastInstrumentId = c.instrumentId;
    this.lastPublisherId = c.publisherId;
    this.lastSequence = c.sequence;
    this.lastFlags = c.flags;
    this.lastTsEventLo = c.tsEventLo;
    this.lastTsEventHi = c.tsEventHi;
    this.lastTsRecvHi = c.tsRecvHi;
    this.lastTsRecvLo = c.tsRecvLo;
    const ev = this.#ev;
    ev[1] = c.price;
    ev[0] = c.orderId;
    this.updateCount++;
    this.#mutate(action, side, sz);
    return true;
  }

  /** Removes every order and level (an `R` record does this); priority stamps keep increasing. */
  clear(): void {
    this.#index.clear();
    this.#oTop = 0;
    this.#oFree = NIL;
    this.#orders = 0;
    this.#lTop = 0;
    this.#lFree = NIL;
    this.#bids.n = 0;
    this.#asks.n = 0;
  }

  /** Applies the current record's action (order id and price in `#ev`). */
  #mutate(action: number, side: number, sz: number): void {
    const px = this.#ev[1];
    const valid = (side === BookSide.BID || side === BookSide.ASK) && !Number.isNaN(px);
    if (action === Action.ADD) {
      if (!valid) {
        this.#anomalies++;
        return;
      }
      const existing = this.#index.getAt(this.#ev, 0);
      if (existing !== NIL) {
        // A second add of a live id: keep the newer order, as the venue's latest word.
        this.#anomalies++;
        this.#remove(existing);
      }
      if (sz === 0) this.#anomalies++;
      else this.#insert(side, sz);
    } else if (action === Action.CANCEL) {
      const slot = this.#index.getAt(this.#ev, 0);
      if (slot === NIL) {
        this.#anomalies++;
        return;
      }
      const left = this.#oSz[slot] - sz;
      if (left > 0) {
        this.#oSz[slot] = left;
        this.#lSz[this.#oLvl[slot]] -= sz;
        return;
      }
      if (left < 0) this.#anomalies++; // cancelled more than rested: remove what there was
      this.#remove(slot);
    } else if (action === Action.MODIFY) {
      const slot = this.#index.getAt(this.#ev, 0);
      if (slot === NIL) {
        // Databento's reference book adds an unknown modified order; it is still an anomaly.
        this.#anomalies++;
        if (valid && sz > 0) this.#insert(side, sz);
        return;
      }
      if (!valid || sz === 0) {
        if (sz !== 0) this.#anomalies++;
        this.#remove(slot);
        return;
      }
      const old = this.#oSz[slot];
      if (px !== this.#oPx[slot] || side !== this.#oSide[slot]) {
        this.#detach(slot);
        this.#oSz[slot] = sz;
        this.#oPx[slot] = px;
        this.#oSide[slot] = side;
        this.#attach(slot);
      } else if (sz > old) {
        // Loses priority: to the back of the same level, which cannot empty on the way.
        const lvl = this.#oLvl[slot];
        this.#unlink(slot, lvl);
        this.#lSz[lvl] += sz - old;
        this.#oSz[slot] = sz;
        this.#link(slot, lvl);
      } else {
        this.#lSz[this.#oLvl[slot]] -= old - sz;
        this.#oSz[slot] = sz;
      }
    } else if (action === Action.CLEAR) {
      this.clear();
    }
    // T, F, N: no change to the book (the cancel that follows a fill removes its quantity).
  }

  /** Adds the current record's order, known to be new and valid, at the back of its level. */
  #insert(side: number, sz: number): void {
    const slot = this.#allocOrder();
    this.#oId[slot] = this.#ev[0];
    this.#oPx[slot] = this.#ev[1];
    this.#oSz[slot] = sz;
    this.#oSide[slot] = side;
    this.#attach(slot);
    this.#index.setAt(this.#oId, slot, slot);
    this.#orders++;
  }

  /** Removes order `slot` from its level, the id table and the pool. */
  #remove(slot: number): void {
    this.#detach(slot);
    this.#index.deleteAt(this.#oId, slot);
    this.#freeOrder(slot);
    this.#orders--;
  }

  /** Puts order `slot` (id, size, price and side set) at the back of its level, creating the level. */
  #attach(slot: number): void {
    const side = this.#oSide[slot];
    const px = this.#oPx[slot];
    const ladder = side === BookSide.BID ? this.#bids : this.#asks;
    ladder.probe[0] = side === BookSide.BID ? px : -px;
    const at = ladder.find();
    let lvl: number;
    if (at >= 0) {
      lvl = ladder.slots[at];
    } else {
      lvl = this.#allocLevel();
      this.#lPx[lvl] = px;
      this.#lSz[lvl] = 0;
      this.#lCt[lvl] = 0;
      this.#lHead[lvl] = NIL;
      this.#lTail[lvl] = NIL;
      ladder.insert(~at, lvl);
    }
    this.#oLvl[slot] = lvl;
    this.#lSz[lvl] += this.#oSz[slot];
    this.#lCt[lvl]++;
    this.#link(slot, lvl);
  }

  /** Takes order `slot` out of its level, removing the level when it empties. */
  #detach(slot: number): void {
    const lvl = this.#oLvl[slot];
    this.#unlink(slot, lvl);
    this.#lSz[lvl] -= this.#oSz[slot];
    if (--this.#lCt[lvl] > 0) return;
    const side = this.#oSide[slot];
    const ladder = side === BookSide.BID ? this.#bids : this.#asks;
    const px = this.#lPx[lvl];
    ladder.probe[0] = side === BookSide.BID ? px : -px;
    ladder.removeAt(ladder.find());
    this.#lHead[lvl] = this.#lFree;
    this.#lFree = lvl;
  }

  /** Appends `slot` to the tail of level `lvl`'s queue with a fresh priority stamp. */
  #link(slot: number, lvl: number): void {
    const tail = this.#lTail[lvl];
    this.#oPrev[slot] = tail;
    this.#oNext[slot] = NIL;
    if (tail === NIL) this.#lHead[lvl] = slot;
    else this.#oNext[tail] = slot;
    this.#lTail[lvl] = slot;
    this.#oPri[slot] = this.#priority++;
  }

  #unlink(slot: number, lvl: number): void {
    const prev = this.#oPrev[slot];
    const next = this.#oNext[slot];
    if (prev === NIL) this.#lHead[lvl] = next;
    else this.#oNext[prev] = next;
    if (next === NIL) this.#lTail[lvl] = prev;
    else this.#oPrev[next] = prev;
  }

  #allocOrder(): number {
    const free = this.#oFree;
    if (free !== NIL) {
      this.#oFree = this.#oNext[free];
      return free;
    }
    if (this.#oTop === this.#oId.length) this.#growOrders();
    return this.#oTop++;
  }

  #freeOrder(slot: number): void {
    this.#oNext[slot] = this.#oFree;
    this.#oFree = slot;
  }

  #allocLevel(): number {
    const free = this.#lFree;
    if (free !== NIL) {
      this.#lFree = this.#lHead[free];
      return free;
    }
    if (this.#lTop === this.#lPx.length) this.#growLevels();
    return this.#lTop++;
  }

  #growOrders(): void {
    const n = this.#oId.length * 2;
    this.#oId = grown(this.#oId, n);
    this.#oPx = grown(this.#oPx, n);
    this.#oSz = grown(this.#oSz, n);
    this.#oPri = grown(this.#oPri, n);
    this.#oSide = grown(this.#oSide, n);
    this.#oPrev = grown(this.#oPrev, n);
    this.#oNext = grown(this.#oNext, n);
    this.#oLvl = grown(this.#oLvl, n);
  }

  #growLevels(): void {
    const n = this.#lPx.length * 2;
    this.#lPx = grown(this.#lPx, n);
    this.#lSz = grown(this.#lSz, n);
    this.#lCt = grown(this.#lCt, n);
    this.#lHead = grown(this.#lHead, n);
    this.#lTail = grown(this.#lTail, n);
  }

  /** Level slot of level `i` (0 = best) of a side, or −1. */
  #levelAt(ladder: Ladder, i: number): number {
    return i >= 0 && i < ladder.n ? ladder.slots[ladder.n - 1 - i] : NIL;
  }

  // ---- order queries -------------------------------------------------------------------------

  /** Anomalies seen: cancels or modifies of unknown orders, over-cancels, duplicate or bad adds. */
  get anomalies(): number {
    return this.#anomalies;
  }

  /** Resting orders. */
  get orderCount(): number {
    return this.#orders;
  }

  /** Whether `orderId` rests in the book. */
  hasOrder(orderId: number): boolean {
    return this.#index.get(orderId) !== NIL;
  }

  /**
   * Size resting ahead of `orderId` at its price level (the orders before it in priority order);
   * NaN for an unknown order. Walks the queue ahead: cost grows with the order's position.
   */
  sizeAhead(orderId: number): number {
    const slot = this.#index.get(orderId);
    if (slot === NIL) return Number.NaN;
    let total = 0;
    for (let s = this.#oPrev[slot]; s !== NIL; s = this.#oPrev[s]) total += this.#oSz[s];
    return total;
  }

  /**
   * Size resting at (`side`, `price`) with a priority stamp lower than `priority`: the queue
   * ahead of a virtual order (a simulated one, not in the feed) that joined the back of that level
   * when `nextPriority` was `priority`. Orders that join later, or lose priority by a modify, get
   * higher stamps and so never count as ahead.
   */
  sizeAheadOf(side: number, price: number, priority: number): number {
    const ladder = side === BookSide.BID ? this.#bids : this.#asks;
    ladder.probe[0] = side === BookSide.BID ? price : -price;
    const at = ladder.find();
    if (at < 0) return 0;
    let total = 0;
    const pri = this.#oPri;
    for (let s = this.#lHead[ladder.slots[at]]; s !== NIL && pri[s] < priority; s = this.#oNext[s])
      total += this.#oSz[s];
    return total;
  }

  /** The stamp the next order joining the back of any level will get (stamps only increase). */
  get nextPriority(): number {
    return this.#priority;
  }

  /**
   * The resting order `orderId`, or null. Fills `into` when given (no allocation), otherwise
   * returns a new object: for the edges, not per event.
   */
  order(orderId: number, into?: RestingOrder): RestingOrder | null {
    const slot = this.#index.get(orderId);
    if (slot === NIL) return null;
    const o = into ?? { orderId: 0, side: 0, price: 0, size: 0, sizeAhead: 0, priority: 0 };
    o.orderId = orderId;
    o.side = this.#oSide[slot];
    o.price = this.#oPx[slot];
    o.size = this.#oSz[slot];
    o.sizeAhead = this.sizeAhead(orderId);
    o.priority = this.#oPri[slot];
    return o;
  }

  /** Order ids at level `i` of `side` in priority order (allocates: for the edges and tests). */
  ordersAt(side: number, i: number): number[] {
    const lvl = this.#levelAt(side === BookSide.BID ? this.#bids : this.#asks, i);
    const ids: number[] = [];
    if (lvl === NIL) return ids;
    for (let s = this.#lHead[lvl]; s !== NIL; s = this.#oNext[s]) ids.push(this.#oId[s]);
    return ids;
  }

  // ---- BookView --------------------------------------------------------------------------------

  get bidLevels(): number {
    return this.#bids.n;
  }
  get askLevels(): number {
    return this.#asks.n;
  }
  get bestBidPx(): number {
    const b = this.#bids;
    return b.n > 0 ? this.#lPx[b.slots[b.n - 1]] : Number.NaN;
  }
  get bestAskPx(): number {
    const a = this.#asks;
    return a.n > 0 ? this.#lPx[a.slots[a.n - 1]] : Number.NaN;
  }
  get bestBidSz(): number {
    const b = this.#bids;
    return b.n > 0 ? this.#lSz[b.slots[b.n - 1]] : 0;
  }
  get bestAskSz(): number {
    const a = this.#asks;
    return a.n > 0 ? this.#lSz[a.slots[a.n - 1]] : 0;
  }
  bidPx(i: number): number {
    const l = this.#levelAt(this.#bids, i);
    return l === NIL ? Number.NaN : this.#lPx[l];
  }
  askPx(i: number): number {
    const l = this.#levelAt(this.#asks, i);
    return l === NIL ? Number.NaN : this.#lPx[l];
  }
  bidSz(i: number): number {
    const l = this.#levelAt(this.#bids, i);
    return l === NIL ? 0 : this.#lSz[l];
  }
  askSz(i: number): number {
    const l = this.#levelAt(this.#asks, i);
    return l === NIL ? 0 : this.#lSz[l];
  }
  bidCt(i: number): number {
    const l = this.#levelAt(this.#bids, i);
    return l === NIL ? 0 : this.#lCt[l];
  }
  askCt(i: number): number {
    const l = this.#levelAt(this.#asks, i);
    return l === NIL ? 0 : this.#lCt[l];
  }
  get mid(): number {
    return (this.bestBidPx + this.bestAskPx) / 2;
  }
  get spread(): number {
    return this.bestAskPx - this.bestBidPx;
  }
  depth(side: number, k: number): number {
    const ladder = side === BookSide.BID ? this.#bids : this.#asks;
    const slots = ladder.slots;
    const end = Math.max(0, ladder.n - k);
    let total = 0;
    for (let i = ladder.n - 1; i >= end; i--) total += this.#lSz[slots[i]];
    return total;
  }
  get crossed(): boolean {
    // NaN compares false: an empty side is never crossed.
    return this.bestBidPx >= this.bestAskPx;
  }
}
