import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  binWidth,
  equityAndDrawdown,
  extremeTrades,
  type FillRow,
  fillsPerLevel,
  histogram,
  logHistogram,
  niceStep,
  onSlots,
  parseCsv,
  slotsFor,
  snapshotRows,
  spanSeconds,
  spanSteps,
  tierTimes,
} from './data.js';

const S = 1_000_000_000n;

describe('equity, drawdown and time slots', () => {
  test('the drawdown is the distance below the running peak', () => {
    // Equity 0, 10, 4, 12, 3, 8: running peak 0, 10, 10, 12, 12, 12, so drawdown 0, 0, −6, 0, −9, −4.
    const t0 = 1_795_474_800n;
    const at = [0n, S, (3n * S) / 2n, 2n * S, 3n * S, 4n * S];
    const curve = [0, 10, 4, 12, 3, 8].map((equity, i) => ({ tsNs: t0 * S + at[i], equity }));
    const { equity, drawdown } = equityAndDrawdown(curve);
    const t = Number(t0);
    assert.deepEqual(
      equity.map((p) => p[1]),
      [0, 10, 4, 12, 3, 8],
    );
    assert.deepEqual(drawdown, [
      [t, 0],
      [t + 1, 0],
      [t + 1, -6],
      [t + 2, 0],
      [t + 3, -9],
      [t + 4, -4],
    ]);
    // On 2-second slots from t: the drawdown keeps the deepest of each slot, the equity the last.
    const slots = { from: t, step: 2, count: 3 };
    assert.deepEqual(onSlots(drawdown, slots, 'min'), [
      [t, -6],
      [t + 2, -9],
      [t + 4, -4],
    ]);
    assert.deepEqual(onSlots(equity, slots), [
      [t, 4],
      [t + 2, 3],
      [t + 4, 8],
    ]);
  });

  test('slots: the smallest round step that covers the span in at most the number asked', () => {
    // [100, 2200] in at most 400: 1 s needs 2,101 slots, 2 s 1,051, 5 s 421, 10 s 211.
    assert.deepEqual(slotsFor(100, 2200, 400), { from: 100, step: 10, count: 211 });
    // A CME day (23 h) in at most 1,500: 60 s, 1,381 slots from the minute of the start.
    assert.deepEqual(slotsFor(1_795_474_800.5, 1_795_474_800 + 82_800, 1500), {
      from: 1_795_474_800,
      step: 60,
      count: 1381,
    });
    // Past a day's step, whole days: 30 days in at most 10 slots need 31 of a day, so 4 days a slot.
    assert.deepEqual(slotsFor(0, 86_400 * 30, 10), { from: 0, step: 4 * 86_400, count: 8 });
  });

  test('points onto slots: the last of each slot, missing values and points outside left out', () => {
    const slots = { from: 100, step: 10, count: 3 };
    const points: [number, number][] = [
      [95, 9],
      [100, 1],
      [104, 2],
      [109, 3],
      [111, 4],
      [115, Number.NaN],
      [125, 5],
      [130, 6],
    ];
    assert.deepEqual(onSlots(points, slots), [
      [100, 3],
      [110, 4],
      [120, 5],
    ]);
    assert.deepEqual(onSlots(points, slots, 'min'), [
      [100, 1],
      [110, 4],
      [120, 5],
    ]);
  });
});

