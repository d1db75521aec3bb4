import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { test } from 'node:test';
import { batchOf, decimal, encode, type LevelSpec, mbo, mbp, px } from '../../test/book.js';
import { fixture } from '../../test/fixtures.js';
import { UNDEF_PRICE } from '../core/index.js';
import { Action, DbnDecoder, Flags, type MbpRecord, RType } from '../data/dbn/index.js';
import { BookSide } from './book-view.js';
import { L2_MAX_LEVELS, L2Book } from './l2-book.js';
import { L3Book } from './l3-book.js';

const B = BookSide.BID;
const A = BookSide.ASK;

/** The change report as readable tuples: [side 'B'/'A', price, delta]. */
function changesOf(book: L2Book): [string, number, number][] {
  const ch = book.changes;
  const out: [string, number, number][] = [];
  for (let i = 0; i < ch.count; i++)
    out.push([String.fromCharCode(ch.side[i]), ch.price[i] / 1e9, ch.delta[i]]);
  return out;
}

/** Applies MBP records one by one, returning the change report after each. */
async function changesAlong(records: MbpRecord[], schema: 'mbp-10' | 'mbp-1' = 'mbp-10') {
  const batch = await batchOf(records, schema);
  const book = new L2Book();
  const reports = [];
  for (let i = 0; i < batch.count; i++) {
    book.applyMbp(batch.at(i));
    reports.push(changesOf(book));
  }
  return { book, reports };
}

test('the change report of a worked pair of MBP-10 records matches levels by price', async () => {
  // Before: bids 1.0850 x10, 1.0849 x20, 1.0848 x5; asks 1.0851 x8, 1.0852 x12.
  // After:  bids 1.0850 x7, 1.0848 x5;              asks 1.0851 x8, 1.0852 x15, 1.0853 x6.
  // Bid 1.0850: 10 -> 7 = -3. Bid 1.0849 vanished (the side has room for it): -20. 1.0848 and
  // ask 1.0851 unchanged: not reported. Ask 1.0852: 12 -> 15 = +3. Ask 1.0853 is new: +6.
  // Note the index view would be wrong: bid level 1 went from 1.0849 x20 to 1.0848 x5, but the
  // 1.0848 queue did not change.
  const { reports, book } = await changesAlong([
    mbp(
      [
        [1.085, 10, 2],
        [1.0849, 20, 3],
        [1.0848, 5, 1],
      ],
      [
        [1.0851, 8, 2],
        [1.0852, 12, 3],
      ],
    ),
    mbp(
      [
        [1.085, 7, 2],
        [1.0848, 5, 1],
      ],
      [
        [1.0851, 8, 2],
        [1.0852, 15, 4],
        [1.0853, 6, 1],
      ],
    ),
  ]);
  assert.deepEqual(reports[1], [
    ['B', 1.085, -3],
    ['B', 1.0849, -20],
    ['A', 1.0852, 3],
    ['A', 1.0853, 6],
  ]);
  // The first record is compared with an empty book: every level is an addition.
  assert.deepEqual(reports[0], [
    ['B', 1.085, 10],
    ['B', 1.0849, 20],
    ['B', 1.0848, 5],
    ['A', 1.0851, 8],
    ['A', 1.0852, 12],
  ]);
  assert.equal(book.bidLevels, 2);
  assert.equal(book.askLevels, 3);
});

test('levels that only scroll in or out of a full 10-level window are not changes', async () => {
  // Bids 100.00 .. 97.75 (10 levels, 1..10 lots). A new best bid 100.25 x4 pushes 97.75 x10 out
  // of view: one change, +4 at 100.25 (97.75 did not lose its queue, it is just not shown).
  // Then 100.25 is cancelled and 97.75 x9 scrolls back (it changed while hidden; unknowable):
  // one change, -4 at 100.25.
  const ten: LevelSpec = Array.from({ length: 10 }, (_, k) => [100 - k * 0.25, k + 1, 1] as const);
  const pushed: LevelSpec = [[100.25, 4, 1], ...ten.slice(0, 9)];
  const back: LevelSpec = [...ten.slice(0, 9), [97.75, 9, 1]];
  const asks: LevelSpec = [[100.5, 1, 1]];
  const { reports } = await changesAlong([mbp(ten, asks), mbp(pushed, asks), mbp(back, asks)]);
  assert.deepEqual(reports[1], [['B', 100.25, 4]]);
  assert.deepEqual(reports[2], [['B', 100.25, -4]]);
});

