/**
 * The model response cache shared through Redis (`llm.cache: redis`), against the machine's Redis
 * and a scripted OpenAI-compatible server: a second process-like opening of the model answers the
 * same request from the cache, without calling the model; a Redis that does not answer at start is
 * an error naming it.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { GOOD, signalRequest } from '../../test/llm-provider-contract.js';
import { ok, TestLlmServer } from '../../test/llm-server.js';
import { skipUnlessMachineRedis, uniquePrefix } from '../../test/redis.js';
import { RedisConnection, RedisResponseCache } from '../infra/index.js';
import { LlmConfigSchema } from '../llm/index.js';
import { openModel } from './model.js';

const skip = await skipUnlessMachineRedis();

describe('a model cache shared through Redis', { skip }, () => {
  let server: TestLlmServer;
  const prefix = uniquePrefix('model-cache');
  before(async () => {
    server = await TestLlmServer.start();
  });
  after(async () => {
    await server.close();
    const conn = await RedisConnection.open({ name: 'scalper-test' });
    try {
      await new RedisResponseCache(conn, { prefix }).clear();
      assert.deepEqual(await conn.client.keys(`${prefix}*`), [], 'keys of this run left behind');
    } finally {
      await conn.close();
    }
  });

  const config = () =>
    LlmConfigSchema.parse({
      provider: 'openai',
      model: 'qwen2.5-7b-instruct',
      baseURL: server.openaiURL,
      cache: 'redis',
    });

  test('what one opening asked, another answers from Redis without asking the model', async () => {
    server.script(ok(GOOD), ok(GOOD));
    const a = await openModel(config(), undefined, { prefix });
    const b = await openModel(config(), undefined, { prefix });
    try {
      const first = await a.llm?.complete(signalRequest());
      assert.equal(first?.ok && first.source, 'model');
      const second = await b.llm?.complete(signalRequest());
      assert.ok(second?.ok, 'answered');
      assert.equal(second.source, 'exact_cache');
      assert.deepEqual(second.value, GOOD);
      assert.equal(server.requests.length, 1, 'the model was asked once for both');
      assert.equal(b.llm?.stats().modelCalls, 0);
    } finally {
      await a.close();
      await b.close();
    }
  });

  test('a Redis that does not answer at start is an error naming it', async () => {
    await assert.rejects(
      openModel(config(), undefined, { url: 'redis://127.0.0.1:1', prefix, connectTimeoutMs: 500 }),
      (e: Error & { code?: string }) => e.code === 'REDIS_UNAVAILABLE' && /127\.0\.0\.1:1/.test(e.message),
    );
  });
});
