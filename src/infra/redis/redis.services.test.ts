/**
 * The Redis adapters against the machine's Redis (`SCALPER_REDIS_URL`, default 127.0.0.1:6379). Every
 * key lives under a prefix of this run, removed at the end and checked gone.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import * as z from 'zod';
import { runFeatureStoreContract, SNAP_A1, SNAP_A2 } from '../../../test/feature-store-contract.js';
import { expectOk, GOOD, type Signal, signalRequest } from '../../../test/llm-provider-contract.js';
import { machineRedisUrl, skipUnlessMachineRedis, uniquePrefix } from '../../../test/redis.js';
import { until } from '../../../test/until.js';
import { FEATURE_COLUMNS } from '../../features/index.js';
import {
  CachedProvider,
  type LlmProvider,
  type ResponseCache,
  type StructuredRequest,
} from '../../llm/index.js';
import { FeatureCodecError } from '../features/errors.js';
import { RedisConnection } from './connection.js';
import { RedisError } from './errors.js';
import { RedisFeatureStore } from './feature-store.js';
import { RedisResponseCache } from './response-cache.js';

const URL_ = machineRedisUrl();
const PREFIX = uniquePrefix('redis-adapters');
const skip = await skipUnlessMachineRedis();
const run = promisify(execFile);
const INFRA = fileURLToPath(new URL('../index.js', import.meta.url));

/** Runs `code` in another Node process with `infra` bound to this build's infra module; its stdout. */
async function inOtherProcess(code: string): Promise<string> {
  const script = `const infra = await import(${JSON.stringify(INFRA)});\n${code}`;
  const { stdout } = await run(process.execPath, ['--input-type=module', '-e', script], { timeout: 20_000 });
  return stdout.trim();
}

/** A provider that counts its calls and always answers GOOD. */
class CountingProvider implements LlmProvider {
  readonly name = 'counting';
  readonly model = 'm1';
  calls = 0;
  async complete<T>(req: StructuredRequest<T>) {
    this.calls++;
    const usage = { inputTokens: 10, outputTokens: 5, cachedInputTokens: 0, costUsd: 0 };
    const value = z.parse(req.schema, GOOD);
    return {
      ok: true as const,
      value,
      source: 'model' as const,
      repaired: false,
      usage,
      latencyMs: 1,
      provider: this.name,
      model: this.model,
    };
  }
}

