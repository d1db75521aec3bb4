/**
 * Session metrics apart from a replay: each session's registry is its own (two sessions in one
 * process do not clash, prom-client's global registry stays empty), reason codes are what comes
 * before ':', and model calls and cache hit rates come from the session's cached provider, here
 * over a real HTTP model server.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { register } from 'prom-client';
import * as z from 'zod';
import { ok, useTestLlmServer } from '../../test/llm-server.js';
import { parsePrometheusText, promSum } from '../../test/prometheus-text.js';
import { executionConfig } from '../execution/index.js';
import { CachedProvider, OpenAiCompatibleProvider } from '../llm/index.js';
import { analystsTier, DEFAULT_PIPELINE_CONFIG } from '../pipeline/index.js';
import { FileFeed } from './file-feed.js';
import { reasonCode, SessionMetrics } from './metrics.js';
import { type SessionSetup, TradingSession } from './session.js';

const base: SessionSetup = {
  tier1: analystsTier([]),
  pipeline: DEFAULT_PIPELINE_CONFIG,
  execution: executionConfig(),
};

function session(setup: SessionSetup = base): TradingSession {
  return new TradingSession({ setup, feed: new FileFeed([], { speed: 0 }) });
}

describe('session metrics', () => {
  const server = useTestLlmServer();

  test('two sessions in one process keep their own registries, and the global one stays empty', async () => {
    const a = new SessionMetrics({ sampleEveryMs: 0 }).attach(session());
    const b = new SessionMetrics({ sampleEveryMs: 0 }).attach(session());
    assert.notEqual(a.registry, b.registry);
    const one = parsePrometheusText(await a.text());
    const two = parsePrometheusText(await b.text());
    assert.deepEqual([...one.types.keys()], [...two.types.keys()]);
    assert.equal(register.getSingleMetric('scalper_orders_total'), undefined);
    assert.throws(() => a.attach(session()), /one session/);
  });

  test('a reason code is the text before its first colon', () => {
    assert.equal(reasonCode('KILL_SWITCH: the kill switch is on'), 'KILL_SWITCH');
    assert.equal(reasonCode('POST_ONLY: the order would take liquidity: on arrival'), 'POST_ONLY');
    assert.equal(reasonCode('NO_COLON'), 'NO_COLON');
    assert.equal(reasonCode(undefined), 'unknown');
    assert.equal(reasonCode(': nothing before'), 'unknown');
  });

  test('model calls and hit rates come from the cached provider: two asks of one question, one call', async () => {
    const inner = new OpenAiCompatibleProvider({ baseURL: server().openaiURL, model: 'm', timeoutMs: 2_000 });
    const llm = new CachedProvider(inner);
    const s = session({ ...base, llm });
    const metrics = new SessionMetrics({ sampleEveryMs: 0 }).attach(s);
    server().script(ok({ answer: 'long' }, { input: 100, output: 10, cached: 40 }));
    const req = {
      system: 's',
      messages: [{ role: 'user' as const, content: 'q' }],
      schema: z.object({ answer: z.string() }),
      schemaName: 'answer',
    };
    assert.equal((await llm.complete(req)).ok, true);
    assert.equal((await llm.complete(req)).ok, true);
    const e = parsePrometheusText(await metrics.text());
    assert.equal(promSum(e, 'scalper_model_calls_total'), 1);
    // Exact layer: two lookups, the second a hit. Prompt cache: 40 of 100 input tokens.
    assert.equal(promSum(e, 'scalper_cache_hit_ratio', { layer: 'exact' }), 0.5);
    assert.equal(promSum(e, 'scalper_cache_hit_ratio', { layer: 'prompt' }), 0.4);
    // Counters carry on from the running totals: a second scrape adds nothing.
    assert.equal(promSum(parsePrometheusText(await metrics.text()), 'scalper_model_calls_total'), 1);
  });
});
