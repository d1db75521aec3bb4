import assert from 'node:assert/strict';
import { test } from 'node:test';
import { batchOf, type LevelSpec, mbp } from '../../../test/book.js';
import { L2Book } from '../../book/index.js';
import type { MbpRecord } from '../../data/dbn/index.js';
import { BestLevelOfi, MultiLevelOfi } from './ofi.js';

/** Windows of the default `BestLevelOfi`. */
const W1S = 0;
const W10S = 1;
const W60S = 2;

function book(bids: LevelSpec, asks: LevelSpec, flags?: number): MbpRecord {
  return mbp(bids, asks, flags === undefined ? {} : { flags });
}

/** Feeds MBP-10 records at the given times (ms) through a real L2Book, calling `step` after each. */
async function replay(
  records: MbpRecord[],
  times: number[],
  step: (b: L2Book, t: number, i: number) => void,
) {
  const batch = await batchOf(records, 'mbp-10');
  const b = new L2Book();
  for (let i = 0; i < batch.count; i++) {
    b.applyMbp(batch.at(i));
    step(b, times[i], i);
  }
}

test('best-level OFI follows Cont, Kukanov & Stoikov across a worked sequence', async () => {
  const ofi = new BestLevelOfi();
  const lasts: number[] = [];
  await replay(
    [
      // S0: 1.0850 x10 / 1.0851 x8. Baseline: no e_n. Half depth (10+8)/2 = 9.
      book([[1.085, 10, 1]], [[1.0851, 8, 1]]),
      // S1: bid queue 10 -> 15 at the same price: +15 - 10 = +5; ask unchanged: -8 + 8 = 0. e = +5.
      // Half depth 11.5.
      book([[1.085, 15, 2]], [[1.0851, 8, 1]]),
      // S2: bid improves to 1.0851 x3: +3 (the old queue is not subtracted, Pb rose);
      // ask rises to 1.0852 x6: the old ask queue was taken, +8 (Pa rose, so -qa_n is not applied).
      // e = +11. Half depth 4.5.
      book([[1.0851, 3, 1]], [[1.0852, 6, 1]]),
      // S3 at 1.5 s: bid falls back to 1.0850 x20: -3 (old queue; Pb fell so +qb_n is not applied);
      // ask falls to 1.0851 x4: -4. e = -7. Half depth 12.
      book([[1.085, 20, 2]], [[1.0851, 4, 1]]),
    ],
    [0, 100, 200, 1500],
    (b, t) => {
      ofi.update(b, t);
      lasts.push(ofi.last);
    },
  );
  assert.deepEqual(lasts, [Number.NaN, 5, 11, -7]);
  assert.equal(ofi.isReady, true);
  // At 1.5 s the 1 s window (100 ms buckets, 0.6..1.599 s) holds S3 only.
  assert.equal(ofi.sum(W1S), -7);
  assert.equal(ofi.avgDepth(W1S), 12);
  assert.equal(ofi.normalized(W1S), -7 / 12);
  // The 10 s and 60 s windows hold all four states: OFI 5 + 11 - 7 = 9, AD (9+11.5+4.5+12)/4 = 9.25.
  assert.equal(ofi.sum(W10S), 9);
  assert.equal(ofi.avgDepth(W10S), 9.25);
  assert.equal(ofi.normalized(W10S), 9 / 9.25);
  assert.equal(ofi.sum(W60S), 9);
  assert.equal(ofi.windowMs(W60S), 60_000);
});

test('OFI skips crossed, locked and one-sided states and restarts from a new baseline', async () => {
  const ofi = new BestLevelOfi();
  const lasts: number[] = [];
  await replay(
    [
      book([[1.085, 10, 1]], [[1.0851, 8, 1]]), // baseline, half depth 9
      book([[1.0852, 5, 1]], [[1.0851, 4, 1]]), // crossed: skipped, baseline dropped
      book([[1.0851, 5, 1]], [[1.0851, 4, 1]]), // locked: skipped
      book([[1.085, 30, 1]], []), // one-sided: skipped
      book([], []), // empty: skipped
      // Good again: a new baseline, not e = +30 - 10 ... against the state before the crossing.
      book([[1.085, 30, 1]], [[1.0851, 2, 1]]), // half depth 16
      book([[1.085, 31, 1]], [[1.0851, 2, 1]]), // e = +1
    ],
    [0, 10, 20, 30, 40, 50, 60],
    (b, t) => {
      ofi.update(b, t);
      lasts.push(ofi.last);
    },
  );
  assert.deepEqual(lasts, [Number.NaN, Number.NaN, Number.NaN, Number.NaN, Number.NaN, Number.NaN, 1]);
  assert.equal(ofi.sum(W10S), 1);
  // Depth is sampled on good states only: (9 + 16 + 16.5) / 3.
  assert.equal(ofi.avgDepth(W10S), (9 + 16 + 16.5) / 3);
});

