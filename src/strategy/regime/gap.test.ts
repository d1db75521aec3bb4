import assert from 'node:assert/strict';
import { test } from 'node:test';
import { realizedImpliedGap } from './fit.js';
import { ImpliedVolSeries, MINUTES_PER_YEAR } from './online.js';

test('realized minus implied volatility: a rolling mean of per-minute variance, annualised, minus the latest IV', () => {
  const t0 = Date.parse('2026-11-24T14:00:00Z');
  const rv = [1e-8, 3e-8, 2e-8, 4e-8];
  const s = {
    symbol: '6EZ6',
    instrumentId: 1,
    startMs: rv.map((_, i) => t0 + i * 60_000),
    logRv: rv.map(Math.log),
    logEvents: [0, 0, 0, 0],
    ret: [0, 0, 0, 0],
    rv,
  };
  // IV 7 % from the end of minute 0, 9 % from 14:02:30.
  const iv = new ImpliedVolSeries(
    Float64Array.from([t0 + 60_000, t0 + 150_000]),
    Float64Array.from([0.07, 0.09]),
  );
  const gap = realizedImpliedGap(s, iv, 2);
  const ann = (v: number) => Math.sqrt(v * MINUTES_PER_YEAR);
  // Minute 0 ends at 14:01: mean of [1e-8] → ann(1e-8) − 0.07.
  assert.ok(Math.abs(gap[0] - (ann(1e-8) - 0.07)) < 1e-12);
  // Minute 1 ends 14:02: mean(1e-8, 3e-8) = 2e-8; IV still 7 %.
  assert.ok(Math.abs(gap[1] - (ann(2e-8) - 0.07)) < 1e-12);
  // Minute 2 ends 14:03: window of 2 → mean(3e-8, 2e-8) = 2.5e-8; IV 9 %.
  assert.ok(Math.abs(gap[2] - (ann(2.5e-8) - 0.09)) < 1e-12);
  assert.ok(Math.abs(gap[3] - (ann(3e-8) - 0.09)) < 1e-12);
  // ann(1e-8) = √(1e-8 · 347,760) = 0.05897…: realized below implied.
  assert.ok(gap[0] < 0);
  // Before the first IV row: NaN.
  const late = new ImpliedVolSeries(Float64Array.from([t0 + 10 * 60_000]), Float64Array.from([0.08]));
  assert.ok(Number.isNaN(realizedImpliedGap(s, late)[0]));
});
