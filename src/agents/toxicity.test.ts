import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { inputAt, WED_OVERLAP_MS } from '../../test/agents.js';
import type { SweepAlert } from '../strategy/index.js';
import { defineAnalyst } from './analyst.js';
import { agentsConfig } from './config.js';
import { analyzeToxicity, TOXICITY_ANALYST } from './toxicity.js';

const T = WED_OVERLAP_MS;
const sweep = (agoMs: number): SweepAlert => ({
  side: 'buy',
  levels: 3,
  size: 80,
  tMs: T - agoMs,
  price: 1.1002,
});

describe('toxicity analyst', () => {
  it('raises risk_off and toxicity at VPIN CDF ≥ 0.9', () => {
    const s = defineAnalyst(TOXICITY_ANALYST).analyze(inputAt(T, { vpin: 0.42, vpin_cdf: 0.95 }));
    assert.equal(s.direction, 'flat');
    assert.deepEqual(s.flags, ['toxicity', 'risk_off']);
    assert.equal(s.confidence, 0.95);
    assert.equal(s.evidence.vpin, 0.42);
  });

  it('raises toxicity alone between 0.8 and 0.9, nothing below', () => {
    assert.deepEqual(analyzeToxicity(inputAt(T, { vpin_cdf: 0.85 })).flags, ['toxicity']);
    const calm = analyzeToxicity(inputAt(T, { vpin_cdf: 0.3, cancel_add_ratio: 1 }));
    assert.deepEqual(calm.flags, []);
    // max(0.3, 1 / 3) = 0.333…
    assert.ok(Math.abs(calm.confidence - 1 / 3) < 1e-12);
  });

  it('counts sweeps in the last minute: one → sweep, three → risk_off', () => {
    const one = analyzeToxicity(
      inputAt(T, { vpin_cdf: 0.5 }, { recentSweeps: [sweep(70_000), sweep(10_000)] }),
    );
    // The sweep 70 s ago is outside the 60-s window.
    assert.deepEqual(one.flags, ['sweep']);
    assert.equal(one.evidence.sweeps_in_window, 1);
    const three = analyzeToxicity(
      inputAt(T, { vpin_cdf: 0.5 }, { recentSweeps: [sweep(50_000), sweep(20_000), sweep(1_000)] }),
    );
    assert.deepEqual(three.flags, ['sweep', 'risk_off']);
    assert.equal(three.confidence, 1);
  });

  it('treats a cancel-to-add burst as toxicity, a larger one as risk_off', () => {
    assert.deepEqual(analyzeToxicity(inputAt(T, { cancel_add_ratio: 2.5 })).flags, ['toxicity']);
    assert.deepEqual(analyzeToxicity(inputAt(T, { cancel_add_ratio: 3.5 })).flags, ['toxicity', 'risk_off']);
  });

  it('is flat with confidence 0 when nothing is ready, and obeys its config', () => {
    const s = analyzeToxicity(inputAt(T));
    assert.equal(s.confidence, 0);
    assert.deepEqual(s.flags, []);
    assert.equal(s.evidence.vpin_cdf, null);
    const strict = agentsConfig({ toxicity: { vpinCdfRiskOff: 0.7 } }).toxicity;
    assert.ok(analyzeToxicity(inputAt(T, { vpin_cdf: 0.75 }), strict).flags.includes('risk_off'));
  });
});