test('an MBP-1 best price that worsens reports the old level gone and hides the new one', async () => {
  // Best bid 100.00 x5 -> 99.75 x7: 100.00 must have emptied (else it would still be best): -5.
  // 99.75 was below the one visible level: its 7 lots are not new, so no change is reported.
  // Then best bid 100.25 x2 appears above: +2, and 99.75 scrolls out silently.
  const asks: LevelSpec = [[100.5, 3, 1]];
  const { reports, book } = await changesAlong(
    [
      mbp([[100, 5, 1]], asks, { rtype: RType.MBP_1 }),
      mbp([[99.75, 7, 2]], asks, { rtype: RType.MBP_1 }),
      mbp([[100.25, 2, 1]], asks, { rtype: RType.MBP_1 }),
    ],
    'mbp-1',
  );
  assert.deepEqual(reports[1], [['B', 100, -5]]);
  assert.deepEqual(reports[2], [['B', 100.25, 2]]);
  assert.equal(book.bidLevels, 1);
  assert.equal(book.bestBidSz, 2);
});

test('a trade record reports its trade and leaves depth changes to the record that follows', async () => {
  // Ask 100.25 x10. A 4-lot buy trades (T: levels unchanged, no change), then the cancel of the
  // filled quantity shows 100.25 at 6: -4. A queue model nets the T size against that -4, so the
  // 4 lots count once, as a trade, and no cancel is inferred.
  const bids: LevelSpec = [[100, 5, 1]];
  const { reports, book } = await changesAlong([
    mbp(bids, [[100.25, 10, 2]]),
    mbp(bids, [[100.25, 10, 2]], { action: 'T', side: 'B', price: 100.25, size: 4 }),
    mbp(bids, [[100.25, 6, 1]], { action: 'C', side: 'A', price: 100.25, size: 4 }),
  ]);
  assert.deepEqual(reports[1], []);
  assert.deepEqual(reports[2], [['A', 100.25, -4]]);
  assert.equal(book.action, Action.CANCEL);
  assert.equal(book.size, 4);
  assert.equal(book.price, px(100.25));
});

test('a record without F_LAST leaves the book inconsistent until one with it', async () => {
  const bids: LevelSpec = [[100, 5, 1]];
  const batch = await batchOf([mbp(bids, [], { flags: 0 }), mbp(bids, [], { flags: Flags.LAST })], 'mbp-10');
  const book = new L2Book();
  book.applyMbp(batch.at(0));
  assert.equal(book.consistent, false);
  book.applyMbp(batch.at(1));
  assert.equal(book.consistent, true);
});

test('records of other types are not applied', async () => {
  const batch = await batchOf([mbo({ action: 'A', side: 'B', price: 1, size: 1, id: 1 })], 'mbo');
  const book = new L2Book();
  assert.equal(book.applyMbp(batch.at(0)), false);
  assert.equal(book.updates, 0);
});

// ---- Databento's own MBP fixtures -----------------------------------------------------------

interface ExpectedLevel {
  bid_px: { raw: string; decimal: string | null };
  ask_px: { raw: string; decimal: string | null };
  bid_sz: number;
  ask_sz: number;
  bid_ct: number;
  ask_ct: number;
}

interface ExpectedEvent {
  hd: { instrument_id: number; publisher_id: number; ts_event: string };
  ts_recv: string;
  sequence: number;
  flags: number;
  action?: string;
  side: string;
  price: { decimal: string | null };
  size: number;
}

/**
 * Applies every record of the fixture files whose schema matches `schemas` to an L2 book (a new one
 * per file) and calls `check` after each with the record's expected values; returns the files.
 */
