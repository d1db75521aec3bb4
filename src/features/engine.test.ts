/**
 * The FeatureEngine on a short simulated window (3 minutes of 6E at 13:00 UTC): snapshot fields
 * named as CONVENTIONS.md's `scalper features` columns, readiness after warm-up, values equal to
 * the same calculators run by hand on the same records, immutability, triggers.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { L2Book } from '../book/index.js';
import { DbnDecoder, type RecordBatch, type RecordCursor, RType } from '../data/dbn/index.js';
import { type SimDayResult, simulateDay } from '../sim/index.js';
import { QuotedSpread } from './book/index.js';
import {
  DEFAULT_TICK_SIZE,
  FEATURE_COLUMNS,
  FeatureEngine,
  type FeatureSnapshot,
  TradeFlow,
  Vpin,
} from './index.js';

const DATE = '2026-11-24';
const T13 = Date.parse(`${DATE}T13:00:00Z`);
/** 6E's tick in raw 1e-9 units (0.00005). */
const TICK_6E = 50_000;

let dir = '';
let day: SimDayResult;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'feature-engine-'));
  day = await simulateDay({
    date: DATE,
    seed: 11,
    out: dir,
    window: { startMs: T13, endMs: T13 + 3 * 60_000 },
  });
});

after(() => rmSync(dir, { recursive: true, force: true }));

/** Calls `fn` on every record of `file`, in order. */
async function eachRecord(file: string, fn: (c: RecordCursor, i: number) => void): Promise<number> {
  let k = 0;
  for await (const batch of DbnDecoder.fromFile(file)) {
    for (let i = 0; i < batch.count; i++) fn(batch.at(i), k++);
  }
  return k;
}

/** The only instrument id of the simulated day. */
function onlyInstrument(engine: FeatureEngine): number {
  assert.equal(engine.instruments.length, 1);
  return engine.instruments[0];
}

