import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { freePort } from '../../../test/ports.js';
import { ConfigError } from '../../core/index.js';
import { redactUrl } from '../url.js';
import { RedisConnection, redisUrlFromEnv, retryDelayMs } from './connection.js';
import { RedisError } from './errors.js';

describe('Redis connection settings', () => {
  test('the URL comes from SCALPER_REDIS_URL, the machine default without it', () => {
    assert.equal(redisUrlFromEnv({}), 'redis://127.0.0.1:6379');
    assert.equal(redisUrlFromEnv({ SCALPER_REDIS_URL: '  ' }), 'redis://127.0.0.1:6379');
    assert.equal(redisUrlFromEnv({ SCALPER_REDIS_URL: ' redis://cache:6380/2 ' }), 'redis://cache:6380/2');
    assert.equal(redisUrlFromEnv({ SCALPER_REDIS_URL: 'rediss://cache:6380' }), 'rediss://cache:6380');
  });

  test('a URL that is not redis:// is refused naming the variable, without the password', () => {
    const refused = (url: string, want: RegExp) =>
      assert.throws(
        () => redisUrlFromEnv({ SCALPER_REDIS_URL: url }),
        (e: unknown) =>
          e instanceof ConfigError &&
          /^SCALPER_REDIS_URL /.test(e.message) &&
          want.test(e.message) &&
          !e.message.includes('hunter2'),
      );
    refused('localhost:6379', /must start with redis:\/\//);
    refused('http://u:hunter2@cache:6379', /"http:\/\/u:\*\*\*@cache:6379\/?" must start with redis/);
    refused('redis ://x', /is not a URL/);
  });

  test('passwords are hidden in what is shown', () => {
    assert.equal(redactUrl('redis://u:secret@cache:6379/0'), 'redis://u:***@cache:6379/0');
    assert.equal(redactUrl('redis://127.0.0.1:6379'), 'redis://127.0.0.1:6379');
  });

  test('reconnection waits double from the base up to the cap', () => {
    // 50 · 2^(n−1): 50, 100, 200, 400, 800, 1600, then 3200 capped at 2000.
    assert.deepEqual(
      [1, 2, 3, 4, 5, 6, 7, 100].map((n) => retryDelayMs(n, 50, 2000)),
      [50, 100, 200, 400, 800, 1600, 2000, 2000],
    );
  });

  test('opening a server that does not answer fails with REDIS_UNAVAILABLE and the connect error', async () => {
    const port = await freePort(); // nothing listens there
    await assert.rejects(
      RedisConnection.open({ url: `redis://127.0.0.1:${port}`, connectTimeoutMs: 300 }),
      (e: unknown) =>
        e instanceof RedisError &&
        e.code === 'REDIS_UNAVAILABLE' &&
        e.message.includes(`redis redis://127.0.0.1:${port}: no answer within 300 ms`) &&
        e.message.includes('ECONNREFUSED'),
    );
  });
});
