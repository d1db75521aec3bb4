import assert from 'node:assert/strict';
import { test } from 'node:test';
import { batchOf, mbo, mbp, px } from '../../../test/book.js';
import { BookSide, L2Book } from '../../book/index.js';
import { ConfigError } from '../../core/index.js';
import { Action, Flags, type MbpRecord } from '../../data/dbn/index.js';
import { MboCancelAddRatio, MbpCancelAddRatio } from './cancel-add.js';

const B = BookSide.BID;
const A = BookSide.ASK;
const TICK = px(0.0001);
const SEC = 1_000_000_000; // ns

test('exact cancel-to-add from MBO: partial cancels count, fill removals and snapshots do not', async () => {
  const batch = await batchOf(
    [
      mbo({ action: 'A', side: 'B', id: 1, price: 1.085, size: 10, t: 0 }), // add B 10
      mbo({ action: 'A', side: 'B', id: 2, price: 1.085, size: 5, t: 1 }), // add B 5
      mbo({ action: 'A', side: 'A', id: 3, price: 1.0851, size: 8, t: 2 }), // add A 8
      mbo({ action: 'C', side: 'B', id: 2, price: 1.085, size: 2, t: 3 }), // partial cancel: B 2
      // A sell aggressor takes 4 of order 1: T, F, then the C that removes the filled 4 (not a cancel).
      mbo({ action: 'T', side: 'A', id: 0, price: 1.085, size: 4, t: 4, flags: 0 }),
      mbo({ action: 'F', side: 'B', id: 1, price: 1.085, size: 4, t: 4, flags: 0 }),
      mbo({ action: 'C', side: 'B', id: 1, price: 1.085, size: 4, t: 4 }),
      mbo({ action: 'C', side: 'B', id: 1, price: 1.085, size: 6, t: 5 }), // the rest pulled: B 6
      mbo({ action: 'M', side: 'A', id: 3, price: 1.0852, size: 8, t: 6 }), // counted apart
      // A snapshot add rebuilds the book: not flow.
      mbo({
        action: 'A',
        side: 'B',
        id: 4,
        price: 1.0849,
        size: 50,
        t: 7,
        flags: Flags.SNAPSHOT | Flags.LAST,
      }),
    ],
    'mbo',
  );
  const car = new MboCancelAddRatio();
  assert.equal(car.source, 'mbo');
  assert.ok(Number.isNaN(car.ratio), 'no adds yet');
  for (let i = 0; i < batch.count; i++) car.update(batch.at(i));
  // Bid: added 15, cancelled 2 + 6 = 8, filled 4. Ask: added 8, cancelled 0. Ratio 8/23.
  assert.equal(car.added(B), 15);
  assert.equal(car.cancelled(B), 8);
  assert.equal(car.filled(B), 4);
  assert.equal(car.added(A), 8);
  assert.equal(car.cancelled(A), 0);
  assert.equal(car.modifies, 1);
  assert.equal(car.sideRatio(B), 8 / 15);
  assert.equal(car.sideRatio(A), 0);
  assert.equal(car.ratio, 8 / 23);
});

test('the MBO window forgets events older than 60 s; a C larger than the fill is partly a cancel', async () => {
  const batch = await batchOf(
    [
      mbo({ action: 'A', side: 'B', id: 1, price: 1.085, size: 10, t: 0 }),
      mbo({ action: 'C', side: 'B', id: 1, price: 1.085, size: 10, t: 1 }),
      // 61 s later: the first second has left the window.
      mbo({ action: 'A', side: 'A', id: 5, price: 1.0851, size: 2, t: 61 * SEC }),
      mbo({ action: 'F', side: 'A', id: 5, price: 1.0851, size: 1, t: 62 * SEC, flags: 0 }),
      // Removes the filled 1 and pulls the other 1 in one record: fill 1, cancel 1.
      mbo({ action: 'C', side: 'A', id: 5, price: 1.0851, size: 2, t: 62 * SEC }),
    ],
    'mbo',
  );
  const car = new MboCancelAddRatio({ windowMs: 60_000 });
  for (let i = 0; i < batch.count; i++) {
    car.update(batch.at(i));
    if (i === 1) assert.equal(car.ratio, 1);
  }
  assert.equal(car.added(B), 0);
  assert.equal(car.cancelled(B), 0);
  assert.equal(car.added(A), 2);
  assert.equal(car.cancelled(A), 1);
  assert.equal(car.filled(A), 1);
  assert.equal(car.ratio, 0.5);
  // A snapshot long after, with no events: the window is empty and the ratio undefined.
  car.advance(batch.at(4).tsRecvMs + 120_000);
  assert.ok(Number.isNaN(car.ratio));
  assert.equal(car.added(A), 0);
});

