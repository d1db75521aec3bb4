import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { batchOf, mbo, px } from '../../../test/book.js';
import { FakeBook } from '../../../test/features-book.js';
import { simulatedSpan } from '../../../test/sim-fixture.js';
import { BookSide, L2Book, L3Book } from '../../book/index.js';
import { Action, DbnDecoder, Flags, type MboRecord } from '../../data/dbn/index.js';
import { SweepDetector, type SweepInfo } from './sweep.js';

const B = BookSide.BID;
const A = BookSide.ASK;
const SEC = 1_000_000_000;
const LAST = Flags.LAST;

/** T, F and the C that removes the fill, as CME sends them for each resting order an aggressor meets. */
function take(aggressor: 'B' | 'A', restingId: number, price: number, size: number, t: number, last = false) {
  const rest = aggressor === 'B' ? 'A' : 'B';
  return [
    mbo({ action: 'T', side: aggressor, id: 0, price, size, t, flags: 0 }),
    mbo({ action: 'F', side: rest, id: restingId, price, size, t, flags: 0 }),
    mbo({ action: 'C', side: rest, id: restingId, price, size, t, flags: last ? LAST : 0 }),
  ];
}

test('an aggressive buy taking three levels in one MBO event is a flagged sweep', async () => {
  const records: MboRecord[] = [
    mbo({ action: 'A', side: 'A', id: 11, price: 1.0851, size: 8, t: 1 }),
    mbo({ action: 'A', side: 'A', id: 12, price: 1.0852, size: 12, t: 2 }),
    mbo({ action: 'A', side: 'A', id: 13, price: 1.0853, size: 10, t: 3 }),
    mbo({ action: 'A', side: 'B', id: 21, price: 1.085, size: 10, t: 4 }),
    mbo({ action: 'A', side: 'B', id: 22, price: 1.0849, size: 15, t: 5 }),
    // Event 1 at 1 s: buy 8 @1.0851 (all), 12 @1.0852 (all), 5 @1.0853 (of 10).
    ...take('B', 11, 1.0851, 8, SEC),
    ...take('B', 12, 1.0852, 12, SEC),
    ...take('B', 13, 1.0853, 5, SEC, true),
    // Event 2 at 2 s: sell 10 @1.0850, the whole best bid; the mid drops. One level, 1x L1 depth.
    ...take('A', 21, 1.085, 10, 2 * SEC, true),
    // Event 3 at 3 s: sell 5 @1.0849 of 15: the level survives, the mid stays: no sweep.
    ...take('A', 22, 1.0849, 5, 3 * SEC, true),
  ];
  const batch = await batchOf(records, 'mbo');
  const book = new L3Book();
  const alerts: { side: number; levels: number; qty: number; multiple: number }[] = [];
  const sw = new SweepDetector({
    onAlert: (s: SweepInfo) =>
      alerts.push({ side: s.side, levels: s.levels, qty: s.qty, multiple: s.depthMultiple }),
  });
  const seen: (number | null)[] = [];
  for (let i = 0; i < batch.count; i++) {
    const c = batch.at(i);
    book.applyMbo(c);
    sw.update(c, book);
    if (i === 13) {
      // End of event 1. Levels 3, qty 25, pre-event best ask 8 lots: 25/8 = 3.125x.
      const s = sw.lastSweep;
      assert.ok(s);
      assert.deepEqual(
        [s.side, s.levels, s.qty, s.l1Depth, s.depthMultiple, s.firstPx, s.lastPx, s.flagged],
        [B, 3, 25, 8, 3.125, px(1.0851), px(1.0853), true],
      );
      // Mid before (1.0850 + 1.0851)/2, after (1.0850 + 1.0853)/2.
      assert.equal(s.midBefore, px(1.08505));
      assert.equal(s.midAfter, px(1.08515));
    }
    seen.push(sw.lastSweep?.qty ?? null);
  }
  assert.deepEqual(alerts, [{ side: B, levels: 3, qty: 25, multiple: 3.125 }]);
  // Event 2 is a sweep (emptied the best bid and moved the mid) but not flagged (1 level, 1x).
  const s = sw.lastSweep;
  assert.ok(s);
  assert.deepEqual([s.side, s.levels, s.qty, s.l1Depth, s.flagged], [A, 1, 10, 10, false]);
  assert.equal(sw.sweepCount, 2);
  assert.equal(sw.alertCount, 1);
  // Event 3 left event 2 as the last sweep.
  assert.equal(seen[seen.length - 1], 10);
});

/** Drives `onRecord` with a fake book: trades see the pre-event book, the closing record the post-event one. */
function event(sw: SweepDetector, book: FakeBook, t: number, trades: [number, number][], after: () => void) {
  for (const [p, q] of trades) sw.onRecord(Action.TRADE, B, px(p), q, 0, t, book);
  after();
  sw.onRecord(Action.CANCEL, A, Number.NaN, 0, LAST, t, book);
}

