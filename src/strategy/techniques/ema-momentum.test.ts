/** EMA 3/6/12 stacking with RSI(7) and ADX(7) filters. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { all, expectSetup, flat, mkCtx, OpeningRangeTracker, run } from '../../../test/techniques.js';
import { EmaMomentum } from './ema-momentum.js';
import type { TechniqueContext } from './types.js';

const notStacked = { ema3: 1.1, ema6: 1.1001, ema12: 1.0999 };
const up = {
  ema3: 1.1004,
  ema6: 1.1002,
  ema12: 1.1,
  rsi7: 60,
  adx7: 25,
  plusDi7: 30,
  minusDi7: 15,
  atr: 0.0008,
};

/** Two bars: the first with `a`, the second (close 1.1005) with `b`. */
function two(a: Partial<TechniqueContext>, b: Partial<TechniqueContext>) {
  const ctx = mkCtx(new OpeningRangeTracker());
  const bars = [flat('2026-03-10T14:00:00Z', 1.1001), flat('2026-03-10T14:01:00Z', 1.1005)];
  return all(run(new EmaMomentum(), ctx, bars, (bar, c) => Object.assign(c, bar === bars[0] ? a : b)));
}

describe('EmaMomentum', () => {
  it('goes long when EMA 3 crosses EMA 6 and completes the stack, RSI 60, ADX 25, +DI > −DI', () => {
    const got = two(notStacked, up);
    assert.equal(got.length, 1);
    // Entry 1.1005; stop 1.1005 − 1 × ATR 0.0008 = 1.0997; target 1.1005 + 1.5 × 0.0008 = 1.1017.
    const s = expectSetup(got[0], 'long', 1.1005, 1.0997, 1.1017);
    assert.equal(s.evidence.cross, '3/6');
    assert.equal(s.kind, 'momentum');
    assert.ok(Math.abs(s.confidence - 0.55) < 1e-9); // 0.5 + 0.3 × (25 − 20)/30
  });

  it('goes short on the mirror stack (EMA 6 crossing under EMA 12)', () => {
    const prev = { ema3: 1.0996, ema6: 1.1001, ema12: 1.1 };
    const down = {
      ema3: 1.0995,
      ema6: 1.0998,
      ema12: 1.1,
      rsi7: 40,
      adx7: 30,
      plusDi7: 12,
      minusDi7: 28,
      atr: 0.001,
    };
    const got = two(prev, down);
    // Entry 1.1005; stop 1.1015; target 1.1005 − 0.0015 = 1.0990.
    const s = expectSetup(got[0], 'short', 1.1005, 1.1015, 1.099);
    assert.equal(s.evidence.cross, '6/12');
  });

  it('stays out when RSI is exhausted or below 50, ADX is weak, DI disagrees, or the stack was already there', () => {
    assert.equal(two(notStacked, { ...up, rsi7: 85 }).length, 0);
    assert.equal(two(notStacked, { ...up, rsi7: 45 }).length, 0);
    assert.equal(two(notStacked, { ...up, adx7: 18 }).length, 0);
    assert.equal(two(notStacked, { ...up, plusDi7: 10 }).length, 0);
    assert.equal(two(notStacked, { ...up, atr: Number.NaN }).length, 0);
    assert.equal(two(up, up).length, 0);
  });
});
