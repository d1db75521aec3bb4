/**
 * The FeatureEngine on a short simulated window (3 minutes of 6E at 13:00 UTC): snapshot fields
 * named as CONVENTIONS.md's `scalper features` columns, readiness after warm-up, values equal to
 * the same calculators run by hand on the same records, immutability, triggers.
 */

import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import { CONVENTION_COLUMNS } from '../../test/columns.js';
import { simulatedSpan } from '../../test/sim-fixture.js';
import { L2Book } from '../book/index.js';
import { DbnDecoder, type RecordBatch, type RecordCursor, RType } from '../data/dbn/index.js';
import type { SimDayResult } from '../sim/index.js';
import { QueueImbalance, QuotedSpread, WeightedMid } from './book/index.js';
import {
  DEFAULT_TICK_SIZE,
  FEATURE_COLUMNS,
  FeatureEngine,
  type FeatureSnapshot,
  SNAPSHOT_WORDS,
  TradeFlow,
  Vpin,
} from './index.js';

const DATE = '2026-11-24';
/** 6E's tick in raw 1e-9 units (0.00005). */
const TICK_6E = 50_000;

const span = simulatedSpan({
  date: DATE,
  seed: 11,
  from: `${DATE}T13:00:00Z`,
  minutes: 3,
  prefix: 'feature-engine-',
});

/** Calls `fn` on every record of `file`, in order. */
async function eachRecord(file: string, fn: (c: RecordCursor, i: number) => void): Promise<number> {
  let k = 0;
  for await (const batch of DbnDecoder.fromFile(file)) {
    for (let i = 0; i < batch.count; i++) fn(batch.at(i), k++);
  }
  return k;
}

/** The only instrument id of the simulated span.day. */
function onlyInstrument(engine: FeatureEngine): number {
  assert.equal(engine.instruments.length, 1);
  return engine.instruments[0];
}

