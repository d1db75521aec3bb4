/**
 * Every streaming calculator of `features` under the one `Calculator` contract
 * (test/calculator-contract.ts), each with a small input and the input count at which it is first
 * ready, worked out from that input in the comments. The last test keeps the list complete: a class
 * exported from features with an `update` method that is not listed here fails it.
 */
import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import {
  type CalculatorCase,
  calculatorCase,
  runCalculatorContract,
} from '../../test/calculator-contract.js';
import {
  cursors,
  mboSample,
  mbp10Sample,
  randomBars,
  randomMids,
  randomTrades,
  sweepSample,
} from '../../test/calculator-inputs.js';
import { BookSide, L2Book } from '../book/index.js';
import type { RecordBatch } from '../data/dbn/index.js';
import * as features from './index.js';
import {
  Adx,
  Atr,
  Bar,
  BestLevelOfi,
  DepthProfile,
  Ema,
  FuturesSpot,
  GarmanKlassVolatility,
  KyleLambda,
  MboCancelAddRatio,
  MbpCancelAddRatio,
  MultiLevelOfi,
  OpeningRangeTracker,
  ParkinsonVolatility,
  QueueImbalance,
  QuotedSpread,
  RealizedVolatility,
  Rsi,
  SessionVwap,
  StoikovMicroprice,
  SweepDetector,
  TimeBarBuilder,
  TradeFlow,
  TrueRange,
  Vpin,
  WeightedMid,
  WilderAverage,
  WilderSum,
} from './index.js';

/** 6E's tick in raw 1e-9 units. */
const TICK = 50_000;
/** A whole second (and so a whole 100 ms cell) on a Tuesday afternoon in London. */
const T = Date.UTC(2026, 10, 24, 14, 0, 0);

const BARS = randomBars(40, 7, T);
const closes = () => BARS.map((b) => [b.c] as const);
const hlc = () => BARS.map((b) => [b.h, b.l, b.c] as const);
const COUNT = 'a count of what was seen: 0 is a true value';

// Decoded records, built once before the suites run (the cases' inputs read them).
let sample: RecordBatch;
let mboRecords: RecordBatch;
let sweeps: RecordBatch;
before(async () => {
  sample = await mbp10Sample(600, 3);
  mboRecords = await mboSample(40);
  sweeps = await sweepSample(6);
});

/** The L2 book after each record of `batch`, with the record's time in ms; a new book each pass. */
function* bookStates(batch: RecordBatch): Generator<readonly [L2Book, number]> {
  const book = new L2Book();
  for (const c of cursors(batch)) {
    book.applyMbp(c);
    yield [book, book.tsRecvMs];
  }
}

/** Index + 1 of the first record after the first that adds depth (the first is a baseline). */
function firstAddAfterBaseline(batch: RecordBatch): number {
  for (let i = 1; i < batch.count; i++) if (batch.at(i).action === 65) return i + 1;
  throw new Error('no add');
}

const trades = randomTrades(200, 11, T + 50, 100);
/** How many of `trades` it takes to trade `volume` lots. */
function tradesUntilVolume(volume: number): number {
  let v = 0;
  for (let i = 0; i < trades.length; i++) {
    v += trades[i].size;
    if (v >= volume) return i + 1;
  }
  throw new Error(`the trades hold less than ${volume} lots`);
}

const tradeArgs = () => trades.map((t) => [t.ts, t.price, t.size, t.side] as const);

