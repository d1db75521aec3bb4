/**
 * Price-time-priority matching engine of one simulated future, emitting MBO-style records as CME
 * publishes them through Databento (CONVENTIONS.md, "Market data semantics"):
 * - `A` for a new resting order, at the back of its level;
 * - `C` for a cancel, full or partial (`size` = quantity removed);
 * - `M` for a modify (new price and size; a price change or size increase loses priority);
 * - an aggressive order produces, per resting order it meets, `T` (aggressor side, order id 0),
 *   `F` (the resting order's id and side, the filled quantity) and then the `C` that removes the
 *   filled quantity, so a book applying only A/C/M stays exact.
 *
 * Prices are integer ticks; the book is a ladder indexed by tick (the simulated day stays within a
 * few hundred ticks of its start), each level an intrusive FIFO list of order slots. The engine
 * never crosses: resting orders must be passive and aggressive orders match first.
 * State lives in typed arrays; nothing is allocated per event.
 */
import { grown } from '../core/index.js';
import { Action } from '../data/dbn/index.js';

/** Side indexes inside the engine. */
export const BID = 0;
export const ASK = 1;

/** Who owns a resting order: each owner class keeps a list of its live orders. */
export const Owner = { NOISE: 0, MAKER: 1, WALL: 2, INFORMED: 3, VALUE: 4 } as const;
const OWNERS = 5;

/** Record kinds an engine reports to its output; `action` is the DBN character code. */
export interface EngineOutput {
  /**
   * One MBO record (order id, side index, tick, size, action code), after the engine applied it.
   * `fromTick` is the order's tick before a modify (`tick` for every other action): the levels an
   * action changed are those at `tick` and `fromTick`.
   */
  mbo(
    engine: MatchingEngine,
    orderId: number,
    side: number,
    tick: number,
    size: number,
    action: number,
    fromTick: number,
  ): void;
  /** One trade: aggressor side index, tick, size and the level index it traded at. */
  trade(engine: MatchingEngine, aggressor: number, tick: number, size: number, depth: number): void;
}

const A = Action.ADD;
const C = Action.CANCEL;
const M = Action.MODIFY;
const T = Action.TRADE;
const F = Action.FILL;

/** The book of one instrument with its matching rules. */
export class MatchingEngine {
  readonly instrumentId: number;
  readonly lowTick: number;
  readonly size: number;
  readonly #out: EngineOutput;
  readonly #ids: { next: number };
  // Ladder levels (index = tick − lowTick).
  readonly #lvSize: Int32Array;
  readonly #lvCount: Int32Array;
  readonly #lvHead: Int32Array;
  readonly #lvTail: Int32Array;
  // Order pool.
  #oId = new Float64Array(1024);
  #oIdx = new Int32Array(1024);
  #oSize = new Int32Array(1024);
  #oSide = new Uint8Array(1024);
  #oOwner = new Uint8Array(1024);
  #oPrev = new Int32Array(1024);
  #oNext = new Int32Array(1024);
  #oPos = new Int32Array(1024);
  #top = 0;
  #free = -1;
  // Live orders per owner (dense lists for uniform random picks).
  readonly #live: Int32Array[] = [];
  readonly #liveN = new Int32Array(OWNERS);
  /** Best bid / ask ladder index; −1 / `size` when the side is empty. */
  #bb = -1;
  #ba: number;
  #bidLevels = 0;
  #askLevels = 0;
  #orders = 0;

  /**
   * @param centerTick the tick the ladder is centred on; `halfWidth` ticks either side are usable.
   * @param ids a counter shared by the engines of a run, so order ids are unique across instruments.
   */
  constructor(
    instrumentId: number,
    centerTick: number,
    out: EngineOutput,
    ids: { next: number },
    halfWidth = 8192,
  ) {
    this.instrumentId = instrumentId;
    this.size = halfWidth * 2;
    this.lowTick = centerTick - halfWidth;
    this.#out = out;
    this.#ids = ids;
    this.#lvSize = new Int32Array(this.size);
    this.#lvCount = new Int32Array(this.size);
    this.#lvHead = new Int32Array(this.size).fill(-1);
    this.#lvTail = new Int32Array(this.size).fill(-1);
    this.#ba = this.size;
    for (let i = 0; i < OWNERS; i++) this.#live.push(new Int32Array(256));
  }

