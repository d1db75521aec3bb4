/** The dashboard's formats, worked out by hand. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  fmtClock,
  fmtClockMs,
  fmtDateTimeMs,
  fmtEvidence,
  fmtMs,
  fmtNum,
  fmtPct,
  fmtPnl,
  fmtPx,
  fmtQty,
  NONE,
} from './format.js';

describe('dashboard formats', () => {
  test('prices take their instrument decimals; a missing one is a dash', () => {
    assert.equal(fmtPx(1.08125, 5), '1.08125');
    assert.equal(fmtPx(1.0812, 5), '1.08120');
    assert.equal(fmtPx(151.2, 3), '151.200');
    assert.equal(fmtPx(0.0066234, 7), '0.0066234');
    assert.equal(fmtPx(null, 5), '–');
    assert.equal(fmtPx(Number.NaN, 5), NONE);
  });

  test('P&L has its sign and two decimals, and no sign for nothing', () => {
    assert.equal(fmtPnl(12.5), '+12.50');
    assert.equal(fmtPnl(-3), '-3.00');
    assert.equal(fmtPnl(0), '0.00');
    // Less than half a cent either way is nothing, not "-0.00".
    assert.equal(fmtPnl(-0.004), '0.00');
    assert.equal(fmtPnl(1234.567), '+1234.57');
    assert.equal(fmtPnl(null), '–');
  });

  test('times are UTC clock times', () => {
    // 2026-12-04 14:00:05 UTC = 1796392805 s since the epoch.
    const ms = Date.UTC(2026, 11, 4, 14, 0, 5);
    assert.equal(ms, 1_796_392_805_000);
    assert.equal(fmtClockMs(ms), '14:00:05');
    assert.equal(fmtClock(1_796_392_805), '14:00:05');
    assert.equal(fmtClockMs(ms + 999), '14:00:05');
    assert.equal(fmtClockMs(Date.UTC(2026, 11, 4, 9, 7, 0)), '09:07:00');
    assert.equal(fmtDateTimeMs(ms), '2026-12-04 14:00:05');
    assert.equal(fmtClockMs(null), '–');
    assert.equal(fmtClock(null), '–');
  });

  test('numbers, quantities, durations, shares and evidence', () => {
    assert.equal(fmtNum(0.12345, 3), '0.123');
    assert.equal(fmtNum(undefined), '–');
    assert.equal(fmtQty(3), '+3');
    assert.equal(fmtQty(-2), '-2');
    assert.equal(fmtQty(0), '0');
    assert.equal(fmtMs(0.4213), '0.42 ms');
    assert.equal(fmtMs(12.34), '12.3 ms');
    assert.equal(fmtMs(1250), '1.25 s');
    assert.equal(fmtPct(0.734), '73%');
    assert.equal(fmtPct(null), '–');
    assert.equal(fmtEvidence(0.123456789), '0.12346');
    assert.equal(fmtEvidence(42), '42');
    assert.equal(fmtEvidence(true), 'true');
    assert.equal(fmtEvidence('R1'), 'R1');
    assert.equal(fmtEvidence(null), '–');
  });
});