function burstRun(burstMs: number): SweepDetector {
  const sw = new SweepDetector({ burstMs });
  const book = new FakeBook(
    [[1.085, 10]],
    [
      [1.0851, 5],
      [1.0852, 5],
      [1.0853, 5],
    ],
  );
  // t = 0: buy 5 @1.0851, emptying it and lifting the mid: a one-level sweep, 1x L1 depth.
  event(sw, book, 0, [[1.0851, 5]], () =>
    book.set(
      [[1.085, 10]],
      [
        [1.0852, 5],
        [1.0853, 5],
      ],
    ),
  );
  // t = 50 ms: buy 5 @1.0852 and 2 @1.0853.
  event(
    sw,
    book,
    50,
    [
      [1.0852, 5],
      [1.0853, 2],
    ],
    () => book.set([[1.085, 10]], [[1.0853, 3]]),
  );
  return sw;
}

test('a burst joins same-side events within burstMs into one sweep', () => {
  const sw = burstRun(100);
  // One burst: levels 1.0851, 1.0852, 1.0853 = 3, qty 12, 12/5 = 2.4x the first best ask: flagged.
  const s = sw.lastSweep;
  assert.ok(s);
  assert.deepEqual([s.levels, s.qty, s.l1Depth, s.flagged, s.startMs, s.endMs], [3, 12, 5, true, 0, 50]);
  assert.equal(sw.sweepCount, 1);
  assert.equal(sw.alertCount, 1);
});

test('without a burst window each event stands alone', () => {
  const sw = burstRun(0);
  // Event 2 alone: 2 levels, qty 7 vs its pre-event best ask of 5 (1.4x): a sweep, not flagged.
  const s = sw.lastSweep;
  assert.ok(s);
  assert.deepEqual([s.levels, s.qty, s.l1Depth, s.flagged], [2, 7, 5, false]);
  assert.equal(sw.sweepCount, 2);
  assert.equal(sw.alertCount, 0);
});

test('trades without price, size or aggressor side are ignored, and a non-sweeping trade reports nothing', () => {
  const sw = new SweepDetector();
  const book = new FakeBook([[1.085, 10]], [[1.0851, 5]]);
  sw.onRecord(Action.TRADE, B, Number.NaN, 50, LAST, 0, book); // UNDEF price
  sw.onRecord(Action.TRADE, BookSide.BID, px(1.0851), 0, LAST, 0, book); // no size
  sw.onRecord(Action.TRADE, 78, px(1.0851), 5, LAST, 0, book); // side N
  sw.onRecord(Action.FILL, A, px(1.0851), 5, LAST, 0, book); // F: the T carries the quantity
  // A trade of 2 of 5 at the best ask: the level survives.
  sw.onRecord(Action.TRADE, B, px(1.0851), 2, LAST, 0, book.set([[1.085, 10]], [[1.0851, 3]]));
  assert.equal(sw.lastSweep, null);
  assert.equal(sw.sweepCount, 0);
  // Against an empty ask side there is no level to sweep and no depth to compare with.
  const empty = new FakeBook([[1.085, 10]], []);
  sw.onRecord(Action.TRADE, B, px(1.0851), 5, LAST, 1, empty);
  assert.equal(sw.lastSweep, null);
});

describe('an L2 book read after each record', () => {
  const span = simulatedSpan({
    seed: 31,
    spot: false,
    from: '2026-11-24T13:30:00Z',
    minutes: 30,
    prefix: 'sweep-l2-',
  });

  test('updateFromBook finds the sweeps update finds from the record', async () => {
    const book = new L2Book();
    const seen: string[][] = [[], []];
    const note = (k: number) => (s: SweepInfo) =>
      seen[k].push(`${s.side} ${s.levels} ${s.qty} ${s.firstPx} ${s.lastPx} ${s.depthMultiple}`);
    const fromRecord = new SweepDetector({ onAlert: note(0) });
    const fromBook = new SweepDetector({ onAlert: note(1) });
    for (const file of [span.day.files.mbp10]) {
      for await (const batch of DbnDecoder.fromFile(file)) {
        for (let i = 0; i < batch.count; i++) {
          const c = batch.at(i);
          if (!book.applyMbp(c)) continue;
          fromRecord.update(c, book);
          fromBook.updateFromBook(book, c.tsRecvMs);
        }
      }
    }
    assert.ok(seen[0].length > 0, 'the span holds sweeps');
    assert.deepEqual(seen[1], seen[0]);
    assert.equal(fromBook.sweepCount, fromRecord.sweepCount);
  });
});
