import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { inputOf, quoteSnapshot, signalOf } from '../../test/agents.js';
import { tier1Of } from '../../test/pipeline.js';
import type { AgentInput, AgentName, Direction } from '../agents/index.js';
import { ConfigError } from '../core/index.js';
import type { LlmProvider, StructuredRequest, StructuredResult } from '../llm/index.js';
import { DEFAULT_PIPELINE_CONFIG, parsePipelineConfig, pipelineConfig } from './config.js';
import { consensus } from './consensus.js';
import { debate } from './debate.js';
import { analystsTier, chooseRoute, DecisionPipeline, sizeFor, type Tier1Result } from './pipeline.js';
import type { PortfolioView } from './portfolio.js';
import { VALIDATOR_NAMES, VALIDATORS, type ValidationContext, validate } from './validators.js';

const T = Date.parse('2026-11-24T14:00:00Z');

function input(over: Partial<Record<string, number | string>> = {}, lastEventMs = T): AgentInput {
  return inputOf(Object.freeze(quoteSnapshot(T, over)), T, { lastEventMs });
}

const W: Record<AgentName, number> = {
  momentum: 1,
  technical: 1,
  microstructure: 1,
  toxicity: 1,
  regime: 1,
  market_making: 1,
  session: 1,
};

describe('tier 2: weighted consensus', () => {
  test('score, direction and agreement worked by hand', () => {
    // Votes w·c: long 0.8 + 0.6 = 1.4; short 0.4; flat 0.2. Total 2.0.
    // score = (1.4 − 0.4) / 2.0 = 0.5 → long; agreement = 1.4 / (1.4 + 0.4) = 0.7778.
    const c = consensus(
      [
        signalOf('momentum', 'long', 0.8),
        signalOf('technical', 'long', 0.6),
        signalOf('toxicity', 'short', 0.4),
        signalOf('session', 'flat', 0.2),
      ],
      W,
      0.1,
    );
    assert.equal(c.direction, 'long');
    assert.ok(Math.abs(c.score - 0.5) < 1e-12);
    assert.ok(Math.abs(c.agreement - 1.4 / 1.8) < 1e-12);
    // A weight of 2 on the short analyst: short 0.8, score (1.4 − 0.8) / 2.4 = 0.25.
    const c2 = consensus(
      [
        signalOf('momentum', 'long', 0.8),
        signalOf('technical', 'long', 0.6),
        signalOf('toxicity', 'short', 0.4),
        signalOf('session', 'flat', 0.2),
      ],
      { ...W, toxicity: 2 },
      0.1,
    );
    assert.ok(Math.abs(c2.score - 0.25) < 1e-12);
  });

  test('balanced views are flat with no agreement; all flat is flat with full agreement', () => {
    const c = consensus([signalOf('momentum', 'long', 0.5), signalOf('technical', 'short', 0.5)], W, 0.1);
    assert.equal(c.direction, 'flat');
    assert.equal(c.agreement, 0);
    const f = consensus([signalOf('momentum', 'flat', 0.5), signalOf('session', 'flat', 0.3)], W, 0.1);
    assert.equal(f.direction, 'flat');
    assert.equal(f.agreement, 1);
  });

  test('the order analysts answer in does not change the vote', () => {
    const a = [
      signalOf('momentum', 'long', 0.3),
      signalOf('technical', 'short', 0.7),
      signalOf('regime', 'long', 0.1),
    ];
    assert.deepEqual(consensus(a, W, 0.1), consensus([...a].reverse(), W, 0.1));
  });
});

