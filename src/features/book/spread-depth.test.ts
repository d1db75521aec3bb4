import assert from 'node:assert/strict';
import { test } from 'node:test';
import { batchOf, mbp, px } from '../../../test/book.js';
import { FakeBook } from '../../../test/features-book.js';
import { BookSide, L2Book } from '../../book/index.js';
import { ConfigError } from '../../core/index.js';
import { DepthProfile, GapKind, QuotedSpread } from './spread-depth.js';

const B = BookSide.BID;
const A = BookSide.ASK;
const TICK = px(0.0001);

test('quoted spread in price, ticks and basis points from a real MBP-10 record', async () => {
  const batch = await batchOf([mbp([[1.085, 10, 1]], [[1.0852, 8, 1]])], 'mbp-10');
  const book = new L2Book();
  book.applyMbp(batch.at(0));
  const s = new QuotedSpread(TICK);
  s.update(book);
  // S = 1.0852 - 1.0850 = 0.0002 = 2 ticks; M = 1.0851; S/M = 1.84315e-4 = 1.84315 bps.
  assert.equal(s.price, px(0.0002));
  assert.equal(s.ticks, 2);
  assert.equal(s.mid, px(1.0851));
  assert.ok(Math.abs(s.bps - (0.0002 / 1.0851) * 1e4) < 1e-9);
  assert.ok(Math.abs(s.bps - 1.843148) < 1e-6);
});

test('spread is NaN on a one-sided, crossed or locked book', () => {
  const s = new QuotedSpread(TICK);
  for (const b of [
    new FakeBook([[1.085, 1]], []),
    new FakeBook([[1.0851, 1]], [[1.0851, 1]]),
    new FakeBook([[1.0852, 1]], [[1.0851, 1]]),
  ]) {
    s.update(b);
    assert.ok(Number.isNaN(s.price) && Number.isNaN(s.ticks) && Number.isNaN(s.bps) && Number.isNaN(s.mid));
  }
  assert.throws(() => new QuotedSpread(0), ConfigError);
});

/**
 * Bids 1.0850 x10, 1.0849 x12, 1.0848 x60, (1.0847 empty), 1.0846 x2, 1.0845 x100;
 * asks 1.0851 x9, 1.0852 x11, 1.0853 x10. Mid 1.08505.
 */
function walled(): FakeBook {
  return new FakeBook(
    [
      [1.085, 10],
      [1.0849, 12],
      [1.0848, 60],
      [1.0846, 2],
      [1.0845, 100],
    ],
    [
      [1.0851, 9],
      [1.0852, 11],
      [1.0853, 10],
    ],
  );
}

test('depth per side, cumulative, and skew', () => {
  const d = new DepthProfile({ tickSize: TICK });
  d.update(walled());
  // Bid cumulative 10, 22, 82, 84, 184; ask 9, 20, 30.
  assert.equal(d.depth(B, 1), 10);
  assert.equal(d.depth(B, 3), 82);
  assert.equal(d.depth(B, 5), 184);
  assert.equal(d.depth(B, 10), 184);
  assert.equal(d.depth(A, 1), 9);
  assert.equal(d.depth(A, 5), 30);
  assert.equal(d.depth(A, 0), 0);
  assert.equal(d.levelCount(B), 5);
  assert.equal(d.levelCount(A), 3);
  // Skew over 5 levels: (184 - 30)/(184 + 30).
  assert.equal(d.skew(5), 154 / 214);
});

test('a wall is a level of at least 4x the median size within 5 ticks of the mid', () => {
  const d = new DepthProfile({ tickSize: TICK });
  d.update(walled());
  // Bid sizes sorted 2, 10, 12, 60, 100: median 12, bar 48. 1.0848 x60 is 2.5 ticks from the mid
  // (ratio 5): a wall. 1.0845 x100 is 5.5 ticks away: too far to count. Ask median 10, bar 40: none.
  assert.equal(d.median(B), 12);
  assert.equal(d.median(A), 10);
  assert.equal(d.wallCount, 1);
  assert.equal(d.wallSide[0], B);
  assert.equal(d.wallLevel[0], 2);
  assert.equal(d.wallPx[0], px(1.0848));
  assert.equal(d.wallSz[0], 60);
  assert.equal(d.wallRatio[0], 5);
  // With a reach of 6 ticks the 100 lot counts too (ratio 100/12).
  const wide = new DepthProfile({ tickSize: TICK, wallMaxTicks: 6 });
  wide.update(walled());
  assert.equal(wide.wallCount, 2);
  assert.equal(wide.wallPx[1], px(1.0845));
  assert.equal(wide.wallRatio[1], 100 / 12);
});

test('gaps: empty ticks between populated levels and thin interior levels, with their prices', () => {
  const d = new DepthProfile({ tickSize: TICK });
  d.update(walled());
  // Bids: 1.0848 -> 1.0846 skips one tick, 1.0847 (after level 2). 1.0846 x2 <= 0.25 * 12 = 3 and
  // sits between populated levels: thin. Asks are contiguous with no thin level (bar 2.5).
  assert.equal(d.gapCount, 2);
  assert.deepEqual(
    [d.gapSide[0], d.gapKind[0], d.gapPx[0], d.gapTicks[0], d.gapLevel[0]],
    [B, GapKind.EMPTY, px(1.0847), 1, 2],
  );
  assert.deepEqual(
    [d.gapSide[1], d.gapKind[1], d.gapPx[1], d.gapTicks[1], d.gapLevel[1]],
    [B, GapKind.THIN, px(1.0846), 0, 3],
  );
  assert.equal(d.widestGap(B), 1);
  assert.equal(d.widestGap(A), 0);
  // An ask gap of three ticks: 1.0851 then 1.0855 (1.0852..1.0854 empty).
  d.update(
    new FakeBook(
      [[1.085, 5]],
      [
        [1.0851, 5],
        [1.0855, 5],
      ],
    ),
  );
  assert.equal(d.gapCount, 1);
  assert.deepEqual([d.gapSide[0], d.gapPx[0], d.gapTicks[0]], [A, px(1.0852), 3]);
  assert.equal(d.widestGap(A), 3);
});

test('a crossed book has no walls but keeps its depth and gaps; an empty book has nothing', () => {
  const d = new DepthProfile({ tickSize: TICK });
  d.update(
    new FakeBook(
      [
        [1.0852, 10],
        [1.085, 100],
      ],
      [[1.0851, 1]],
    ),
  );
  assert.equal(d.wallCount, 0);
  assert.equal(d.gapCount, 1); // 1.0851 between the two bids
  assert.equal(d.depth(B, 5), 110);
  d.update(new FakeBook([], []));
  assert.equal(d.wallCount, 0);
  assert.equal(d.gapCount, 0);
  assert.equal(d.depth(B, 10), 0);
  assert.ok(Number.isNaN(d.median(B)));
  assert.ok(Number.isNaN(d.skew(10)));
});
