/** Tests of the prior FX day's and prior sessions' highs and lows. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  expectSetup,
  flat,
  mkBar,
  mkCtx,
  OpeningRangeTracker,
  priorDayBars,
  run,
} from '../../../test/techniques.js';
import { techniquesConfig } from './config.js';
import { PriorLevels } from './prior-levels.js';

describe('PriorLevels', () => {
  it('does not test a session-closing bar against the high it made itself', () => {
    // London 2026-03-11 (GMT, 08:00–17:00 UTC). Its last bar, 16:59, makes the session high 1.1030
    // and closes 18 pips below: that high is not a resistance the bar rejected.
    const ctx = mkCtx(new OpeningRangeTracker());
    const bars = [
      ...priorDayBars(1.2, 1.0, 1.1),
      mkBar('2026-03-11T09:30:00Z', 1.1, 1.101, 1.0995, 1.1005), // after Tokyo's close (09:00 UTC)
      flat('2026-03-11T16:58:00Z', 1.1006),
      mkBar('2026-03-11T16:59:00Z', 1.1006, 1.103, 1.1005, 1.1012),
    ];
    const m = run(new PriorLevels(), ctx, bars);
    assert.equal(ctx.sessions.sessions.london.priorHigh, 1.103, 'the session closed with that high');
    assert.equal(m.get('2026-03-11T16:59:00.000Z'), undefined);
    // The next bar rejecting 1.1030 is a real test of it.
    const next = run(new PriorLevels(), ctx, [mkBar('2026-03-11T17:05:00Z', 1.1022, 1.1031, 1.1019, 1.1024)]);
    assert.equal(
      (next.get('2026-03-11T17:05:00.000Z') ?? []).length,
      0,
      'a fresh detector has no prior levels yet',
    );
  });

  it('fades a rejection of the prior FX day high', () => {
    // Prior day 2026-03-10 (to 21:00 UTC): H 1.1100, L 1.1000, C 1.1080.
    const ctx = mkCtx(new OpeningRangeTracker());
    const bars = [
      ...priorDayBars(1.11, 1.1, 1.108),
      flat('2026-03-11T09:59:00Z', 1.109),
      mkBar('2026-03-11T10:00:00Z', 1.1092, 1.1101, 1.1089, 1.1094),
    ];
    const got = run(new PriorLevels(), ctx, bars).get('2026-03-11T10:00:00.000Z') ?? [];
    assert.equal(got.length, 1);
    // Stop max(1.1101, 1.1100) + 2 ticks = 1.1103; risk 0.0009; target 1.1094 − 1.5 × 0.0009 = 1.10805.
    const s = expectSetup(got[0], 'short', 1.1094, 1.1103, 1.10805);
    assert.equal(s.evidence.levelName, 'priorDay.high');
    assert.equal(s.evidence.levelDate, '2026-03-10');
    assert.equal(s.kind, 'bounce');
  });

  it('buys a break of the Tokyo session high after Tokyo has closed', () => {
    const ctx = mkCtx(new OpeningRangeTracker());
    const bars = [
      ...priorDayBars(1.11, 1.1, 1.108),
      mkBar('2026-03-11T00:00:00Z', 1.105, 1.106, 1.104, 1.105), // Tokyo: high 1.1060
      mkBar('2026-03-11T08:30:00Z', 1.105, 1.1055, 1.1045, 1.105),
      mkBar('2026-03-11T09:59:00Z', 1.1052, 1.1058, 1.1051, 1.1057), // Tokyo closed at 09:00 UTC
      mkBar('2026-03-11T10:00:00Z', 1.1057, 1.1064, 1.1056, 1.1063),
    ];
    const m = run(new PriorLevels(), ctx, bars);
    assert.equal(ctx.sessions.sessions.tokyo.priorHigh, 1.106);
    assert.equal(m.get('2026-03-11T09:59:00.000Z'), undefined); // 1.1058: 2 ticks short of a touch
    const got = m.get('2026-03-11T10:00:00.000Z') ?? [];
    // Close 1.1063 ≥ 1.1060 + 2 ticks. Stop 1.1060 − 2 ticks = 1.1058; risk 0.0005; target 1.1063 + 0.00075.
    const s = expectSetup(got[0], 'long', 1.1063, 1.1058, 1.10705);
    assert.equal(s.evidence.levelName, 'tokyo.priorHigh');
    assert.equal(s.kind, 'break');
  });

  it('does not use a session that is still running, nor fire the same level twice', () => {
    const ctx = mkCtx(new OpeningRangeTracker());
    const bars = [
      mkBar('2026-03-11T00:00:00Z', 1.105, 1.106, 1.104, 1.105),
      mkBar('2026-03-11T08:30:00Z', 1.1052, 1.1058, 1.1051, 1.1057),
      mkBar('2026-03-11T08:31:00Z', 1.1057, 1.1064, 1.1056, 1.1063), // Tokyo still open: no prior high yet
    ];
    // (Sydney closed at 05:00 UTC, so only Tokyo is watched here.)
    const tokyoOnly = techniquesConfig({ priorLevels: { priorDay: false, centres: ['tokyo'] } }).priorLevels;
    const m = run(new PriorLevels(tokyoOnly), ctx, bars);
    assert.equal(m.size, 0);
    const ctx2 = mkCtx(new OpeningRangeTracker());
    const pl = new PriorLevels(techniquesConfig({ priorLevels: { centres: [] } }).priorLevels);
    const m2 = run(pl, ctx2, [
      ...priorDayBars(1.11, 1.1, 1.108),
      flat('2026-03-11T09:59:00Z', 1.109),
      mkBar('2026-03-11T10:00:00Z', 1.1092, 1.1101, 1.1089, 1.1094),
      flat('2026-03-11T10:01:00Z', 1.109),
      mkBar('2026-03-11T10:02:00Z', 1.1092, 1.1101, 1.1089, 1.1094),
    ]);
    assert.ok(m2.get('2026-03-11T10:00:00.000Z'));
    assert.equal(m2.get('2026-03-11T10:02:00.000Z'), undefined);
  });
});
