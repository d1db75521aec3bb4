/**
 * The pipeline with a real provider over HTTP (a local server speaking the chat-completions
 * protocol, started here): garbage, hanging, refusing and rate-limiting answers fall back to the
 * quant step, recorded, and the decision equals the quant one; a hanging model is cut off by the
 * debate's budget; good answers are used, counted and cached.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { inputOf, quoteSnapshot, signalOf } from '../../test/agents.js';
import { hang, malformed, ok, rateLimited, refused, slow, TestLlmServer } from '../../test/llm-server.js';
import { tier1Of } from '../../test/pipeline.js';
import type { AgentInput } from '../agents/index.js';
import { ManualClock } from '../core/index.js';
import { CachedProvider, OpenAiCompatibleProvider } from '../llm/index.js';
import { parsePipelineConfig } from './config.js';
import { DecisionPipeline } from './pipeline.js';

const T = Date.parse('2026-11-24T14:00:00Z');

function input(): AgentInput {
  return inputOf(quoteSnapshot(T, { ofi_10s: 1 }), T);
}

// A split view: consensus long at agreement 1.4 / 2.0 = 0.7, so the debate runs (3 rounds, 2 checks).
const SIGNALS = [
  signalOf('momentum', 'long', 0.9),
  signalOf('technical', 'long', 0.5),
  signalOf('toxicity', 'short', 0.6),
];
const tier1 = tier1Of(SIGNALS);

describe('pipeline with a model over HTTP', () => {
  let server: TestLlmServer;
  before(async () => {
    server = await TestLlmServer.start();
  });
  after(() => server.close());

  const provider = (timeoutMs = 300) =>
    new OpenAiCompatibleProvider({ baseURL: server.openaiURL, model: 'test-model', timeoutMs });

  async function quant() {
    return new DecisionPipeline({ tier1 }).decide({ kind: 'bar', tMs: T }, input());
  }

  for (const [name, behaviour] of [
    ['garbage', () => malformed()],
    ['time-out', () => slow(5_000, { argument: 'late', strength: 1 })],
    ['refusal', () => refused()],
    ['rate limit', () => rateLimited(3)],
  ] as const) {
    test(`${name}: every model step falls back to the quant step, recorded`, async () => {
      server.reset();
      server.script(...Array.from({ length: 40 }, behaviour));
      const q = await quant();
      const d = await new DecisionPipeline({ tier1, llm: provider() }).decide(
        { kind: 'bar', tMs: T },
        input(),
      );
      assert.equal(q.debate.ran, true);
      assert.ok(server.requests.length > 0, 'the model was asked');
      // Model steps: round 1 bull and bear, round 2 bull, the judge at round 2 (agreement 0.7 < 0.75),
      // then nobody has points left: 4 calls, 4 fallbacks.
      assert.equal(d.fallbacks.length, 4, JSON.stringify(d.fallbacks));
      assert.deepEqual(d.approval, q.approval);
      assert.equal(d.debate.direction, q.debate.direction);
      assert.ok(d.debate.turns.every((t) => t.source !== 'model'));
    });
  }

  test('a model that never answers is cut off by the debate budget; the decision still comes', async () => {
    // A server of its own: requests it leaves hanging must not reach the next test's script.
    const silent = await TestLlmServer.start();
    try {
      silent.script(...Array.from({ length: 40 }, () => hang()));
      const config = parsePipelineConfig({ budgets: { tier3Ms: 300 } });
      const llm = new OpenAiCompatibleProvider({
        baseURL: silent.openaiURL,
        model: 'test-model',
        timeoutMs: 60_000,
      });
      const d = await new DecisionPipeline({ tier1, llm, config }).decide({ kind: 'bar', tMs: T }, input());
      assert.equal(d.debate.end, 'budget');
      assert.ok(d.overBudget.includes('tier3'));
      // The call's own time-out is what is left of the tier's budget, so it ends as a time-out.
      assert.match(d.fallbacks[0].kind, /timeout|aborted/);
      assert.equal(d.approval.direction, (await quant()).approval.direction);
    } finally {
      await silent.close();
    }
  });

  test('good answers are used, their tokens counted, and a repeat is served from the cache', async () => {
    server.reset();
    const turn = { argument: 'Momentum and the order book agree.', strength: 0.8 };
    const judge = { direction: 'long', agreement: 0.8, confidence: 0.6, rationale: 'the bull case holds' };
    // Round 1: bull, bear; round 2: bull; check; (agreement 0.8 ≥ 0.75: stop).
    server.script(
      ok(turn, { input: 100, output: 20 }),
      ok(turn, { input: 100, output: 20 }),
      ok(turn, { input: 100, output: 20 }),
      ok(judge, { input: 150, output: 30 }),
    );
    const llm = new CachedProvider(provider(), { clock: new ManualClock(T) });
    const p = new DecisionPipeline({ tier1, llm });
    const d = await p.decide({ kind: 'bar', tMs: T }, input());
    assert.equal(d.fallbacks.length, 0, JSON.stringify(d.fallbacks));
    assert.equal(d.debate.end, 'converged');
    assert.ok(d.debate.turns.every((t) => t.source === 'model'));
    assert.equal(d.debate.checks.at(-1)?.source, 'model');
    assert.deepEqual(
      { input: d.usage.inputTokens, output: d.usage.outputTokens },
      { input: 3 * 100 + 150, output: 3 * 20 + 30 },
    );
    const served = server.requests.length;
    const again = await p.decide({ kind: 'bar', tMs: T }, input());
    assert.equal(server.requests.length, served, 'no new request: every step came from the cache');
    assert.deepEqual(again.debate.direction, d.debate.direction);
    const stats = llm.stats();
    assert.equal(stats.exact.hits, 4);
  });
});
