import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import fc from 'fast-check';
import { batchOf, type MboSpec, mbo, mbp, px, topLevels } from '../../test/book.js';
import { fixture } from '../../test/fixtures.js';
import { DbnDecoder, Flags } from '../data/dbn/index.js';
import { BookSide } from './book-view.js';
import { L3Book } from './l3-book.js';

const B = BookSide.BID;
const A = BookSide.ASK;

/** Encodes the records and returns a book plus a function applying the next `n` of them. */
async function stepper(specs: MboSpec[], book = new L3Book()) {
  const batch = await batchOf(specs.map(mbo), 'mbo');
  let next = 0;
  return {
    book,
    apply(n = specs.length - next): L3Book {
      for (const end = next + n; next < end; next++) book.applyMbo(batch.at(next));
      return book;
    },
  };
}

test('an add joins the back of its level and levels are sorted best first on each side', async () => {
  const s = await stepper([
    { action: 'A', side: 'B', price: 100, size: 10, id: 1 },
    { action: 'A', side: 'B', price: 100.25, size: 4, id: 2 },
    { action: 'A', side: 'B', price: 99.75, size: 6, id: 3 },
    { action: 'A', side: 'B', price: 100, size: 15, id: 4 },
    { action: 'A', side: 'A', price: 100.75, size: 7, id: 5 },
    { action: 'A', side: 'A', price: 100.5, size: 2, id: 6 },
  ]);
  const book = s.apply();
  assert.deepEqual(topLevels(book, 'bid', 10), [
    ['100.250000000', 4, 1],
    ['100.000000000', 25, 2],
    ['99.750000000', 6, 1],
  ]);
  assert.deepEqual(topLevels(book, 'ask', 10), [
    ['100.500000000', 2, 1],
    ['100.750000000', 7, 1],
  ]);
  assert.deepEqual(book.ordersAt(B, 1), [1, 4]);
  assert.equal(book.orderCount, 6);
  assert.equal(book.anomalies, 0);
});

test('size ahead follows FIFO: cancels ahead reduce it, cancels behind do not', async () => {
  // Bid 100.00 queue: #1 10 lots, #2 15 lots, then ours (#3, 5 lots), then #4 7 lots.
  const s = await stepper([
    { action: 'A', side: 'B', price: 100, size: 10, id: 1 },
    { action: 'A', side: 'B', price: 100, size: 15, id: 2 },
    { action: 'A', side: 'B', price: 100, size: 5, id: 3 },
    { action: 'A', side: 'B', price: 100, size: 7, id: 4 },
    { action: 'C', side: 'B', price: 100, size: 10, id: 1 },
    { action: 'C', side: 'B', price: 100, size: 7, id: 4 },
    { action: 'C', side: 'B', price: 100, size: 5, id: 2 },
  ]);
  // We rest 5 behind 10 + 15 = 25.
  assert.equal(s.apply(4).sizeAhead(3), 25);
  assert.equal(s.book.sizeAhead(4), 30);
  // #1's 10-lot cancel leaves 15 ahead.
  assert.equal(s.apply(1).sizeAhead(3), 15);
  // #4 (behind us) cancels: still 15 ahead.
  assert.equal(s.apply(1).sizeAhead(3), 15);
  // #2 partially cancels 5 of its 15: 10 ahead. Level: 10 + 5 = 15 lots in 2 orders.
  assert.equal(s.apply(1).sizeAhead(3), 10);
  assert.deepEqual(topLevels(s.book, 'bid', 1), [['100.000000000', 15, 2]]);
  assert.equal(s.book.sizeAhead(2), 0);
  assert.ok(Number.isNaN(s.book.sizeAhead(1)), 'a cancelled order has no place');
});

test('a cancel removes only the cancelled quantity, and the order at zero', async () => {
  const s = await stepper([
    { action: 'A', side: 'A', price: 5214.25, size: 20, id: 7 },
    { action: 'C', side: 'A', price: 5214.25, size: 8, id: 7 },
    { action: 'C', side: 'A', price: 5214.25, size: 12, id: 7 },
  ]);
  // 20 − 8 = 12 left, still one order.
  s.apply(2);
  assert.deepEqual(topLevels(s.book, 'ask', 1), [['5214.250000000', 12, 1]]);
  assert.equal(s.book.order(7)?.size, 12);
  // 12 − 12 = 0: the order and its level are gone.
  s.apply(1);
  assert.equal(s.book.askLevels, 0);
  assert.equal(s.book.hasOrder(7), false);
  assert.equal(s.book.orderCount, 0);
  assert.equal(s.book.anomalies, 0);
});

