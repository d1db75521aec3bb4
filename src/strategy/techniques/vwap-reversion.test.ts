/** VWAP reversion beyond 2σ and bounces at VWAP in a trend (VWAP 1.1000, σ 0.0010, tick 0.0001). */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { all, expectSetup, mkBar, mkCtx, OpeningRangeTracker, run } from '../../../test/techniques.js';
import type { TechniqueContext } from './types.js';
import { VwapReversion } from './vwap-reversion.js';

const T = '2026-03-10T14:00:00Z';
const base = { vwap: 1.1, vwapSd: 0.001 };
const once = (over: Partial<TechniqueContext>, o: number, h: number, l: number, c: number) =>
  all(
    run(new VwapReversion(), mkCtx(new OpeningRangeTracker(), { ...base, ...over }), [mkBar(T, o, h, l, c)]),
  );

describe('VwapReversion', () => {
  it('fades a bar that reached +2.5σ and closed down, targeting VWAP', () => {
    const got = once({}, 1.1024, 1.1025, 1.1018, 1.1019);
    assert.equal(got.length, 1);
    // Entry 1.1019; stop high 1.1025 + 2 ticks = 1.1027; target VWAP 1.1000.
    const s = expectSetup(got[0], 'short', 1.1019, 1.1027, 1.1);
    assert.equal(s.kind, 'reversal');
    assert.ok(Math.abs((s.evidence.zExtreme as number) - 2.5) < 1e-9);
    assert.ok(Math.abs(s.confidence - 0.575) < 1e-9); // 0.5 + 0.15 × (2.5 − 2)
  });

  it('fades −2σ on the long side', () => {
    const got = once({}, 1.0978, 1.0984, 1.0978, 1.0983);
    // zLow = −2.2; entry 1.0983, stop 1.0978 − 0.0002 = 1.0976, target 1.1000.
    expectSetup(got[0], 'long', 1.0983, 1.0976, 1.1);
  });

  it('does not fade short of 2σ, in a strong trend, or without a rejection bar', () => {
    assert.equal(once({}, 1.1018, 1.1019, 1.1015, 1.1016).length, 0); // z 1.9
    assert.equal(once({ adx7: 35 }, 1.1024, 1.1025, 1.1018, 1.1019).length, 0);
    assert.equal(once({}, 1.1018, 1.1025, 1.1017, 1.1024).length, 0); // closed up
    assert.equal(once({ vwapSd: Number.NaN }, 1.1024, 1.1025, 1.1018, 1.1019).length, 0);
  });

  it('buys a bounce at VWAP in an uptrend', () => {
    const trend = { ema6: 1.101, ema12: 1.1005, adx7: 25 };
    const got = once(trend, 1.1003, 1.1008, 1.1002, 1.1007);
    assert.equal(got.length, 1);
    // Low 1.1002 ≤ VWAP + 0.25σ = 1.10025; stop VWAP − 1σ = 1.0990; target VWAP + 2σ = 1.1020.
    const s = expectSetup(got[0], 'long', 1.1007, 1.099, 1.102);
    assert.equal(s.kind, 'bounce');
  });

  it('has no bounce when the low stays away, the trend is weak or points the other way', () => {
    const trend = { ema6: 1.101, ema12: 1.1005, adx7: 25 };
    assert.equal(once(trend, 1.1005, 1.1008, 1.1004, 1.1007).length, 0); // low 1.1004 > 1.10025
    assert.equal(once({ ...trend, adx7: 15 }, 1.1003, 1.1008, 1.1002, 1.1007).length, 0);
    assert.equal(once({ ...trend, ema6: 1.1 }, 1.1003, 1.1008, 1.1002, 1.1007).length, 0);
  });

  it('re-arms a reversion only after the close returns within 1σ', () => {
    const ctx = mkCtx(new OpeningRangeTracker(), base);
    const v = new VwapReversion();
    const bars = [
      mkBar('2026-03-10T14:00:00Z', 1.1024, 1.1025, 1.1018, 1.1019),
      mkBar('2026-03-10T14:01:00Z', 1.1024, 1.1026, 1.1018, 1.1019), // still stretched: no repeat
      mkBar('2026-03-10T14:02:00Z', 1.1012, 1.1012, 1.1005, 1.1006), // back within 1σ
      mkBar('2026-03-10T14:03:00Z', 1.1024, 1.1025, 1.1018, 1.1019),
    ];
    const m = run(v, ctx, bars);
    assert.deepEqual([...m.keys()], ['2026-03-10T14:00:00.000Z', '2026-03-10T14:03:00.000Z']);
  });

  it('re-arms at the Globex open, when the session VWAP starts over', () => {
    // 2026-03-10 (US summer time): the Globex session ends 17:00 CT = 22:00 UTC. A fade at 21:58
    // disarms; a stretched bar after 22:00 belongs to a new VWAP session and fires again.
    const ctx = mkCtx(new OpeningRangeTracker(), base);
    const v = new VwapReversion();
    const bars = [
      mkBar('2026-03-10T21:58:00Z', 1.1024, 1.1025, 1.1018, 1.1019),
      mkBar('2026-03-10T21:59:00Z', 1.1024, 1.1026, 1.1018, 1.1019), // same session: no repeat
      mkBar('2026-03-10T23:00:00Z', 1.1024, 1.1026, 1.1018, 1.1019), // next session
    ];
    const m = run(v, ctx, bars);
    assert.deepEqual([...m.keys()], ['2026-03-10T21:58:00.000Z', '2026-03-10T23:00:00.000Z']);
  });
});
