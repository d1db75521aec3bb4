import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { RecordCursor, RType, Side } from '../../data/dbn/index.js';
import { Bar, BarPeriod, TimeBarBuilder } from './time-bars.js';

const T0 = Date.UTC(2026, 10, 24, 10, 0, 0); // Tuesday 2026-11-24 10:00:00 UTC

/** Snapshot of the fields a test checks (the builder's Bar object is reused). */
function snap(b: Bar) {
  return {
    startMs: b.startMs,
    endMs: b.endMs,
    open: b.open,
    high: b.high,
    low: b.low,
    close: b.close,
    volume: b.volume,
    vwap: b.vwap,
    buyVolume: b.buyVolume,
    sellVolume: b.sellVolume,
    tradeCount: b.tradeCount,
    quoteCount: b.quoteCount,
  };
}

describe('TimeBarBuilder from trades', () => {
  it('builds OHLC, volume, VWAP and the buy/sell split from aggressor sides', () => {
    const closed: ReturnType<typeof snap>[] = [];
    const bb = new TimeBarBuilder({ periodMs: BarPeriod.M1, onBar: (b) => closed.push(snap(b)) });
    bb.trade(T0 + 5_000, 100, 2, Side.BID); // buyer-initiated
    bb.trade(T0 + 30_000, 101, 1, Side.ASK); // seller-initiated
    bb.trade(T0 + 59_999, 99.5, 3, Side.NONE); // unknown aggressor: in volume, in neither side
    assert.equal(closed.length, 0, 'a bar closes only when a later period starts');
    assert.equal(bb.closed, false);
    bb.trade(T0 + 70_000, 102, 1, Side.BID);
    assert.equal(bb.closed, true);
    assert.equal(closed.length, 1);
    // VWAP = (100·2 + 101·1 + 99.5·3) / 6 = 599.5 / 6 = 99.91666…
    assert.deepEqual(closed[0], {
      startMs: T0,
      endMs: T0 + 60_000,
      open: 100,
      high: 101,
      low: 99.5,
      close: 99.5,
      volume: 6,
      vwap: 599.5 / 6,
      buyVolume: 2,
      sellVolume: 1,
      tradeCount: 3,
      quoteCount: 0,
    });
    assert.equal(bb.lastBar.delta, 1); // 2 bought − 1 sold
    assert.equal(bb.lastBar.firstEventMs, T0 + 5_000);
    assert.equal(bb.lastBar.lastEventMs, T0 + 59_999);
    bb.trade(T0 + 80_000, 102.5, 1, Side.ASK);
    assert.equal(bb.closed, false, 'the flag only marks the event that closed a bar');
    assert.equal(bb.current.tradeCount, 2);
    assert.equal(bb.current.startMs, T0 + 60_000);
  });

  it('produces no bars for a gap with no events', () => {
    const starts: number[] = [];
    const bb = new TimeBarBuilder({ periodMs: BarPeriod.M1, onBar: (b) => starts.push(b.startMs) });
    bb.trade(T0 + 1_000, 1.1, 1, Side.BID);
    bb.trade(T0 + 61_000, 1.1001, 1, Side.BID); // 10:01
    bb.trade(T0 + 4 * 60_000 + 20_000, 1.1002, 1, Side.ASK); // 10:04:20 — 10:02 and 10:03 are empty
    bb.flush();
    assert.deepEqual(starts, [T0, T0 + 60_000, T0 + 4 * 60_000]);
    assert.equal(bb.barsClosed, 3);
    assert.equal(bb.lastBar.open, 1.1002);
    assert.ok(Number.isNaN(bb.current.startMs), 'flush leaves no forming bar');
    bb.flush();
    assert.equal(bb.barsClosed, 3, 'a second flush closes nothing');
  });

  it('aligns 1 s and 5 min bars on the epoch', () => {
    const s1 = new TimeBarBuilder({ periodMs: BarPeriod.S1 });
    s1.trade(T0 + 1_250, 1, 1, Side.BID);
    s1.trade(T0 + 1_999, 2, 1, Side.BID);
    s1.trade(T0 + 2_000, 3, 1, Side.BID);
    assert.equal(s1.lastBar.startMs, T0 + 1_000);
    assert.equal(s1.lastBar.close, 2);
    const m5 = new TimeBarBuilder({ periodMs: BarPeriod.M5 });
    m5.trade(T0 + 7 * 60_000, 1, 1, Side.BID); // 10:07 is in the 10:05 bar
    assert.equal(m5.current.startMs, T0 + 5 * 60_000);
    assert.equal(m5.current.endMs, T0 + 10 * 60_000);
  });

  it('folds an out-of-order event into the forming bar and counts it', () => {
    const bb = new TimeBarBuilder({ periodMs: BarPeriod.M1 });
    bb.trade(T0 + 61_000, 10, 1, Side.BID);
    bb.trade(T0 + 59_000, 9, 1, Side.ASK); // earlier minute, arrives late
    assert.equal(bb.lateEvents, 1);
    assert.equal(bb.closed, false);
    assert.equal(bb.current.low, 9);
    assert.equal(bb.current.lastEventMs, T0 + 61_000);
  });

  it('ignores an UNDEF (NaN) trade price', () => {
    const bb = new TimeBarBuilder({ periodMs: BarPeriod.M1 });
    bb.trade(T0, Number.NaN, 5, Side.BID);
    assert.equal(bb.current.tradeCount, 0);
    assert.equal(bb.current.volume, 0);
  });

  it('rejects a bad period', () => {
    assert.throws(() => new TimeBarBuilder({ periodMs: 0 }), {
      name: 'InvalidOptionError',
      option: 'periodMs',
    });
    assert.throws(() => new TimeBarBuilder({ periodMs: 1.5 }), { name: 'InvalidOptionError', value: 1.5 });
  });
});