  /** Best bid in ticks, NaN when empty. */
  get bestBid(): number {
    return this.#bb < 0 ? Number.NaN : this.#bb + this.lowTick;
  }
  /** Best ask in ticks, NaN when empty. */
  get bestAsk(): number {
    return this.#ba >= this.size ? Number.NaN : this.#ba + this.lowTick;
  }
  /** Resting size at `tick` (either side). */
  sizeAt(tick: number): number {
    const i = tick - this.lowTick;
    return i < 0 || i >= this.size ? 0 : this.#lvSize[i];
  }
  /** Resting orders at `tick` (either side). */
  ordersAt(tick: number): number {
    const i = tick - this.lowTick;
    return i < 0 || i >= this.size ? 0 : this.#lvCount[i];
  }
  /** Non-empty levels per side. */
  get bidLevels(): number {
    return this.#bidLevels;
  }
  get askLevels(): number {
    return this.#askLevels;
  }
  /** Resting orders. */
  get orderCount(): number {
    return this.#orders;
  }
  /** Live orders of an owner class. */
  liveCount(owner: number): number {
    return this.#liveN[owner];
  }
  /** The `k`-th live order slot of an owner class. */
  liveAt(owner: number, k: number): number {
    return this.#live[owner][k];
  }
  /** Order id in a slot (0 when the slot is free). */
  orderId(slot: number): number {
    return this.#oId[slot];
  }
  orderTick(slot: number): number {
    return this.#oIdx[slot] + this.lowTick;
  }
  orderSize(slot: number): number {
    return this.#oSize[slot];
  }
  orderSide(slot: number): number {
    return this.#oSide[slot];
  }
  /** Whether `slot` still holds order `id` (slots are recycled). */
  isLive(slot: number, id: number): boolean {
    return slot >= 0 && slot < this.#top && this.#oId[slot] === id && this.#oSize[slot] > 0;
  }

  /**
   * Reads the top `n` levels of both sides into `out` as consecutive groups of six numbers per
   * level (bid tick, bid size, bid count, ask tick, ask size, ask count; tick NaN beyond the last
   * level). This is the 10-level view of MBP-10 output.
   */
  topLevels(n: number, out: Float64Array): void {
    let i = this.#bb;
    let k = 0;
    let left = this.#bidLevels;
    while (k < n && left > 0) {
      if (this.#lvCount[i] > 0) {
        const o = k * 6;
        out[o] = i + this.lowTick;
        out[o + 1] = this.#lvSize[i];
        out[o + 2] = this.#lvCount[i];
        k++;
        left--;
      }
      i--;
    }
    for (; k < n; k++) {
      const o = k * 6;
      out[o] = Number.NaN;
      out[o + 1] = 0;
      out[o + 2] = 0;
    }
    i = this.#ba;
    k = 0;
    left = this.#askLevels;
    while (k < n && left > 0) {
      if (this.#lvCount[i] > 0) {
        const o = k * 6;
        out[o + 3] = i + this.lowTick;
        out[o + 4] = this.#lvSize[i];
        out[o + 5] = this.#lvCount[i];
        k++;
        left--;
      }
      i++;
    }
    for (; k < n; k++) {
      const o = k * 6;
      out[o + 3] = Number.NaN;
      out[o + 4] = 0;
      out[o + 5] = 0;
    }
  }

  /**
   * Reads the top `n` levels of one side into `out` as consecutive (tick, size, count) triples,
   * (0, 0, 0) beyond the last level: what an MBP-10 publisher re-reads after a change on that side.
   */
  sideLevels(side: number, n: number, out: Float64Array): void {
    const bid = side === BID;
    const step = bid ? -1 : 1;
    let i = bid ? this.#bb : this.#ba;
    let left = bid ? this.#bidLevels : this.#askLevels;
    let o = 0;
    const end = n * 3;
    while (o < end && left > 0) {
      const count = this.#lvCount[i];
      if (count > 0) {
        out[o] = i + this.lowTick;
        out[o + 1] = this.#lvSize[i];
        out[o + 2] = count;
        o += 3;
        left--;
      }
      i += step;
    }
    out.fill(0, o, end);
  }

