/**
 * Days combined: two hand-made days whose equity curves, round trips and counts give the combined
 * metrics worked out below (the drawdown runs across the night: neither day alone has it).
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { combineDays, type DayParts } from './days.js';
import type { BacktestMetrics } from './results.js';

const at = (iso: string, equity: number) => ({ tsNs: BigInt(Date.parse(iso)) * 1_000_000n, equity });

/** A day's metrics: what combineDays reads; the ratios are left NaN (combineDays works them out again). */
function metrics(m: Partial<BacktestMetrics>): BacktestMetrics {
  return {
    pnl: 0,
    realized: 0,
    unrealized: 0,
    pnlTicks: 0,
    fees: 0,
    days: [],
    trades: 0,
    tradesPerDay: 0,
    winRate: Number.NaN,
    profitFactor: Number.NaN,
    expectancy: Number.NaN,
    averageHoldingSec: Number.NaN,
    sharpeDaily: Number.NaN,
    sharpePerTrade: Number.NaN,
    sortinoDaily: Number.NaN,
    maxDrawdown: 0,
    maxDrawdownSec: 0,
    timeInMarket: 0,
    turnover: 0,
    turnoverPerDay: 0,
    makerShare: Number.NaN,
    orders: 0,
    fills: 0,
    exits: {},
    refused: {},
    sweeps: { trades: 0, pnl: 0, losses: 0 },
    decisions: {
      decisions: 0,
      byTrigger: {},
      byRoute: {},
      byOutcome: {},
      debateSkipRate: Number.NaN,
      debateEnds: {},
      vetoes: {},
      fallbacks: 0,
      fallbackKinds: {},
      leftOut: {},
    },
    byTechnique: {},
    ...m,
  };
}

// Day A: equity 0 → 100 → 40 → 60; trips +100 (10 min) and −40 (5 min); 8 lots, 6 of them maker.
const A: DayParts = {
  metrics: metrics({
    pnl: 60,
    realized: 60,
    fees: 4,
    days: [{ date: '2026-11-23', pnl: 60 }],
    trades: 2,
    turnover: 8,
    orders: 5,
    fills: 4,
    exits: { stop: 1, target: 1 },
    refused: { spread: 2 },
    sweeps: { trades: 1, pnl: -40, losses: 40 },
    decisions: {
      ...metrics({}).decisions,
      decisions: 4,
      byRoute: { fast: 1, standard: 3 },
      fallbacks: 1,
      fallbackKinds: { timeout: { count: 1, example: 'model late' } },
    },
  }),
  tripPnls: [100, -40],
  holdingSec: [600, 300],
  techniquePnls: { orb: [100] },
  curve: [
    at('2026-11-23T13:30:00Z', 0),
    at('2026-11-23T13:40:00Z', 100),
    at('2026-11-23T13:50:00Z', 40),
    at('2026-11-23T14:10:00Z', 60),
  ],
  inMarketNs: 15n * 60_000_000_000n,
  makerQuantity: 6,
  notFast: 3,
  debateSkipped: 1,
};

// Day B: equity 0 → −80 → −30; trips −80 (15 min) and +50 (5 min); 4 lots, all taken.
const B: DayParts = {
  metrics: metrics({
    pnl: -30,
    realized: -30,
    fees: 2,
    days: [{ date: '2026-11-24', pnl: -30 }],
    trades: 2,
    turnover: 4,
    orders: 2,
    fills: 2,
    exits: { stop: 1, time: 1 },
    decisions: {
      ...metrics({}).decisions,
      decisions: 1,
      byRoute: { standard: 1 },
      fallbacks: 2,
      fallbackKinds: { timeout: { count: 2, example: 'model late again' } },
    },
  }),
  tripPnls: [-80, 50],
  holdingSec: [900, 300],
  techniquePnls: { orb: [-80], fvg: [50] },
  curve: [at('2026-11-24T13:30:00Z', 0), at('2026-11-24T13:45:00Z', -80), at('2026-11-24T14:00:00Z', -30)],
  inMarketNs: 20n * 60_000_000_000n,
  makerQuantity: 0,
  notFast: 1,
  debateSkipped: 1,
};

