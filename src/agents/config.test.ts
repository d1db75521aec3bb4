import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigError } from '../core/index.js';
import { createAnalysts } from './analysts.js';
import { agentsConfig, DEFAULT_AGENTS_CONFIG, parseAgentsConfig } from './config.js';
import { AGENT_NAMES } from './types.js';

describe('AgentsConfig', () => {
  it('documents defaults for every analyst and freezes them', () => {
    assert.equal(DEFAULT_AGENTS_CONFIG.toxicity.vpinCdfRiskOff, 0.9);
    assert.deepEqual(DEFAULT_AGENTS_CONFIG.regime.stateScale, { low: 1, medium: 1, high: 0.5 });
    assert.equal(DEFAULT_AGENTS_CONFIG.session.releases[0].hour, 8);
    assert.ok(Object.isFrozen(DEFAULT_AGENTS_CONFIG.session.releases));
  });

  it('names every bad field in its error', () => {
    assert.throws(
      () => parseAgentsConfig({ toxicity: { vpinCdfRiskOff: 1.5 }, session: { staleDataMs: -1, extra: 1 } }),
      (e) => {
        assert.ok(e instanceof ConfigError);
        assert.match(e.message, /toxicity\.vpinCdfRiskOff/);
        assert.match(e.message, /session\.staleDataMs/);
        assert.match(e.message, /extra/);
        return true;
      },
    );
    assert.throws(() => parseAgentsConfig('{'), /not valid JSON/);
  });

  it('merges overrides over the defaults', () => {
    const c = agentsConfig({ momentum: { adxTrendMin: 25 } });
    assert.equal(c.momentum.adxTrendMin, 25);
    assert.equal(c.momentum.adxStrong, 40);
  });

  it('creates the seven analysts in AGENT_NAMES order with their budgets', () => {
    const agents = createAnalysts(agentsConfig({ session: { budgetMs: 7 } }));
    assert.deepEqual(
      agents.map((a) => a.name),
      [...AGENT_NAMES],
    );
    assert.equal(agents[6].budgetMs, 7);
  });
});
