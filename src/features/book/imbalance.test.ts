import assert from 'node:assert/strict';
import { test } from 'node:test';
import { px } from '../../../test/book.js';
import { FakeBook } from '../../../test/features-book.js';
import { QueueImbalance, WeightedMid } from './imbalance.js';

const near = (a: number, b: number, eps = 1e-12) => assert.ok(Math.abs(a - b) < eps, `${a} vs ${b}`);

test('queue imbalance at level 1 and depth-weighted over 5 and 10 levels', () => {
  const book = new FakeBook(
    [
      [1.085, 30],
      [1.0849, 10],
      [1.0848, 0.0], // a level with a price but no size: contributes nothing
      [1.0847, 0],
      [1.0846, 0],
      [1.0845, 50], // level 6: in qi_l10 only
    ],
    [
      [1.0851, 10],
      [1.0852, 20],
    ],
  );
  const qi = new QueueImbalance();
  qi.update(book);
  // L1: (30 - 10)/(30 + 10) = 0.5.
  assert.equal(qi.l1, 0.5);
  // L5, w = 1, e^-0.5: (1*(30-10) + e^-0.5*(10-20)) / (1*40 + e^-0.5*30) = (20 - 6.0653)/(40 + 18.1959) = 0.23944.
  const w1 = Math.exp(-0.5);
  near(qi.l5, (20 - 10 * w1) / (40 + 30 * w1));
  near(qi.l5, 0.2394445, 1e-6); // 13.9347 / 58.1959
  // L10 adds level 6 (w = e^-2.5): + 50 e^-2.5 in both sums.
  const w5 = Math.exp(-2.5);
  near(qi.l10, (20 - 10 * w1 + 50 * w5) / (40 + 30 * w1 + 50 * w5));
});

test('the weighted mid leans toward the smaller queue', () => {
  const book = new FakeBook([[1.085, 30]], [[1.0851, 10]]);
  const wm = new WeightedMid();
  wm.update(book);
  // Pw = Pb + S * qb/(qb + qa) = 1.0850 + 0.0001 * 30/40 = 1.085075: the ask queue is thinner,
  // so the next move is more likely up.
  assert.equal(wm.value, px(1.085075));
  assert.equal(wm.mid, px(1.08505));
  // Equal queues give the mid.
  wm.update(book.set([[1.085, 7]], [[1.0851, 7]]));
  assert.equal(wm.value, px(1.08505));
});

test('imbalance and weighted mid are NaN on empty, one-sided, crossed and locked books', () => {
  const qi = new QueueImbalance();
  const wm = new WeightedMid();
  const cases = [
    new FakeBook([], []),
    new FakeBook([[1.085, 10]], []),
    new FakeBook([], [[1.0851, 10]]),
    new FakeBook([[1.0852, 10]], [[1.0851, 10]]), // crossed
    new FakeBook([[1.0851, 10]], [[1.0851, 10]]), // locked
    new FakeBook([[1.085, 0]], [[1.0851, 0]]), // both queues 0: undefined
  ];
  for (const b of cases) {
    qi.update(b);
    wm.update(b);
    assert.ok(Number.isNaN(qi.l1) && Number.isNaN(qi.l5) && Number.isNaN(qi.l10));
    assert.ok(Number.isNaN(wm.value));
  }
});
