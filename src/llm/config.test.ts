import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FAKE_KEY } from '../../test/llm-provider-contract.js';
import { ConfigError, ManualClock } from '../core/index.js';
import { AnthropicProvider } from './anthropic-provider.js';
import { BreakerProvider } from './breaker.js';
import { CachedProvider } from './cache.js';
import { createProvider, llmFromEnv, parseLlmEnv } from './config.js';
import { OpenAiCompatibleProvider } from './openai-provider.js';

const configError = (fn: () => unknown, ...names: string[]) =>
  assert.throws(fn, (err: unknown) => {
    assert.ok(err instanceof ConfigError);
    for (const n of names) assert.ok(err.message.includes(n), `${err.message} should name ${n}`);
    assert.ok(!err.message.includes(FAKE_KEY));
    return true;
  });

describe('llm configuration', () => {
  it('has no provider by default', () => {
    assert.equal(llmFromEnv({}), null);
    assert.equal(parseLlmEnv({}).provider, 'none');
    assert.equal(parseLlmEnv({}).cacheTtlMs, 45_000);
  });

  it('builds a cached OpenAI-compatible provider for a local server without a key', () => {
    const p = llmFromEnv(
      {
        SCALPER_LLM_PROVIDER: 'openai',
        SCALPER_LLM_MODEL: 'qwen2.5-7b-instruct',
        SCALPER_LLM_BASE_URL: 'http://127.0.0.1:8000/v1',
        SCALPER_LLM_TIMEOUT_MS: '3000',
        SCALPER_LLM_CACHE_TTL_MS: '30000',
      },
      { clock: new ManualClock() },
    );
    assert.ok(p instanceof CachedProvider);
    assert.ok(p.inner instanceof BreakerProvider, 'a circuit breaker in front of the server');
    assert.ok(p.inner.inner instanceof OpenAiCompatibleProvider);
    assert.equal(p.name, 'openai');
    assert.equal(p.model, 'qwen2.5-7b-instruct');
  });

  it('builds an Anthropic provider when its key is set', () => {
    const p = llmFromEnv({
      SCALPER_LLM_PROVIDER: 'anthropic',
      SCALPER_LLM_MODEL: 'claude-haiku-4-5',
      ANTHROPIC_API_KEY: FAKE_KEY,
    });
    assert.ok(p?.inner instanceof BreakerProvider);
    assert.ok(p.inner.inner instanceof AnthropicProvider);
  });

  it('names the missing key variable, not its value', () => {
    configError(
      () => llmFromEnv({ SCALPER_LLM_PROVIDER: 'anthropic', SCALPER_LLM_MODEL: 'claude-haiku-4-5' }),
      'ANTHROPIC_API_KEY',
    );
    configError(
      () => llmFromEnv({ SCALPER_LLM_PROVIDER: 'openai', SCALPER_LLM_MODEL: 'gpt-4o-mini' }),
      'OPENAI_API_KEY',
    );
    configError(
      () =>
        llmFromEnv({
          SCALPER_LLM_PROVIDER: 'openai',
          SCALPER_LLM_MODEL: 'gpt-4o-mini',
          SCALPER_LLM_API_KEY_ENV: 'MY_KEY',
          OPENAI_API_KEY: FAKE_KEY,
        }),
      'MY_KEY',
    );
  });

  it('names every bad variable at once', () => {
    configError(
      () =>
        parseLlmEnv({
          SCALPER_LLM_PROVIDER: 'gemini',
          SCALPER_LLM_TIMEOUT_MS: 'soon',
          SCALPER_LLM_CACHE_TTL_MS: '-1',
          SCALPER_LLM_BASE_URL: 'localhost:8000',
        }),
      'SCALPER_LLM_PROVIDER="gemini"',
      'SCALPER_LLM_TIMEOUT_MS="soon"',
      'SCALPER_LLM_CACHE_TTL_MS="-1"',
      'SCALPER_LLM_BASE_URL',
    );
    configError(() => parseLlmEnv({ SCALPER_LLM_PROVIDER: 'openai' }), 'SCALPER_LLM_MODEL');
    configError(() => parseLlmEnv({ SCALPER_LLM_PRICE_OUTPUT: 'free' }), 'SCALPER_LLM_PRICE_OUTPUT');
  });

  it('reads prices per million tokens', () => {
    const c = parseLlmEnv({ SCALPER_LLM_PRICE_INPUT: '3', SCALPER_LLM_PRICE_OUTPUT: '15' });
    assert.deepEqual(c.pricing, { inputPerMTok: 3, outputPerMTok: 15, cachedInputPerMTok: 0 });
  });

  it('returns null from createProvider for none', () => {
    assert.equal(createProvider(parseLlmEnv({ SCALPER_LLM_PROVIDER: 'none' })), null);
  });
});