test('MBO events farther than K ticks from the mid, or with no mid, are left out', () => {
  assert.throws(() => new MboCancelAddRatio({ maxTicksFromMid: 2 }), ConfigError);
  const car = new MboCancelAddRatio({ maxTicksFromMid: 2, tickSize: TICK });
  const mid = px(1.08505);
  car.onMbo(Action.ADD, B, px(1.085), 10, 1, Flags.LAST, 0, mid); // 0.5 tick away: in
  car.onMbo(Action.ADD, B, px(1.084), 10, 2, Flags.LAST, 0, mid); // 10.5 ticks: out
  car.onMbo(Action.ADD, A, px(1.0851), 10, 3, Flags.LAST, 0, Number.NaN); // no mid: out
  car.onMbo(Action.CANCEL, B, px(1.085), 4, 1, Flags.LAST, 0, mid); // in
  car.onMbo(Action.ADD, B, Number.NaN, 10, 4, Flags.LAST, 0, mid); // UNDEF price: out
  assert.equal(car.added(B), 10);
  assert.equal(car.added(A), 0);
  assert.equal(car.ratio, 0.4);
});

function levels(bids: [number, number][], asks: [number, number][], opts: Parameters<typeof mbp>[2] = {}) {
  return mbp(
    bids.map(([p, s]) => [p, s, 1] as const),
    asks.map(([p, s]) => [p, s, 1] as const),
    opts,
  );
}

test('inferred cancel-to-add from MBP-10 subtracts traded size from the level decrease', async () => {
  const bids0: [number, number][] = [
    [1.085, 15],
    [1.0849, 20],
  ];
  const asks0: [number, number][] = [
    [1.0851, 8],
    [1.0852, 12],
  ];
  const records: MbpRecord[] = [
    // R0: the first record is a baseline, not 40 lots of adds.
    levels(
      [
        [1.085, 10],
        [1.0849, 20],
      ],
      asks0,
    ),
    // R1: bid 1.0850 10 -> 15: add B 5.
    levels(bids0, asks0),
    // R2: a sell aggressor trades 6 at 1.0850 (levels unchanged, not the end of the event).
    levels(bids0, asks0, { action: 'T', side: 'A', price: 1.085, size: 6, flags: 0 }),
    // R3: bid 1.0850 15 -> 7 (-8): 6 were the trade, 2 cancelled.
    levels(
      [
        [1.085, 7],
        [1.0849, 20],
      ],
      asks0,
    ),
    // R4: ask 1.0851 8 -> 3 with no trade: cancel A 5.
    levels(
      [
        [1.085, 7],
        [1.0849, 20],
      ],
      [
        [1.0851, 3],
        [1.0852, 12],
      ],
    ),
    // R5: a buy aggressor trades 3 at 1.0851; this trade record itself carries F_LAST.
    levels(
      [
        [1.085, 7],
        [1.0849, 20],
      ],
      [
        [1.0851, 3],
        [1.0852, 12],
      ],
      { action: 'T', side: 'B', price: 1.0851, size: 3 },
    ),
    // R6: ask 1.0851 gone (-3, the side has room so it is a real change): all traded, no cancel.
    levels(
      [
        [1.085, 7],
        [1.0849, 20],
      ],
      [[1.0852, 12]],
    ),
    // R7: a trade of 4 at 1.0849 whose removal does not arrive in its event...
    levels(
      [
        [1.085, 7],
        [1.0849, 20],
      ],
      [[1.0852, 12]],
      { action: 'T', side: 'A', price: 1.0849, size: 4, flags: 0 },
    ),
    // R8: ...which ends here (ask 1.0852 12 -> 14: add A 2), so the pending 4 is dropped.
    levels(
      [
        [1.085, 7],
        [1.0849, 20],
      ],
      [[1.0852, 14]],
    ),
    // R9: bid 1.0849 20 -> 16 in a later event: a cancel of 4, not the old trade.
    levels(
      [
        [1.085, 7],
        [1.0849, 16],
      ],
      [[1.0852, 14]],
    ),
  ];
  const batch = await batchOf(records, 'mbp-10');
  const book = new L2Book();
  const car = new MbpCancelAddRatio();
  assert.equal(car.source, 'mbp');
  for (let i = 0; i < batch.count; i++) {
    book.applyMbp(batch.at(i));
    car.update(book, 1000 + 100 * i);
  }
  // Adds: B 5, A 2. Cancels: B 2 + 4 = 6, A 5. Traded: B 6, A 3. Ratio (6 + 5)/(5 + 2).
  assert.equal(car.added(B), 5);
  assert.equal(car.added(A), 2);
  assert.equal(car.cancelled(B), 6);
  assert.equal(car.cancelled(A), 5);
  assert.equal(car.filled(B), 6);
  assert.equal(car.filled(A), 3);
  assert.equal(car.ratio, 11 / 7);
  assert.equal(car.sideRatio(A), 2.5);
  // A gap in the data longer than the window empties it.
  car.advance(1000 + 100 * 9 + 60_000);
  assert.ok(Number.isNaN(car.ratio));
  assert.equal(car.cancelled(B), 0);
});