test('states in the middle of an event (no F_LAST) are not compared', async () => {
  const ofi = new BestLevelOfi();
  await replay(
    [
      book([[1.085, 10, 1]], [[1.0851, 8, 1]]),
      book([[1.085, 50, 1]], [[1.0851, 8, 1]], 0), // flags 0: not a published state
      book([[1.085, 12, 1]], [[1.0851, 8, 1]]), // e against S0: +12 - 10 = +2
    ],
    [0, 1, 2],
    (b, t) => ofi.update(b, t),
  );
  assert.equal(ofi.last, 2);
  assert.equal(ofi.sum(W1S), 2);
});

test('OFI windows without events read 0 and a gap in the data empties them', async () => {
  const ofi = new BestLevelOfi();
  assert.equal(ofi.isReady, false);
  assert.ok(Number.isNaN(ofi.sum(W10S)), 'NaN before any book');
  assert.ok(Number.isNaN(ofi.normalized(W10S)));
  await replay(
    [
      book([[1.085, 10, 1]], [[1.0851, 8, 1]]),
      book([[1.085, 14, 1]], [[1.0851, 8, 1]]), // e = +4
      // After 2 minutes without data: a new baseline (+100 - 14 is not flow of any window).
      book([[1.085, 100, 1]], [[1.0851, 8, 1]]),
    ],
    [0, 500, 120_500],
    (b, t, i) => {
      ofi.update(b, t);
      if (i === 1) {
        // A snapshot 5 s later with no events: the 1 s window is empty (0 flow, no depth sample).
        ofi.advance(5500);
        assert.equal(ofi.sum(W1S), 0);
        assert.ok(Number.isNaN(ofi.normalized(W1S)));
        assert.equal(ofi.sum(W10S), 4);
      }
    },
  );
  assert.ok(Number.isNaN(ofi.last));
  assert.equal(ofi.sum(W60S), 0);
  assert.equal(ofi.avgDepth(W60S), 54); // only the post-gap state: (100 + 8) / 2
  ofi.reset();
  assert.equal(ofi.isReady, false);
});

test('multi-level OFI applies e_n per rank, an empty level being the worst price with size 0', async () => {
  const ml = new MultiLevelOfi({ levels: 10 });
  const best = new BestLevelOfi();
  await replay(
    [
      book(
        [
          [1.085, 10, 1],
          [1.0849, 20, 1],
        ],
        [
          [1.0851, 8, 1],
          [1.0852, 12, 1],
        ],
      ),
      book(
        [
          [1.085, 10, 1],
          [1.0849, 25, 1],
          [1.0848, 7, 1],
        ],
        [[1.0852, 12, 1]],
      ),
    ],
    [0, 100],
    (b, t) => {
      ml.update(b, t);
      best.update(b, t);
    },
  );
  // Level 1: bid unchanged (+10 - 10); the ask rose 1.0851 -> 1.0852, old queue +8. OFI^1 = 8.
  // Level 2: bid 1.0849 20 -> 25: +5; ask level 2 emptied (+inf >= 1.0852): +12 (old). OFI^2 = 17.
  // Level 3: bid 1.0848 x7 appears (better than -inf): +7; asks empty both times: 0. OFI^3 = 7.
  assert.equal(ml.ofi(0), 8);
  assert.equal(ml.ofi(1), 17);
  assert.equal(ml.ofi(2), 7);
  for (let m = 3; m < 10; m++) assert.equal(ml.ofi(m), 0);
  assert.equal(best.sum(W10S), ml.ofi(0), 'level 1 of MLOFI is best-level OFI');
  // AD^m over the two states: level 1 (9 + 11)/2 = 10; level 2 (16 + 12.5)/2 = 14.25;
  // level 3 (0 + 3.5)/2 = 1.75; deeper levels 0 (skipped in the score).
  assert.equal(ml.avgDepth(0), 10);
  assert.equal(ml.avgDepth(1), 14.25);
  assert.equal(ml.avgDepth(2), 1.75);
  // score = 1 * 8/10 + e^-0.5 * 17/14.25 + e^-1 * 7/1.75 = 0.8 + 0.7235804... + 1.4715178... = 2.9950982...
  const expected = 0.8 + (Math.exp(-0.5) * 17) / 14.25 + Math.exp(-1) * 4;
  assert.ok(Math.abs(ml.score - expected) < 1e-12);
  assert.ok(Math.abs(ml.score - 2.9950982) < 1e-6);
  // 10 s later both states have left the window: no flow, no depth, score undefined.
  ml.advance(10_100);
  assert.equal(ml.ofi(0), 0);
  assert.ok(Number.isNaN(ml.score));
  assert.ok(Number.isNaN(ml.avgDepth(0)));
});