describe('tier 3: the debate', () => {
  const cfg = DEFAULT_PIPELINE_CONFIG.debate;

  test('skipped when agreement is at or above 0.9', async () => {
    const s = [
      signalOf('momentum', 'long', 0.9),
      signalOf('technical', 'long', 0.8),
      signalOf('toxicity', 'short', 0.1),
    ];
    const c = consensus(s, W, 0.1); // agreement 1.7 / 1.8 = 0.944
    assert.ok(c.agreement >= 0.9);
    const d = await debate(s, c, { config: cfg });
    assert.equal(d.ran, false);
    assert.equal(d.end, 'skipped');
    assert.equal(d.turns.length, 0);
  });

  test('checks every 2 rounds and stops once the judge agrees at 75 %', async () => {
    // Bull points 0.9, 0.8, 0.7, 0.6; bear 0.4, 0.2.
    // Round 2 check: B = 1.7, R = 0.6, agreement 1.7 / 2.3 = 0.739 < 0.75: go on.
    // Round 4 check: B = 3.0, R = 0.6, agreement 3.0 / 3.6 = 0.833 ≥ 0.75: stop.
    const s = [
      signalOf('momentum', 'long', 0.9),
      signalOf('technical', 'long', 0.8),
      signalOf('microstructure', 'long', 0.7),
      signalOf('market_making', 'long', 0.6),
      signalOf('toxicity', 'short', 0.4),
      signalOf('regime', 'short', 0.2),
    ];
    const c = consensus(s, W, 0.1); // agreement 3.0 / 3.6 = 0.833 < 0.9: the debate runs
    const d = await debate(s, c, { config: cfg });
    assert.equal(d.ran, true);
    assert.equal(d.end, 'converged');
    assert.equal(d.rounds, 4);
    assert.deepEqual(
      d.checks.map((x) => x.round),
      [2, 4],
    );
    assert.ok(Math.abs(d.checks[0].agreement - 1.7 / 2.3) < 1e-12);
    assert.ok(Math.abs(d.checks[1].agreement - 3.0 / 3.6) < 1e-12);
    assert.equal(d.direction, 'long');
    assert.deepEqual(
      d.turns.map((t) => `${t.round} ${t.side} ${t.source}`),
      [
        '1 bull momentum',
        '1 bear toxicity',
        '2 bull technical',
        '2 bear regime',
        '3 bull microstructure',
        '4 bull market_making',
      ],
    );
  });

  test('sides that run out of points end the debate before a check', async () => {
    // Bull 0.9, 0.8, 0.7; bear 0.4, 0.2: round 2 check 0.739; round 3 bull only; round 4 nobody.
    const s = [
      signalOf('momentum', 'long', 0.9),
      signalOf('technical', 'long', 0.8),
      signalOf('microstructure', 'long', 0.7),
      signalOf('toxicity', 'short', 0.4),
      signalOf('regime', 'short', 0.2),
    ];
    const d = await debate(s, consensus(s, W, 0.1), { config: cfg });
    assert.equal(d.end, 'exhausted');
    assert.equal(d.rounds, 3);
    assert.ok(Math.abs(d.agreement - 2.4 / 3.0) < 1e-12);
  });

  test('evenly matched sides run to the round limit', async () => {
    const s = (['momentum', 'technical', 'microstructure'] as const).flatMap((a, i) => [
      signalOf(a, 'long', 0.9 - i * 0.1),
    ]);
    const bears = (['toxicity', 'regime', 'market_making'] as const).map((a, i) =>
      signalOf(a, 'short', 0.9 - i * 0.1),
    );
    const all = [...s, ...bears];
    const d = await debate(all, consensus(all, W, 0.1), { config: { ...cfg, maxRounds: 3 } });
    // Tallies stay equal (0.9+0.8+0.7 each side): agreement 0.5 at every check; limit after 3 rounds.
    assert.equal(d.end, 'round_limit');
    assert.equal(d.rounds, 3);
    assert.equal(d.direction, 'flat');
    assert.ok(d.checks.every((x) => Math.abs(x.agreement - 0.5) < 1e-12));
  });

  test('a risk flag halves the points of the side it argues against', async () => {
    // Consensus long (0.9 + 0.5 vs 0.6); toxicity flag on the short analyst: long points 0.45, 0.25.
    const s = [
      signalOf('momentum', 'long', 0.9),
      signalOf('technical', 'long', 0.5),
      signalOf('toxicity', 'short', 0.6, { flags: ['toxicity'] }),
    ];
    const c = consensus(s, W, 0.1);
    assert.equal(c.direction, 'long');
    const d = await debate(s, c, { config: cfg, force: true });
    // After round 2: B = 0.45 + 0.25 = 0.7, R = 0.6: agreement 0.538; exhausted at round 3 → verdict long.
    assert.equal(d.end, 'exhausted');
    assert.ok(Math.abs(d.agreement - 0.7 / 1.3) < 1e-12);
    assert.equal(d.direction, 'long');
  });
});

