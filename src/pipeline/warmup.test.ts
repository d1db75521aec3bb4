/**
 * The pipeline's warm-up: its synthetic inputs look like the engine's and take every path of a
 * session; a session with it takes the same decisions as one without, and nothing of it reaches the
 * decisions, the journal, the logs, the portfolio, the model or the decision ids; it is bounded and
 * can be turned off.
 */
import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import { signalOf } from '../../test/agents.js';
import { tier1Of } from '../../test/pipeline.js';
import { simulatedSpan } from '../../test/sim-fixture.js';
import { createAnalysts } from '../agents/index.js';
import { createLogger } from '../core/index.js';
import { FEATURE_COLUMNS } from '../features/index.js';
import type { LlmProvider, StructuredRequest, StructuredResult } from '../llm/index.js';
import type { SimDayResult } from '../sim/index.js';
import { DEFAULT_PIPELINE_CONFIG, pipelineConfig } from './config.js';
import { DecisionLoop } from './loop.js';
import { analystsTier, type Decision, DecisionPipeline, type Tier1 } from './pipeline.js';
import { WARM_UP_VARIANTS, warmUpDecision, warmUpPortfolio } from './warmup.js';

/** Parts of analysts' rationales the warm-up must draw. */
const RATIONALES = [
  'directional index disagrees',
  'ADX below',
  'setups balance',
  'microprice at mid',
  'toxic flow',
];

describe('warm-up inputs', () => {
  test('a synthetic snapshot is frozen and has the engine snapshot keys in their order', () => {
    // engine.test.ts pins a real snapshot's keys to this same list.
    for (let k = 0; k < 2 * WARM_UP_VARIANTS.length; k++) {
      const { input } = warmUpDecision(k);
      assert.deepEqual(Object.keys(input.snapshot), [
        'ts',
        'ts_ns',
        'symbol',
        'instrument_id',
        'session',
        ...FEATURE_COLUMNS,
      ]);
      assert.ok(Object.isFrozen(input.snapshot) && Object.isFrozen(input));
      assert.deepEqual(Object.keys(input), [
        'snapshot',
        'setups',
        'regime',
        'nowMs',
        'lastEventMs',
        'closes',
        'recentSweeps',
      ]);
    }
  });

  test('the same k gives the same input', () => {
    assert.deepEqual(warmUpDecision(37), warmUpDecision(37));
  });

  test("the first 60 take every route, approve long and short, draw a veto from every validator and the analysts' other answers", async () => {
    const decisions: Decision[] = [];
    const book = warmUpPortfolio(DEFAULT_PIPELINE_CONFIG.limits);
    const pipeline = new DecisionPipeline({
      tier1: analystsTier(createAnalysts()),
      portfolio: book,
      onDecision: (d) => decisions.push(d),
    });
    for (let k = 0; k < 60; k++) {
      book.step(k);
      const { trigger, input } = warmUpDecision(k);
      await pipeline.decide(trigger, input);
    }
    const seen = new Set<string>();
    for (const d of decisions) {
      seen.add(`route ${d.route}, ${d.debate.ran ? 'debate' : 'no debate'}`);
      seen.add(`${d.approval.approved ? 'approved' : 'rejected'} ${d.approval.direction}`);
      seen.add(`trigger ${d.trigger.kind}`);
      if (d.debate.end === 'exhausted' && d.debate.rounds % 2 === 1)
        seen.add('a debate out of points at an odd round');
      for (const v of d.verdicts) if (!v.pass) seen.add(`veto ${v.check}`);
      for (const s of d.signals) {
        seen.add(`${s.agent} ${s.direction}`);
        if (s.rationale.includes('not ready')) seen.add(`${s.agent} not ready`);
        for (const r of RATIONALES) if (s.rationale.includes(r)) seen.add(`${s.agent}: ${r}`);
        const e = s.evidence;
        if (typeof e.sweeps_in_window === 'number') seen.add(`${e.sweeps_in_window} sweeps`);
        if (Number(e.setups_long) >= 2 || Number(e.setups_short) >= 2) seen.add('two setups on a side');
      }
    }
    const want = [
      'route fast, no debate',
      'route standard, no debate',
      'route standard, debate',
      'route full, debate',
      'approved long',
      'approved short',
      'rejected long',
      'rejected short',
      'rejected flat',
      'trigger bar',
      'trigger setup',
      'trigger sweep',
      'trigger toxicity',
      ...['exposure', 'daily_loss', 'spread', 'session', 'stale_data', 'toxicity'].map((v) => `veto ${v}`),
      // The four analysts that take a side, each way and flat; the other three are flat filters.
      ...['momentum', 'technical', 'microstructure', 'market_making'].flatMap((a) => [
        `${a} long`,
        `${a} short`,
        `${a} flat`,
      ]),
      'toxicity flat',
      'regime flat',
      'session flat',
      // Toxicity is never 'not ready' in a session: the loop always gives the recent sweeps.
      ...['momentum', 'microstructure', 'market_making', 'regime'].map((a) => `${a} not ready`),
      // Answers a session meets that V8 would otherwise first compile on real data.
      'momentum: directional index disagrees',
      'momentum: ADX below',
      'technical: setups balance',
      'market_making: microprice at mid',
      'market_making: toxic flow',
      ...[0, 1, 2, 3, 4].map((n) => `${n} sweeps`),
      'two setups on a side',
      'a debate out of points at an odd round',
    ];
    assert.deepEqual(
      want.filter((w) => !seen.has(w)),
      [],
    );
  });
});