test('a modify that decreases size keeps the order in place', async () => {
  // 100.00: #1 10, #2 15, #3 5. #1 down to 4 keeps the front: #3 has 4 + 15 = 19 ahead.
  const s = await stepper([
    { action: 'A', side: 'B', price: 100, size: 10, id: 1 },
    { action: 'A', side: 'B', price: 100, size: 15, id: 2 },
    { action: 'A', side: 'B', price: 100, size: 5, id: 3 },
    { action: 'M', side: 'B', price: 100, size: 4, id: 1 },
    { action: 'M', side: 'B', price: 100, size: 4, id: 1 },
  ]);
  s.apply(4);
  assert.deepEqual(s.book.ordersAt(B, 0), [1, 2, 3]);
  assert.equal(s.book.sizeAhead(3), 19);
  assert.deepEqual(topLevels(s.book, 'bid', 1), [['100.000000000', 24, 3]]);
  // The same size again changes nothing either.
  s.apply(1);
  assert.deepEqual(s.book.ordersAt(B, 0), [1, 2, 3]);
});

test('a modify that increases size sends the order to the back of its level', async () => {
  // 100.00: #1 10, #2 15, #3 5. #1 up to 12 goes behind #3: #1 has 15 + 5 = 20 ahead, #3 has 15.
  const s = await stepper([
    { action: 'A', side: 'B', price: 100, size: 10, id: 1 },
    { action: 'A', side: 'B', price: 100, size: 15, id: 2 },
    { action: 'A', side: 'B', price: 100, size: 5, id: 3 },
    { action: 'M', side: 'B', price: 100, size: 12, id: 1 },
  ]);
  s.apply();
  assert.deepEqual(s.book.ordersAt(B, 0), [2, 3, 1]);
  assert.equal(s.book.sizeAhead(1), 20);
  assert.equal(s.book.sizeAhead(3), 15);
  assert.deepEqual(topLevels(s.book, 'bid', 1), [['100.000000000', 32, 3]]);
});

test('a modify that changes price moves the order to the back of the new level', async () => {
  // #2 (15 lots) moves from 100.00 to 99.75, behind #5 (3 lots) already there; 100.00 keeps #1, #3.
  const s = await stepper([
    { action: 'A', side: 'B', price: 100, size: 10, id: 1 },
    { action: 'A', side: 'B', price: 100, size: 15, id: 2 },
    { action: 'A', side: 'B', price: 100, size: 5, id: 3 },
    { action: 'A', side: 'B', price: 99.75, size: 3, id: 5 },
    { action: 'M', side: 'B', price: 99.75, size: 15, id: 2 },
    { action: 'M', side: 'B', price: 100.25, size: 9, id: 5 },
  ]);
  s.apply(5);
  assert.deepEqual(s.book.ordersAt(B, 0), [1, 3]);
  assert.deepEqual(s.book.ordersAt(B, 1), [5, 2]);
  assert.equal(s.book.sizeAhead(2), 3);
  assert.equal(s.book.sizeAhead(3), 10);
  assert.deepEqual(topLevels(s.book, 'bid', 10), [
    ['100.000000000', 15, 2],
    ['99.750000000', 18, 2],
  ]);
  // #5 moves up to a new best level 100.25 (and down to 9 lots); 99.75 keeps #2 alone.
  s.apply(1);
  assert.deepEqual(topLevels(s.book, 'bid', 10), [
    ['100.250000000', 9, 1],
    ['100.000000000', 15, 2],
    ['99.750000000', 15, 1],
  ]);
  assert.equal(s.book.sizeAhead(2), 0);
  assert.deepEqual(s.book.order(5), {
    orderId: 5,
    side: B,
    price: px(100.25),
    size: 9,
    sizeAhead: 0,
    priority: 5,
  });
});

test('a modify of an unknown order adds it and counts an anomaly', async () => {
  const s = await stepper([
    { action: 'A', side: 'A', price: 101, size: 2, id: 1 },
    { action: 'M', side: 'A', price: 101, size: 6, id: 99 },
  ]);
  s.apply();
  assert.equal(s.book.anomalies, 1);
  assert.deepEqual(s.book.ordersAt(A, 0), [1, 99]);
  assert.deepEqual(topLevels(s.book, 'ask', 1), [['101.000000000', 8, 2]]);
});