describe('tier 4: validators', () => {
  const flat: PortfolioView = { position: () => 0, grossExposure: () => 0, dailyPnl: () => 0 };
  const ctx = (over: Partial<ValidationContext> = {}): ValidationContext => ({
    input: input(),
    signals: [],
    intent: { instrument: '6EZ6', direction: 'long', size: 2 },
    portfolio: flat,
    limits: DEFAULT_PIPELINE_CONFIG.limits,
    ...over,
  });

  test('all pass on a calm, fresh, tight market', async () => {
    for (const v of Object.values(VALIDATORS)) assert.equal((await v(ctx())).pass, true);
  });

  test('each validator vetoes with a reason', async () => {
    const cases: [keyof typeof VALIDATORS, ValidationContext, RegExp][] = [
      [
        'exposure',
        ctx({ limits: { ...DEFAULT_PIPELINE_CONFIG.limits, maxPosition: 1 } }),
        /position would be 2, limit ±1/,
      ],
      ['exposure', ctx({ portfolio: { ...flat, grossExposure: () => 19 } }), /gross exposure would be 21/],
      ['daily_loss', ctx({ portfolio: { ...flat, dailyPnl: () => -2_000 } }), /at or below −2000/],
      ['spread', ctx({ input: input({ spread_ticks: 3 }) }), /spread 3 ticks above 2/],
      ['spread', ctx({ input: input({ spread_ticks: Number.NaN }) }), /no two-sided quote/],
      ['session', ctx({ input: input({ session: 'closed' }) }), /closed/],
      [
        'session',
        ctx({ signals: [signalOf('session', 'flat', 0, { flags: ['no_trade_window'] })] }),
        /no-trade window \(session\)/,
      ],
      ['stale_data', ctx({ input: input({}, T - 6_000) }), /6000 ms old, limit 5000/],
      [
        'toxicity',
        ctx({ signals: [signalOf('toxicity', 'flat', 0.9, { flags: ['risk_off'] })] }),
        /risk-off raised by toxicity/,
      ],
      ['toxicity', ctx({ input: input({ vpin_cdf: 0.97 }) }), /VPIN CDF 0.970/],
    ];
    for (const [name, c, why] of cases) {
      const v = await VALIDATORS[name](c);
      assert.equal(v.pass, false, `${name} should veto`);
      assert.match(v.reason, why);
    }
  });

  test('validate: every check in order; a check that throws, or whose promise rejects, is a veto naming why; one that answers later is waited for', async () => {
    const all = await validate(ctx({ input: input({ spread_ticks: 3 }) }));
    assert.deepEqual(
      all.map((v) => v.check),
      [...VALIDATOR_NAMES],
    );
    assert.deepEqual(
      all.filter((v) => !v.pass).map((v) => v.check),
      ['spread'],
    );
    const checks = VALIDATORS as Record<string, (c: ValidationContext) => unknown>;
    const { spread, session, toxicity } = checks;
    try {
      checks.spread = () => {
        throw new Error('no book');
      };
      checks.session = async () => ({ check: 'session', pass: false, reason: 'answered later' });
      checks.toxicity = () => Promise.reject(new Error('model down'));
      const v = await validate(ctx());
      assert.deepEqual(
        v.map((x) => [x.check, x.pass, x.reason]),
        [
          ['exposure', true, 'position 0 → 2, gross 2'],
          ['daily_loss', true, 'day P&L 0.00'],
          ['spread', false, 'check failed: no book'],
          ['session', false, 'answered later'],
          ['stale_data', true, 'last event 0 ms old'],
          ['toxicity', false, 'check failed: model down'],
        ],
      );
    } finally {
      Object.assign(checks, { spread, session, toxicity });
    }
  });
});