async function eachFixtureRecord<E>(
  schemas: string,
  check: (book: L2Book, want: E, where: string, file: string, i: number) => void,
): Promise<{ files: string[]; records: number }> {
  const dir = fixture('dbn');
  const expected = JSON.parse(readFileSync(`${dir}/expected.json`, 'utf8')) as {
    files: Record<string, { records: E[] }>;
  };
  const files = readdirSync(dir).filter((f) =>
    new RegExp(`^test_data\\.(${schemas})\\.(.*\\.)?(dbn|dbz)(\\.zst)?$`).test(f),
  );
  let records = 0;
  for (const file of files) {
    const want = expected.files[file].records;
    const book = new L2Book();
    let i = 0;
    for await (const batch of DbnDecoder.fromFile(`${dir}/${file}`)) {
      for (let k = 0; k < batch.count; k++, i++) {
        assert.equal(book.applyMbp(batch.at(k)), true);
        check(book, want[i], `${file} record ${i}`, file, i);
        records++;
      }
    }
    assert.equal(i, want.length, file);
  }
  return { files, records };
}

test('the L2 book agrees with every level of every MBP-10, MBP-1 and TBBO fixture record', async () => {
  const { files, records } = await eachFixtureRecord<{ levels: ExpectedLevel[] }>(
    'mbp-10|mbp-1|tbbo',
    (book, want, where, file) => {
      const levels = want.levels;
      assert.equal(levels.length, file.includes('mbp-10') ? L2_MAX_LEVELS : 1, where);
      for (let l = 0; l < levels.length; l++) {
        const e = levels[l];
        const bidPx = book.bidPx(l);
        const askPx = book.askPx(l);
        assert.equal(Number.isNaN(bidPx) ? null : decimal(bidPx), e.bid_px.decimal, `${where} bid ${l}`);
        assert.equal(Number.isNaN(askPx) ? null : decimal(askPx), e.ask_px.decimal, `${where} ask ${l}`);
        assert.deepEqual(
          [book.bidSz(l), book.bidCt(l), book.askSz(l), book.askCt(l)],
          [e.bid_sz, e.bid_ct, e.ask_sz, e.ask_ct],
          `${where} level ${l}`,
        );
      }
    },
  );
  // Unsuffixed, v1, v2, v3 and DBZ of each of the three schemas.
  assert.equal(files.length, 15, files.join(', '));
  assert.equal(records, 30);
});

test("the book's event fields match every MBP-10, MBP-1, TBBO and BBO fixture record", async () => {
  // The book reads these at fixed words of the record; expected.json has them from the reference
  // decoder: identity, both timestamps, sequence, flags, and the event's action, side, price, size.
  const { files, records } = await eachFixtureRecord<ExpectedEvent>(
    'mbp-10|mbp-1|tbbo|bbo-1s|bbo-1m',
    (book, e, where, _file, i) => {
      assert.deepEqual(
        {
          instrument: book.instrumentId,
          publisher: book.publisherId,
          tsEvent: (BigInt(book.tsEventHi) << 32n) | BigInt(book.tsEventLo),
          tsRecv: (BigInt(book.tsRecvHi) << 32n) | BigInt(book.tsRecvLo),
          sequence: book.sequence,
          flags: book.flags,
          action: book.action,
          side: book.side,
          price: Number.isNaN(book.price) ? null : decimal(book.price),
          size: book.size,
        },
        {
          instrument: e.hd.instrument_id,
          publisher: e.hd.publisher_id,
          tsEvent: BigInt(e.hd.ts_event),
          tsRecv: BigInt(e.ts_recv),
          sequence: e.sequence,
          flags: e.flags,
          // BBO records have no action: the book reads the reserved zero byte there.
          action: e.action === undefined ? 0 : e.action.charCodeAt(0),
          side: e.side.charCodeAt(0),
          price: e.price.decimal,
          size: e.size,
        },
        where,
      );
      // A BBO record has no action to trust: after the first, it may have changed both sides.
      if (e.action === undefined && i > 0) assert.equal(book.changedSides, 3, where);
    },
  );
  // The 15 files above and the unsuffixed, v2 and v3 of BBO-1s and BBO-1m.
  assert.equal(files.length, 21, files.join(', '));
  assert.ok(records >= 40, `${records} records`);
});