test('a cancel of an unknown order or of more than rests counts an anomaly and does not throw', async () => {
  const s = await stepper([
    { action: 'A', side: 'B', price: 100, size: 3, id: 1 },
    { action: 'C', side: 'B', price: 100, size: 1, id: 42 },
    { action: 'C', side: 'B', price: 100, size: 5, id: 1 },
  ]);
  s.apply(2);
  assert.equal(s.book.anomalies, 1);
  assert.deepEqual(topLevels(s.book, 'bid', 1), [['100.000000000', 3, 1]]);
  // 5 cancelled from a 3-lot order: the order goes, and it is a second anomaly.
  s.apply(1);
  assert.equal(s.book.anomalies, 2);
  assert.equal(s.book.bidLevels, 0);
});

test('a clear empties both sides and the book fills again after it', async () => {
  const s = await stepper([
    { action: 'A', side: 'B', price: 100, size: 3, id: 1 },
    { action: 'A', side: 'A', price: 100.25, size: 4, id: 2 },
    { action: 'R', flags: Flags.SNAPSHOT },
    { action: 'A', side: 'B', price: 99.5, size: 8, id: 3, flags: Flags.SNAPSHOT },
    { action: 'A', side: 'B', price: 99.5, size: 1, id: 1, flags: Flags.SNAPSHOT | Flags.LAST },
  ]);
  s.apply(3);
  assert.equal(s.book.bidLevels, 0);
  assert.equal(s.book.askLevels, 0);
  assert.equal(s.book.orderCount, 0);
  assert.equal(s.book.hasOrder(1), false);
  assert.ok(Number.isNaN(s.book.mid));
  s.apply();
  assert.deepEqual(topLevels(s.book, 'bid', 10), [['99.500000000', 9, 2]]);
  assert.deepEqual(s.book.ordersAt(B, 0), [3, 1]);
  assert.equal(s.book.anomalies, 0, 'an id seen before the clear is new after it');
});

test('trades, fills and none records do not change the book; the following cancel does', async () => {
  // A 4-lot buy fills resting ask #1 (10 lots): T and F change nothing, then C removes 4.
  const s = await stepper([
    { action: 'A', side: 'A', price: 100.25, size: 10, id: 1 },
    { action: 'A', side: 'A', price: 100.25, size: 5, id: 2 },
    { action: 'T', side: 'B', price: 100.25, size: 4, id: 0, flags: 0 },
    { action: 'F', side: 'A', price: 100.25, size: 4, id: 1, flags: 0 },
    { action: 'N', flags: 0 },
    { action: 'C', side: 'A', price: 100.25, size: 4, id: 1 },
  ]);
  s.apply(2);
  const before = topLevels(s.book, 'ask', 10);
  s.apply(3);
  assert.deepEqual(topLevels(s.book, 'ask', 10), before);
  assert.deepEqual(before, [['100.250000000', 15, 2]]);
  s.apply(1);
  assert.deepEqual(topLevels(s.book, 'ask', 10), [['100.250000000', 11, 2]]);
  assert.equal(s.book.sizeAhead(2), 6);
  assert.equal(s.book.anomalies, 0);
});

test('the book is consistent only after a record with F_LAST', async () => {
  const s = await stepper([
    { action: 'A', side: 'B', price: 100, size: 1, id: 1, flags: 0 },
    { action: 'A', side: 'A', price: 101, size: 1, id: 2, flags: Flags.LAST },
    { action: 'C', side: 'B', price: 100, size: 1, id: 1, flags: 0 },
    { action: 'A', side: 'B', price: 100.5, size: 1, id: 3, flags: Flags.LAST },
  ]);
  const seen = [];
  for (let i = 0; i < 4; i++) seen.push(s.apply(1).consistent);
  assert.deepEqual(seen, [false, true, false, true]);
});

