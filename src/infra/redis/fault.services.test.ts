/**
 * Losing Redis, on a server of the test's own (`redis-server --port P --save ""` in a temporary
 * folder): killed, then started again empty; frozen (SIGSTOP, as a lost network looks: no FIN, no
 * answer), then resumed. The machine's shared Redis is never touched.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { SNAP_A1, SNAP_A2, SNAP_B1, storeSnapshot, T0_NS } from '../../../test/feature-store-contract.js';
import { OwnRedisServer, skipUnlessRedisServerBinary } from '../../../test/redis.js';
import { CTX, LIMITS, S } from '../../../test/risk.js';
import { until } from '../../../test/until.js';
import { createLogger, type Logger } from '../../core/index.js';
import { RiskEngine } from '../../execution/index.js';
import { RedisConnection } from './connection.js';
import { RedisError } from './errors.js';
import { RedisFeatureStore } from './feature-store.js';
import { RedisResponseCache } from './response-cache.js';

const skip = skipUnlessRedisServerBinary();

/** A logger whose lines are kept, parsed, in `lines`. */
function capturingLogger(): { logger: Logger; lines: Record<string, unknown>[] } {
  const lines: Record<string, unknown>[] = [];
  const logger = createLogger({
    level: 'info',
    destination: { write: (s: string) => void lines.push(JSON.parse(s)) },
  });
  return { logger, lines };
}

/** Short waits so the test sees several reconnection attempts: 20, 40, 80, 160, 200, 200 … ms. */
const FAST = { commandTimeoutMs: 300, heartbeatMs: 100, retryBaseMs: 20, retryMaxMs: 200 } as const;

const isRedisError = (code: string, also: RegExp) => (e: unknown) =>
  e instanceof RedisError && e.code === code && also.test(e.message);

/** A risk check that passes everything but the data trust (a quiet 6E market, flat, fresh data). */
const RISK = new RiskEngine({ ...LIMITS, maxOrdersPerMinute: 100 });