/** A tier 1 answering one long signal, counting its calls. */
function countingTier1(): { tier1: Tier1; calls: () => number } {
  let n = 0;
  const inner = tier1Of([signalOf('momentum', 'long', 0.5)]);
  return {
    tier1: async () => {
      n++;
      return inner();
    },
    calls: () => n,
  };
}

describe('warm-up limits', () => {
  test('stops at `decisions`, and runs once however often it is asked', async () => {
    const t = countingTier1();
    const pipeline = new DecisionPipeline({
      tier1: t.tier1,
      config: pipelineConfig({ warmUp: { decisions: 5 } }),
    });
    const r = await pipeline.warmUp();
    assert.equal(r.decisions, 5);
    assert.equal(t.calls(), 5);
    assert.equal(await pipeline.warmUp(), r);
    assert.equal(t.calls(), 5);
  });

  test('stops after the first decision that ends past `maxMs`', async () => {
    const t = countingTier1();
    const slow: Tier1 = async (input, signal) => {
      await new Promise((resolve) => setTimeout(resolve, 5));
      return t.tier1(input, signal);
    };
    const pipeline = new DecisionPipeline({
      tier1: slow,
      config: pipelineConfig({ warmUp: { decisions: 1_000, maxMs: 1 } }),
    });
    const r = await pipeline.warmUp();
    assert.equal(r.decisions, 1);
    assert.equal(t.calls(), 1);
  });

  test('turned off, it takes no decision', async () => {
    const t = countingTier1();
    const pipeline = new DecisionPipeline({
      tier1: t.tier1,
      config: pipelineConfig({ warmUp: { enabled: false } }),
    });
    assert.deepEqual(await pipeline.warmUp(), { decisions: 0, ms: 0 });
    assert.equal(t.calls(), 0);
  });

  test('asks a configured model nothing (no call, no cache entry, no cost)', async () => {
    let calls = 0;
    const llm: LlmProvider = {
      name: 'test',
      model: 'm',
      async complete<T>(_req: StructuredRequest<T>): Promise<StructuredResult<T>> {
        calls++;
        throw new Error('the warm-up must not call the model');
      },
    };
    const pipeline = new DecisionPipeline({ tier1: analystsTier(createAnalysts()), llm });
    const r = await pipeline.warmUp();
    assert.ok(r.decisions > 0);
    assert.equal(calls, 0);
  });
});

/** A decision without what depends on the machine's speed (times), as JSON. */
function stripTimes(d: Decision): string {
  return JSON.stringify(
    {
      ...d,
      timings: null,
      sumAgentMs: null,
      outcomes: d.outcomes.map((o) => ({ agent: o.agent, status: o.status, error: o.error })),
    },
    (_k, v) => (typeof v === 'bigint' ? v.toString() : v),
  );
}

describe('a session with the warm-up', () => {
  const span = simulatedSpan({
    seed: 11,
    spot: false,
    from: '2026-11-24T14:00:00Z',
    minutes: 40,
    prefix: 'warm-up-',
  });
  let day: SimDayResult;
  before(() => {
    day = span.day;
  });

  async function session(warm: boolean) {
    const journal: string[] = [];
    const lines: Record<string, unknown>[] = [];
    const logger = createLogger({
      level: 'trace',
      destination: { write: (l: string) => lines.push(JSON.parse(l)) },
    });
    const pipeline = new DecisionPipeline({
      tier1: analystsTier(createAnalysts()),
      config: pipelineConfig({ warmUp: { enabled: warm } }),
      logger,
      onDecision: (d) => journal.push(stripTimes(d)),
    });
    const loop = new DecisionLoop({ pipeline, engine: { vpinBucketVolume: 200, vpinWindowBuckets: 10 } });
    await loop.run([day.files.mbp10, day.files.trades]);
    const instruments = [...new Set(loop.decisions.map((d) => d.instrument))];
    return {
      warmUp: await pipeline.warmUp(),
      decisions: loop.decisions.map(stripTimes),
      ids: loop.decisions.map((d) => d.id),
      journal,
      logs: lines.map(({ time: _t, totalMs: _ms, ...rest }) => rest),
      book: instruments.map((i) => [i, pipeline.portfolio.position(i)]),
      pnl: pipeline.portfolio.dailyPnl(),
    };
  }

  test('takes the same decisions as one without, and leaves no trace of its own', async () => {
    const warm = await session(true);
    const cold = await session(false);
    assert.ok(warm.warmUp.decisions > 0, 'the warm-up ran');
    assert.equal(cold.warmUp.decisions, 0);
    assert.ok(warm.decisions.length > 20, `${warm.decisions.length} decisions`);
    assert.deepEqual(warm.decisions, cold.decisions);
    // The journal holds the session's decisions only; ids count from 1 as if there was no warm-up.
    assert.deepEqual(warm.journal, warm.decisions);
    assert.deepEqual(warm.journal, cold.journal);
    assert.deepEqual(warm.ids, cold.ids);
    assert.match(warm.ids[0], /-1$/);
    // The same log lines, none about a synthetic instrument.
    assert.deepEqual(warm.logs, cold.logs);
    assert.ok(warm.logs.length >= warm.decisions.length);
    for (const l of warm.logs) assert.doesNotMatch(String(l.instrument ?? ''), /H6$/);
    assert.deepEqual(warm.book, cold.book);
    assert.equal(warm.pnl, cold.pnl);
  });
});