describe('FeatureEngine', () => {
  test('snapshot fields carry the column names of CONVENTIONS.md, in order', async () => {
    const engine = new FeatureEngine();
    await eachRecord(day.files.mbp10, (c) => engine.apply(c));
    const snap = engine.snapshot(onlyInstrument(engine)) as FeatureSnapshot;
    assert.deepEqual(Object.keys(snap), [
      'ts',
      'ts_ns',
      'symbol',
      'instrument_id',
      'spread_ticks',
      'spread_bps',
      'mid',
      'microprice',
      'microprice_stoikov',
      'qi_l1',
      'qi_l5',
      'qi_l10',
      'ofi_1s',
      'ofi_10s',
      'ofi_60s',
      'mlofi_10s',
      'vpin',
      'vpin_cdf',
      'kyle_lambda',
      'rv_1m',
      'rv_5m',
      'volume_delta',
      'cvd',
      'trade_rate',
      'cancel_add_ratio',
      'sweep_alerts',
      'basis',
    ]);
    assert.deepEqual(Object.keys(snap).slice(4), [...FEATURE_COLUMNS]);
    assert.equal(typeof snap.ts_ns, 'bigint');
    assert.match(snap.ts, /^2026-11-24T13:0\d:\d\d\.\d{9}Z$/);
    assert.equal(snap.symbol, String(snap.instrument_id), 'no symbol given: the id');
  });

  test('nothing before the first record; book features ready after the first update, windows after warm-up', async () => {
    const engine = new FeatureEngine();
    assert.equal(engine.snapshot(1), null);
    const early: FeatureSnapshot[] = [];
    let first: FeatureSnapshot | null = null;
    await eachRecord(day.files.mbp10, (c, i) => {
      engine.apply(c);
      if (first === null) first = engine.snapshot(c.instrumentId);
      if (i === 200) early.push(engine.snapshot(c.instrumentId) as FeatureSnapshot);
    });
    const s0 = first as unknown as FeatureSnapshot;
    // Simulated books are two-sided from the first record.
    assert.ok(s0.spread_ticks >= 1, `spread_ticks ${s0.spread_ticks}`);
    assert.ok(s0.mid > 1 && s0.mid < 1.5, `mid ${s0.mid} (a EUR/USD price)`);
    assert.ok(Number.isNaN(s0.cvd), 'no trade yet: cvd not ready');
    assert.ok(Number.isNaN(s0.vpin), 'no bucket yet: VPIN not ready');
    const end = engine.snapshot(onlyInstrument(engine)) as FeatureSnapshot;
    for (const col of [
      'qi_l1',
      'qi_l5',
      'qi_l10',
      'microprice',
      'ofi_1s',
      'ofi_10s',
      'ofi_60s',
      'mlofi_10s',
    ] as const) {
      assert.ok(Number.isFinite(end[col]), `${col} ready after 3 minutes: ${end[col]}`);
    }
    assert.ok(Number.isFinite(end.rv_1m), 'rv_1m: twelve 5 s returns in 3 minutes');
    assert.ok(Number.isNaN(end.rv_5m), 'rv_5m needs 5 minutes');
    assert.ok(Number.isNaN(end.microprice_stoikov), 'no Stoikov model given');
    assert.ok(early.length === 1 && early[0].ts_ns < end.ts_ns);
  });

  test('spread_ticks equals an L2Book + QuotedSpread run by hand on the same records', async () => {
    const engine = new FeatureEngine();
    const book = new L2Book();
    const spread = new QuotedSpread(TICK_6E);
    let compared = 0;
    await eachRecord(day.files.mbp10, (c, i) => {
      engine.apply(c);
      book.applyMbp(c);
      if (book.consistent) spread.update(book);
      if (i % 97 === 0 && book.consistent) {
        const s = engine.snapshot(c.instrumentId) as FeatureSnapshot;
        assert.equal(s.spread_ticks, spread.ticks, `record ${i}`);
        assert.equal(s.spread_bps, spread.bps, `record ${i}`);
        assert.equal(s.mid, spread.mid / 1e9, `record ${i}`);
        compared++;
      }
    });
    assert.ok(compared > 50, `compared ${compared} snapshots`);
  });

  test('cvd, volume_delta and vpin equal a TradeFlow and a Vpin run by hand on the trades', async () => {
    const engine = new FeatureEngine({ vpinBucketVolume: 25, vpinWindowBuckets: 4 });
    const flow = new TradeFlow({ windowsMs: [1_000, 10_000, 60_000] });
    const vpin = new Vpin({ bucketVolume: 25, windowBuckets: 4 });
    let vpinReady = 0;
    let compared = 0;
    const trades = await eachRecord(day.files.trades, (c, i) => {
      assert.equal(c.rtype, RType.MBP_0);
      engine.apply(c);
      flow.updateTrade(c);
      flow.advance(c.tsRecvMs);
      vpin.updateTrade(c);
      vpin.advance(c.tsRecvMs);
      const s = engine.snapshot(c.instrumentId) as FeatureSnapshot;
      assert.equal(s.cvd, flow.cvd, `trade ${i}`);
      assert.ok(Object.is(s.vpin, vpin.value), `trade ${i}: vpin ${s.vpin} vs ${vpin.value}`);
      if (vpin.isReady) vpinReady++;
      if (flow.isReady(2)) {
        assert.equal(s.volume_delta, flow.volumeDelta(2), `trade ${i}`);
        compared++;
      } else assert.ok(Number.isNaN(s.volume_delta));
    });
    assert.ok(trades > 100, `${trades} trades`);
    assert.ok(compared > 0, 'volume_delta ready after 60 s');
    assert.ok(vpinReady > 0, 'four buckets of 25 contracts filled');
    const s = engine.snapshot(onlyInstrument(engine)) as FeatureSnapshot;
    assert.ok(s.cvd !== 0 && Number.isFinite(s.cvd));
    assert.ok(Number.isNaN(s.spread_ticks), 'trades alone build no book');
  });

  test('snapshots are frozen plain objects, unchanged by later records', async () => {
    const engine = new FeatureEngine();
    let snap: FeatureSnapshot | null = null;
    let copy: Record<string, unknown> = {};
    await eachRecord(day.files.mbp10, (c, i) => {
      engine.apply(c);
      if (i === 1000) {
        snap = engine.snapshot(c.instrumentId);
        copy = { ...snap };
      }
    });
    const s = snap as unknown as FeatureSnapshot;
    assert.ok(Object.isFrozen(s));
    assert.equal(Object.getPrototypeOf(s), Object.prototype);
    assert.throws(() => {
      (s as { spread_ticks: number }).spread_ticks = 99;
    }, TypeError);
    assert.deepEqual({ ...s }, copy);
    assert.notEqual((engine.snapshot(s.instrument_id) as FeatureSnapshot).ts_ns, s.ts_ns);
  });

  test('a definition record sets the tick size and the symbol', async () => {
    const engine = new FeatureEngine({ defaultTickSize: DEFAULT_TICK_SIZE / 2 });
    const plain = new FeatureEngine({ defaultTickSize: DEFAULT_TICK_SIZE / 2 });
    for await (const batch of DbnDecoder.fromFile(day.files.definition)) {
      for (let i = 0; i < batch.count; i++) {
        assert.equal(batch.at(i).rtype, RType.INSTRUMENT_DEF);
        engine.applyDefinition(batch.toObject(i));
      }
    }
    await eachRecord(day.files.mbp10, (c) => {
      engine.apply(c);
      plain.apply(c);
    });
    const id = onlyInstrument(engine);
    const s = engine.snapshot(id) as FeatureSnapshot;
    const p = plain.snapshot(id) as FeatureSnapshot;
    assert.match(s.symbol, /^6E[HMUZ]\d$/);
    assert.equal(p.spread_ticks, 2 * s.spread_ticks, 'half the tick: twice the ticks');
  });

  test('advance moves the clock and the windows; triggers deliver snapshots', async () => {
    const bars: FeatureSnapshot[] = [];
    const vpins: FeatureSnapshot[] = [];
    const engine = new FeatureEngine({
      barPeriodMs: 10_000,
      vpinBucketVolume: 20,
      vpinWindowBuckets: 2,
      onBar: (s, bar) => {
        assert.ok(bar.volume > 0 || bar.tradeCount === 0);
        bars.push(s);
      },
      onVpin: { threshold: 0, callback: (s) => vpins.push(s) },
    });
    await eachRecord(day.files.trades, (c) => engine.apply(c));
    assert.ok(bars.length >= 10, `${bars.length} bars of 10 s in 3 minutes`);
    for (const b of bars) assert.ok(Object.isFrozen(b));
    assert.equal(vpins.length, 1, 'VPIN >= 0 from its first value on: one crossing');
    assert.ok(Number.isFinite(vpins[0].vpin));
    const id = onlyInstrument(engine);
    const before = engine.snapshot(id) as FeatureSnapshot;
    const later = before.ts_ns + 120_000_000_000n;
    engine.advance(later);
    const after = engine.snapshot(id) as FeatureSnapshot;
    assert.equal(after.ts_ns, later);
    assert.equal(after.volume_delta, 0, 'two minutes without trades: no volume in the last 60 s');
    assert.equal(after.cvd, before.cvd, 'cvd is cumulative');
  });

  test('basis: the future mid minus the spot mid once paired with its spot', async () => {
    const engine = new FeatureEngine();
    const spotFile = day.files.spotMbp1 as string;
    let spotId = -1;
    let futureId = -1;
    let spotMid = Number.NaN;
    let futMid = Number.NaN;
    // The spot file is small: one batch (one big chunk) holds all of it, merged by ts_recv below.
    const spotCount = await eachRecord(spotFile, (c) => {
      spotId = c.instrumentId;
    });
    const spotIt = DbnDecoder.fromFile(spotFile, { chunkSize: 1 << 22 })[Symbol.asyncIterator]();
    const spotBatch = (await spotIt.next()).value as RecordBatch;
    assert.equal(spotBatch.count, spotCount);
    const spotBook = new L2Book();
    const futBook = new L2Book();
    let j = 0;
    let fedSpot = false;
    await eachRecord(day.files.mbp10, (c) => {
      if (futureId < 0) {
        futureId = c.instrumentId;
        engine.pairSpot(futureId, spotId);
      }
      const ts = c.tsRecv;
      engine.apply(c);
      futBook.applyMbp(c);
      if (futBook.consistent) futMid = futBook.mid / 1e9;
      if (!fedSpot) {
        assert.ok(Number.isNaN((engine.snapshot(futureId) as FeatureSnapshot).basis), 'no spot yet');
        fedSpot = true;
      }
      for (; j < spotBatch.count && spotBatch.at(j).tsRecv <= ts; j++) {
        const sc = spotBatch.at(j);
        engine.apply(sc);
        spotBook.applyMbp(sc);
        if (spotBook.consistent) spotMid = spotBook.mid / 1e9;
      }
    });
    await spotIt.return?.();
    assert.ok(j > spotCount / 2, `${j} spot records merged in`);
    const s = engine.snapshot(futureId) as FeatureSnapshot;
    assert.ok(Math.abs(s.basis - (futMid - spotMid)) < 1e-12, `basis ${s.basis} vs ${futMid - spotMid}`);
    assert.ok(Math.abs(s.basis) < 0.01, 'a future near its spot');
    assert.ok(
      Number.isNaN((engine.snapshot(spotId) as FeatureSnapshot).basis),
      'the spot has no basis of its own',
    );
    assert.throws(() => engine.pairSpot(1, 1), RangeError);
  });

  test('records the engine does not use are ignored', async () => {
    const engine = new FeatureEngine();
    let used = 0;
    for await (const batch of DbnDecoder.fromFile(day.files.definition)) {
      for (let i = 0; i < batch.count; i++) if (engine.apply(batch.at(i))) used++;
    }
    assert.equal(used, 0);
    assert.deepEqual(engine.instruments, []);
    assert.throws(() => new FeatureEngine({ defaultTickSize: 0 }), RangeError);
  });
});
