/**
 * The synthetic 6E sample, read back through our decoder, checked for what the demo and the
 * benchmarks rely on: the same seed gives the same bytes; the MBP-10 book is a valid 10-level
 * book on the 0.00005 tick that is never crossed or locked; each record describes the event that
 * produced it (adds and cancels at the level they name, trades at the best price of the book
 * before them, taking at most what was shown there); the trades file holds exactly those trades;
 * the definition describes 6EZ6.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { formatPrice } from '../src/core/price.js';
import {
  DbnDecoder,
  type DbnRecord,
  type MbpRecord,
  type Metadata,
  RType,
  SymbolMap,
  type TradeRecord,
} from '../src/data/dbn/index.js';
import { SIXE_TICK_RAW, writeSampleFiles } from './market-sample.js';

const RECORDS = 5000;
const SEED = 7;
const TICK = BigInt(SIXE_TICK_RAW);
const ID = 42005347;
/** Default start, 2026-11-25T14:30:00Z (worked in core/time.test.ts), and one day after it. */
const START = 1_795_617_000_000_000_000n;
const END = START + 86_400_000_000_000n;

type Files = Awaited<ReturnType<typeof writeSampleFiles>>;

async function readAll(path: string): Promise<{ md: Metadata; records: DbnRecord[] }> {
  const dec = DbnDecoder.fromFile(path);
  const md = await dec.readMetadata();
  assert.ok(md, `${path} has metadata`);
  const records: DbnRecord[] = [];
  for await (const rec of dec.records()) records.push(rec);
  return { md, records };
}

let root: string;
let a: Files;
let b: Files;
let other: Files;
let plainA: Files;
let plainB: Files;
let book: { md: Metadata; records: MbpRecord[] };
let trades: { md: Metadata; records: TradeRecord[] };

before(async () => {
  root = mkdtempSync(join(tmpdir(), 'sample-test-'));
  a = await writeSampleFiles(mkdtempSync(join(root, 'a-')), { records: RECORDS, seed: SEED });
  b = await writeSampleFiles(mkdtempSync(join(root, 'b-')), { records: RECORDS, seed: SEED });
  other = await writeSampleFiles(mkdtempSync(join(root, 'c-')), { records: RECORDS, seed: SEED + 1 });
  plainA = await writeSampleFiles(mkdtempSync(join(root, 'd-')), { records: 500, seed: 3, zstd: false });
  plainB = await writeSampleFiles(mkdtempSync(join(root, 'e-')), { records: 500, seed: 3, zstd: false });
  book = (await readAll(a.mbp10)) as { md: Metadata; records: MbpRecord[] };
  trades = (await readAll(a.trades)) as { md: Metadata; records: TradeRecord[] };
});

after(() => rmSync(root, { recursive: true, force: true }));

