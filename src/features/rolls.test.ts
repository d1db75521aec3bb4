/**
 * The feature engine across a quarterly roll of 6E (6EZ6 → 6EH7 on Tuesday 8 December 2026): the
 * prior-day levels of the new front are its own previous trading date's, and the daily VPIN is
 * sized from the continuing front series' volume. Once from trade records written here (both
 * contracts trading, as in Databento data), once from the simulator, which generates only the
 * front contract of each date.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { simulatedSpan } from '../../test/sim-fixture.js';
import { frontMonth, rollDate } from '../core/index.js';
import { DbnDecoder, RecordCursor, RType, Side } from '../data/dbn/index.js';
import { replay } from '../data/index.js';
import { DAILY_VPIN_BUCKET_VOLUME, FeatureEngine } from './index.js';

const Z6 = 1;
const H7 = 2;
/** 14:00 UTC (08:00 Chicago) of a date: inside its CME trading date. */
const at = (date: string, minute: number) => Date.parse(`${date}T14:00:00Z`) + minute * 60_000;

interface Trade {
  readonly id: number;
  readonly ms: number;
  /** Decimal price. */
  readonly px: number;
  readonly size: number;
}

/** Trades (MBP-0 records, 48 bytes) in one buffer: header, price @16, size @24, side @29, ts_recv @32. */
function tradeRecords(trades: readonly Trade[]): ArrayBuffer {
  const buf = new ArrayBuffer(48 * trades.length);
  const v = new DataView(buf);
  trades.forEach((t, k) => {
    const o = 48 * k;
    const ns = BigInt(t.ms) * 1_000_000n;
    v.setUint8(o, 48 / 4);
    v.setUint8(o + 1, RType.MBP_0);
    v.setUint32(o + 4, t.id, true);
    v.setBigUint64(o + 8, ns, true);
    v.setBigInt64(o + 16, BigInt(Math.round(t.px * 1e5)) * 10_000n, true);
    v.setUint32(o + 24, t.size, true);
    v.setUint8(o + 28, 84); // 'T'
    v.setUint8(o + 29, Side.BID);
    v.setBigUint64(o + 32, ns, true);
  });
  return buf;
}

/** A day's trades of one contract at one minute apart from 14:00 UTC, [price, size] each. */
const day = (id: number, date: string, trades: [number, number][]): Trade[] =>
  trades.map(([px, size], k) => ({ id, ms: at(date, k), px, size }));

/**
 * Both contracts trade every date; H7, the back month until the roll, some 40–50 ticks over Z6 and
 * a fraction of its volume. Volumes by date: Z6 600, 1,000, 1,400; H7 10, 60, 120, then 3,000 on
 * the roll day.
 */
const TRADES: Trade[] = [
  ...day(Z6, '2026-12-03', [
    [1.16, 100],
    [1.161, 200],
    [1.159, 300],
  ]),
  ...day(H7, '2026-12-03', [[1.164, 10]]),
  ...day(Z6, '2026-12-04', [
    [1.162, 400],
    [1.165, 500],
    [1.163, 100],
  ]),
  ...day(H7, '2026-12-04', [
    [1.166, 20],
    [1.169, 30],
    [1.167, 10],
  ]),
  ...day(Z6, '2026-12-07', [
    [1.17, 800],
    [1.168, 600],
  ]),
  ...day(H7, '2026-12-07', [
    [1.1745, 50],
    [1.172, 40],
    [1.173, 30],
  ]),
  ...day(H7, '2026-12-08', [
    [1.175, 5],
    [1.176, 2995],
  ]),
  ...day(Z6, '2026-12-08', [[1.169, 7]]),
  ...day(H7, '2026-12-09', [[1.1765, 10]]),
].sort((a, b) => a.ms - b.ms || a.id - b.id);

const near = (actual: number | undefined, expected: number, what: string) =>
  assert.ok(actual !== undefined && Math.abs(actual - expected) < 1e-9, `${what}: ${actual} != ${expected}`);

/** Replays TRADES into `engine`, calling `check` after each trade. */
function run(engine: FeatureEngine, check: (t: Trade) => void): void {
  engine.setSymbol(Z6, '6EZ6');
  engine.setSymbol(H7, '6EH7');
  const c = new RecordCursor(tradeRecords(TRADES));
  TRADES.forEach((t, k) => {
    engine.apply(c.seek(48 * k));
    check(t);
  });
}