describe('routes and the whole pipeline (no model)', () => {
  const cfg = DEFAULT_PIPELINE_CONFIG;

  test('fast, standard and full routes', () => {
    const strong = [signalOf('momentum', 'long', 0.95), signalOf('technical', 'long', 0.9)];
    const c = consensus(strong, W, 0.1);
    assert.equal(chooseRoute(c, 1, strong, cfg), 'fast');
    assert.equal(chooseRoute(c, 3, strong, cfg), 'standard', 'not small');
    assert.equal(chooseRoute(c, 5, strong, cfg), 'full', 'large');
    const flagged = [...strong, signalOf('toxicity', 'flat', 0.5, { flags: ['sweep'] })];
    assert.equal(chooseRoute(consensus(flagged, W, 0.1), 1, flagged, cfg), 'full', 'conflicting risk flag');
    // Size: round(4 × confidence × scale), at least 1, at most the position limit; 0 below 0.2.
    assert.equal(sizeFor(0.6, 1, cfg), 2);
    assert.equal(sizeFor(0.6, 0.5, cfg), 1);
    assert.equal(sizeFor(0.1, 1, cfg), 0);
  });

  test('a strong small signal takes the fast path: no debate, approved', async () => {
    const p = new DecisionPipeline({
      tier1: tier1Of([
        signalOf('momentum', 'long', 0.3),
        signalOf('technical', 'long', 0.25),
        signalOf('session', 'flat', 0.1),
      ]),
    });
    const d = await p.decide({ kind: 'bar', tMs: T }, input());
    // Default weights with no regime: session 0.5, the others 1. Votes: long 0.3 + 0.25, flat 0.05.
    // score = 0.55 / 0.6 = 0.917, agreement 1 → size round(4 × 0.917) = 4: not small → standard.
    assert.equal(d.route, 'standard');
    assert.equal(d.debate.ran, false, 'agreement 1 ≥ 0.9: skipped');
    assert.equal(d.approval.approved, true);
    assert.equal(d.approval.size, 4);
    const small = new DecisionPipeline({
      tier1: tier1Of([signalOf('momentum', 'long', 0.3), signalOf('session', 'flat', 0.2)]),
    });
    // score 0.3 / (0.3 + 0.1) = 0.75 → size round(3) = 3: standard; with base size 1, round(0.75) = 1 → fast.
    const fast = new DecisionPipeline({
      tier1: tier1Of([signalOf('momentum', 'long', 0.3), signalOf('session', 'flat', 0.2)]),
      config: parsePipelineConfig({ sizing: { baseSize: 1 } }),
    });
    assert.equal((await small.decide({ kind: 'bar', tMs: T }, input())).route, 'standard');
    const f = await fast.decide({ kind: 'bar', tMs: T }, input());
    assert.equal(f.route, 'fast');
    assert.equal(f.debate.end, 'skipped');
    assert.equal(f.approval.size, 1);
  });

  test('toxicity risk-off: the validators veto and nothing is traded', async () => {
    const p = new DecisionPipeline({
      tier1: tier1Of([
        signalOf('momentum', 'long', 0.9),
        signalOf('technical', 'long', 0.9),
        signalOf('toxicity', 'flat', 0.9, { flags: ['risk_off'] }),
      ]),
    });
    const d = await p.decide({ kind: 'toxicity', tMs: T }, input());
    assert.equal(d.route, 'full', 'a risk flag against a direction: full route');
    assert.equal(d.approval.approved, false);
    assert.match(d.approval.reason, /toxicity \(risk-off raised by toxicity\)/);
  });

  test('the validators read the portfolio they are given: with the gross limit used, a new position is vetoed', async () => {
    const full: PortfolioView = { position: () => 0, grossExposure: () => 20, dailyPnl: () => 0 };
    const tier1 = tier1Of([signalOf('momentum', 'long', 0.9), signalOf('technical', 'long', 0.9)]);
    const flat = await new DecisionPipeline({ tier1 }).decide({ kind: 'bar', tMs: T }, input());
    const held = await new DecisionPipeline({ tier1, portfolio: full }).decide(
      { kind: 'bar', tMs: T },
      input(),
    );
    assert.equal(flat.approval.approved, true);
    assert.equal(held.approval.approved, false);
    assert.match(held.approval.reason, /gross exposure would be 2[1-9]/);
  });

  test('an analyst left out is recorded', async () => {
    const p = new DecisionPipeline({
      tier1: async () => ({
        signals: [signalOf('momentum', 'short', 0.8), signalOf('technical', 'short', 0.8)],
        outcomes: [
          { agent: 'momentum', status: 'ok', ms: 1, startedAt: 0, finishedAt: 1 },
          { agent: 'technical', status: 'ok', ms: 1, startedAt: 0, finishedAt: 1 },
          { agent: 'regime', status: 'timeout', ms: 50, startedAt: 0, finishedAt: 50 },
        ],
        sumAgentMs: 52,
      }),
    });
    const d = await p.decide({ kind: 'setup', tMs: T, detail: 'orb' }, input());
    assert.deepEqual(d.fallbacks, [{ tier: 'tier1', kind: 'timeout', message: 'timeout', step: 'regime' }]);
    assert.equal(d.approval.direction, 'short');
    assert.equal(d.trigger.detail, 'orb');
    assert.equal(d.snapshotTs, '2026-11-24T14:00:00.000000000Z');
  });

  test('the same input gives the same decision (timings aside)', async () => {
    const signals = [
      signalOf('momentum', 'long', 0.7),
      signalOf('technical', 'short', 0.5),
      signalOf('regime', 'long', 0.4),
    ];
    const strip = (d: Awaited<ReturnType<DecisionPipeline['decide']>>) => ({ ...d, id: '', timings: null });
    const a = await new DecisionPipeline({ tier1: tier1Of(signals) }).decide(
      { kind: 'bar', tMs: T },
      input(),
    );
    const b = await new DecisionPipeline({ tier1: tier1Of(signals) }).decide(
      { kind: 'bar', tMs: T },
      input(),
    );
    assert.deepEqual(strip(a), strip(b));
  });
});