test("the book's event fields keep values of 2^31 and more unsigned", async () => {
  // Every fixture value is below 2^31: a signed read of any of these would come out negative.
  const r = mbp([[1.085, 10, 1]], [[1.0851, 8, 2]], { action: 'A', side: 'B', price: 1.085, size: 1 });
  r.hd.publisher_id = 65_000;
  r.hd.instrument_id = 4_000_000_000;
  r.hd.ts_event = (3_000_000_001n << 32n) | 4_000_000_002n;
  r.ts_recv = (3_000_000_003n << 32n) | 4_000_000_004n;
  r.size = 4_000_000_005;
  r.sequence = 4_000_000_006;
  r.flags = Flags.LAST | Flags.SNAPSHOT;
  const batch = await batchOf([r], 'mbp-10');
  const book = new L2Book();
  book.applyMbp(batch.at(0));
  assert.deepEqual(
    [book.publisherId, book.instrumentId, book.tsEventHi, book.tsEventLo, book.tsRecvHi, book.tsRecvLo],
    [65_000, 4_000_000_000, 3_000_000_001, 4_000_000_002, 3_000_000_003, 4_000_000_004],
  );
  assert.deepEqual([book.size, book.sequence, book.flags], [4_000_000_005, 4_000_000_006, 0xa0]);
  assert.deepEqual([book.action, book.side, decimal(book.price)], [65, 66, '1.085000000']);
});

test('the sides a record changed follow its action and side', async () => {
  // Worked by hand from the rule: a trade or fill changes no side; an add, cancel or modify its own
  // side (bid 1, ask 2), both when its side is neither; any other action (a clear, none) both.
  const cases: [string, string, number][] = [
    ['T', 'B', 0],
    ['T', 'A', 0],
    ['T', 'N', 0],
    ['F', 'B', 0],
    ['A', 'B', 1],
    ['A', 'A', 2],
    ['C', 'B', 1],
    ['C', 'A', 2],
    ['M', 'B', 1],
    ['M', 'A', 2],
    ['A', 'N', 3],
    ['C', 'N', 3],
    ['R', 'B', 3],
    ['N', 'A', 3],
    ['A', '\u0000', 3],
    ['\u0000', 'B', 3],
  ];
  const first = mbp([[1.085, 10, 1]], [[1.0851, 8, 2]]);
  const records = [first];
  for (const [action, side] of cases)
    records.push(first, mbp([[1.085, 10, 1]], [[1.0851, 8, 2]], { action, side }));
  const batch = await batchOf(records, 'mbp-10');
  const trusted = new L2Book();
  const untrusted = new L2Book({ trustActions: false });
  trusted.applyMbp(batch.at(0));
  untrusted.applyMbp(batch.at(0));
  assert.equal(trusted.changedSides, 3, 'the first record after a clear changes both sides');
  for (let c = 0; c < cases.length; c++) {
    for (const k of [1 + 2 * c, 2 + 2 * c]) {
      trusted.applyMbp(batch.at(k));
      untrusted.applyMbp(batch.at(k));
    }
    const [action, side, sides] = cases[c];
    assert.equal(trusted.changedSides, sides, `${action} on side ${side}`);
    assert.equal(untrusted.changedSides, 3, `${action} on side ${side}, untrusted`);
  }
});

test('the two real ESH1 MBP-10 records differ by one lot at bid 3720.00', async () => {
  // test_data.mbp-10.dbn: record 1 is a 1-lot cancel at bid 3720.00 (level 1 goes 31x18 -> 30x17).
  const book = new L2Book();
  const reports = [];
  for await (const batch of DbnDecoder.fromFile(fixture('dbn', 'test_data.mbp-10.dbn'))) {
    for (let k = 0; k < batch.count; k++) {
      book.applyMbp(batch.at(k));
      reports.push(changesOf(book));
    }
  }
  assert.equal(reports[0].length, 20, 'the first record: all 20 levels are additions');
  assert.deepEqual(reports[1], [['B', 3720, -1]]);
  assert.equal(book.action, Action.CANCEL);
  assert.equal(book.side, B);
});

// ---- L2 against an MBO-derived L2 ----------------------------------------------------------

/** The top 10 levels of a book as an MBP-10 `levels` array (UNDEF_PRICE for empty levels). */
function levelsOf(book: L3Book): MbpRecord['levels'] {
  const levels = [];
  for (let i = 0; i < L2_MAX_LEVELS; i++) {
    levels.push({
      bid_px: i < book.bidLevels ? BigInt(book.bidPx(i)) : UNDEF_PRICE,
      ask_px: i < book.askLevels ? BigInt(book.askPx(i)) : UNDEF_PRICE,
      bid_sz: book.bidSz(i),
      ask_sz: book.askSz(i),
      bid_ct: book.bidCt(i),
      ask_ct: book.askCt(i),
    });
  }
  return levels;
}