describe('FeatureEngine across a roll, both contracts trading', () => {
  it('rolls 6E to 6EH7 on Tuesday 8 December 2026', () => {
    // 6EZ6's last trade: Monday 14 December (two trading dates before Wednesday 16 December, the
    // third Wednesday); four trading dates before it: 11, 10, 9, 8 December.
    assert.equal(rollDate(2026, 12), '2026-12-08');
    assert.equal(frontMonth('6E', '2026-12-07').symbol, '6EZ6');
    assert.equal(frontMonth('6E', '2026-12-08').symbol, '6EH7');
  });

  it("gives the new front its own previous day's levels on the roll day, and each contract its own before", () => {
    const engine = new FeatureEngine();
    const seen: Record<string, ReturnType<FeatureEngine['priorDay']>> = {};
    run(engine, (t) => {
      const key = `${t.id === Z6 ? 'Z6' : 'H7'} ${new Date(t.ms).toISOString().slice(0, 10)}`;
      if (!(key in seen)) seen[key] = engine.priorDay(t.id);
    });
    // 3 December: no earlier date in the input.
    assert.equal(seen['Z6 2026-12-03'], undefined);
    assert.equal(seen['H7 2026-12-03'], undefined);
    // Monday 7 December: Z6 (the front) its Friday bar: high 1.165, low 1.162, close 1.163.
    const z = seen['Z6 2026-12-07'];
    assert.equal(z?.date, '2026-12-04');
    near(z?.high, 1.165, 'Z6 high');
    near(z?.low, 1.162, 'Z6 low');
    near(z?.close, 1.163, 'Z6 close');
    assert.equal(z?.volume, 1_000);
    // The roll day: H7's own Monday bar (high 1.1745, low 1.172, close 1.173, 120 lots), not Z6's
    // (high 1.17, low 1.168, close 1.168), which lies some 45 ticks lower.
    const h = seen['H7 2026-12-08'];
    assert.equal(h?.date, '2026-12-07');
    near(h?.high, 1.1745, 'H7 high');
    near(h?.low, 1.172, 'H7 low');
    near(h?.close, 1.173, 'H7 close');
    assert.equal(h?.volume, 120);
    // Z6, no longer the front, keeps its own previous day.
    near(seen['Z6 2026-12-08']?.close, 1.168, 'Z6 close on the roll day');
    // The day after: H7's roll-day bar, 1.175 … 1.176, 3,000 lots.
    const next = seen['H7 2026-12-09'];
    assert.equal(next?.date, '2026-12-08');
    near(next?.high, 1.176, 'H7 high, 8 December');
    near(next?.low, 1.175, 'H7 low, 8 December');
    assert.equal(next?.volume, 3_000);
    // The history holds each contract's days that are over: Z6 traded 3, 4, 7 and 8 December.
    assert.deepEqual(
      [...(engine.dailyHistory.get('6EZ6')?.keys() ?? [])],
      ['2026-12-03', '2026-12-04', '2026-12-07', '2026-12-08'],
    );
    assert.equal(engine.dailyHistory.get('6EZ6')?.get('2026-12-03')?.volume, 600);
  });

  it('sizes the daily VPIN from the front series: each past day the volume of that day’s front', () => {
    const engine = new FeatureEngine({ dailyVpinAdvDays: 3 });
    const size: Record<string, number | undefined> = {};
    run(engine, (t) => {
      const key = `${t.id === Z6 ? 'Z6' : 'H7'} ${new Date(t.ms).toISOString().slice(0, 10)}`;
      if (!(key in size)) size[key] = engine.dailyVpinBucketVolume(t.id);
    });
    // 3 December: no history, the configured ADV/50 = 200,000 / 50.
    assert.equal(size['Z6 2026-12-03'], DAILY_VPIN_BUCKET_VOLUME);
    // 7 December over 2, 3, 4 December (2 December not in the input): Z6's (600 + 1,000) / 2 = 800,
    // buckets of 16, for either contract of 6E.
    assert.equal(size['Z6 2026-12-07'], 16);
    assert.equal(size['H7 2026-12-07'], 16);
    // The roll day over 3, 4, 7 December, all Z6's: (600 + 1,000 + 1,400) / 3 = 1,000, buckets of
    // 20; H7's own volume would give (10 + 60 + 120) / 3 / 50 ≈ 1.27.
    assert.equal(size['H7 2026-12-08'], 20);
    // 9 December over 4 and 7 December (Z6) and 8 December (H7, the front from then):
    // (1,000 + 1,400 + 3,000) / 3 = 1,800, buckets of 36.
    assert.equal(size['H7 2026-12-09'], 36);
  });

  it('keeps the configured daily VPIN size without dailyVpinAdvDays', () => {
    const engine = new FeatureEngine({ dailyVpinBucketVolume: 1_234 });
    run(engine, () => {});
    assert.equal(engine.dailyVpinBucketVolume(Z6), 1_234);
    assert.equal(engine.dailyVpinBucketVolume(H7), 1_234);
    assert.throws(() => new FeatureEngine({ dailyVpinAdvDays: 0 }), /dailyVpinAdvDays/);
  });
});