describe('histograms', () => {
  test('round steps: 1, 2, 2.5 or 5 times a power of ten, at least the value', () => {
    assert.deepEqual([0.3, 7, 2.2, 1, 0.0012, 26, 40].map(niceStep), [0.5, 10, 2.5, 1, 0.002, 50, 50]);
  });

  test('P&L bins: Freedman–Diaconis on nearest-rank quartiles, raised to a round step', () => {
    // n = 8: Q1 is the 2nd value (−30), Q3 the 6th (10); IQR 40; 2 × 40 / ∛8 = 40 → 50.
    const pnls = [-50, -30, -20, -10, 5, 10, 20, 60];
    assert.equal(binWidth(pnls), 50);
    // Edges at multiples of 50: −50 is in [−50, 0) (a value on an edge belongs to the bin above it).
    assert.deepEqual(histogram(pnls, 50), [
      { from: -50, to: 0, count: 4 },
      { from: 0, to: 50, count: 3 },
      { from: 50, to: 100, count: 1 },
    ]);
    // Quartiles equal (5 and 5): a tenth of the range 4 is 0.4 → 0.5; no spread at all: 1.
    assert.equal(binWidth([5, 5, 5, 5, 9]), 0.5);
    assert.equal(binWidth([3, 3]), 1);
    assert.equal(binWidth([]), 1);
  });

  test('values on an edge of a decimal width land in the bin above it despite the rounding of the division', () => {
    // 0.3 / 0.1 = 2.9999999999999996 in floating point; 0.3 belongs to [0.3, 0.4).
    assert.deepEqual(histogram([0.3, 0.1, 0.2], 0.1), [
      { from: 0.1, to: 0.2, count: 1 },
      { from: 0.2, to: 0.3, count: 1 },
      { from: 0.3, to: 0.4, count: 1 },
    ]);
    assert.deepEqual(histogram([Number.NaN], 1), []);
  });

  test('latency bins on edges 1, 2, 5 × 10^k, empty bins between included', () => {
    assert.deepEqual(logHistogram([0.015, 0.3, 0.31, 0.9, 4]), [
      { from: 0.01, to: 0.02, count: 1 },
      { from: 0.02, to: 0.05, count: 0 },
      { from: 0.05, to: 0.1, count: 0 },
      { from: 0.1, to: 0.2, count: 0 },
      { from: 0.2, to: 0.5, count: 2 },
      { from: 0.5, to: 1, count: 1 },
      { from: 1, to: 2, count: 0 },
      { from: 2, to: 5, count: 1 },
    ]);
    // Exact powers of ten and edges start their bins; zero counts in the first bin.
    assert.deepEqual(logHistogram([1000]), [{ from: 1000, to: 2000, count: 1 }]);
    assert.deepEqual(logHistogram([0.2, 0.5]), [
      { from: 0.2, to: 0.5, count: 1 },
      { from: 0.5, to: 1, count: 1 },
    ]);
    assert.deepEqual(logHistogram([0, 0.3]), [{ from: 0.2, to: 0.5, count: 2 }]);
    assert.deepEqual(logHistogram([0]), []);
  });
});

describe('largest winners and losers', () => {
  test('winners gained, best first; losers lost, worst first; ties in order of entry; zero is neither', () => {
    const trades = [12, -5, 40, -30, 40, 0, -30, 7].map((pnl, i) => ({ pnl, entryNs: BigInt(i), i }));
    const two = extremeTrades(trades, 2);
    assert.deepEqual(
      two.winners.map((t) => t.i),
      [2, 4],
    );
    assert.deepEqual(
      two.losers.map((t) => t.i),
      [3, 6],
    );
    const four = extremeTrades(trades, 4);
    assert.deepEqual(
      four.winners.map((t) => t.pnl),
      [40, 40, 12, 7],
    );
    assert.deepEqual(
      four.losers.map((t) => t.pnl),
      [-30, -30, -5],
    );
  });
});

describe('fills per level', () => {
  test('within one taking order at one time the k-th price from the best is level k; resting fills apart', () => {
    const fill = (orderId: string, t: number, side: 'buy' | 'sell', price: number, qty: number): FillRow => ({
      tsNs: BigInt(t),
      orderId,
      symbol: '6EZ6',
      side,
      price,
      qty,
      liquidity: 'taker',
    });
    const fills: FillRow[] = [
      // A buys through three prices: 1.1000 level 1, 1.1001 level 2, 1.1002 level 3.
      fill('A', 1, 'buy', 1.1, 2),
      fill('A', 1, 'buy', 1.1001, 1),
      fill('A', 1, 'buy', 1.1002, 3),
      // B sells: from the highest price, 1.1005 level 1, 1.1004 level 2.
      fill('B', 2, 'sell', 1.1004, 2),
      fill('B', 2, 'sell', 1.1005, 1),
      // A again later: a sweep of its own, level 1.
      fill('A', 3, 'buy', 1.099, 1),
      // C through five prices: the 4th and 5th share the last row.
      ...[1.2, 1.3, 1.4, 1.5, 1.6].map((p) => fill('C', 4, 'buy', p, 1)),
      { ...fill('D', 5, 'buy', 1.1, 4), liquidity: 'maker' },
      { ...fill('E', 6, 'sell', 1.2, 1), liquidity: 'maker' },
    ];
    // Level 1: A 2 lots, B 1, A 1, C 1 (4 fills, 5 lots); level 2: A 1, B 2, C 1 (3, 4);
    // level 3: A 3, C 1 (2, 4); 4+: C 1 and 1 (2, 2); resting: D 4 and E 1 (2, 5).
    assert.deepEqual(fillsPerLevel(fills), [
      { level: '1', fills: 4, lots: 5 },
      { level: '2', fills: 3, lots: 4 },
      { level: '3', fills: 2, lots: 4 },
      { level: '4+', fills: 2, lots: 2 },
      { level: 'resting', fills: 2, lots: 5 },
    ]);
  });
});

