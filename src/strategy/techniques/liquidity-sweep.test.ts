/** Stop hunts: a run through a level that reverses, confirmed by a sweep alert and book depth. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  all,
  expectSetup,
  flat,
  mkBar,
  mkCtx,
  OpeningRangeTracker,
  priorDayBars,
  run,
} from '../../../test/techniques.js';
import type { Bar } from '../../features/index.js';
import { LiquiditySweep } from './liquidity-sweep.js';
import type { Setup, SweepAlert, TechniqueContext } from './types.js';

const T = '2026-03-11T10:00:00Z';
const buySweep: SweepAlert = {
  side: 'buy',
  levels: 3,
  size: 50,
  tMs: Date.parse('2026-03-11T10:00:30Z'),
  price: 1.1104,
};

/** Prior day H 1.1100 / L 1.1000 / C 1.1080; at 10:00 a bar runs to 1.1104 and closes at 1.1096. */
function scenario(over: Partial<TechniqueContext>): Map<string, Setup[]> {
  const bars: Bar[] = [...priorDayBars(1.11, 1.1, 1.108), flat('2026-03-11T09:59:00Z', 1.1095)];
  const probe = mkBar(T, 1.1095, 1.1104, 1.1093, 1.1096);
  const ctx = mkCtx(new OpeningRangeTracker());
  return run(new LiquiditySweep(), ctx, [...bars, probe], (b, c) => {
    if (b === probe) Object.assign(c, over);
  });
}

describe('LiquiditySweep', () => {
  it('shorts a buy sweep through the prior-day high that closes back below, with offers stacking', () => {
    const m = scenario({ sweep: buySweep, bestBidSize: 10, bestAskSize: 30 });
    const got = m.get('2026-03-11T10:00:00.000Z') ?? [];
    assert.equal(got.length, 1);
    // Entry 1.1096; stop 1.1104 + 2 ticks = 1.1106; risk 0.0010; target 1.1096 − 2 × 0.0010 = 1.1076.
    const s = expectSetup(got[0], 'short', 1.1096, 1.1106, 1.1076);
    assert.equal(s.evidence.level, 1.11);
    assert.equal(s.evidence.levelKind, 'priorDay');
    assert.equal(s.evidence.sweepTime, '2026-03-11T10:00:30.000Z');
    assert.ok(Math.abs(s.confidence - 0.7) < 1e-12); // 0.6 + 0.1 for ≥ 3 levels
  });

  it('never fires on price alone, on the wrong sweep side, or on a stale alert', () => {
    assert.equal(all(scenario({ bestBidSize: 10, bestAskSize: 30 })).length, 0);
    assert.equal(
      all(scenario({ sweep: { ...buySweep, side: 'sell' }, bestBidSize: 10, bestAskSize: 30 })).length,
      0,
    );
    const stale = { ...buySweep, tMs: Date.parse('2026-03-11T09:58:59Z') }; // > 60 s before the bar
    assert.equal(all(scenario({ sweep: stale, bestBidSize: 10, bestAskSize: 30 })).length, 0);
    assert.equal(
      all(scenario({ sweep: { ...buySweep, levels: 1 }, bestBidSize: 10, bestAskSize: 30 })).length,
      0,
    );
  });

  it('does not fire when the bar closes beyond the level (a real break, not a hunt)', () => {
    const bars: Bar[] = [...priorDayBars(1.11, 1.1, 1.108), flat('2026-03-11T09:59:00Z', 1.1095)];
    const probe = mkBar(T, 1.1095, 1.1106, 1.1093, 1.1103);
    const ctx = mkCtx(new OpeningRangeTracker());
    const m = run(new LiquiditySweep(), ctx, [...bars, probe], (b, c) => {
      if (b === probe) Object.assign(c, { sweep: buySweep, bestBidSize: 10, bestAskSize: 30 });
    });
    assert.equal(all(m).length, 0);
  });

  it('needs the book to confirm: depth ratio or an offer wall at the level', () => {
    assert.equal(all(scenario({ sweep: buySweep, bestBidSize: 30, bestAskSize: 10 })).length, 0);
    assert.equal(all(scenario({ sweep: buySweep })).length, 0); // depth unknown
    // A wall at 1.1102 (2 ticks from 1.1100) confirms even with bids heavier.
    const m = scenario({ sweep: buySweep, bestBidSize: 30, bestAskSize: 10, askWallPx: 1.1102 });
    assert.equal(all(m).length, 1);
  });

  it('goes long on a sell sweep through a fractal swing low', () => {
    const t = (m: number) => `2026-03-11T11:${String(m).padStart(2, '0')}:00Z`;
    const bars = [
      mkBar(t(0), 1.1095, 1.11, 1.109, 1.1092),
      mkBar(t(1), 1.1092, 1.1095, 1.108, 1.1085),
      mkBar(t(2), 1.1085, 1.109, 1.105, 1.106), // swing low 1.1050
      mkBar(t(3), 1.106, 1.1085, 1.107, 1.108),
      mkBar(t(4), 1.108, 1.1082, 1.1075, 1.1078),
    ];
    const probe = mkBar(t(5), 1.1058, 1.1062, 1.1045, 1.1058);
    const sellSweep: SweepAlert = {
      side: 'sell',
      levels: 4,
      size: 80,
      tMs: Date.parse(t(5)) + 10_000,
      price: 1.1045,
    };
    const ctx = mkCtx(new OpeningRangeTracker());
    const got = all(
      run(new LiquiditySweep(), ctx, [...bars, probe], (b, c) => {
        if (b === probe) Object.assign(c, { sweep: sellSweep, bestBidSize: 40, bestAskSize: 20 });
      }),
    );
    assert.equal(got.length, 1);
    // Entry 1.1058; stop 1.1045 − 2 ticks = 1.1043; risk 0.0015; target 1.1058 + 0.0030 = 1.1088.
    const s = expectSetup(got[0], 'long', 1.1058, 1.1043, 1.1088);
    assert.equal(s.evidence.levelKind, 'swing');
  });

  it('uses an alert once', () => {
    const ctx = mkCtx(new OpeningRangeTracker(), { sweep: buySweep, bestBidSize: 10, bestAskSize: 30 });
    const ls = new LiquiditySweep();
    const bars = [...priorDayBars(1.11, 1.1, 1.108)];
    ctx.sweep = null;
    run(ls, ctx, bars);
    ctx.sweep = buySweep;
    const a = run(ls, ctx, [mkBar(T, 1.1095, 1.1104, 1.1093, 1.1096)]);
    const b = run(ls, ctx, [mkBar('2026-03-11T10:01:00Z', 1.1095, 1.1104, 1.1093, 1.1096)]);
    assert.equal(all(a).length, 1);
    assert.equal(all(b).length, 0);
  });
});
