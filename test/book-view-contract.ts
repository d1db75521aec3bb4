/**
 * The `BookView` contract, run against every book implementation (book-view.test.ts): whatever a
 * book is built from, readers see the same numbers for the same levels.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { BookSide, type BookView } from '../src/book/book-view.js';
import { type LevelSpec, px } from './book.js';

/** How to get a book of an implementation holding exactly these levels (best first). */
export interface BookViewContract {
  name: string;
  build(bids: LevelSpec, asks: LevelSpec): Promise<BookView>;
}

/** Registers the contract's tests for one implementation. */
export function runBookViewContract({ name, build }: BookViewContract): void {
  test(`${name}: levels read best first, with NaN price and zero size and count beyond the last`, async () => {
    const b = await build(
      [
        [1.085, 10, 2],
        [1.08495, 20, 3],
      ],
      [
        [1.08505, 8, 1],
        [1.0851, 12, 4],
        [1.08515, 30, 6],
      ],
    );
    assert.equal(b.bidLevels, 2);
    assert.equal(b.askLevels, 3);
    assert.equal(b.bestBidPx, px(1.085));
    assert.equal(b.bestAskPx, px(1.08505));
    assert.equal(b.bestBidSz, 10);
    assert.equal(b.bestAskSz, 8);
    assert.deepEqual(
      [b.bidPx(1), b.bidSz(1), b.bidCt(1), b.askPx(2), b.askSz(2), b.askCt(2)],
      [px(1.08495), 20, 3, px(1.08515), 30, 6],
    );
    assert.ok(Number.isNaN(b.bidPx(2)));
    assert.ok(Number.isNaN(b.askPx(3)));
    assert.ok(Number.isNaN(b.bidPx(-1)));
    assert.deepEqual([b.bidSz(2), b.bidCt(2), b.askSz(3), b.askCt(3)], [0, 0, 0, 0]);
  });

  test(`${name}: mid and spread are in raw 1e-9 units`, async () => {
    // bid 1.08500, ask 1.08505: mid 1.085025 = 1_085_025_000 raw, spread 0.00005 = 50_000 raw.
    const b = await build([[1.085, 1, 1]], [[1.08505, 1, 1]]);
    assert.equal(b.mid, 1_085_025_000);
    assert.equal(b.spread, 50_000);
    assert.equal(b.crossed, false);
  });

  test(`${name}: an empty side gives NaN best price, mid and spread, and zero size`, async () => {
    const b = await build([[1.085, 10, 2]], []);
    assert.equal(b.askLevels, 0);
    assert.ok(Number.isNaN(b.bestAskPx));
    assert.equal(b.bestAskSz, 0);
    assert.ok(Number.isNaN(b.mid));
    assert.ok(Number.isNaN(b.spread));
    assert.equal(b.crossed, false, 'a one-sided book is not crossed');
    assert.equal(b.depth(BookSide.ASK, 10), 0);
  });

  test(`${name}: depth(k) sums the best k levels and stops at the last level`, async () => {
    // bids 10 + 20 + 5: depth 1 = 10, depth 2 = 30, depth 10 = 35; asks 8 + 12 = 20.
    const b = await build(
      [
        [100, 10, 1],
        [99.75, 20, 2],
        [99.5, 5, 1],
      ],
      [
        [100.25, 8, 1],
        [100.5, 12, 3],
      ],
    );
    assert.equal(b.depth(BookSide.BID, 1), 10);
    assert.equal(b.depth(BookSide.BID, 2), 30);
    assert.equal(b.depth(BookSide.BID, 10), 35);
    assert.equal(b.depth(BookSide.ASK, 10), 20);
    assert.equal(b.depth(BookSide.BID, 0), 0);
  });

  test(`${name}: a crossed book is marked`, async () => {
    // Pre-open: a bid at 5214.50 rests above an ask at 5214.25.
    const b = await build([[5214.5, 3, 1]], [[5214.25, 2, 1]]);
    assert.equal(b.crossed, true);
    assert.equal(b.spread, -250_000_000);
  });

  test(`${name}: a locked book (bid equal to ask) is marked crossed`, async () => {
    const b = await build([[5214.25, 3, 1]], [[5214.25, 2, 1]]);
    assert.equal(b.crossed, true);
    assert.equal(b.spread, 0);
  });

  test(`${name}: the book reports the last record's timestamps and is consistent after F_LAST`, async () => {
    const b = await build([[1, 1, 1]], [[2, 1, 1]]);
    assert.equal(b.consistent, true);
    // The test records carry ts_event 2024-05-08T00:00:00Z and ts_recv 1 µs later.
    const tsEvent = (BigInt(b.tsEventHi) << 32n) | BigInt(b.tsEventLo);
    const tsRecv = (BigInt(b.tsRecvHi) << 32n) | BigInt(b.tsRecvLo);
    assert.equal(tsEvent, 1_715_126_400_000_000_000n);
    assert.equal(tsRecv, 1_715_126_400_000_001_000n);
    assert.ok(Math.abs(b.tsRecvMs - 1_715_126_400_000.001) < 1e-3, 'float ms, for arithmetic only');
    assert.ok(b.updates >= 1);
  });
}