describe('toxic episodes on a panel', () => {
  test('a step series that is 1 on every slot a span overlaps, its points where it changes', () => {
    // Span [105, 160) on 10-second slots 80 … 180: the slot of 100 holds its start, that of 150 its
    // last second, and the slot of 160 begins at its end: 0 from 80, 1 from 100, 0 from 160 to 180.
    const slots = { from: 80, step: 10, count: 11 };
    assert.deepEqual(spanSteps([{ from: 105, to: 160 }], slots), [
      [80, 0],
      [100, 1],
      [160, 0],
      [180, 0],
    ]);
    // Two spans meeting in one slot; one that covers the start.
    assert.deepEqual(
      spanSteps(
        [
          { from: 70, to: 91 },
          { from: 95, to: 111 },
        ],
        slots,
      ),
      [
        [80, 1],
        [120, 0],
        [180, 0],
      ],
    );
  });

  test('an episode covers the seconds it touches: its start rounded down, its end up', () => {
    assert.deepEqual(
      spanSeconds({ start: '1970-01-01T00:00:10.500000000Z', end: '1970-01-01T00:01:00.200000000Z' }),
      { from: 10, to: 61 },
    );
    assert.deepEqual(spanSeconds({ start: '1970-01-01T00:00:10Z', end: '1970-01-01T00:01:00Z' }), {
      from: 10,
      to: 60,
    });
  });
});

describe('reading the files', () => {
  test('CSV: quoted fields hold commas, quotes and line breaks; CRLF and a last line without one', () => {
    assert.deepEqual(parseCsv('a,b\r\n"x,1","say ""hi"""\n"two\nlines",\nlast,row'), [
      ['a', 'b'],
      ['x,1', 'say "hi"'],
      ['two\nlines', ''],
      ['last', 'row'],
    ]);
  });

  test('snapshots: mid and OFI from the first signal that has them, VPIN when ready, time in whole seconds', () => {
    const line = (ts: string, vpin: number | null) =>
      JSON.stringify({
        id: 'x',
        instrument: '6EZ6',
        snapshotTs: ts,
        signals: [
          { agent: 'momentum', evidence: { ema_3: null } },
          { agent: 'microstructure', evidence: { mid: 1.160025, ofi_10s: 0.5 } },
          { agent: 'toxicity', evidence: { vpin, vpin_cdf: null } },
          { agent: 'market_making', evidence: { mid: 9, ofi_10s: 9 } },
        ],
      });
    const rows = snapshotRows(
      `${line('2026-11-23T23:01:00.420345770Z', null)}\n${line('2026-11-23T23:02:00Z', 0.25)}\n`,
    );
    // 2026-11-23T23:01:00Z is 1,795,474,860 s after the epoch.
    assert.deepEqual(
      rows.map((r) => [r.t, r.mid, r.ofi]),
      [
        [1_795_474_860, 1.160025, 0.5],
        [1_795_474_920, 1.160025, 0.5],
      ],
    );
    assert.ok(Number.isNaN(rows[0].vpin));
    assert.equal(rows[1].vpin, 0.25);
  });

  test('timings: one value per decision per tier, in pipeline order', () => {
    const t = tierTimes(
      '{"id":"a","timings":{"tier1":1.5,"tier2":0.2,"tier3":0.1,"tier4":0.3,"tier5":0.05,"total":2.15}}\n' +
        '{"id":"b","timings":{"tier1":2,"total":2}}\n',
    );
    assert.deepEqual(t.tier1, [1.5, 2]);
    assert.deepEqual(t.tier5, [0.05]);
    assert.deepEqual(t.total, [2.15, 2]);
  });
});
