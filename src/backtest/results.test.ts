import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { dailyPnl, sweepTrades } from './results.js';
import type { RoundTrip } from './trades.js';

const MS = 1_000_000n;
const trip = (fromMs: number, toMs: number, pnl: number, symbol = '6EZ6') =>
  ({ symbol, entryNs: BigInt(fromMs) * MS, exitNs: BigInt(toMs) * MS, pnl }) as RoundTrip;

describe('backtest metrics from a run', () => {
  test('round trips open during a sweep alert of their symbol, its time included', () => {
    const trips = [
      trip(0, 1_000, -30),
      trip(2_000, 3_000, 50),
      trip(4_000, 5_000, -20),
      trip(500, 900, -9, '6BZ6'),
    ];
    const sweeps = [
      { symbol: '6EZ6', tMs: 1_000 }, // the first trade's exit time
      { symbol: '6EZ6', tMs: 2_500 }, // inside the second
      { symbol: '6EZ6', tMs: 3_500 }, // between trades
      { symbol: '6EZ6', tMs: 700 }, // inside the 6B trade's time, but a 6E sweep
    ];
    assert.deepEqual(sweepTrades(trips, sweeps), { trades: 2, pnl: 20, losses: 30 });
  });

  test('daily P&L: each CME trading day from the last equity of the day before', () => {
    // 2026-11-24 (Tuesday) runs from 17:00 Chicago on the 23rd; the 25th from 17:00 on the 24th.
    const at = (iso: string, equity: number) => ({ tsNs: BigInt(Date.parse(iso)) * MS, equity });
    const days = dailyPnl([
      at('2026-11-23T23:30:00Z', 10),
      at('2026-11-24T20:00:00Z', 40),
      at('2026-11-24T23:30:00Z', 25),
      at('2026-11-25T20:00:00Z', 70),
    ]);
    assert.deepEqual(days, [
      { date: '2026-11-24', pnl: 40 },
      { date: '2026-11-25', pnl: 30 },
    ]);
  });
});