test('multi-level OFI follows the book when a record changed more than its action says', async () => {
  // A book that trusts actions takes a trade record as changing no level; this one's levels show
  // the best bid 10 -> 8 all the same. The adds after it name their level alone: the calculator
  // must still compare the book's level with what it last read, not add the record's own change
  // to it, or the 2 lots the trade took never leave its sums.
  const asks: LevelSpec = [
    [1.01, 7, 1],
    [1.02, 3, 1],
  ];
  const ml = new MultiLevelOfi({ levels: 2, windowMs: 10_000, bestWindowsMs: [1000] });
  // The best bid's and the second bid's sizes (at 1.00 and 0.99) after each record, and its event.
  const bids = (best: number, second: number, action: string, price: number, size: number, i: number) =>
    mbp(
      [
        [1.0, best, 1],
        [0.99, second, 1],
      ],
      asks,
      { action, side: action === 'T' ? 'A' : 'B', price, size, t: i * 1e6 },
    );
  const sums: number[] = [];
  await replay(
    [
      bids(10, 5, 'A', 0.99, 5, 0),
      bids(10, 4, 'C', 0.99, 1, 1),
      bids(8, 4, 'T', 1.0, 2, 2),
      bids(9, 4, 'A', 1.0, 1, 3),
      bids(10, 4, 'A', 1.0, 1, 4),
    ],
    [0, 1, 2, 3, 4],
    (b, t) => {
      ml.update(b, t);
      sums.push(ml.ofi(0));
    },
  );
  // Level 1 read 10, 10, (the trade record: no level read), 9, 10: e = 0, -1 (10 -> 9 at the
  // same price), +1. Read state by state the definition gives -2, +1, +1: the same sum, 0.
  assert.deepEqual(sums, [0, 0, 0, -1, 0]);
  assert.equal(ml.bestSum(0), 0);
  assert.equal(ml.ofi(1), -1, 'level 2: 5 -> 4');
});

test('multi-level OFI is NaN before any book and skips a crossed book', async () => {
  const ml = new MultiLevelOfi({ levels: 5, windowMs: 10_000 });
  assert.ok(Number.isNaN(ml.ofi(0)));
  assert.ok(Number.isNaN(ml.score));
  await replay([book([[1.0852, 5, 1]], [[1.0851, 4, 1]])], [0], (b, t) => ml.update(b, t));
  assert.equal(ml.isReady, false);
  assert.ok(Number.isNaN(ml.score));
});

test('a change of instrument (roll) resets OFI instead of comparing two books', async () => {
  const ofi = new BestLevelOfi();
  const ml = new MultiLevelOfi();
  const next = book([[1.09, 40, 1]], [[1.0901, 3, 1]]);
  await replay(
    [
      book([[1.085, 10, 1]], [[1.0851, 8, 1]]),
      book([[1.085, 14, 1]], [[1.0851, 8, 1]]), // e = +4
      { ...next, hd: { ...next.hd, instrument_id: 5483 } }, // the next contract: a baseline
    ],
    [0, 100, 200],
    (b, t) => {
      ofi.update(b, t);
      ml.update(b, t);
    },
  );
  assert.ok(Number.isNaN(ofi.last));
  assert.equal(ofi.sum(W10S), 0);
  assert.equal(ofi.avgDepth(W10S), 21.5); // (40 + 3) / 2, the new contract's state only
  assert.equal(ml.ofi(0), 0);
});
