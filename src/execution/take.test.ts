import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { px } from '../../test/book.js';
import { FakeBook } from '../../test/features-book.js';
import { takeLiquidity } from './take.js';

// 6E around 1.08500: bids 1.08495 / 1.08490 / 1.08485, asks 1.08500 / 1.08505 / 1.08510.
const book = () =>
  new FakeBook(
    [
      [1.08495, 10],
      [1.0849, 20],
      [1.08485, 30],
    ],
    [
      [1.085, 5],
      [1.08505, 15],
      [1.0851, 40],
    ],
  );

describe('taking liquidity from the book', () => {
  test('a market buy larger than the best level walks the asks at the volume-weighted price', () => {
    const t = takeLiquidity(book(), 'buy', 30);
    assert.deepEqual(
      t.fills.map((f) => [f.quantity, f.price]),
      [
        [5, px(1.085)],
        [15, px(1.08505)],
        [10, px(1.0851)],
      ],
    );
    assert.equal(t.quantity, 30);
    // (5 × 1.08500 + 15 × 1.08505 + 10 × 1.08510) / 30 = 1.0850583…
    assert.ok(Math.abs(t.averagePx - (5 * px(1.085) + 15 * px(1.08505) + 10 * px(1.0851)) / 30) < 1e-6);
    assert.ok(Math.abs(t.averagePx / 1e9 - 1.08505833) < 1e-8);
  });

  test('never more than is shown: a buy of 100 against 60 visible gets 60', () => {
    const t = takeLiquidity(book(), 'buy', 100);
    assert.equal(t.quantity, 60);
  });

  test('a marketable limit sell stops at its price', () => {
    const t = takeLiquidity(book(), 'sell', 50, px(1.0849));
    assert.deepEqual(
      t.fills.map((f) => [f.quantity, f.price]),
      [
        [10, px(1.08495)],
        [20, px(1.0849)],
      ],
    );
  });

  test('a limit that does not reach the book takes nothing', () => {
    const t = takeLiquidity(book(), 'buy', 5, px(1.08495));
    assert.equal(t.quantity, 0);
    assert.ok(Number.isNaN(t.averagePx));
  });

  test('two of our own orders between two book updates are not both filled by the same liquidity', () => {
    const b = book();
    const first = takeLiquidity(b, 'buy', 5);
    const used = new Map(first.fills.map((f) => [f.price, f.quantity]));
    const second = takeLiquidity(b, 'buy', 5, Number.NaN, (p) => used.get(p) ?? 0);
    assert.deepEqual(
      second.fills.map((f) => [f.quantity, f.price]),
      [[5, px(1.08505)]],
    );
  });

  test('a crossed or locked book fills nothing, nor does a one-sided one', () => {
    const crossed = new FakeBook([[1.0851, 10]], [[1.085, 10]]);
    const locked = new FakeBook([[1.085, 10]], [[1.085, 10]]);
    const oneSided = new FakeBook([], [[1.085, 10]]);
    for (const b of [crossed, locked, oneSided]) {
      assert.equal(takeLiquidity(b, 'buy', 1).quantity, 0);
      assert.equal(takeLiquidity(b, 'sell', 1).quantity, 0);
    }
  });
});