describe('TimeBarBuilder from quotes', () => {
  it('builds bid/ask OHLC; a quotes-only bar has no volume and NaN trade fields', () => {
    const bb = new TimeBarBuilder({ periodMs: BarPeriod.M1 });
    bb.quote(T0 + 1_000, 1.1, 1.1002);
    bb.quote(T0 + 2_000, 1.1003, 1.1005);
    bb.quote(T0 + 3_000, 1.0998, Number.NaN); // empty ask side: ask fields untouched
    bb.quote(T0 + 4_000, 1.1001, 1.1003);
    bb.quote(T0 + 60_000, 1.1, 1.1001);
    const b = bb.lastBar;
    assert.deepEqual(
      [b.bid.open, b.bid.high, b.bid.low, b.bid.close, b.ask.open, b.ask.high, b.ask.low, b.ask.close],
      [1.1, 1.1003, 1.0998, 1.1001, 1.1002, 1.1005, 1.1002, 1.1003],
    );
    assert.equal(b.quoteCount, 4);
    assert.equal(b.volume, 0);
    assert.equal(b.tradeCount, 0);
    assert.equal(b.buyVolume + b.sellVolume, 0);
    assert.ok(Number.isNaN(b.vwap) && Number.isNaN(b.open) && Number.isNaN(b.close));
  });

  it('keeps trade and quote fields side by side in one bar', () => {
    const bb = new TimeBarBuilder({ periodMs: BarPeriod.S1 });
    bb.quote(T0, 99, 101);
    bb.trade(T0 + 10, 101, 4, Side.BID);
    bb.trade(T0 + 20, 99, 0, Side.ASK); // a zero-size print: a trade, no volume
    bb.flush();
    const b = bb.lastBar;
    assert.equal(b.tradeCount, 2);
    assert.equal(b.volume, 4);
    assert.equal(b.vwap, 101);
    assert.equal(b.low, 99);
    assert.equal(b.bid.close, 99);
    assert.equal(b.ask.close, 101);
  });

  it('a bar whose only trade has size 0 has NaN VWAP', () => {
    const bb = new TimeBarBuilder({ periodMs: BarPeriod.S1 });
    bb.trade(T0, 50, 0, Side.NONE);
    assert.equal(bb.current.volume, 0);
    assert.ok(Number.isNaN(bb.current.vwap));
    assert.equal(bb.current.close, 50);
  });

  it('Bar.copyFrom copies every field', () => {
    const a = new Bar();
    a.reset(T0, 1000);
    a.open = 1;
    a.ask.low = 2;
    a.notional = 3;
    const b = new Bar();
    b.copyFrom(a);
    assert.deepEqual({ ...b }, { ...a });
  });
});

describe('TimeBarBuilder from DBN records', () => {
  /** Writes a trades (MBP-0, 48 bytes) and an MBP-1 (80 bytes) record; prices in raw 1e-9 units. */
  function records(): ArrayBuffer {
    const buf = new ArrayBuffer(48 + 80);
    const v = new DataView(buf);
    const tsNs = BigInt(T0) * 1_000_000n + 250_000_000n; // 10:00:00.250
    // trades: header (length in 4-byte words, rtype), price @16, size @24, side @29, ts_recv @32.
    v.setUint8(0, 48 / 4);
    v.setUint8(1, RType.MBP_0);
    v.setBigInt64(16, 1_085_250_000_000n, true); // 1085.25
    v.setUint32(24, 7, true);
    v.setUint8(28, 84); // 'T'
    v.setUint8(29, Side.BID);
    v.setBigUint64(32, tsNs, true);
    // MBP-1: same header fields, level 0 bid_px @48, ask_px @56.
    v.setUint8(48, 80 / 4);
    v.setUint8(49, RType.MBP_1);
    v.setBigUint64(48 + 32, tsNs + 1_000_000n, true);
    v.setBigInt64(48 + 48, 1_085_000_000_000n, true); // bid 1085.00
    v.setBigInt64(48 + 56, 0x7fffffffffffffffn, true); // UNDEF ask: an empty side
    return buf;
  }

  it('reads receive time, scaled price, size and aggressor side from the cursor', () => {
    const c = new RecordCursor(records());
    const bb = new TimeBarBuilder({ periodMs: BarPeriod.S1, priceScale: 1e-9 });
    bb.tradeRecord(c.seek(0));
    bb.quoteRecord(c.seek(48));
    const b = bb.current;
    assert.equal(b.startMs, T0);
    // tsRecvMs is float milliseconds (sub-µs rounding).
    assert.ok(Math.abs(b.firstEventMs - (T0 + 250)) < 1e-3);
    assert.ok(Math.abs(b.lastEventMs - (T0 + 251)) < 1e-3);
    assert.ok(Math.abs(b.close - 1085.25) < 1e-9);
    assert.equal(b.volume, 7);
    assert.equal(b.buyVolume, 7);
    assert.ok(Math.abs(b.bid.close - 1085) < 1e-9);
    assert.ok(Number.isNaN(b.ask.open));
    assert.equal(b.quoteCount, 1);
  });
});