/** A provider that answers every call with one failure, as a real provider reports it. */
function failing(kind: 'malformed' | 'timeout' | 'refused' | 'rate_limited'): LlmProvider {
  return {
    name: 'test',
    model: 'm',
    async complete<T>(_req: StructuredRequest<T>): Promise<StructuredResult<T>> {
      return {
        ok: false,
        failure: { kind, message: `${kind} answer` },
        usage: { inputTokens: 10, outputTokens: 5, cachedInputTokens: 0, costUsd: 0.001 },
        latencyMs: 1,
        provider: 'test',
        model: 'm',
      };
    },
  };
}

describe('with a model that fails', () => {
  for (const kind of ['malformed', 'timeout', 'refused', 'rate_limited'] as const) {
    test(`${kind}: every model step falls back to the quant step, recorded; the decision equals the quant one`, async () => {
      const signals = [
        signalOf('momentum', 'long', 0.9),
        signalOf('technical', 'long', 0.5),
        signalOf('toxicity', 'short', 0.6),
      ];
      const quant = await new DecisionPipeline({ tier1: tier1Of(signals) }).decide(
        { kind: 'bar', tMs: T },
        input(),
      );
      const withModel = await new DecisionPipeline({ tier1: tier1Of(signals), llm: failing(kind) }).decide(
        { kind: 'bar', tMs: T },
        input(),
      );
      assert.equal(quant.debate.ran, true);
      // Agreement 1.4 / 2.0 = 0.7 < 0.9: the debate runs. Round 1: bull (momentum) and bear
      // (toxicity); round 2: bull (technical), then the judge (B 1.4, R 0.6: 0.7 < 0.75, go on);
      // round 3: no points left. Each of those four model steps fell back, and nothing else.
      assert.deepEqual(
        withModel.fallbacks.map((f) => `${f.tier} ${f.step}: ${f.kind} (${f.message})`),
        ['round 1 bull', 'round 1 bear', 'round 2 bull', 'judge round 2'].map(
          (step) => `tier3 ${step}: ${kind} (${kind} answer)`,
        ),
      );
      assert.deepEqual(withModel.approval, quant.approval);
      assert.equal(withModel.debate.direction, quant.debate.direction);
      assert.ok(withModel.usage.inputTokens > 0, 'tokens of failed calls are still counted');
    });
  }
});

describe('the portfolio view', () => {
  test('past the daily loss limit only trades that shrink the position pass', async () => {
    const losing: PortfolioView = { position: () => 10, grossExposure: () => 10, dailyPnl: () => -2_500 };
    const ctx = (direction: Direction, size: number): ValidationContext => ({
      input: input(),
      signals: [],
      intent: { instrument: '6EZ6', direction, size },
      portfolio: losing,
      limits: DEFAULT_PIPELINE_CONFIG.limits,
    });
    assert.equal((await VALIDATORS.daily_loss(ctx('long', 2))).pass, true, 'long 10 → long 2');
    assert.equal((await VALIDATORS.daily_loss(ctx('long', 10))).pass, false, 'no smaller');
    assert.equal((await VALIDATORS.daily_loss(ctx('short', 2))).pass, false, 'a flip is new risk');
  });
});