test('a virtual order counts only the size that was ahead when it joined', async () => {
  // Ask 100.25: #1 10, #2 5. We join behind them (stamp taken now): 15 ahead. #3 adds 8 after us
  // (not ahead); #1 increases to 12 and loses priority (now behind us): 5 ahead; #2 cancels 2: 3.
  const s = await stepper([
    { action: 'A', side: 'A', price: 100.25, size: 10, id: 1 },
    { action: 'A', side: 'A', price: 100.25, size: 5, id: 2 },
    { action: 'A', side: 'A', price: 100.25, size: 8, id: 3 },
    { action: 'M', side: 'A', price: 100.25, size: 12, id: 1 },
    { action: 'C', side: 'A', price: 100.25, size: 2, id: 2 },
  ]);
  s.apply(2);
  const ours = s.book.nextPriority;
  const at = px(100.25);
  assert.equal(s.book.sizeAheadOf(A, at, ours), 15);
  assert.equal(s.apply(1).sizeAheadOf(A, at, ours), 15);
  assert.equal(s.apply(1).sizeAheadOf(A, at, ours), 5);
  assert.equal(s.apply(1).sizeAheadOf(A, at, ours), 3);
  assert.equal(s.book.sizeAheadOf(B, at, ours), 0, 'no such level on the other side');
});

test('records of other types are not applied', async () => {
  const book = new L3Book();
  const batch = await batchOf([mbp([[1, 1, 1]], [])], 'mbp-10');
  assert.equal(book.applyMbo(batch.at(0)), false);
  assert.equal(book.updates, 0);
  assert.equal(book.bidLevels, 0);
});

/** Book states of the real-data fixture, with 64-bit timestamps kept exact (quoted before parsing). */
interface Snapshot {
  index: number;
  ts_event: string;
  ts_recv: string;
  sequence: number;
  bids: [string, number, number][];
  asks: [string, number, number][];
}

test('replaying real ES MBO data agrees with every reference book state, level by level', async () => {
  const dir = fixture('dbn-real');
  const text = readFileSync(`${dir}/glbx-mdp3-esm4-20240508T000000-000002.mbo.book.json`, 'utf8');
  const ref = JSON.parse(text.replace(/"(ts_event|ts_recv)": (\d+)/g, '"$1": "$2"')) as {
    records: number;
    events: number;
    snapshots: Snapshot[];
  };
  assert.equal(ref.snapshots.length, 10);
  const byIndex = new Map(ref.snapshots.map((s) => [s.index, s]));
  const book = new L3Book();
  let i = 0;
  let checked = 0;
  let events = 0;
  for await (const batch of DbnDecoder.fromFile(`${dir}/glbx-mdp3-esm4-20240508T000000-000002.mbo.dbn.zst`)) {
    for (let k = 0; k < batch.count; k++, i++) {
      const c = batch.at(k);
      book.applyMbo(c);
      const last = (c.flags & Flags.LAST) !== 0;
      if (last) events++;
      if (book.consistent !== last) assert.fail(`record ${i}: consistent ${book.consistent}, F_LAST ${last}`);
      const snap = byIndex.get(i);
      if (!snap) continue;
      checked++;
      assert.deepEqual(topLevels(book, 'bid', 10), snap.bids, `bids after record ${i}`);
      assert.deepEqual(topLevels(book, 'ask', 10), snap.asks, `asks after record ${i}`);
      assert.equal((BigInt(book.tsEventHi) << 32n) | BigInt(book.tsEventLo), BigInt(snap.ts_event));
      assert.equal((BigInt(book.tsRecvHi) << 32n) | BigInt(book.tsRecvLo), BigInt(snap.ts_recv));
      assert.equal(book.sequence, snap.sequence);
    }
  }
  assert.equal(i, ref.records);
  assert.equal(events, ref.events);
  assert.equal(checked, ref.snapshots.length);
  assert.equal(book.anomalies, 0);
  assert.equal(book.crossed, false);
});

test('the real snapshot is inconsistent until its F_LAST add and consistent from there', async () => {
  const dir = fixture('dbn-real');
  const book = new L3Book();
  const states: boolean[] = [];
  let i = 0;
  for await (const batch of DbnDecoder.fromFile(`${dir}/glbx-mdp3-esm4-20240508T000000-000002.mbo.dbn.zst`)) {
    for (let k = 0; k < batch.count && i <= 13_601; k++, i++) {
      book.applyMbo(batch.at(k));
      if (i === 0 || i === 13_599 || i === 13_600 || i === 13_601) states.push(book.consistent);
    }
  }
  // Record 0 clears (flags 40), 13,599 is a snapshot add without F_LAST, 13,600 the last add
  // (flags 168 = F_LAST | F_SNAPSHOT | F_BAD_TS_RECV), 13,601 a live add with F_LAST.
  assert.deepEqual(states, [false, false, true, true]);
});