test('MBP-10 records derived from the real MBO replay rebuild the same top 10 in the L2 book', async () => {
  const l3 = new L3Book();
  const derived: MbpRecord[] = [];
  for await (const batch of DbnDecoder.fromFile(
    fixture('dbn-real', 'glbx-mdp3-esm4-20240508T000000-000002.mbo.dbn.zst'),
  )) {
    for (let k = 0; k < batch.count; k++) {
      const c = batch.at(k);
      l3.applyMbo(c);
      if (!l3.consistent) continue;
      derived.push({
        hd: {
          length: 92,
          rtype: RType.MBP_10,
          publisher_id: c.publisherId,
          instrument_id: c.instrumentId,
          ts_event: c.tsEvent,
        },
        price: UNDEF_PRICE,
        size: 0,
        action: 'N',
        side: 'N',
        flags: Flags.LAST,
        depth: 0,
        ts_recv: c.tsRecv,
        ts_in_delta: 0,
        sequence: c.sequence,
        levels: levelsOf(l3),
      });
    }
  }
  assert.equal(derived.length, 185, 'one state per F_LAST event');

  const bytes = await encode(derived, 'mbp-10');
  const l2 = new L2Book();
  let i = 0;
  let prev = new Map<string, number>();
  let prevFull = { B: false, A: false };
  let prevWorst = { B: 0, A: 0 };
  for await (const batch of DbnDecoder.fromBytes(bytes)) {
    for (let k = 0; k < batch.count; k++, i++) {
      l2.applyMbp(batch.at(k));
      const want = derived[i].levels;
      for (let l = 0; l < L2_MAX_LEVELS; l++) {
        const w = want[l];
        const got = [l2.bidPx(l), l2.bidSz(l), l2.bidCt(l), l2.askPx(l), l2.askSz(l), l2.askCt(l)];
        const exp = [
          w.bid_px === UNDEF_PRICE ? Number.NaN : Number(w.bid_px),
          w.bid_sz,
          w.bid_ct,
          w.ask_px === UNDEF_PRICE ? Number.NaN : Number(w.ask_px),
          w.ask_sz,
          w.ask_ct,
        ];
        assert.deepEqual(got, exp, `derived record ${i} level ${l}`);
      }
      assert.equal(l2.consistent, true);
      assert.equal(l2.crossed, false);

      // The change report carries the previous visible book into this one: previous sizes plus
      // deltas equal the new sizes at every price both windows could show.
      const next = new Map<string, number>();
      for (let l = 0; l < l2.bidLevels; l++) next.set(`B${l2.bidPx(l)}`, l2.bidSz(l));
      for (let l = 0; l < l2.askLevels; l++) next.set(`A${l2.askPx(l)}`, l2.askSz(l));
      const carried = new Map(prev);
      for (let c = 0; c < l2.changes.count; c++) {
        const key = String.fromCharCode(l2.changes.side[c]) + l2.changes.price[c];
        carried.set(key, (carried.get(key) ?? 0) + l2.changes.delta[c]);
      }
      const full = { B: l2.bidLevels === L2_MAX_LEVELS, A: l2.askLevels === L2_MAX_LEVELS };
      const worst = { B: l2.bidPx(l2.bidLevels - 1), A: l2.askPx(l2.askLevels - 1) };
      const inView = (side: 'B' | 'A', p: number, isFull: boolean, w: number) =>
        !isFull || (side === 'B' ? p > w : p < w);
      for (const key of new Set([...carried.keys(), ...next.keys()])) {
        const side = key[0] as 'B' | 'A';
        const p = Number(key.slice(1));
        if (!inView(side, p, full[side], worst[side]) && !next.has(key)) continue; // scrolled out
        if (!inView(side, p, prevFull[side], prevWorst[side]) && !prev.has(key)) continue; // scrolled in
        assert.equal(carried.get(key) ?? 0, next.get(key) ?? 0, `derived record ${i}: ${key}`);
      }
      prev = next;
      prevFull = full;
      prevWorst = worst;
    }
  }
  assert.equal(i, derived.length);
  assert.equal(l2.depth(B, 10), l3.depth(B, 10));
  assert.equal(l2.depth(A, 10), l3.depth(A, 10));
});
