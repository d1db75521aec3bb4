import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { inputAt, WED_OVERLAP_MS } from '../../test/agents.js';
import type { Setup } from '../strategy/index.js';
import { defineAnalyst } from './analyst.js';
import { analyzeTechnical, TECHNICAL_ANALYST } from './technical.js';

const T = WED_OVERLAP_MS;

function setup(
  technique: Setup['technique'],
  side: Setup['side'],
  confidence: number,
  extra: Partial<Setup> = {},
): Setup {
  const long = side === 'long';
  return {
    technique,
    instrument: '6EH5',
    side,
    entry: 1.1,
    stop: long ? 1.099 : 1.101,
    target: long ? 1.102 : 1.098,
    createdMs: T - 60_000,
    validUntilMs: T + 600_000,
    confidence,
    evidence: { level: 1.0995, note: 'x' },
    ...extra,
  };
}

describe('technical analyst', () => {
  it('is flat with confidence 0 without setups', () => {
    const s = defineAnalyst(TECHNICAL_ANALYST).analyze(inputAt(T));
    assert.equal(s.direction, 'flat');
    assert.equal(s.confidence, 0);
  });

  it('combines each side by noisy-or and takes the side ahead by more than the edge', () => {
    // long: 1 − (1 − 0.6)(1 − 0.5) = 0.8; short: 0.5; edge 0.3 > 0.1 → long, confidence 0.3.
    const setups = [setup('orb', 'long', 0.6), setup('vwap', 'long', 0.5), setup('sfp', 'short', 0.5)];
    const s = analyzeTechnical(inputAt(T, {}, { setups }));
    assert.equal(s.direction, 'long');
    assert.ok(Math.abs(s.confidence - 0.3) < 1e-12);
    assert.equal(s.evidence.setups_long, 2);
    assert.equal(s.evidence.best_technique, 'orb');
    // reward 0.002 / risk 0.001 = 2, up to rounding of decimal prices.
    assert.ok(Math.abs((s.evidence.best_reward_risk as number) - 2) < 1e-9);
    assert.equal(s.evidence['orb.level'], 1.0995);
    assert.equal(s.evidence.orb_long, 0.6);
  });

  it('ignores expired, future and weak setups, and is flat when the sides balance', () => {
    const setups = [
      setup('pivots', 'short', 0.9, { validUntilMs: T - 1 }),
      setup('fvg', 'short', 0.9, { createdMs: T + 1 }),
      setup('bigFigures', 'short', 0.05),
      setup('orb', 'long', 0.5),
      setup('sfp', 'short', 0.5),
    ];
    const s = analyzeTechnical(inputAt(T, {}, { setups }));
    // 0.5 vs 0.5: edge 0 ≤ 0.1 → flat at the larger score.
    assert.equal(s.direction, 'flat');
    assert.equal(s.confidence, 0.5);
    assert.equal(s.evidence.setups_short, 1);
  });
});
