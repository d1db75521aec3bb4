import assert from 'node:assert/strict';
import { test } from 'node:test';
import { batchOf, mbo, mbp, px } from '../../test/book.js';
import { fixture } from '../../test/fixtures.js';
import { DbnDecoder, Flags, RType, type TradeRecord } from '../data/dbn/index.js';
import { type Book, BookSet } from './book-set.js';
import { L2Book } from './l2-book.js';
import { L3Book } from './l3-book.js';

test('MBO records go to an L3 book and MBP records to an L2 book, other records to none', async () => {
  const trade: TradeRecord = {
    hd: { length: 12, rtype: RType.MBP_0, publisher_id: 1, instrument_id: 5602, ts_event: 0n },
    price: BigInt(px(100)),
    size: 1,
    action: 'T',
    side: 'B',
    flags: Flags.LAST,
    depth: 0,
    ts_recv: 0n,
    ts_in_delta: 0,
    sequence: 0,
  };
  const batch = await batchOf(
    [
      mbo({ action: 'A', side: 'B', price: 100, size: 3, id: 1 }),
      mbp([[99, 7, 2]], [[101, 4, 1]]),
      mbp([[99.5, 2, 1]], [], { rtype: RType.MBP_1 }),
      trade,
    ],
    'mbo',
  );
  const set = new BookSet();
  const l3 = set.apply(batch.at(0));
  const l2 = set.apply(batch.at(1));
  assert.ok(l3 instanceof L3Book);
  assert.ok(l2 instanceof L2Book);
  assert.equal(l3.bestBidPx, px(100));
  assert.equal(l2.bestBidPx, px(99));
  // The MBP-1 record is for instrument 5482 too: the same L2 book, now showing its top level.
  assert.equal(set.apply(batch.at(2)), l2);
  assert.equal(l2.bestBidPx, px(99.5));
  assert.equal(l2.askLevels, 0);
  assert.equal(set.apply(batch.at(3)), null);
  assert.equal(set.size, 2);
  assert.equal(set.l3(5602, 1), l3);
  assert.equal(set.l2(5482, 1), l2);
  assert.equal(set.get(5602, 1), l3);
  assert.equal(set.get(5482, 1), l2);
  assert.equal(set.get(5482, 2), undefined);
  assert.deepEqual([...set], [l3, l2]);
});

test('each (instrument, publisher) gets its own book', async () => {
  // Instrument 10 at publishers 1 and 2, instrument 11 at publisher 1: three books.
  const batch = await batchOf(
    [
      mbo({ action: 'A', side: 'B', price: 100, size: 3, id: 1, instrumentId: 10, publisherId: 1 }),
      mbo({ action: 'A', side: 'B', price: 101, size: 4, id: 1, instrumentId: 10, publisherId: 2 }),
      mbo({ action: 'A', side: 'A', price: 102, size: 5, id: 1, instrumentId: 11, publisherId: 1 }),
      mbo({ action: 'C', side: 'B', price: 100, size: 1, id: 1, instrumentId: 10, publisherId: 1 }),
    ],
    'mbo',
  );
  const set = new BookSet();
  for (let i = 0; i < batch.count; i++) set.apply(batch.at(i));
  assert.equal(set.size, 3);
  const a = set.l3(10, 1)!;
  const b = set.l3(10, 2)!;
  const c = set.l3(11, 1)!;
  assert.deepEqual([a.bestBidPx, a.bestBidSz, a.publisherId], [px(100), 2, 1]);
  assert.deepEqual([b.bestBidPx, b.bestBidSz, b.publisherId], [px(101), 4, 2]);
  assert.deepEqual([c.bestAskPx, c.bestAskSz, c.instrumentId], [px(102), 5, 11]);
  assert.equal(a.anomalies + b.anomalies + c.anomalies, 0, 'the same order id at two venues is two orders');
});

test('the consistency callback fires once per F_LAST event of the real MBO file, with a consistent book', async () => {
  let calls = 0;
  let last: Book | null = null;
  const set = new BookSet({
    onConsistent(book) {
      calls++;
      assert.equal(book.consistent, true);
      last = book;
    },
  });
  let records = 0;
  for await (const batch of DbnDecoder.fromFile(
    fixture('dbn-real', 'glbx-mdp3-esm4-20240508T000000-000002.mbo.dbn.zst'),
  )) {
    for (let k = 0; k < batch.count; k++, records++) set.apply(batch.at(k));
  }
  // 185 F_LAST events in 13,796 records, the snapshot's own included (SOURCE.md).
  assert.equal(records, 13_796);
  assert.equal(calls, 185);
  assert.equal(last, set.l3(5602, 1));
  assert.equal(set.size, 1);
});

test('the consistency callback fires after every L2 record with F_LAST and not after others', async () => {
  const bids = [[100, 1, 1]] as const;
  const batch = await batchOf(
    [mbp(bids, [], { flags: 0 }), mbp(bids, [], { flags: Flags.LAST }), mbp(bids, [], { flags: Flags.LAST })],
    'mbp-10',
  );
  const seen: number[] = [];
  const set = new BookSet({ onConsistent: (book) => seen.push(book.updates) });
  for (let i = 0; i < batch.count; i++) set.apply(batch.at(i));
  assert.deepEqual(seen, [2, 3]);
});