const CASES: CalculatorCase[] = [
  // ---- bars and indicators ------------------------------------------------------------------
  calculatorCase({
    name: 'Ema(3)',
    make: () => new Ema(3),
    inputs: closes,
    readyAfter: 3, // the mean of the first 3 closes seeds it
    read: (c) => ({ value: c.value }),
  }),
  calculatorCase({
    name: 'WilderAverage(3)',
    make: () => new WilderAverage(3),
    inputs: closes,
    readyAfter: 3,
    read: (c) => ({ value: c.value }),
  }),
  calculatorCase({
    name: 'WilderSum(3)',
    make: () => new WilderSum(3),
    inputs: closes,
    readyAfter: 3, // 2 values summed, the third smoothed
    read: (c) => ({ value: c.value }),
  }),
  calculatorCase({
    name: 'TrueRange',
    make: () => new TrueRange(),
    inputs: hlc,
    readyAfter: 2, // the first bar has no previous close
    read: (c) => ({ value: c.value }),
  }),
  calculatorCase({
    name: 'Atr(3)',
    make: () => new Atr(3),
    inputs: hlc,
    readyAfter: 4, // 3 true ranges, from the second bar on
    read: (c) => ({ value: c.value, trueRange: c.trueRange }),
    early: { trueRange: 'the last bar true range, from the second bar' },
  }),
  calculatorCase({
    name: 'Rsi(3)',
    make: () => new Rsi(3),
    inputs: closes,
    readyAfter: 4, // 3 changes after the anchor
    read: (c) => ({ value: c.value, gain: c.averageGain, loss: c.averageLoss }),
  }),
  calculatorCase({
    name: 'Adx(3)',
    make: () => new Adx(3),
    inputs: hlc,
    readyAfter: 6, // DX from bar 4 (period + 1), ADX the mean of 3 DX
    read: (c) => ({ value: c.value, plusDi: c.plusDi, minusDi: c.minusDi, dx: c.dx }),
    early: {
      plusDi: 'DIs from period + 1 bars',
      minusDi: 'DIs from period + 1 bars',
      dx: 'DX from period + 1 bars',
    },
  }),
  calculatorCase({
    name: 'ParkinsonVolatility(5)',
    make: () => new ParkinsonVolatility(5),
    inputs: () => BARS.map((b) => [b.h, b.l] as const),
    readyAfter: 5,
    read: (c) => ({ value: c.value, variance: c.variance }),
  }),
  calculatorCase({
    name: 'GarmanKlassVolatility(5)',
    make: () => new GarmanKlassVolatility(5),
    inputs: () => BARS.map((b) => [b.o, b.h, b.l, b.c] as const),
    readyAfter: 5,
    read: (c) => ({ value: c.value, variance: c.variance }),
  }),
  calculatorCase({
    name: "SessionVwap('globex') across 17:00 Chicago",
    make: () => new SessionVwap({ anchor: 'globex' }),
    // 22:50 to 23:10 UTC: the Globex day starts at 23:00 UTC in November.
    inputs: () =>
      randomTrades(120, 5, Date.UTC(2026, 10, 24, 22, 50), 10_000).map(
        (t) => [t.ts, t.price, t.size] as const,
      ),
    readyAfter: 1,
    read: (c) => ({
      value: c.value,
      sd: c.stdDev,
      start: c.sessionStartMs,
      volume: c.volume,
      sessions: c.sessions,
    }),
    early: { volume: COUNT, sessions: COUNT },
  }),
  calculatorCase({
    name: 'TimeBarBuilder(1 min)',
    make: () => new TimeBarBuilder({ periodMs: 60_000 }),
    // Trades at :05, :15 … :55 of the first minute; the seventh, at 1:05, closes the first bar.
    inputs: () => randomTrades(40, 2, T + 5_000, 10_000).map((t) => [t.ts, t.price, t.size, t.side] as const),
    readyAfter: 7,
    read: (c) => {
      const b = c.lastBar;
      return {
        start: b.startMs,
        open: b.open,
        high: b.high,
        low: b.low,
        close: b.close,
        vwap: b.vwap,
        volume: b.volume,
      };
    },
    early: { volume: COUNT },
  }),
  calculatorCase({
    name: 'OpeningRangeTracker',
    make: () => new OpeningRangeTracker(),
    // Minute bars from Monday 2026-03-09 20:00 UTC: the FX day ends at 17:00 New York = 21:00 UTC
    // (summer time since 8 March), so the 61st bar (21:00) makes Monday the prior day.
    inputs: function* () {
      const bar = new Bar();
      for (const b of randomBars(240, 9, Date.UTC(2026, 2, 9, 20))) {
        bar.reset(b.t, 60_000);
        bar.open = b.o;
        bar.high = b.h;
        bar.low = b.l;
        bar.close = b.c;
        bar.volume = 1;
        bar.tradeCount = 1;
        yield [bar] as const;
      }
    },
    readyAfter: 61,
    read: (c) => ({
      open: c.priorDay.open,
      high: c.priorDay.high,
      low: c.priorDay.low,
      close: c.priorDay.close,
    }),
  }),
  // ---- book features (the synthetic 6E stream, two-sided throughout) -----------------------
  calculatorCase({
    name: 'QueueImbalance',
    make: () => new QueueImbalance(),
    inputs: () => bookStates(sample),
    readyAfter: 1,
    read: (c) => ({ l1: c.l1, l5: c.l5, l10: c.l10 }),
  }),
  calculatorCase({
    name: 'WeightedMid',
    make: () => new WeightedMid(),
    inputs: () => bookStates(sample),
    readyAfter: 1,
    read: (c) => ({ value: c.value, mid: c.mid }),
  }),
  calculatorCase({
    name: 'QuotedSpread',
    make: () => new QuotedSpread(TICK),
    inputs: () => bookStates(sample),
    readyAfter: 1,
    read: (c) => ({ price: c.price, ticks: c.ticks, bps: c.bps, mid: c.mid }),
  }),
  calculatorCase({
    name: 'DepthProfile',
    make: () => new DepthProfile({ tickSize: TICK }),
    inputs: () => bookStates(sample),
    readyAfter: 1,
    read: (c) => ({
      bid5: c.depth(BookSide.BID, 5),
      ask10: c.depth(BookSide.ASK, 10),
      skew: c.skew(5),
      median: c.median(BookSide.BID),
      gap: c.widestGap(BookSide.ASK),
      walls: c.wallCount,
      gaps: c.gapCount,
    }),
    early: { walls: COUNT, gaps: COUNT },
  }),
  calculatorCase({
    name: 'BestLevelOfi(1 s, 10 s, 60 s)',
    make: () => new BestLevelOfi(),
    inputs: () => bookStates(sample),
    readyAfter: 1, // the first good state is the baseline
    read: (c) => ({
      sum0: c.sum(0),
      sum2: c.sum(2),
      norm0: c.normalized(0),
      norm1: c.normalized(1),
      norm2: c.normalized(2),
      depth2: c.avgDepth(2),
    }),
  }),
  calculatorCase({
    name: 'MultiLevelOfi(10 levels, 10 s)',
    make: () => new MultiLevelOfi(),
    inputs: () => bookStates(sample),
    readyAfter: 1,
    read: (c) => ({ score: c.score, ofi0: c.ofi(0), ofi9: c.ofi(9), depth0: c.avgDepth(0) }),
  }),
  calculatorCase({
    name: 'MbpCancelAddRatio',
    make: () => new MbpCancelAddRatio(),
    inputs: () => bookStates(sample),
    get readyAfter() {
      return firstAddAfterBaseline(sample);
    },
    read: (c) => ({ ratio: c.ratio, added: c.added(BookSide.BID) + c.added(BookSide.ASK) }),
    early: { added: COUNT },
  }),
  calculatorCase({
    name: 'MboCancelAddRatio',
    make: () => new MboCancelAddRatio(),
    inputs: function* () {
      for (const c of cursors(mboRecords)) yield [c] as const;
    },
    readyAfter: 1, // the first record adds 10 lots: 0 cancelled of 10 added
    read: (c) => ({
      ratio: c.ratio,
      cancelled: c.cancelled(BookSide.BID),
      filled: c.filled(BookSide.ASK),
      modifies: c.modifies,
    }),
    early: { cancelled: COUNT, filled: COUNT, modifies: COUNT },
  }),
  calculatorCase({
    name: 'SweepDetector',
    make: () => new SweepDetector(),
    inputs: function* () {
      const book = new L2Book();
      for (const c of cursors(sweeps)) {
        book.applyMbp(c);
        yield [c, book] as const;
      }
    },
    readyAfter: 4, // three trades, then the book without the three levels (F_LAST)
    read: (c) => {
      const s = c.lastSweep;
      return {
        sweeps: c.sweepCount,
        alerts: c.alertCount,
        levels: s?.levels ?? null,
        qty: s?.qty ?? null,
        multiple: s?.depthMultiple ?? null,
        first: s?.firstPx ?? null,
        last: s?.lastPx ?? null,
        midBefore: s?.midBefore ?? null,
        midAfter: s?.midAfter ?? null,
      };
    },
    early: { sweeps: COUNT, alerts: COUNT },
  }),
  // ---- flow (trades and mids on a regular clock) ---------------------------------------------
  calculatorCase({
    name: 'TradeFlow(1 s, 2 s)',
    make: () => new TradeFlow({ windowsMs: [1000, 2000], slotMs: 100, halfLifeMs: 500 }),
    inputs: tradeArgs,
    // A trade every 100 ms (one per slot): the 2 s window has seen its 20 slots at the 20th
    // trade; the rates need one half-life (500 ms), reached at the 6th.
    readyAfter: 20,
    read: (c) => ({
      buy0: c.buyVolume(0),
      sell0: c.sellVolume(0),
      delta1: c.volumeDelta(1),
      count1: c.tradeCount(1),
      none1: c.unknownVolume(1),
      rate: c.tradeRate,
      volumeRate: c.volumeRate,
      cvd: c.cvd,
    }),
    early: { cvd: 'cumulative from the first trade' },
    readySooner: {
      buy0: { readyAfter: 10, reason: 'the 1 s window has its 10 slots at the 10th trade' },
      sell0: { readyAfter: 10, reason: 'the 1 s window has its 10 slots at the 10th trade' },
      rate: { readyAfter: 6, reason: 'one half-life (500 ms) after the first trade' },
      volumeRate: { readyAfter: 6, reason: 'one half-life (500 ms) after the first trade' },
    },
  }),
  calculatorCase({
    name: 'RealizedVolatility(100 ms grid; 0.5 s, 1 s)',
    make: () => new RealizedVolatility({ sampleMs: 100, windowsMs: [500, 1000] }),
    // A mid every 100 ms, mid-cell: the i-th update closes one cell; the first close only sets
    // the reference, so the 1 s window's 10 returns are complete at update 12.
    inputs: () => randomMids(100, 4).map((m, i) => [T + 50 + 100 * i, m] as const),
    readyAfter: 12,
    read: (c) => ({ rv0: c.rv(0), rv1: c.rv(1), vol1: c.volatility(1), last: c.lastReturn }),
    early: { last: 'the last grid return, from the second closed cell' },
    readySooner: { rv0: { readyAfter: 7, reason: 'the 0.5 s window: 5 returns at update 7' } },
  }),
  calculatorCase({
    name: 'Vpin(buckets of 10, window 3)',
    make: () => new Vpin({ bucketVolume: 10, windowBuckets: 3, cdfMemory: 10, cdfMinHistory: 1 }),
    inputs: tradeArgs,
    // Every trade carries its aggressor side: its volume fills buckets at once, and the third
    // bucket closes at the trade that brings the volume to 30.
    readyAfter: tradesUntilVolume(30),
    read: (c) => ({ value: c.value, cdf: c.cdf, buckets: c.bucketCount }),
    early: { buckets: COUNT },
  }),
  calculatorCase({
    name: 'KyleLambda(1 s intervals, 5 points)',
    make: () => new KyleLambda({ intervalMs: 1000, windowIntervals: 5 }),
    // A mid and a trade every 250 ms from 125 ms past a whole second: 4 steps an interval. The
    // first interval end only sets the reference mid; points 1–5 come at the ends of intervals
    // 2–6, i.e. at the first input of step 24 (input 49).
    inputs: function* () {
      const mids = randomMids(60, 8);
      for (let j = 0; j < 60; j++) {
        const t = trades[j];
        const ts = T + 125 + 250 * j;
        yield ['mid', ts, mids[j]] as const;
        yield ['trade', ts, t.price, t.size, t.side] as const;
      }
    },
    feed: (c: KyleLambda, input: readonly (string | number)[]) => {
      if (input[0] === 'mid') c.updateMid(input[1] as number, input[2] as number);
      else c.update(input[1] as number, input[2] as number, input[3] as number, input[4] as number);
    },
    readyAfter: 49,
    read: (c) => ({ value: c.value, r2: c.rSquared, points: c.points }),
    early: { points: COUNT },
  }),
  calculatorCase({
    name: 'FuturesSpot(100 ms grid, lags ±200 ms, 1 s window)',
    make: () => new FuturesSpot({ sampleMs: 100, maxLagMs: 200, windowMs: 1000, basisHalfLifeMs: 300 }),
    // Both mids every 100 ms, mid-cell: update i closes one cell, the first close only sets the
    // reference, so update k holds k − 2 returns. Lags ±2 need 10 pairs (the window): 12 returns.
    inputs: () => {
      const fut = randomMids(80, 12);
      const spot = randomMids(80, 13);
      return fut.map((f, i) => [T + 50 + 100 * i, f, spot[i] * 0.9999] as const);
    },
    readyAfter: 14,
    read: (c) => ({
      basis: c.basis,
      mean: c.basisMean,
      dev: c.basisDeviation,
      corr: c.correlation,
      lead: c.leadLagMs,
      leadCorr: c.leadLagCorrelation,
    }),
    early: { basis: 'future − spot, from the first pair of mids' },
    readySooner: {
      mean: {
        readyAfter: 4,
        reason: 'the basis mean needs one half-life, 3 grid samples, sampled from update 2',
      },
      dev: { readyAfter: 4, reason: 'basis minus its mean' },
      corr: { readyAfter: 12, reason: 'lag 0 has its 10 pairs at 10 returns, update 12' },
      lead: { readyAfter: 12, reason: 'the best of the lags ready so far, lag 0 first' },
      leadCorr: { readyAfter: 12, reason: 'the correlation at that lag' },
    },
  }),
  // ---- micro-price ---------------------------------------------------------------------------
  calculatorCase({
    name: 'StoikovMicroprice',
    make: () =>
      new StoikovMicroprice({ n: 2, m: 1, tickRaw: TICK, g: [-0.25, 0.25], counts: [1, 1], samples: 1 }),
    inputs: function* () {
      for (const [b] of bookStates(sample))
        yield [b.bestBidPx, b.bestAskPx, b.bestBidSz, b.bestAskSz] as const;
    },
    readyAfter: 1,
    read: (c) => ({ value: c.value }),
  }),
];

describe('features calculators', () => {
  for (const k of CASES) runCalculatorContract(k);

  test('every class exported from features with an update method is under the contract', () => {
    const covered = new Set<unknown>(CASES.map((k) => k.make().constructor));
    const missing = Object.entries(features)
      .filter(
        ([, v]) => typeof v === 'function' && typeof v.prototype?.update === 'function' && !covered.has(v),
      )
      .map(([name]) => name);
    assert.deepEqual(missing, []);
  });
});