describe('a backtest split by trading day', () => {
  test('two days combine into the metrics of their curves run one after the other', () => {
    const m = combineDays([A, B]);
    assert.equal(m.pnl, 30);
    assert.equal(m.realized, 30);
    assert.equal(m.fees, 6);
    assert.deepEqual(m.days, [
      { date: '2026-11-23', pnl: 60 },
      { date: '2026-11-24', pnl: -30 },
    ]);
    // Round trips +100, −40, −80, +50: 2 wins of 4; 150 won, 120 lost; 30 / 4 each.
    assert.equal(m.trades, 4);
    assert.equal(m.tradesPerDay, 2);
    assert.equal(m.winRate, 0.5);
    assert.equal(m.profitFactor, 1.25);
    assert.equal(m.expectancy, 7.5);
    assert.equal(m.averageHoldingSec, 525);
    // Deviations from 7.5: 92.5, −47.5, −87.5, 42.5; squares sum to 20,275; sd √(20,275 / 3) = 82.2091.
    assert.ok(Math.abs(m.sharpePerTrade - 7.5 / 82.20908) < 1e-6, String(m.sharpePerTrade));
    // Days 60 and −30: mean 15, sd 45√2, so Sharpe √252 / (3√2) = √126 / 3; downside √(900 / 2),
    // so Sortino 15 / (30 / √2) × √252 = √126.
    assert.ok(Math.abs(m.sharpeDaily - Math.sqrt(126) / 3) < 1e-9);
    assert.ok(Math.abs(m.sortinoDaily - Math.sqrt(126)) < 1e-9);
    // The curve run on: 0, 100, 40, 60 | 60, −20, 30. Peak 100 (13:40 on the 23rd), trough −20 on
    // the 24th: 120 deep, not recovered by 14:00 on the 24th, 24 h 20 min after the peak.
    assert.equal(m.maxDrawdown, 120);
    assert.equal(m.maxDrawdownSec, 24 * 3600 + 20 * 60);
    // 35 minutes in the market over the 24 h 30 min from the first point to the last.
    assert.equal(m.timeInMarket, (35 * 60) / (24 * 3600 + 30 * 60));
    assert.equal(m.turnover, 12);
    assert.equal(m.turnoverPerDay, 6);
    assert.equal(m.makerShare, 0.5);
    assert.equal(m.orders, 7);
    assert.equal(m.fills, 6);
    assert.deepEqual(m.exits, { stop: 2, target: 1, time: 1 });
    assert.deepEqual(m.refused, { spread: 2 });
    assert.deepEqual(m.sweeps, { trades: 1, pnl: -40, losses: 40 });
    assert.equal(m.decisions.decisions, 5);
    assert.deepEqual(m.decisions.byRoute, { fast: 1, standard: 4 });
    // Off the fast path: 3 then 1; skipping the debate: 1 then 1.
    assert.equal(m.decisions.debateSkipRate, 0.5);
    assert.equal(m.decisions.fallbacks, 3);
    assert.deepEqual(m.decisions.fallbackKinds, { timeout: { count: 3, example: 'model late' } });
    assert.deepEqual(Object.keys(m.byTechnique), ['fvg', 'orb']);
    assert.deepEqual([m.byTechnique.orb.trades, m.byTechnique.orb.wins, m.byTechnique.orb.pnl], [2, 1, 20]);
    assert.deepEqual([m.byTechnique.fvg.trades, m.byTechnique.fvg.wins, m.byTechnique.fvg.pnl], [1, 1, 50]);
  });

  test('the order of the days is the order of their curves', () => {
    // B then A: 0, −80, −30 | −30, 70, 10, 30: the deepest fall is B's own 80.
    const m = combineDays([B, A]);
    assert.equal(m.maxDrawdown, 80);
    assert.equal(m.pnl, 30);
  });
});
