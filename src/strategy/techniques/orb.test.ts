/** Opening range breakout on hand-built bars around the London and New York opens. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { all, expectSetup, flat, mkBar, mkCtx, OpeningRangeTracker, run } from '../../../test/techniques.js';
import type { Bar } from '../../features/index.js';
import { techniquesConfig } from './config.js';
import { OpeningRangeBreakout } from './orb.js';

/** Bars every minute from `startIso`: `n` bars spanning [low, high], closing mid-range. */
function range(startIso: string, n: number, high: number, low: number, volume = 100): Bar[] {
  const t0 = Date.parse(startIso);
  const out: Bar[] = [];
  for (let i = 0; i < n; i++) {
    const iso = new Date(t0 + i * 60_000).toISOString();
    out.push(mkBar(iso, (high + low) / 2, high, low, (high + low) / 2, volume));
  }
  return out;
}

describe('OpeningRangeBreakout', () => {
  it('goes long on a close above the New York range at 12:15 UTC in the March 2026 US-only DST week', () => {
    const ctx = mkCtx(new OpeningRangeTracker());
    const bars = [
      mkBar('2026-03-10T11:59:00Z', 1.161, 1.175, 1.159, 1.161), // before the open: not in the range
      ...range('2026-03-10T12:00:00Z', 15, 1.162, 1.16),
      mkBar('2026-03-10T12:15:00Z', 1.1618, 1.1627, 1.1617, 1.1625),
    ];
    const got = all(run(new OpeningRangeBreakout(), ctx, bars));
    assert.equal(got.length, 1);
    // Range 1.1600–1.1620, height 0.0020. Entry 1.1625 (close), stop mid 1.1610,
    // target high + 1 × height = 1.1640.
    const s = expectSetup(got[0], 'long', 1.1625, 1.161, 1.164);
    assert.equal(s.kind, 'breakout');
    assert.equal(s.evidence.centre, 'new_york');
    assert.equal(s.evidence.rangeStart, '2026-03-10T12:00:00.000Z');
    assert.equal(s.createdMs, Date.parse('2026-03-10T12:16:00Z'));
    assert.equal(s.validUntilMs, Date.parse('2026-03-10T12:31:00Z'));
    assert.equal(s.confidence, 0.5);
  });

  it('does not fire at 12:15 UTC the week before, when New York opens at 13:00 UTC', () => {
    const ctx = mkCtx(new OpeningRangeTracker());
    const bars = [
      ...range('2026-03-04T12:00:00Z', 15, 1.162, 1.16),
      mkBar('2026-03-04T12:15:00Z', 1.1618, 1.1627, 1.1617, 1.1625),
    ];
    assert.equal(all(run(new OpeningRangeBreakout(), ctx, bars)).length, 0);
    // Short on the real range (13:00–13:14): entry 1.1595, stop mid 1.1610, target 1.1600 − 0.0020.
    const more = [...range('2026-03-04T13:00:00Z', 15, 1.162, 1.16), flat('2026-03-04T13:15:00Z', 1.1595)];
    const got = all(run(new OpeningRangeBreakout(), ctx, more));
    expectSetup(got[0], 'short', 1.1595, 1.161, 1.158);
  });

  it('goes short on the London range at 08:15 UTC in the week after the October 2026 change', () => {
    const bars = (close: number) => [
      mkBar('2026-10-27T07:59:00Z', 1.1, 1.1, 1.08, 1.1), // a bar just before London's open
      ...range('2026-10-27T08:00:00Z', 15, 1.1005, 1.099),
      mkBar('2026-10-27T08:15:00Z', 1.0992, 1.0993, close - 0.0001, close),
    ];
    const got = all(run(new OpeningRangeBreakout(), mkCtx(new OpeningRangeTracker()), bars(1.0988)));
    assert.equal(got.length, 1);
    // Range 1.0990–1.1005 (height 0.0015, mid 1.09975). Entry 1.0988, stop 1.09975, target 1.0975:
    // reward 0.0013 for a risk of 0.00095 (1.37R).
    const s = expectSetup(got[0], 'short', 1.0988, 1.09975, 1.0975);
    assert.equal(s.evidence.centre, 'london');
    // A close at 1.0985 leaves 0.0010 of reward for 0.00125 of risk (0.8R): below the default 1R.
    assert.equal(
      all(run(new OpeningRangeBreakout(), mkCtx(new OpeningRangeTracker()), bars(1.0985))).length,
      0,
    );
    const lax = new OpeningRangeBreakout(techniquesConfig({ orb: { minRewardRisk: 0.5 } }).orb);
    assert.equal(all(run(lax, mkCtx(new OpeningRangeTracker()), bars(1.0985))).length, 1);
  });

  it('does not trade a range the data covers only in part (first bar at 08:13, or a 6-minute hole)', () => {
    const breakout = mkBar('2026-03-10T08:15:00Z', 1.1618, 1.1627, 1.1617, 1.1625);
    // Data starting at 08:13: the "range" is two bars of the fifteen.
    const late = mkCtx(new OpeningRangeTracker());
    assert.equal(
      all(run(new OpeningRangeBreakout(), late, [...range('2026-03-10T08:13:00Z', 2, 1.162, 1.16), breakout]))
        .length,
      0,
    );
    assert.equal(late.sessions.sessions.london.openingRange.partial, true);
    // An outage from 08:04 to 08:10 inside the window.
    const hole = mkCtx(new OpeningRangeTracker());
    const bars = [
      ...range('2026-03-10T08:00:00Z', 4, 1.162, 1.16),
      ...range('2026-03-10T08:10:00Z', 5, 1.162, 1.16),
    ];
    assert.equal(all(run(new OpeningRangeBreakout(), hole, [...bars, breakout])).length, 0);
    // The whole window covered: the same breakout fires.
    const full = mkCtx(new OpeningRangeTracker());
    assert.equal(
      all(
        run(new OpeningRangeBreakout(), full, [...range('2026-03-10T08:00:00Z', 15, 1.162, 1.16), breakout]),
      ).length,
      1,
    );
    assert.equal(full.sessions.sessions.london.openingRange.partial, false);
  });

  it('never fires inside the range window, at the range edge, or after the breakout window', () => {
    const ctx = mkCtx(new OpeningRangeTracker());
    const bars = [
      ...range('2026-03-10T08:00:00Z', 10, 1.162, 1.16),
      mkBar('2026-03-10T08:10:00Z', 1.161, 1.1635, 1.161, 1.163), // inside the window: widens the range
      ...range('2026-03-10T08:11:00Z', 4, 1.162, 1.16),
      flat('2026-03-10T08:15:00Z', 1.1635), // close == range high: not beyond
      flat('2026-03-10T10:15:00Z', 1.17), // 120 min after the range end
    ];
    assert.equal(all(run(new OpeningRangeBreakout(), ctx, bars)).length, 0);
  });

  it('fires once per side per session and takes the opposite side as stop when asked', () => {
    const params = techniquesConfig({ orb: { stopAt: 'opposite', targetRangeMultiple: 2 } }).orb;
    const ctx = mkCtx(new OpeningRangeTracker());
    const bars = [
      ...range('2026-03-10T08:00:00Z', 15, 1.162, 1.16),
      flat('2026-03-10T08:15:00Z', 1.1625),
      flat('2026-03-10T08:16:00Z', 1.163), // second long close: no repeat
    ];
    const got = all(run(new OpeningRangeBreakout(params), ctx, bars));
    assert.equal(got.length, 1);
    // Stop at the range low 1.1600; target 1.1620 + 2 × 0.0020 = 1.1660.
    expectSetup(got[0], 'long', 1.1625, 1.16, 1.166);
  });

  it('requires volume and OFI confirmation when configured', () => {
    const params = techniquesConfig({ orb: { volumeConfirm: true, ofiConfirm: true } }).orb;
    const bars = [...range('2026-03-10T08:00:00Z', 15, 1.162, 1.16, 100)];
    // Volume EMA is 100 after the range bars; 1.5 × 100 = 150 needed.
    const weak = [...bars, flat('2026-03-10T08:15:00Z', 1.1625, 140)];
    const ctx1 = mkCtx(new OpeningRangeTracker(), { ofi10s: 5 });
    assert.equal(all(run(new OpeningRangeBreakout(params), ctx1, weak)).length, 0);
    const ctx2 = mkCtx(new OpeningRangeTracker(), { ofi10s: -5 });
    const strongBadOfi = [...bars, flat('2026-03-10T08:15:00Z', 1.1625, 200)];
    assert.equal(all(run(new OpeningRangeBreakout(params), ctx2, strongBadOfi)).length, 0);
    const ctx3 = mkCtx(new OpeningRangeTracker(), { ofi10s: 5 });
    const got = all(
      run(new OpeningRangeBreakout(params), ctx3, [...bars, flat('2026-03-10T08:15:00Z', 1.1625, 200)]),
    );
    assert.equal(got.length, 1);
    assert.ok(Math.abs(got[0].confidence - 0.9) < 1e-12); // 0.5 + 0.2 (volume) + 0.2 (OFI)
  });

  it('ignores ranges narrower than minRangeTicks and resets', () => {
    const ctx = mkCtx(new OpeningRangeTracker());
    const orb = new OpeningRangeBreakout();
    // Height 0.0001 = 1 tick < 2.
    const bars = [...range('2026-03-10T08:00:00Z', 15, 1.1601, 1.16), flat('2026-03-10T08:15:00Z', 1.1605)];
    assert.equal(all(run(orb, ctx, bars)).length, 0);
    orb.reset();
  });
});
