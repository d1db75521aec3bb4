/** Swing failure pattern on hand-built bars (tick 0.0001, fractal k = 2). */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { all, expectSetup, mkBar, mkCtx, OpeningRangeTracker, run } from '../../../test/techniques.js';
import { techniquesConfig } from './config.js';
import { SwingFailurePattern } from './sfp.js';

const t = (m: number) => `2026-03-10T10:${String(m).padStart(2, '0')}:00Z`;

/** Bars 0–4: highs 1.1010, 1.1020, 1.1050, 1.1030, 1.1025 (bar 2 a swing high once bar 4 closes); rising lows, no swing low. */
const swingHigh = () => [
  mkBar(t(0), 1.1005, 1.101, 1.1, 1.1008),
  mkBar(t(1), 1.1008, 1.102, 1.1005, 1.1015),
  mkBar(t(2), 1.1015, 1.105, 1.101, 1.104),
  mkBar(t(3), 1.104, 1.103, 1.1015, 1.102),
  mkBar(t(4), 1.102, 1.1025, 1.1018, 1.1022),
];

/** Mirror: lows 1.0990, 1.0980, 1.0950, 1.0970, 1.0975 (bar 2 a swing low); falling highs. */
const swingLow = () => [
  mkBar(t(0), 1.0995, 1.1, 1.099, 1.0992),
  mkBar(t(1), 1.0992, 1.0995, 1.098, 1.0985),
  mkBar(t(2), 1.0985, 1.099, 1.095, 1.096),
  mkBar(t(3), 1.096, 1.0985, 1.097, 1.098),
  mkBar(t(4), 1.098, 1.0982, 1.0975, 1.0978),
];

describe('SwingFailurePattern', () => {
  it('shorts a bar that takes the swing high and closes back below it', () => {
    const ctx = mkCtx(new OpeningRangeTracker(), { volumeDelta: -20 });
    const bars = [...swingHigh(), mkBar(t(5), 1.1045, 1.106, 1.1035, 1.104)];
    const got = all(run(new SwingFailurePattern(), ctx, bars));
    assert.equal(got.length, 1);
    // Entry 1.1040; stop high 1.1060 + 1 tick = 1.1061; risk 0.0021; target 1.1040 − 2 × 0.0021 = 1.0998.
    const s = expectSetup(got[0], 'short', 1.104, 1.1061, 1.0998);
    assert.equal(s.evidence.swingLevel, 1.105);
    assert.equal(s.evidence.swingTime, '2026-03-10T10:02:00.000Z');
    assert.equal(s.kind, 'reversal');
    assert.ok(Math.abs(s.confidence - 0.8) < 1e-12); // delta leans short
  });

  it('goes long on a failed break of a swing low', () => {
    const ctx = mkCtx(new OpeningRangeTracker());
    const bars = [...swingLow(), mkBar(t(5), 1.0955, 1.0962, 1.0945, 1.0958)];
    const got = all(run(new SwingFailurePattern(), ctx, bars));
    // Entry 1.0958; stop 1.0945 − 0.0001 = 1.0944; risk 0.0014; target 1.0958 + 0.0028 = 1.0986.
    expectSetup(got[0], 'long', 1.0958, 1.0944, 1.0986);
  });

  it('does not fire when the close holds beyond the swing, or the high only equals it', () => {
    const ctx1 = mkCtx(new OpeningRangeTracker());
    const breakout = [...swingHigh(), mkBar(t(5), 1.1045, 1.106, 1.104, 1.1055)];
    // The swing is spent by the real breakout: a later failure at the same level does not fire.
    breakout.push(mkBar(t(6), 1.1055, 1.1058, 1.103, 1.1035));
    assert.equal(all(run(new SwingFailurePattern(), ctx1, breakout)).length, 0);
    const ctx2 = mkCtx(new OpeningRangeTracker());
    const equal = [...swingHigh(), mkBar(t(5), 1.1045, 1.105, 1.1035, 1.104)];
    assert.equal(all(run(new SwingFailurePattern(), ctx2, equal)).length, 0);
  });

  it('stays out of an outside bar that fails both a swing high and a swing low', () => {
    const ctx = mkCtx(new OpeningRangeTracker());
    // Swing high 1.1050 (bar 2) and swing low 1.1000 (bar 5), then a bar through both closing inside.
    const bars = [
      mkBar(t(0), 1.102, 1.103, 1.102, 1.1025),
      mkBar(t(1), 1.1025, 1.104, 1.1022, 1.103),
      mkBar(t(2), 1.103, 1.105, 1.1025, 1.104),
      mkBar(t(3), 1.104, 1.1045, 1.102, 1.103),
      mkBar(t(4), 1.103, 1.1035, 1.101, 1.102),
      mkBar(t(5), 1.102, 1.103, 1.1, 1.1015),
      mkBar(t(6), 1.1015, 1.1025, 1.1005, 1.102),
      mkBar(t(7), 1.102, 1.103, 1.1008, 1.1025),
      mkBar(t(8), 1.1025, 1.1055, 1.0995, 1.102),
    ];
    assert.equal(all(run(new SwingFailurePattern(), ctx, bars)).length, 0);
  });

  it('needs k bars on each side: an unconfirmed high is no swing', () => {
    const ctx = mkCtx(new OpeningRangeTracker());
    // Only one bar after the 1.1050 high before the probe.
    const bars = [...swingHigh().slice(0, 4), mkBar(t(4), 1.1045, 1.106, 1.1035, 1.104)];
    assert.equal(all(run(new SwingFailurePattern(), ctx, bars)).length, 0);
  });

  it('forgets swings older than maxSwingAgeBars', () => {
    const params = techniquesConfig({ sfp: { maxSwingAgeBars: 3 } }).sfp;
    const ctx = mkCtx(new OpeningRangeTracker());
    const bars = [
      ...swingHigh(),
      mkBar(t(5), 1.102, 1.1024, 1.1019, 1.1022),
      mkBar(t(6), 1.1045, 1.106, 1.1035, 1.104), // the swing (bar 2) is 4 bars old
    ];
    assert.equal(all(run(new SwingFailurePattern(params), ctx, bars)).length, 0);
  });
});
