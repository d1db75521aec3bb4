import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { inputAt, WED_OVERLAP_MS } from '../../test/agents.js';
import { defineAnalyst } from './analyst.js';
import { analyzeRegime, REGIME_ANALYST } from './regime.js';
import type { RegimeState } from './types.js';

const T = WED_OVERLAP_MS;
const state = (o: Partial<RegimeState>): RegimeState => ({
  state: 'medium',
  probability: 0.9,
  probabilities: [0.05, 0.9, 0.05],
  stance: 'momentum',
  lastTransitionMs: T - 3_600_000,
  ...o,
});

describe('regime analyst', () => {
  it('halves size in the high-volatility state and reports the stance', () => {
    const s = defineAnalyst(REGIME_ANALYST).analyze(
      inputAt(
        T,
        {},
        { regime: state({ state: 'high', probabilities: [0.02, 0.08, 0.9], stance: 'reduce' }) },
      ),
    );
    assert.equal(s.direction, 'flat');
    assert.equal(s.sizeScale, 0.5);
    assert.equal(s.confidence, 0.9);
    assert.equal(s.evidence.stance, 'reduce');
    assert.equal(s.evidence.p_2, 0.9);
    assert.deepEqual(s.flags, []);
  });

  it('discounts an unsure state and a recent transition, flagging regime_change', () => {
    // medium 1 × 0.5 (p 0.5 < 0.6) × 0.5 (changed 60 s ago < 300 s) = 0.25.
    const s = analyzeRegime(
      inputAt(T, {}, { regime: state({ probability: 0.5, lastTransitionMs: T - 60_000 }) }),
    );
    assert.equal(s.sizeScale, 0.25);
    assert.deepEqual(s.flags, ['regime_change']);
    assert.equal(s.evidence.ms_since_transition, 60_000);
  });

  it('keeps full size in a calm, settled state; none when standing aside', () => {
    assert.equal(analyzeRegime(inputAt(T, {}, { regime: state({ state: 'low' }) })).sizeScale, 1);
    assert.equal(analyzeRegime(inputAt(T, {}, { regime: state({ stance: 'stand_aside' }) })).sizeScale, 0);
    // No transition yet (NaN): no discount, no flag.
    const fresh = analyzeRegime(inputAt(T, {}, { regime: state({ lastTransitionMs: Number.NaN }) }));
    assert.deepEqual(fresh.flags, []);
    assert.equal(fresh.evidence.ms_since_transition, null);
  });

  it('is flat with confidence 0 and neutral size without a regime', () => {
    for (const regime of [null, state({ probability: Number.NaN })]) {
      const s = analyzeRegime(inputAt(T, {}, { regime }));
      assert.equal(s.confidence, 0);
      assert.equal(s.sizeScale, 1);
    }
  });
});