/** High, low, close and contracts of every trade of `file`, decoded here. */
async function tradeDay(
  file: string,
): Promise<{ id: number; high: number; low: number; close: number; volume: number }> {
  let id = -1;
  let high = Number.NEGATIVE_INFINITY;
  let low = Number.POSITIVE_INFINITY;
  let close = Number.NaN;
  let volume = 0;
  for await (const batch of DbnDecoder.fromFile(file)) {
    for (let i = 0; i < batch.count; i++) {
      const c = batch.at(i);
      if (c.rtype !== RType.MBP_0) continue;
      id = c.instrumentId;
      const px = c.price / 1e9;
      high = Math.max(high, px);
      low = Math.min(low, px);
      close = px;
      volume += c.size;
    }
  }
  return { id, high, low, close, volume };
}

describe('FeatureEngine across a roll, simulated days', () => {
  // 20 minutes of each of Friday 4 and Monday 7 December (6EZ6) and Tuesday 8 December (6EH7).
  const spans = ['2026-12-04', '2026-12-07', '2026-12-08'].map((date) =>
    simulatedSpan({ date, seed: 5, from: `${date}T14:00:00Z`, minutes: 20, spot: false, prefix: 'rolls-' }),
  );

  it('has no prior day for the new front and sizes its daily VPIN from the expiring front', async () => {
    const [fri, mon, tue] = spans.map((s) => s.day);
    const [friT, monT, tueT] = await Promise.all([fri, mon, tue].map((d) => tradeDay(d.files.trades)));
    // The simulator generates the front of each date: one contract to the roll, the next one on it.
    assert.equal(friT.id, monT.id);
    assert.notEqual(tueT.id, monT.id);
    assert.equal(monT.volume, mon.volume);
    const engine = new FeatureEngine({ dailyVpinAdvDays: 2 });
    const first = new Map<
      string,
      { prior: ReturnType<FeatureEngine['priorDay']>; bucket: number | undefined }
    >();
    await replay(
      [fri, mon, tue].map((d) => d.files.trades),
      engine,
      {
        everyNs: 60_000_000_000n,
        onGrid: () => {},
        onRecord: (c) => {
          if (c.rtype !== RType.MBP_0) return;
          const key = `${c.instrumentId} ${new Date(c.tsRecvMs).toISOString().slice(0, 10)}`;
          if (!first.has(key))
            first.set(key, {
              prior: engine.priorDay(c.instrumentId),
              bucket: engine.dailyVpinBucketVolume(c.instrumentId),
            });
        },
      },
    );
    assert.equal(engine.symbolOf(monT.id), '6EZ6');
    assert.equal(engine.symbolOf(tueT.id), '6EH7');
    // Monday: 6EZ6's Friday levels and volume (decoded from Friday's trades file above).
    const monday = first.get(`${monT.id} 2026-12-07`)?.prior;
    assert.equal(monday?.date, '2026-12-04');
    near(monday?.high, friT.high, 'Friday high');
    near(monday?.low, friT.low, 'Friday low');
    near(monday?.close, friT.close, 'Friday close');
    assert.equal(monday?.volume, fri.volume);
    assert.ok(fri.volume > 0 && friT.high > friT.low);
    // The roll day: 6EH7 did not trade on Monday, so it has no prior day (not 6EZ6's Monday).
    const roll = first.get(`${tueT.id} 2026-12-08`);
    assert.equal(roll?.prior, undefined);
    // Its daily VPIN: the front series over Friday and Monday, both 6EZ6's days, / 50.
    assert.equal(roll?.bucket, (fri.volume + mon.volume) / 2 / 50);
  });
});