  /** Total size of the best `k` levels of `side`. */
  depth(side: number, k: number): number {
    let sum = 0;
    if (side === BID) {
      let left = Math.min(k, this.#bidLevels);
      for (let i = this.#bb; left > 0; i--) {
        if (this.#lvCount[i] > 0) {
          sum += this.#lvSize[i];
          left--;
        }
      }
    } else {
      let left = Math.min(k, this.#askLevels);
      for (let i = this.#ba; left > 0; i++) {
        if (this.#lvCount[i] > 0) {
          sum += this.#lvSize[i];
          left--;
        }
      }
    }
    return sum;
  }

  /** Tick of the `k`-th level (0 = best) of `side`, NaN beyond the last level. */
  levelTick(side: number, k: number): number {
    if (side === BID) {
      if (k >= this.#bidLevels) return Number.NaN;
      for (let i = this.#bb; ; i--) if (this.#lvCount[i] > 0 && k-- === 0) return i + this.lowTick;
    }
    if (k >= this.#askLevels) return Number.NaN;
    for (let i = this.#ba; ; i++) if (this.#lvCount[i] > 0 && k-- === 0) return i + this.lowTick;
  }

  /** Slot of the last order in the queue at `tick` (−1 when the level is empty). */
  levelTail(tick: number): number {
    const i = tick - this.lowTick;
    return i < 0 || i >= this.size ? -1 : this.#lvTail[i];
  }

  /** Whether `tick` is usable (inside the ladder) for a resting order. */
  inRange(tick: number): boolean {
    const i = tick - this.lowTick;
    return i >= 0 && i < this.size;
  }

  /**
   * Rests a passive order and emits `A`. Returns its slot, or −1 (nothing emitted) when it would
   * cross the book, lies outside the ladder or has no size.
   */
  add(side: number, tick: number, size: number, owner: number): number {
    const i = tick - this.lowTick;
    if (size <= 0 || i < 0 || i >= this.size) return -1;
    if (side === BID ? i >= this.#ba : i <= this.#bb) return -1;
    const slot = this.#alloc();
    const id = this.#ids.next++;
    this.#oId[slot] = id;
    this.#oIdx[slot] = i;
    this.#oSize[slot] = size;
    this.#oSide[slot] = side;
    this.#oOwner[slot] = owner;
    this.#link(slot, i);
    this.#liveAdd(slot, owner);
    this.#orders++;
    this.#out.mbo(this, id, side, tick, size, A, tick);
    return slot;
  }

  /** Cancels `qty` of the order in `slot` (all of it when `qty` >= its size) and emits `C`. */
  cancel(slot: number, qty: number): void {
    const size = this.#oSize[slot];
    const q = Math.min(qty, size);
    const id = this.#oId[slot];
    const side = this.#oSide[slot];
    const tick = this.#oIdx[slot] + this.lowTick;
    this.#reduce(slot, q);
    this.#out.mbo(this, id, side, tick, q, C, tick);
  }

  /**
   * Modifies the order in `slot` to `tick` and `size` and emits `M`. A price change or a size
   * increase sends it to the back of its level. Returns false (nothing emitted) when the new price
   * would cross or leave the ladder, or nothing changes.
   */
  modify(slot: number, tick: number, size: number): boolean {
    const i = tick - this.lowTick;
    const side = this.#oSide[slot];
    const oldI = this.#oIdx[slot];
    const oldSize = this.#oSize[slot];
    if (size <= 0 || i < 0 || i >= this.size || (i === oldI && size === oldSize)) return false;
    if (i !== oldI) {
      // Crossing is judged against the other side, which this order is not part of.
      if (side === BID ? i >= this.#ba : i <= this.#bb) return false;
      this.#unlink(slot, oldI);
      this.#oIdx[slot] = i;
      this.#oSize[slot] = size;
      this.#link(slot, i);
    } else if (size > oldSize) {
      this.#unlink(slot, oldI);
      this.#oSize[slot] = size;
      this.#link(slot, oldI);
    } else {
      this.#oSize[slot] = size;
      this.#lvSize[oldI] -= oldSize - size;
    }
    this.#out.mbo(this, this.#oId[slot], side, tick, size, M, oldI + this.lowTick);
    return true;
  }

  /**
   * An aggressive order of `qty` on `side` (BID = buy) matching resting orders at prices up to
   * `limitTick` (down to it for a sell), in price then time priority. Emits T, F, C per resting
   * order met and a trade per fill. The unfilled rest is dropped (immediate-or-cancel), or rests
   * at `limitTick` when `restOwner` >= 0. Returns the filled quantity.
   */
  aggress(side: number, qty: number, limitTick: number, restOwner = -1): number {
    const limit = limitTick - this.lowTick;
    let left = qty;
    let depth = 0;
    let lastLevel = -1;
    while (left > 0) {
      const lvl = side === BID ? this.#ba : this.#bb;
      if (side === BID ? lvl >= this.size || lvl > limit : lvl < 0 || lvl < limit) break;
      if (lastLevel >= 0 && lvl !== lastLevel) depth++;
      lastLevel = lvl;
      const slot = this.#lvHead[lvl];
      const rest = this.#oSize[slot];
      const fill = Math.min(rest, left);
      const tick = lvl + this.lowTick;
      const id = this.#oId[slot];
      const rside = this.#oSide[slot];
      this.#out.mbo(this, 0, side, tick, fill, T, tick);
      this.#out.trade(this, side, tick, fill, depth);
      this.#out.mbo(this, id, rside, tick, fill, F, tick);
      this.#reduce(slot, fill);
      this.#out.mbo(this, id, rside, tick, fill, C, tick);
      left -= fill;
    }
    if (left > 0 && restOwner >= 0) this.add(side, limitTick, left, restOwner);
    return qty - left;
  }

  /** Removes every order without emitting anything (the caller emits the `R` record). */
  clear(): void {
    for (let s = 0; s < this.#top; s++) {
      if (this.#oSize[s] > 0) {
        const i = this.#oIdx[s];
        this.#lvSize[i] = 0;
        this.#lvCount[i] = 0;
        this.#lvHead[i] = -1;
        this.#lvTail[i] = -1;
      }
      this.#oSize[s] = 0;
      this.#oId[s] = 0;
    }
    this.#top = 0;
    this.#free = -1;
    this.#liveN.fill(0);
    this.#bb = -1;
    this.#ba = this.size;
    this.#bidLevels = 0;
    this.#askLevels = 0;
    this.#orders = 0;
  }

  #reduce(slot: number, q: number): void {
    const size = this.#oSize[slot];
    const i = this.#oIdx[slot];
    if (q < size) {
      this.#oSize[slot] = size - q;
      this.#lvSize[i] -= q;
      return;
    }
    this.#unlink(slot, i);
    this.#liveRemove(slot);
    this.#oSize[slot] = 0;
    this.#oId[slot] = 0;
    this.#oNext[slot] = this.#free;
    this.#free = slot;
    this.#orders--;
  }

  #link(slot: number, i: number): void {
    const tail = this.#lvTail[i];
    this.#oPrev[slot] = tail;
    this.#oNext[slot] = -1;
    if (tail < 0) this.#lvHead[i] = slot;
    else this.#oNext[tail] = slot;
    this.#lvTail[i] = slot;
    this.#lvSize[i] += this.#oSize[slot];
    if (this.#lvCount[i]++ === 0) {
      if (this.#oSide[slot] === BID) {
        this.#bidLevels++;
        if (i > this.#bb) this.#bb = i;
      } else {
        this.#askLevels++;
        if (i < this.#ba) this.#ba = i;
      }
    }
  }

  #unlink(slot: number, i: number): void {
    const prev = this.#oPrev[slot];
    const next = this.#oNext[slot];
    if (prev < 0) this.#lvHead[i] = next;
    else this.#oNext[prev] = next;
    if (next < 0) this.#lvTail[i] = prev;
    else this.#oPrev[next] = prev;
    this.#lvSize[i] -= this.#oSize[slot];
    if (--this.#lvCount[i] === 0) {
      if (this.#oSide[slot] === BID) {
        this.#bidLevels--;
        if (i === this.#bb) {
          let j = i - 1;
          if (this.#bidLevels === 0) j = -1;
          else while (this.#lvCount[j] === 0) j--;
          this.#bb = j;
        }
      } else {
        this.#askLevels--;
        if (i === this.#ba) {
          let j = i + 1;
          if (this.#askLevels === 0) j = this.size;
          else while (this.#lvCount[j] === 0) j++;
          this.#ba = j;
        }
      }
    }
  }

  #alloc(): number {
    if (this.#free >= 0) {
      const s = this.#free;
      this.#free = this.#oNext[s];
      return s;
    }
    if (this.#top === this.#oId.length) this.#grow();
    return this.#top++;
  }

  #grow(): void {
    const n = this.#oId.length * 2;
    this.#oId = grown(this.#oId, n);
    this.#oIdx = grown(this.#oIdx, n);
    this.#oSize = grown(this.#oSize, n);
    this.#oSide = grown(this.#oSide, n);
    this.#oOwner = grown(this.#oOwner, n);
    this.#oPrev = grown(this.#oPrev, n);
    this.#oNext = grown(this.#oNext, n);
    this.#oPos = grown(this.#oPos, n);
  }

  #liveAdd(slot: number, owner: number): void {
    let list = this.#live[owner];
    const n = this.#liveN[owner];
    if (n === list.length) {
      list = grown(list, n * 2);
      this.#live[owner] = list;
    }
    list[n] = slot;
    this.#oPos[slot] = n;
    this.#liveN[owner] = n + 1;
  }

  #liveRemove(slot: number): void {
    const owner = this.#oOwner[slot];
    const list = this.#live[owner];
    const n = --this.#liveN[owner];
    const pos = this.#oPos[slot];
    const last = list[n];
    list[pos] = last;
    this.#oPos[last] = pos;
  }
}