describe('budgets and sizes', () => {
  test('a regime size scale of 0 (stand aside) gives no trade', () => {
    assert.equal(sizeFor(0.9, 0, DEFAULT_PIPELINE_CONFIG), 0);
    // 4 × 0.2 × 0.5 = 0.4 rounds to 0: no trade rather than a forced contract.
    assert.equal(sizeFor(0.2, 0.5, DEFAULT_PIPELINE_CONFIG), 0);
  });

  test('without a model and not live, no wall-clock budget cuts an analyst short (replays are pure)', async () => {
    const slow = {
      name: 'momentum' as const,
      budgetMs: 5,
      async analyze() {
        await new Promise((r) => setTimeout(r, 60));
        return signalOf('momentum', 'long', 0.8);
      },
    };
    const config = parsePipelineConfig({ budgets: { tier1Ms: 20, totalMs: 30 } });
    const d = await new DecisionPipeline({ tier1: analystsTier([slow]), config }).decide(
      { kind: 'bar', tMs: T },
      input(),
    );
    assert.deepEqual(
      d.outcomes.map((o) => o.status),
      ['ok'],
    );
    assert.deepEqual(d.overBudget, []);
  });

  test('with a model, a total budget spent in tier 1 means the debate never asks it', async () => {
    let calls = 0;
    const llm: LlmProvider = {
      name: 'test',
      model: 'm',
      async complete<T>(_req: StructuredRequest<T>): Promise<StructuredResult<T>> {
        calls++;
        return {
          ok: false,
          failure: { kind: 'malformed', message: 'x' },
          usage: { inputTokens: 0, outputTokens: 0, cachedInputTokens: 0, costUsd: 0 },
          latencyMs: 0,
          provider: 'test',
          model: 'm',
        };
      },
    };
    const signals = [
      signalOf('momentum', 'long', 0.9),
      signalOf('technical', 'long', 0.5),
      signalOf('toxicity', 'short', 0.6),
    ];
    const config = parsePipelineConfig({ budgets: { totalMs: 20 } });
    const tier1 = async () => {
      await new Promise((r) => setTimeout(r, 60));
      return (await tier1Of(signals)()) as Tier1Result;
    };
    const d = await new DecisionPipeline({ tier1, llm, config }).decide({ kind: 'bar', tMs: T }, input());
    assert.equal(calls, 0);
    assert.equal(d.debate.end, 'budget');
    assert.ok(d.overBudget.includes('tier3') && d.overBudget.includes('total'), d.overBudget.join(','));
  });
});

test('pipeline configuration: a misspelt key is an error naming it', () => {
  assert.throws(
    () => parsePipelineConfig({ budgets: { tier3ms: 100 } }, 'pipeline.json'),
    (e: unknown) =>
      e instanceof Error && /pipeline\.json: budgets: Unrecognized key.*tier3ms/.test(e.message),
  );
  assert.throws(() => parsePipelineConfig('{"debate": {', 'pipeline.json'), /pipeline\.json: not valid JSON/);
  assert.equal(parsePipelineConfig({ budgets: { tier3Ms: 100 } }).budgets.tier3Ms, 100);
  assert.throws(
    () => parsePipelineConfig({ debate: { stopAgreement: 0.95 } }, 'pipeline.json'),
    (e: unknown) =>
      e instanceof ConfigError &&
      e.message === 'pipeline.json: debate.stopAgreement: must not exceed debate.skipAgreement',
  );
});

test('pipeline configuration: the documented defaults, and one weight overridden keeps the rest', () => {
  const c = DEFAULT_PIPELINE_CONFIG;
  assert.deepEqual(c.weights.low, {
    momentum: 0.75,
    technical: 1,
    microstructure: 1.5,
    toxicity: 1,
    regime: 1,
    market_making: 1,
    session: 0.5,
  });
  assert.deepEqual(c.weights.high, {
    momentum: 0.75,
    technical: 1,
    microstructure: 1,
    toxicity: 1.5,
    regime: 1.5,
    market_making: 0.25,
    session: 0.5,
  });
  assert.equal(c.weights.medium.momentum, 1.5);
  assert.equal(c.weights.medium.technical, 1.25);
  assert.equal(c.weights.unknown.session, 0.5);
  assert.deepEqual(c.debate, { skipAgreement: 0.9, stopAgreement: 0.75, checkEvery: 2, maxRounds: 6 });
  assert.deepEqual(c.routing, { fastAgreement: 0.9, smallSize: 1, largeSize: 5 });
  assert.deepEqual(c.sizing, { baseSize: 4, minConfidence: 0.2 });
  assert.deepEqual(c.limits, {
    maxPosition: 10,
    maxExposure: 20,
    dailyLossLimit: 2_000,
    maxSpreadTicks: 2,
    staleMs: 5_000,
    toxicityVeto: 0.95,
  });
  assert.deepEqual(c.budgets, {
    totalMs: 10_000,
    tier1Ms: 2_000,
    tier3Ms: 5_000,
    tier4Ms: 1_000,
    tier5Ms: 2_000,
  });
  assert.ok(Object.isFrozen(c.weights.low));
  const o = pipelineConfig({ weights: { low: { session: 0 } } });
  assert.equal(o.weights.low.session, 0);
  assert.equal(o.weights.low.microstructure, 1.5);
  assert.deepEqual(o.weights.high, c.weights.high);
});