describe('losing Redis', { skip }, () => {
  let server: OwnRedisServer;

  before(async () => {
    server = await OwnRedisServer.start();
  });

  after(async () => {
    await server?.stop();
  });

  test('killed: blind at once, reads refused, writes kept; restarted: the kept snapshots are written', {
    timeout: 30_000,
  }, async () => {
    const { logger, lines } = capturingLogger();
    const conn = await RedisConnection.open({ url: server.url, logger, ...FAST });
    const store = new RedisFeatureStore(conn, { prefix: 'fault:', logger });
    const cache = new RedisResponseCache(conn, { prefix: 'fault:' });
    const health: boolean[] = [];
    conn.onHealth((h) => health.push(h.blind));
    try {
      await store.put(SNAP_A1);
      await cache.set('answer', { direction: 'long' }, 60_000);
      assert.deepEqual(await store.latest(1), SNAP_A1);
      assert.equal(RISK.check('buy', 1, { ...CTX, dataUntrusted: store.health.reason }), null);

      await server.kill();
      await until(() => store.health.blind, 'the store to report blind');
      const reason = store.health.reason ?? '';
      assert.match(
        reason,
        new RegExp(`^redis://127\\.0\\.0\\.1:${server.port} unreachable since \\d{4}-\\d\\d-\\d\\dT`),
      );

      // Reads and cache calls fail at once, naming the server; none waits for it.
      await assert.rejects(
        store.latest(1),
        isRedisError('REDIS_UNAVAILABLE', /HGET fault:features:latest 1: redis:\/\//),
      );
      await assert.rejects(store.instruments(), isRedisError('REDIS_UNAVAILABLE', /unreachable since/));
      await assert.rejects(cache.get('answer'), isRedisError('REDIS_UNAVAILABLE', /GET fault:answer/));
      await assert.rejects(cache.set('other', 1, 1000), isRedisError('REDIS_UNAVAILABLE', /SET fault:other/));

      // No new position while the risk path is blind: the health reason is the data-trust veto.
      const refusal = RISK.check('buy', 1, { ...CTX, dataUntrusted: store.health.reason });
      assert.equal(refusal?.reason, 'DATA_UNTRUSTED');
      assert.ok(refusal?.message.includes(`127.0.0.1:${server.port} unreachable`));

      // Writes while blind resolve and are kept, the newest per instrument.
      await store.put(SNAP_A2);
      await store.put(SNAP_B1);
      const a3 = storeSnapshot(1, T0_NS + 2n * S, '2024-12-05T13:00:02.000000000Z', { mid: 1.0514 });
      await store.put(a3);
      assert.equal(store.pending, 2);
      assert.deepEqual(store.writes, { written: 1, kept: 3, flushed: 0 });

      // Several reconnection attempts, each logged with its backoff.
      await until(
        () => lines.filter((l) => l.event === 'redis_retry').length >= 4,
        'four reconnection attempts',
      );
      const retries = lines.filter((l) => l.event === 'redis_retry').slice(0, 4);
      assert.deepEqual(
        retries.map((l) => [l.level, l.attempt, l.delayMs]),
        [
          ['warn', 1, 20],
          ['warn', 2, 40],
          ['warn', 3, 80],
          ['warn', 4, 160],
        ],
      );
      assert.ok(
        retries.slice(1).every((l) => /ECONNREFUSED/.test(String(l.error))),
        JSON.stringify(retries),
      );
      const down = lines.find((l) => l.event === 'redis_down');
      assert.equal(down?.level, 'warn');
      assert.equal(down?.component, 'redis');
      assert.equal(down?.url, server.url);
      assert.ok(lines.some((l) => l.event === 'feature_store_keeping' && l.level === 'warn'));

      // Back: the new server is empty (no persistence), so what it holds was written on reconnection.
      await server.restart();
      await until(() => !store.health.blind, 'the store to see Redis again', 10_000);
      await until(() => store.writes.flushed === 2, 'the kept snapshots to be written');
      assert.equal(store.pending, 0);
      assert.deepEqual(await store.latest(1), a3);
      assert.deepEqual(await store.latest(2), SNAP_B1);
      assert.deepEqual(await store.instruments(), [1, 2]);
      assert.equal(store.health.reason, null);
      assert.equal(RISK.check('buy', 1, { ...CTX, dataUntrusted: store.health.reason }), null);
      assert.deepEqual(health, [true, false]);
      const ready = lines.find((l) => l.event === 'redis_ready');
      assert.equal(ready?.level, 'info');
      assert.ok(typeof ready?.downMs === 'number' && ready.downMs > 0);
      assert.ok(lines.some((l) => l.event === 'feature_store_flushed' && l.snapshots === 2));

      // The cache lost its entry with the server (a cache may), and works again.
      assert.equal(await cache.get('answer'), undefined);
      await cache.set('answer', { direction: 'short' }, 60_000);
      assert.deepEqual(await cache.get('answer'), { direction: 'short' });
    } finally {
      await store.close();
      await conn.close();
    }
  });

  test('frozen (no answer, no FIN): dropped after the command timeout, blind, then back on resume', {
    timeout: 30_000,
  }, async () => {
    const { logger, lines } = capturingLogger();
    const store = await RedisFeatureStore.open({ url: server.url, logger, prefix: 'freeze:', ...FAST });
    try {
      await store.put(SNAP_A1);
      server.signal('SIGSTOP');
      // A read sent to the frozen server fails after the command timeout rather than hanging.
      await assert.rejects(store.latest(1), (e: unknown) => e instanceof RedisError);
      await until(() => store.health.blind, 'the heartbeat to notice the frozen server');
      await assert.rejects(store.latest(1), isRedisError('REDIS_UNAVAILABLE', /unreachable since/));
      await store.put(SNAP_A2);
      assert.equal(store.pending, 1);
      assert.ok(lines.some((l) => l.event === 'redis_down'));

      server.signal('SIGCONT');
      await until(() => !store.health.blind, 'the store to see Redis again', 10_000);
      await until(() => store.pending === 0, 'the kept snapshot to be written');
      assert.deepEqual(await store.latest(1), SNAP_A2);
    } finally {
      server.signal('SIGCONT');
      await store.close();
    }
  });
});