// ---- against a naive reference ---------------------------------------------------------------

interface NaiveOrder {
  side: number;
  px: number;
  sz: number;
  seq: number;
}

/** The MBO rules written the slow, obvious way: one map of orders, levels by sorting. */
class NaiveBook {
  orders = new Map<number, NaiveOrder>();
  seq = 0;
  anomalies = 0;

  apply(s: MboSpec): void {
    const id = s.id ?? 0;
    const side = s.side === 'B' ? B : s.side === 'A' ? A : 0;
    const p = s.price === undefined ? Number.NaN : px(s.price);
    const sz = s.size ?? 0;
    const o = this.orders.get(id);
    switch (s.action) {
      case 'A':
        if (o) {
          this.anomalies++;
          this.orders.delete(id);
        }
        if (sz === 0) this.anomalies++;
        else this.orders.set(id, { side, px: p, sz, seq: this.seq++ });
        break;
      case 'C':
        if (!o) this.anomalies++;
        else if (o.sz > sz) o.sz -= sz;
        else {
          if (sz > o.sz) this.anomalies++;
          this.orders.delete(id);
        }
        break;
      case 'M':
        if (!o) {
          this.anomalies++;
          if (sz > 0) this.orders.set(id, { side, px: p, sz, seq: this.seq++ });
        } else if (sz === 0) this.orders.delete(id);
        else if (o.px !== p || o.side !== side) Object.assign(o, { px: p, side, sz, seq: this.seq++ });
        else if (sz > o.sz) Object.assign(o, { sz, seq: this.seq++ });
        else o.sz = sz;
        break;
      case 'R':
        this.orders.clear();
        break;
    }
  }

  queue(side: number, p: number): [number, NaiveOrder][] {
    return [...this.orders]
      .filter(([, o]) => o.side === side && o.px === p)
      .sort((a, b) => a[1].seq - b[1].seq);
  }

  prices(side: number): number[] {
    const set = new Set([...this.orders.values()].filter((o) => o.side === side).map((o) => o.px));
    return [...set].sort((a, b) => (side === B ? b - a : a - b));
  }
}

test('random MBO streams give the same levels, queues and anomalies as a naive reference book', async () => {
  const base = 6_413_245_560_000; // real CME order ids are above 2^32
  const op = fc.record({
    action: fc.constantFrom<MboSpec['action']>('A', 'A', 'A', 'C', 'C', 'M', 'M', 'T', 'R'),
    side: fc.constantFrom<'B' | 'A'>('B', 'A'),
    price: fc.integer({ min: 0, max: 24 }).map((k) => 99 + k * 0.25),
    size: fc.integer({ min: 0, max: 20 }),
    id: fc.integer({ min: 1, max: 48 }).map((k) => base + k),
  });
  await fc.assert(
    fc.asyncProperty(fc.array(op, { minLength: 1, maxLength: 150 }), async (ops) => {
      const specs: MboSpec[] = ops.map((o) => (o.action === 'R' ? { action: 'R' } : o));
      // Tiny initial capacities so that pools, ladders and the id table grow during the run.
      const s = await stepper(specs, new L3Book({ orders: 4, levels: 4 }));
      const ref = new NaiveBook();
      for (const spec of specs) {
        s.apply(1);
        ref.apply(spec);
      }
      const book = s.book;
      assert.equal(book.anomalies, ref.anomalies);
      assert.equal(book.orderCount, ref.orders.size);
      for (const side of [B, A]) {
        const prices = ref.prices(side);
        assert.equal(side === B ? book.bidLevels : book.askLevels, prices.length);
        prices.forEach((p, i) => {
          const q = ref.queue(side, p);
          assert.equal(side === B ? book.bidPx(i) : book.askPx(i), p);
          assert.equal(
            side === B ? book.bidSz(i) : book.askSz(i),
            q.reduce((t, [, o]) => t + o.sz, 0),
          );
          assert.equal(side === B ? book.bidCt(i) : book.askCt(i), q.length);
          assert.deepEqual(
            book.ordersAt(side, i),
            q.map(([id]) => id),
          );
          let ahead = 0;
          for (const [id, o] of q) {
            assert.equal(book.sizeAhead(id), ahead);
            ahead += o.sz;
          }
        });
      }
    }),
    { numRuns: 200 },
  );
});