describe('Redis adapters on the machine Redis', { skip }, () => {
  let conn: RedisConnection;
  let n = 0;

  before(async () => {
    conn = await RedisConnection.open({ url: URL_, name: 'scalper-test' });
  });

  after(async () => {
    const cleaner = new RedisResponseCache(conn, { prefix: PREFIX });
    await cleaner.clear();
    assert.deepEqual(await conn.client.keys(`${PREFIX}*`), [], 'keys of this run left behind');
    await conn.close();
  });

  runFeatureStoreContract({
    name: 'redis',
    open: async () => new RedisFeatureStore(conn, { prefix: `${PREFIX}contract${n++}:` }),
  });

  test('what one connection puts, another reads, and a store only sees its own prefix', async () => {
    const writer = await RedisFeatureStore.open({ url: URL_, prefix: `${PREFIX}shared:` });
    const reader = await RedisFeatureStore.open({ url: URL_, prefix: `${PREFIX}shared:` });
    const other = new RedisFeatureStore(conn, { prefix: `${PREFIX}other:` });
    try {
      assert.equal(writer.key, `${PREFIX}shared:features:latest`);
      await writer.put(SNAP_A1);
      await writer.put(SNAP_A2);
      assert.deepEqual(await reader.latest(1), SNAP_A2);
      assert.equal(await other.latest(1), null);
      assert.deepEqual(writer.writes, { written: 2, kept: 0, flushed: 0 });
      // The stored value is the compact encoding: 16 + 8 per column + 1 + "6EZ4".
      const bytes = await conn.client.hgetBuffer(writer.key, '1');
      assert.equal(bytes?.length, 16 + 8 * FEATURE_COLUMNS.length + 1 + 4);
    } finally {
      await writer.close();
      await reader.close();
      await other.close();
    }
  });

  test('a stored value that is not a snapshot is refused naming its key and field', async () => {
    const store = new RedisFeatureStore(conn, { prefix: `${PREFIX}bad:` });
    await conn.client.hset(store.key, '9', Buffer.from('not a snapshot'));
    await assert.rejects(
      store.latest(9),
      (e: unknown) =>
        e instanceof FeatureCodecError &&
        e.code === 'FEATURE_DECODE' &&
        e.message.startsWith(`feature snapshot "${PREFIX}bad:features:latest 9": 14 bytes, shorter than`),
    );
  });

  test('a key of another type makes put fail with the server refusal, not a silent keep', async () => {
    const store = new RedisFeatureStore(conn, { prefix: `${PREFIX}wrongtype:` });
    await conn.client.set(store.key, 'a string, not a hash');
    await assert.rejects(
      store.put(SNAP_A1),
      (e: unknown) => e instanceof RedisError && e.code === 'REDIS_FAILED' && /WRONGTYPE/.test(e.message),
    );
    assert.equal(store.pending, 0);
  });

  test('a cache entry set by one client is read by another and by another process', async () => {
    const prefix = `${PREFIX}cache:`;
    const a: ResponseCache = new RedisResponseCache(conn, { prefix });
    const b = await RedisResponseCache.open({ url: URL_, prefix });
    try {
      await a.set('q1', { direction: 'long', confidence: 0.7, tags: ['x'] }, 60_000);
      assert.deepEqual(await b.get('q1'), { direction: 'long', confidence: 0.7, tags: ['x'] });
      assert.equal(await b.get('absent'), undefined);
      const seen = await inOtherProcess(
        `const c = await infra.RedisResponseCache.open({ url: ${JSON.stringify(URL_)}, prefix: ${JSON.stringify(prefix)} });
         const v = await c.get('q1');
         await c.set('from-child', { n: 42 }, 60000);
         await c.close();
         console.log(JSON.stringify(v));`,
      );
      assert.deepEqual(JSON.parse(seen), { direction: 'long', confidence: 0.7, tags: ['x'] });
      assert.deepEqual(await a.get('from-child'), { n: 42 });
    } finally {
      await b.close();
    }
  });

  test('an entry expires after its TTL on the server, and a TTL of 0 deletes it', async () => {
    const cache = new RedisResponseCache(conn, { prefix: `${PREFIX}ttl:` });
    await cache.set('short', 1, 250);
    await cache.set('long', 2, 60_000);
    const pttl = await conn.client.pttl(`${PREFIX}ttl:short`);
    assert.ok(pttl > 0 && pttl <= 250, `PTTL ${pttl} ms`);
    await until(async () => (await cache.get('short')) === undefined, 'the 250 ms entry to expire', 5_000);
    assert.equal(await cache.get('long'), 2);
    await cache.set('long', 2, 0);
    assert.equal(await cache.get('long'), undefined);
  });

  test('a cached value that is not JSON rejects naming the key; CachedProvider takes it as a miss', async () => {
    const prefix = `${PREFIX}junk:`;
    const cache = new RedisResponseCache(conn, { prefix });
    await conn.client.set(`${prefix}k`, '{not json');
    await assert.rejects(
      cache.get('k'),
      (e: unknown) => e instanceof RedisError && e.message.includes(`GET ${prefix}k: the value is not JSON`),
    );
  });

  test("two CachedProviders on one Redis cache: the second answers from the first one's call", async () => {
    const prefix = `${PREFIX}provider:`;
    const m1 = new CountingProvider();
    const m2 = new CountingProvider();
    const p1 = new CachedProvider(m1, { cache: new RedisResponseCache(conn, { prefix }), ttlMs: 60_000 });
    const other = await RedisResponseCache.open({ url: URL_, prefix });
    const p2 = new CachedProvider(m2, { cache: other, ttlMs: 60_000 });
    try {
      const req = signalRequest();
      const first = expectOk(await p1.complete<Signal>(req));
      assert.equal(first.source, 'model');
      const second = expectOk(await p2.complete<Signal>(req));
      assert.equal(second.source, 'exact_cache');
      assert.deepEqual(second.value, GOOD);
      assert.deepEqual([m1.calls, m2.calls], [1, 0]);
    } finally {
      await other.close();
    }
  });
});