describe('writeSampleFiles', () => {
  test('writes the same bytes for the same seed, compressed or not', () => {
    for (const [x, y] of [
      [a, b],
      [plainA, plainB],
    ]) {
      for (const key of ['mbp10', 'trades', 'definition'] as const) {
        const bx = readFileSync(x[key]);
        const by = readFileSync(y[key]);
        assert.ok(bx.length > 0);
        assert.ok(bx.equals(by), `${x[key]} and ${y[key]} differ`);
      }
    }
  });

  test('writes different book and trades for a different seed', () => {
    assert.ok(!readFileSync(a.mbp10).equals(readFileSync(other.mbp10)));
    assert.ok(!readFileSync(a.trades).equals(readFileSync(other.trades)));
  });

  test('names the files as the simulator will, by trading date, in the folder given', () => {
    const dir = a.mbp10.slice(0, a.mbp10.lastIndexOf('/'));
    assert.equal(a.mbp10, `${dir}/glbx-mdp3-20261125.mbp-10.dbn.zst`);
    assert.equal(a.trades, `${dir}/glbx-mdp3-20261125.trades.dbn.zst`);
    assert.equal(a.definition, `${dir}/glbx-mdp3-20261125.definition.dbn.zst`);
    assert.ok(plainA.mbp10.endsWith('/glbx-mdp3-20261125.mbp-10.dbn'));
    // zstd magic 28 b5 2f fd, and DBN magic for the plain files.
    assert.deepEqual([...readFileSync(a.mbp10).subarray(0, 4)], [0x28, 0xb5, 0x2f, 0xfd]);
    assert.equal(readFileSync(plainA.mbp10).subarray(0, 3).toString('latin1'), 'DBN');
  });

  test('writes GLBX.MDP3 metadata that maps the instrument id to 6EZ6', async () => {
    const def = await readAll(a.definition);
    for (const [md, schema] of [
      [book.md, 'mbp-10'],
      [trades.md, 'trades'],
      [def.md, 'definition'],
    ] as const) {
      assert.equal(md.dataset, 'GLBX.MDP3');
      assert.equal(md.schema, schema);
      assert.equal(md.version, 3);
      assert.equal(md.stype_in, 'raw_symbol');
      assert.equal(md.stype_out, 'instrument_id');
      assert.deepEqual(md.symbols, ['6EZ6']);
      assert.equal(md.start, START);
      assert.equal(md.end, END);
    }
    const symbols = SymbolMap.fromMetadata(book.md);
    const first = book.records[0];
    const last = book.records[book.records.length - 1];
    assert.equal(symbols.resolve(ID, first.hd.ts_event), '6EZ6');
    assert.equal(symbols.resolve(ID, last.hd.ts_event), '6EZ6');
  });

  test('reports the record and trade counts it wrote', () => {
    assert.equal(a.records, RECORDS);
    assert.equal(book.records.length, RECORDS);
    assert.equal(a.tradeCount, trades.records.length);
    assert.equal(book.records.filter((r) => r.action === 'T').length, trades.records.length);
    // A tenth of the events are marketable orders; with 5000 events, far more than a handful.
    assert.ok(trades.records.length > RECORDS / 20, String(trades.records.length));
  });
});

describe('the MBP-10 book', () => {
  test('is one MBP-10 record per event, in time order, inside the metadata span', () => {
    let prev = 0n;
    for (const r of book.records) {
      assert.equal(r.hd.rtype, RType.MBP_10);
      assert.equal(r.hd.instrument_id, ID);
      assert.equal(r.hd.publisher_id, 1);
      assert.equal(r.flags & 0x80, 0x80, 'F_LAST: each record is a complete book state');
      assert.ok(r.hd.ts_event > prev, 'ts_event strictly increases');
      assert.ok(r.ts_recv > r.hd.ts_event, 'received after the exchange sent it');
      assert.ok(r.hd.ts_event >= START && r.ts_recv < END);
      prev = r.hd.ts_event;
    }
  });

  test('always has 10 levels a side, strictly ordered, on the tick, with positive sizes and counts', () => {
    for (const [n, r] of book.records.entries()) {
      assert.equal(r.levels.length, 10);
      for (let i = 0; i < 10; i++) {
        const lv = r.levels[i];
        const at = `record ${n} level ${i}`;
        assert.equal(lv.bid_px % TICK, 0n, at);
        assert.equal(lv.ask_px % TICK, 0n, at);
        assert.ok(lv.bid_px > 0n, at);
        assert.ok(lv.bid_sz > 0 && lv.ask_sz > 0, at);
        assert.ok(lv.bid_ct > 0 && lv.ask_ct > 0, at);
        // An order is at least one lot, so a level holds at most as many orders as lots.
        assert.ok(lv.bid_ct <= lv.bid_sz && lv.ask_ct <= lv.ask_sz, `${at}: more orders than lots`);
        if (i > 0) {
          assert.ok(lv.bid_px < r.levels[i - 1].bid_px, `${at}: bids fall away from the touch`);
          assert.ok(lv.ask_px > r.levels[i - 1].ask_px, `${at}: asks rise away from the touch`);
        }
      }
      assert.equal(r.price % TICK, 0n);
    }
  });

  test('is never crossed or locked, and the spread is at times wider than one tick', () => {
    let wide = 0;
    for (const [n, r] of book.records.entries()) {
      const spread = r.levels[0].ask_px - r.levels[0].bid_px;
      assert.ok(spread >= TICK, `record ${n}: bid ${r.levels[0].bid_px} ask ${r.levels[0].ask_px}`);
      if (spread > TICK) wide++;
    }
    assert.ok(wide > 0);
  });

  test('adds and cancels name the level they changed', () => {
    let adds = 0;
    let cancels = 0;
    for (const [n, r] of book.records.entries()) {
      if (r.action === 'T') continue;
      assert.ok(r.action === 'A' || r.action === 'C', `record ${n} action ${r.action}`);
      assert.ok(r.side === 'B' || r.side === 'A');
      assert.ok(r.size > 0);
      const lv = r.levels[r.depth];
      assert.equal(r.price, r.side === 'B' ? lv.bid_px : lv.ask_px, `record ${n}`);
      if (r.action === 'A') adds++;
      else cancels++;
    }
    assert.ok(adds > 0 && cancels > 0);
  });
});