describe('FeatureEngine', () => {
  test('snapshot fields carry the column names of CONVENTIONS.md, in order', async () => {
    const engine = new FeatureEngine();
    await eachRecord(span.day.files.mbp10, (c) => engine.apply(c));
    const snap = engine.snapshot(onlyInstrument(engine)) as FeatureSnapshot;
    assert.deepEqual(Object.keys(snap), [
      'ts',
      'ts_ns',
      'symbol',
      'instrument_id',
      'session',
      ...FEATURE_COLUMNS,
    ]);
    // The columns CONVENTIONS.md names come first, in its order.
    assert.deepEqual(FEATURE_COLUMNS.slice(0, CONVENTION_COLUMNS.length), [...CONVENTION_COLUMNS]);
    assert.equal(typeof snap.ts_ns, 'bigint');
    assert.match(snap.ts, /^2026-11-24T13:0\d:\d\d\.\d{9}Z$/);
    assert.equal(snap.symbol, String(snap.instrument_id), 'no symbol given: the id');
  });

  test('nothing before the first record; book features ready after the first update, windows after warm-up', async () => {
    const engine = new FeatureEngine();
    assert.equal(engine.snapshot(1), null);
    const early: FeatureSnapshot[] = [];
    let first: FeatureSnapshot | null = null;
    await eachRecord(span.day.files.mbp10, (c, i) => {
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
    await eachRecord(span.day.files.mbp10, (c, i) => {
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

  test('snapshotInto writes the values of snapshot: its time in halves, then every column', async () => {
    const engine = new FeatureEngine();
    const out = new Float64Array(3 + SNAPSHOT_WORDS).fill(-1);
    assert.equal(engine.snapshotInto(1, out, 3), false, 'an instrument not seen yet');
    assert.ok(
      out.every((v) => v === -1),
      'nothing written for it',
    );
    let compared = 0;
    await eachRecord(span.day.files.mbp10, (c, i) => {
      engine.apply(c);
      if (i % 211 !== 0) return;
      assert.equal(engine.snapshotInto(c.instrumentId, out, 3), true);
      const s = engine.snapshot(c.instrumentId) as FeatureSnapshot;
      assert.equal(BigInt(out[3]) + (BigInt(out[4]) << 32n), s.ts_ns);
      for (const [k, col] of FEATURE_COLUMNS.entries()) {
        assert.ok(Object.is(out[5 + k], s[col]), `${col} at record ${i}`);
      }
      compared++;
    });
    assert.ok(compared > 50 && out[0] === -1 && out[2] === -1, `${compared} compared, nothing before 'at'`);
  });

  test('inside an event, the book features are those of the last consistent book', async () => {
    // Records without F_LAST leave the book between states: a snapshot then reads the book as the
    // last record with F_LAST left it, whatever came since (trades, fills, modifies, cancels).
    const engine = new FeatureEngine();
    const book = new L2Book();
    const spread = new QuotedSpread(TICK_6E);
    const qi = new QueueImbalance();
    const wmid = new WeightedMid();
    const inside = new Map<string, number>();
    await eachRecord(span.day.files.mbp10, (c) => {
      engine.apply(c);
      book.applyMbp(c);
      if (book.consistent) {
        spread.update(book);
        qi.update(book);
        wmid.update(book);
        return;
      }
      const kind = String.fromCharCode(book.action);
      const seen = inside.get(kind) ?? 0;
      inside.set(kind, seen + 1);
      if (seen >= 300) return;
      const s = engine.snapshot(c.instrumentId) as FeatureSnapshot;
      const at = `${kind} record inside event ${seen}`;
      assert.equal(s.spread_ticks, spread.ticks, at);
      assert.equal(s.qi_l1, qi.l1, at);
      assert.equal(s.qi_l10, qi.l10, at);
      assert.equal(s.microprice, wmid.value / 1e9, at);
    });
    // Trades and modifies open events in the simulated book.
    assert.ok((inside.get('T') ?? 0) > 100 && (inside.get('M') ?? 0) > 100, JSON.stringify([...inside]));
  });

  test('cvd, volume_delta and vpin equal a TradeFlow and a Vpin run by hand on the trades', async () => {
    const engine = new FeatureEngine({ vpinBucketVolume: 25, vpinWindowBuckets: 4 });
    const flow = new TradeFlow({ windowsMs: [1_000, 10_000, 60_000] });
    const vpin = new Vpin({ bucketVolume: 25, windowBuckets: 4 });
    let vpinReady = 0;
    let compared = 0;
    const trades = await eachRecord(span.day.files.trades, (c, i) => {
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
      if (flow.isWindowReady(2)) {
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
    await eachRecord(span.day.files.mbp10, (c, i) => {
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
    for await (const batch of DbnDecoder.fromFile(span.day.files.definition)) {
      for (let i = 0; i < batch.count; i++) {
        assert.equal(batch.at(i).rtype, RType.INSTRUMENT_DEF);
        engine.applyDefinition(batch.toObject(i));
      }
    }
    await eachRecord(span.day.files.mbp10, (c) => {
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
    await eachRecord(span.day.files.trades, (c) => engine.apply(c));
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
    const spotFile = span.day.files.spotMbp1 as string;
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
    await eachRecord(span.day.files.mbp10, (c) => {
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
    assert.throws(() => engine.pairSpot(1, 1), {
      name: 'InvalidOptionError',
      code: 'INVALID_OPTION',
      option: 'spotId',
    });
  });

  test('records the engine does not use are ignored', async () => {
    const engine = new FeatureEngine();
    let used = 0;
    for await (const batch of DbnDecoder.fromFile(span.day.files.definition)) {
      for (let i = 0; i < batch.count; i++) if (engine.apply(batch.at(i))) used++;
    }
    assert.equal(used, 0);
    assert.deepEqual(engine.instruments, []);
    assert.throws(() => new FeatureEngine({ defaultTickSize: 0 }), {
      name: 'InvalidOptionError',
      message: 'defaultTickSize must be a positive number, got 0',
    });
  });
});

describe('FeatureEngine: depth, bar indicators, VWAP and session columns', () => {
  const span2 = simulatedSpan({
    date: DATE,
    seed: 5,
    from: `${DATE}T13:00:00Z`,
    minutes: 15,
    prefix: 'feature-engine-cols-',
  });
  let day2: SimDayResult;
  before(() => {
    day2 = span2.day;
  });

  test('depth, walls and gaps follow their definitions on the engine book', async () => {
    const engine = new FeatureEngine();
    const book = new L2Book();
    let compared = 0;
    let walls = 0;
    let gaps = 0;
    await eachRecord(day2.files.mbp10, (c, i) => {
      engine.apply(c);
      book.applyMbp(c);
      if (i % 211 !== 0 || !book.consistent) return;
      const s = engine.snapshot(c.instrumentId) as FeatureSnapshot;
      const side = (px: (m: number) => number, sz: (m: number) => number, n: number, bid: boolean) => {
        const sizes: number[] = [];
        const prices: number[] = [];
        for (let m = 0; m < Math.min(n, 10); m++) {
          sizes.push(sz(m));
          prices.push(px(m));
        }
        const sorted = [...sizes].sort((a, b) => a - b);
        const h = sorted.length >> 1;
        const median = sorted.length % 2 === 1 ? sorted[h] : (sorted[h - 1] + sorted[h]) / 2;
        const mid = (book.bestBidPx + book.bestAskPx) / 2;
        // Nearest wall: the best level holding >= 4x the median within 5 ticks of the mid.
        let wall = Number.NaN;
        for (let m = 0; m < prices.length && Math.abs(prices[m] - mid) <= 5 * TICK_6E; m++) {
          if (sizes[m] >= 4 * median) {
            wall = prices[m];
            break;
          }
        }
        // Nearest gap: the first price next to a level whose neighbour is more than a tick away.
        let gap = Number.NaN;
        for (let m = 0; m + 1 < prices.length; m++) {
          if (Math.abs(prices[m + 1] - prices[m]) > 1.5 * TICK_6E) {
            gap = prices[m] + (bid ? -TICK_6E : TICK_6E);
            break;
          }
        }
        return {
          d5: sizes.slice(0, 5).reduce((a, b) => a + b, 0),
          d10: sizes.reduce((a, b) => a + b, 0),
          wall,
          gap,
        };
      };
      const b = side(
        (m) => book.bidPx(m),
        (m) => book.bidSz(m),
        book.bidLevels,
        true,
      );
      const a = side(
        (m) => book.askPx(m),
        (m) => book.askSz(m),
        book.askLevels,
        false,
      );
      assert.equal(s.depth_bid_5, b.d5, `record ${i}`);
      assert.equal(s.depth_ask_10, a.d10, `record ${i}`);
      assert.equal(s.book_skew_5, (b.d5 - a.d5) / (b.d5 + a.d5));
      assert.ok(
        Object.is(s.bid_wall_px, b.wall / 1e9),
        `record ${i}: bid wall ${s.bid_wall_px} vs ${b.wall}`,
      );
      assert.ok(
        Object.is(s.ask_wall_px, a.wall / 1e9),
        `record ${i}: ask wall ${s.ask_wall_px} vs ${a.wall}`,
      );
      assert.ok(Object.is(s.bid_gap_px, b.gap / 1e9), `record ${i}: bid gap ${s.bid_gap_px} vs ${b.gap}`);
      assert.ok(Object.is(s.ask_gap_px, a.gap / 1e9), `record ${i}: ask gap ${s.ask_gap_px} vs ${a.gap}`);
      if (!Number.isNaN(b.wall) || !Number.isNaN(a.wall)) walls++;
      if (!Number.isNaN(b.gap) || !Number.isNaN(a.gap)) gaps++;
      compared++;
    });
    assert.ok(compared > 100, `${compared} snapshots compared`);
    assert.ok(walls > 0 && gaps > 0, `snapshots with a wall ${walls}, with a gap ${gaps}`);
  });

  test('VWAP, EMA, RSI, ATR and ADX of the minute bars, worked from the trades', async () => {
    const engine = new FeatureEngine();
    let sv = 0;
    let spv = 0;
    let spp = 0;
    const bars = new Map<number, { o: number; h: number; l: number; c: number }>();
    await eachRecord(day2.files.trades, (c) => {
      engine.apply(c);
      const p = c.price * 1e-9;
      sv += c.size;
      spv += c.size * p;
      spp += c.size * p * p;
      const m = Math.floor(c.tsRecvMs / 60_000);
      const bar = bars.get(m);
      if (bar === undefined) bars.set(m, { o: p, h: p, l: p, c: p });
      else {
        bar.h = Math.max(bar.h, p);
        bar.l = Math.min(bar.l, p);
        bar.c = p;
      }
    });
    const s = engine.snapshot(onlyInstrument(engine)) as FeatureSnapshot;
    // VWAP over the whole window (one Globex session: 17:00 CT the evening before to 16:00 CT).
    const vwap = spv / sv;
    assert.ok(Math.abs(s.vwap - vwap) < 1e-12, `vwap ${s.vwap} vs ${vwap}`);
    const sd = Math.sqrt(spp / sv - vwap * vwap);
    assert.ok(Math.abs(s.vwap_sd - sd) < 1e-7, `vwap_sd ${s.vwap_sd} vs ${sd}`);
    // Closed bars: every minute but the last (it closes only when a later trade arrives).
    const closed = [...bars.values()].slice(0, -1);
    assert.equal(closed.length, 14);
    const closes = closed.map((b) => b.c);
    // EMA(3): SMA of the first 3 closes, then E = E + (x - E)/2.
    let ema3 = (closes[0] + closes[1] + closes[2]) / 3;
    for (let i = 3; i < closes.length; i++) ema3 += (closes[i] - ema3) * 0.5;
    assert.ok(Math.abs(s.ema_3 - ema3) < 1e-12, `ema_3 ${s.ema_3} vs ${ema3}`);
    let ema12 = closes.slice(0, 12).reduce((a, b) => a + b, 0) / 12;
    for (let i = 12; i < closes.length; i++) ema12 += (closes[i] - ema12) * (2 / 13);
    assert.ok(Math.abs(s.ema_12 - ema12) < 1e-12, `ema_12 ${s.ema_12} vs ${ema12}`);
    // RSI(7), Wilder: simple means of the first 7 changes, then Wilder smoothing.
    let gain = 0;
    let loss = 0;
    for (let i = 1; i <= 7; i++) {
      const d = closes[i] - closes[i - 1];
      gain += Math.max(d, 0) / 7;
      loss += Math.max(-d, 0) / 7;
    }
    for (let i = 8; i < closes.length; i++) {
      const d = closes[i] - closes[i - 1];
      gain = (gain * 6 + Math.max(d, 0)) / 7;
      loss = (loss * 6 + Math.max(-d, 0)) / 7;
    }
    const rsi = loss === 0 ? 100 : 100 - 100 / (1 + gain / loss);
    assert.ok(Math.abs(s.rsi_7 - rsi) < 1e-9, `rsi_7 ${s.rsi_7} vs ${rsi}`);
    // ATR(7), Wilder/TA-Lib: the first bar has no true range; seed = mean of TR 1..7.
    const tr = (i: number) =>
      Math.max(
        closed[i].h - closed[i].l,
        Math.abs(closed[i].h - closed[i - 1].c),
        Math.abs(closed[i].l - closed[i - 1].c),
      );
    let atr = 0;
    for (let i = 1; i <= 7; i++) atr += tr(i) / 7;
    for (let i = 8; i < closed.length; i++) atr = (atr * 6 + tr(i)) / 7;
    assert.ok(Math.abs(s.atr_7 - atr) < 1e-12, `atr_7 ${s.atr_7} vs ${atr}`);
    // ADX(7), Wilder/TA-Lib: from bar 1, +DM = up move when it beats the down move (else 0), −DM the
    // reverse, and TR; bars 1–6 are summed, then S = S − S/7 + x from bar 7, where the DIs start:
    // DI = 100·S(DM)/S(TR), DX = 100·|+DI − −DI|/(+DI + −DI). ADX is the mean of the 7 DX of bars
    // 7–13, the 14 closed bars being exactly 2·7.
    let sPlus = 0;
    let sMinus = 0;
    let sTr = 0;
    let plusDi = Number.NaN;
    let minusDi = Number.NaN;
    const dxs: number[] = [];
    for (let i = 1; i < closed.length; i++) {
      const up = closed[i].h - closed[i - 1].h;
      const down = closed[i - 1].l - closed[i].l;
      const plusDm = up > down && up > 0 ? up : 0;
      const minusDm = down > up && down > 0 ? down : 0;
      if (i < 7) {
        sPlus += plusDm;
        sMinus += minusDm;
        sTr += tr(i);
        continue;
      }
      sPlus += plusDm - sPlus / 7;
      sMinus += minusDm - sMinus / 7;
      sTr += tr(i) - sTr / 7;
      plusDi = (100 * sPlus) / sTr;
      minusDi = (100 * sMinus) / sTr;
      dxs.push((100 * Math.abs(plusDi - minusDi)) / (plusDi + minusDi));
    }
    assert.equal(dxs.length, 7);
    const adx = dxs.reduce((a, b) => a + b, 0) / 7;
    assert.ok(Math.abs(s.adx_7 - adx) < 1e-9, `adx_7 ${s.adx_7} vs ${adx}`);
    assert.ok(Math.abs(s.plus_di_7 - plusDi) < 1e-9, `plus_di_7 ${s.plus_di_7} vs ${plusDi}`);
    assert.ok(Math.abs(s.minus_di_7 - minusDi) < 1e-9, `minus_di_7 ${s.minus_di_7} vs ${minusDi}`);
    assert.ok(Number.isNaN(s.vol_parkinson_30m), 'Parkinson needs 30 bars');
    // 13:00–13:15 UTC on a Tuesday in November: London (08:00 GMT) and New York (08:00 EST) are open.
    assert.equal(s.session, 'overlap');
    assert.equal(s.open_centres, 4 | 8);
  });
});