describe('TimeBarBuilder from bars', () => {
  it('rolls IG-style 1-min bid/ask bars into a 5-min bar', () => {
    const bb = new TimeBarBuilder({ periodMs: BarPeriod.M5 });
    // 10:00 bid 1.1000/1.1010/1.0995/1.1005, ask +2 pips; 10:01 bid 1.1005/1.1020/1.1001/1.1015.
    bb.quoteBar(T0, 1.1, 1.101, 1.0995, 1.1005, 1.1002, 1.1012, 1.0997, 1.1007);
    bb.quoteBar(T0 + 60_000, 1.1005, 1.102, 1.1001, 1.1015, 1.1007, 1.1022, 1.1003, 1.1017);
    bb.quoteBar(T0 + 5 * 60_000, 1.1015, 1.1016, 1.1014, 1.1015, 1.1017, 1.1018, 1.1016, 1.1017);
    assert.equal(bb.closed, true);
    const b = bb.lastBar;
    assert.deepEqual(
      [b.bid.open, b.bid.high, b.bid.low, b.bid.close, b.ask.open, b.ask.high, b.ask.low, b.ask.close],
      [1.1, 1.102, 1.0995, 1.1015, 1.1002, 1.1022, 1.0997, 1.1017],
    );
    assert.equal(b.quoteCount, 2);
    assert.equal(b.volume, 0);
  });

  it('rolls 1-min trade bars into 5-min bars with the same VWAP and split as direct building', () => {
    const rolled: ReturnType<typeof snap>[] = [];
    const built: ReturnType<typeof snap>[] = [];
    const m5 = new TimeBarBuilder({ periodMs: BarPeriod.M5, onBar: (b) => rolled.push(snap(b)) });
    const direct = new TimeBarBuilder({ periodMs: BarPeriod.M5, onBar: (b) => built.push(snap(b)) });
    const m1 = new TimeBarBuilder({ periodMs: BarPeriod.M1, onBar: (b) => m5.mergeBar(b) });
    const trades: [number, number, number, number][] = [
      [T0 + 1_000, 100, 2, Side.BID],
      [T0 + 61_000, 102, 1, Side.ASK],
      [T0 + 125_000, 99, 4, Side.BID],
      [T0 + 299_000, 101, 3, Side.NONE],
      [T0 + 301_000, 103, 1, Side.BID],
    ];
    for (const [ts, p, v, side] of trades) {
      m1.trade(ts, p, v, side);
      direct.trade(ts, p, v, side);
      m1.quote(ts, p - 1, p + 1);
      direct.quote(ts, p - 1, p + 1);
    }
    m1.flush();
    m5.flush();
    direct.flush();
    // First 5-min bar: O 100 H 102 L 99 C 101, volume 10, VWAP (200 + 102 + 396 + 303)/10 = 100.1,
    // buy 6, sell 1 — equal either way; the second bar holds the 10:05:01 trade.
    assert.equal(rolled.length, 2);
    assert.deepEqual(rolled, built);
    assert.deepEqual(
      [rolled[0].open, rolled[0].high, rolled[0].low, rolled[0].close, rolled[0].volume],
      [100, 102, 99, 101, 10],
    );
    assert.equal(rolled[0].vwap, 100.1);
    assert.deepEqual([rolled[0].buyVolume, rolled[0].sellVolume, rolled[0].quoteCount], [6, 1, 4]);
    assert.equal(rolled[1].close, 103);
  });

  it('a merged bar that closes the forming bar keeps the closed flag', () => {
    const m5 = new TimeBarBuilder({ periodMs: BarPeriod.M5 });
    const src = new Bar();
    src.reset(T0, BarPeriod.M1);
    src.quoteCount = 1;
    src.bid.open = src.bid.high = src.bid.low = src.bid.close = 1;
    m5.mergeBar(src);
    src.reset(T0 + 5 * 60_000, BarPeriod.M1);
    m5.mergeBar(src);
    assert.equal(m5.closed, true);
    assert.equal(m5.lastBar.bid.close, 1);
    m5.mergeBar(new Bar()); // never started: ignored
    assert.equal(m5.closed, true);
  });
});
