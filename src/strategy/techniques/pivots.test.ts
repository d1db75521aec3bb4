/** Pivot levels against the hand-computed formulas, and bounce/break setups on them. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  all,
  expectSetup,
  flat,
  mkBar,
  mkCtx,
  near,
  OpeningRangeTracker,
  priorDayBars,
  run,
} from '../../../test/techniques.js';
import { techniquesConfig } from './config.js';
import { PivotPoints, pivotLevels } from './pivots.js';

describe('pivotLevels', () => {
  it('matches the classic, Camarilla and Fibonacci formulas (H 1.1100, L 1.1000, C 1.1080)', () => {
    const lv = pivotLevels(1.11, 1.1, 1.108);
    // Classic: P = (1.1100 + 1.1000 + 1.1080)/3 = 1.1060; R1 = 2P − L = 1.1120; S1 = 2P − H = 1.1020;
    // R2 = P + 0.0100 = 1.1160; S2 = 1.0960; R3 = H + 2(P − L) = 1.1220; S3 = L − 2(H − P) = 1.0920.
    near(lv.classic.P, 1.106);
    near(lv.classic.R1, 1.112);
    near(lv.classic.S1, 1.102);
    near(lv.classic.R2, 1.116);
    near(lv.classic.S2, 1.096);
    near(lv.classic.R3, 1.122);
    near(lv.classic.S3, 1.092);
    // Camarilla: (H − L)·1.1 = 0.011; /12 = 0.00091667, /6 = 0.00183333, /4 = 0.00275, /2 = 0.0055.
    near(lv.camarilla.R1, 1.108 + 0.011 / 12);
    near(lv.camarilla.R2, 1.1098333333333332);
    near(lv.camarilla.R3, 1.11075);
    near(lv.camarilla.R4, 1.1135);
    near(lv.camarilla.S1, 1.1070833333333334);
    near(lv.camarilla.S2, 1.1061666666666667);
    near(lv.camarilla.S3, 1.10525);
    near(lv.camarilla.S4, 1.1025);
    // Fibonacci: P ± 0.382/0.618/1.000 × 0.0100.
    near(lv.fibonacci.P, 1.106);
    near(lv.fibonacci.R1, 1.10982);
    near(lv.fibonacci.R2, 1.11218);
    near(lv.fibonacci.R3, 1.116);
    near(lv.fibonacci.S1, 1.10218);
    near(lv.fibonacci.S2, 1.09982);
    near(lv.fibonacci.S3, 1.096);
  });
});

describe('PivotPoints', () => {
  // Prior FX day 2026-03-10 (ends 21:00 UTC): H 1.1100, L 1.1000, C 1.1080.
  const day = () => priorDayBars(1.11, 1.1, 1.108);

  it('bounces long off classic S1 (1.1020) with the pivot (1.1060) as target', () => {
    const params = techniquesConfig({ pivots: { variants: ['classic'] } }).pivots;
    const ctx = mkCtx(new OpeningRangeTracker());
    const bars = [
      ...day(),
      flat('2026-03-11T09:59:00Z', 1.103),
      mkBar('2026-03-11T10:00:00Z', 1.1028, 1.103, 1.1019, 1.1026),
    ];
    // (The 09:59 bar's drop from 1.1080 breaks levels on its own; only the 10:00 bar is checked.)
    const got = run(new PivotPoints(params), ctx, bars).get('2026-03-11T10:00:00.000Z') ?? [];
    assert.equal(got.length, 1);
    // Stop min(low 1.1019, S1 1.1020) − 2 ticks = 1.1017; risk 0.0009; nearest classic level ≥ 1R
    // above 1.1026 is P = 1.1060.
    const s = expectSetup(got[0], 'long', 1.1026, 1.1017, 1.106);
    assert.equal(s.kind, 'bounce');
    assert.equal(s.evidence.levelName, 'classic.S1');
    assert.equal(s.evidence.priorDay, '2026-03-10');
  });

  it('breaks long through Camarilla R4 (1.1135) with a fallback 1.5R target', () => {
    const ctx = mkCtx(new OpeningRangeTracker());
    const bars = [
      ...day(),
      flat('2026-03-11T09:59:00Z', 1.113),
      mkBar('2026-03-11T10:00:00Z', 1.113, 1.1142, 1.1128, 1.114),
    ];
    const got = run(new PivotPoints(), ctx, bars).get('2026-03-11T10:00:00.000Z') ?? [];
    assert.equal(got.length, 1);
    // Stop R4 − 2 ticks = 1.1133; risk 0.0007; no Camarilla level above R4: target 1.1140 + 1.5 × 0.0007.
    const s = expectSetup(got[0], 'long', 1.114, 1.1133, 1.11505);
    assert.equal(s.evidence.levelName, 'camarilla.R4');
    assert.equal(s.kind, 'break');
    assert.ok(Math.abs(s.confidence - 0.6) < 1e-12);
  });

  it('does not break on a close only one tick through, nor before a prior day exists', () => {
    const ctx = mkCtx(new OpeningRangeTracker());
    const bars = [
      ...day(),
      flat('2026-03-11T09:59:00Z', 1.113),
      mkBar('2026-03-11T10:00:00Z', 1.113, 1.1137, 1.1128, 1.1136),
    ];
    assert.equal(run(new PivotPoints(), ctx, bars).get('2026-03-11T10:00:00.000Z'), undefined);
    const fresh = mkCtx(new OpeningRangeTracker());
    const early = [
      flat('2026-03-10T09:59:00Z', 1.113),
      mkBar('2026-03-10T10:00:00Z', 1.113, 1.1142, 1.1128, 1.114),
    ];
    assert.equal(all(run(new PivotPoints(), fresh, early)).length, 0);
  });

  it('fires a level once per kind per day', () => {
    const params = techniquesConfig({ pivots: { variants: ['classic'] } }).pivots;
    const ctx = mkCtx(new OpeningRangeTracker());
    const probe = (m: string) => mkBar(`2026-03-11T10:${m}:00Z`, 1.1028, 1.103, 1.1019, 1.1026);
    const bars = [...day(), flat('2026-03-11T09:59:00Z', 1.103), probe('00'), probe('01')];
    const m = run(new PivotPoints(params), ctx, bars);
    assert.equal(m.get('2026-03-11T10:00:00.000Z')?.length, 1);
    assert.equal(m.get('2026-03-11T10:01:00.000Z'), undefined);
  });
});
