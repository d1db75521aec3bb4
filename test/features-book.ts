/**
 * Test helper: a minimal `BookView` set directly from decimal prices, for the pure formulas
 * (imbalance, spread, depth, walls, gaps). Features across updates are tested with real DBN
 * records through `L2Book`/`L3Book` instead. Not exported from the folder's index: tests only.
 */
import { BookSide, type BookView } from '../src/book/index.js';
import { px } from './book.js';

/** [price as a decimal, size] per level, best first. */
export type Levels = readonly (readonly [number, number])[];

/** A book holding exactly the levels given; `consistent` is settable. */
export class FakeBook implements BookView {
  readonly kind = 'l2' as const;
  readonly instrumentId = 1;
  readonly publisherId = 1;
  consistent = true;
  readonly tsEventLo = 0;
  readonly tsEventHi = 0;
  readonly tsRecvLo = 0;
  readonly tsRecvHi = 0;
  readonly tsRecvMs = 0;
  readonly sequence = 0;
  updates = 0;
  #b: number[][] = [];
  #a: number[][] = [];

  constructor(bids: Levels = [], asks: Levels = []) {
    this.set(bids, asks);
  }

  /** Replaces the levels. */
  set(bids: Levels, asks: Levels): this {
    this.#b = bids.map(([p, s]) => [px(p), s]);
    this.#a = asks.map(([p, s]) => [px(p), s]);
    this.updates++;
    return this;
  }

  get bidLevels(): number {
    return this.#b.length;
  }
  get askLevels(): number {
    return this.#a.length;
  }
  get bestBidPx(): number {
    return this.bidPx(0);
  }
  get bestAskPx(): number {
    return this.askPx(0);
  }
  get bestBidSz(): number {
    return this.bidSz(0);
  }
  get bestAskSz(): number {
    return this.askSz(0);
  }
  bidPx(i: number): number {
    return this.#b[i]?.[0] ?? Number.NaN;
  }
  askPx(i: number): number {
    return this.#a[i]?.[0] ?? Number.NaN;
  }
  bidSz(i: number): number {
    return this.#b[i]?.[1] ?? 0;
  }
  askSz(i: number): number {
    return this.#a[i]?.[1] ?? 0;
  }
  bidCt(i: number): number {
    return this.#b[i] ? 1 : 0;
  }
  askCt(i: number): number {
    return this.#a[i] ? 1 : 0;
  }
  get mid(): number {
    return (this.bestBidPx + this.bestAskPx) / 2;
  }
  get spread(): number {
    return this.bestAskPx - this.bestBidPx;
  }
  depth(side: number, k: number): number {
    const lv = side === BookSide.BID ? this.#b : this.#a;
    let t = 0;
    for (let i = 0; i < Math.min(k, lv.length); i++) t += lv[i][1];
    return t;
  }
  get crossed(): boolean {
    return this.bidLevels > 0 && this.askLevels > 0 && this.bestBidPx >= this.bestAskPx;
  }
}