describe('the trades', () => {
  test('are the T records of the book file, field for field', () => {
    const bookTrades = book.records.filter((r) => r.action === 'T');
    for (const [k, t] of trades.records.entries()) {
      const m = bookTrades[k];
      assert.equal(t.hd.rtype, RType.MBP_0);
      assert.equal(t.hd.instrument_id, ID);
      assert.equal(t.action, 'T');
      assert.equal(t.hd.ts_event, m.hd.ts_event, `trade ${k}`);
      assert.equal(t.ts_recv, m.ts_recv);
      assert.equal(t.sequence, m.sequence);
      assert.equal(t.price, m.price);
      assert.equal(t.size, m.size);
      assert.equal(t.side, m.side);
    }
  });

  test('happen at the best price of the book before them and take at most what it shows', () => {
    const byTs = new Map(book.records.map((r, i) => [r.hd.ts_event, i]));
    const seen = { B: 0, A: 0, emptied: 0 };
    for (const [k, t] of trades.records.entries()) {
      const i = byTs.get(t.hd.ts_event);
      assert.ok(i !== undefined, `trade ${k} has its book record`);
      if (i === 0) continue; // the book before the very first event was never published
      const before = book.records[i - 1].levels[0];
      const after = book.records[i].levels[0];
      assert.ok(t.size > 0);
      if (t.side === 'B') {
        // A buyer lifts the offer: trades at the best ask, up to its size; the ask then shows
        // what is left at that price, or, when the level is used up, the next price up.
        seen.B++;
        assert.equal(t.price, before.ask_px, `trade ${k}`);
        assert.ok(t.size <= before.ask_sz, `trade ${k}: ${t.size} > ${before.ask_sz}`);
        if (t.size < before.ask_sz) {
          assert.equal(after.ask_px, before.ask_px);
          assert.equal(after.ask_sz, before.ask_sz - t.size);
        } else {
          seen.emptied++;
          assert.ok(after.ask_px > before.ask_px);
        }
        assert.equal(after.bid_px, before.bid_px, 'the bid is untouched by a buy');
      } else {
        // A seller hits the bid.
        assert.equal(t.side, 'A');
        seen.A++;
        assert.equal(t.price, before.bid_px, `trade ${k}`);
        assert.ok(t.size <= before.bid_sz, `trade ${k}: ${t.size} > ${before.bid_sz}`);
        if (t.size < before.bid_sz) {
          assert.equal(after.bid_px, before.bid_px);
          assert.equal(after.bid_sz, before.bid_sz - t.size);
        } else {
          seen.emptied++;
          assert.ok(after.bid_px < before.bid_px);
        }
        assert.equal(after.ask_px, before.ask_px, 'the ask is untouched by a sell');
      }
    }
    assert.ok(seen.B > 0 && seen.A > 0 && seen.emptied > 0, JSON.stringify(seen));
  });
});

describe('the definition', () => {
  test('describes 6EZ6 on the 0.00005 tick, with the instrument id of the data', async () => {
    const { records } = await readAll(a.definition);
    assert.equal(records.length, 1);
    const d = records[0];
    assert.equal(d.hd.rtype, RType.INSTRUMENT_DEF);
    assert.equal(d.hd.instrument_id, ID);
    assert.equal(d.raw_symbol, '6EZ6');
    assert.equal(d.min_price_increment, 50_000n);
    assert.equal(formatPrice(d.min_price_increment as bigint), '0.000050000');
    assert.equal(d.security_type, 'FUT');
    assert.equal(d.currency, 'USD');
    assert.equal(d.maturity_year, 2026);
    assert.equal(d.maturity_month, 12);
  });
});
