/**
 * `JetStreamBus` against the machine's NATS JetStream (127.0.0.1:4222): the shared contract
 * (test/bus-contract.ts), each test on a stream and subject prefix of its own, deleted at the end;
 * then what is the adapter's own: stream set-up, subject prefixes, failing clearly without a server.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { type BusBackend, busContract } from '../../../test/bus-contract.js';
import { SHARED_NATS, sharedNatsSkip, uniquePrefix } from '../../../test/nats.js';
import { freePort } from '../../../test/ports.js';
import { until } from '../../../test/until.js';
import { silentLogger } from '../../core/index.js';
import { BusError } from './errors.js';
import { JetStreamBus } from './jetstream-bus.js';

const skip = await sharedNatsSkip();

/** A stream named after a fresh prefix, and clients of it. */
function jetStreamBackend(): BusBackend {
  const prefix = uniquePrefix();
  const stream = `TEST_${prefix}`;
  const clients: JetStreamBus[] = [];
  const open = async (closeTimeoutMs?: number) => {
    const bus = await JetStreamBus.connect({
      servers: SHARED_NATS,
      stream,
      prefix,
      storage: 'memory',
      closeTimeoutMs,
      logger: silentLogger(),
    });
    clients.push(bus);
    return bus;
  };
  return {
    client: (opts) => open(opts?.closeTimeoutMs),
    async dispose() {
      await Promise.all(clients.map((c) => c.close()));
      const admin = await open();
      await admin.deleteStream();
      await admin.close();
    },
  };
}

busContract('JetStreamBus', async () => jetStreamBackend(), { skip });

describe('JetStreamBus', () => {
  test('creates its stream with the prefixed subjects and updates them when they change', {
    skip,
  }, async () => {
    const prefix = uniquePrefix();
    const stream = `TEST_${prefix}`;
    const one = await JetStreamBus.connect({ servers: SHARED_NATS, stream, prefix, subjects: ['orders'] });
    try {
      await assert.rejects(one.publish('fills', new Uint8Array([1])), /outside the stream's subjects orders/);
      const two = await JetStreamBus.connect({
        servers: SHARED_NATS,
        stream,
        prefix,
        subjects: ['orders', 'fills'],
      });
      assert.deepEqual(await two.publish('fills', new Uint8Array([1])), { seq: 1, duplicate: false });
      const seen: string[] = [];
      const sub = await two.subscribe({ durable: 'f', filter: 'fills' }, (m) => {
        seen.push(m.subject);
      });
      await until(() => seen.length === 1, 'one delivery');
      // The handler sees the subject without the prefix.
      assert.deepEqual(seen, ['fills']);
      await sub.stop();
      await two.deleteStream();
      await two.close();
    } finally {
      await one.close();
    }
  });

  test('two prefixes on one server do not see each other', { skip }, async () => {
    const a = uniquePrefix();
    const b = uniquePrefix();
    const busA = await JetStreamBus.connect({ servers: SHARED_NATS, stream: `TEST_${a}`, prefix: a });
    const busB = await JetStreamBus.connect({ servers: SHARED_NATS, stream: `TEST_${b}`, prefix: b });
    try {
      await busA.publish('orders', new Uint8Array([65]));
      assert.deepEqual(await busB.publish('orders', new Uint8Array([66])), { seq: 1, duplicate: false });
      const seen: number[] = [];
      const sub = await busB.subscribe({ durable: 'o', filter: 'orders' }, (m) => {
        seen.push(m.data[0]);
      });
      await until(() => seen.length === 1, 'one delivery');
      await new Promise((r) => setTimeout(r, 100));
      assert.deepEqual(seen, [66]);
      await sub.stop();
    } finally {
      await busA.deleteStream();
      await busB.deleteStream();
      await busA.close();
      await busB.close();
    }
  });

  test('no server within the connect timeout is a BUS_CONNECT error naming the address', async () => {
    const port = await freePort();
    const t0 = Date.now();
    await assert.rejects(
      JetStreamBus.connect({
        servers: `nats://127.0.0.1:${port}`,
        connectTimeoutMs: 600,
        retryDelayMs: 50,
        logger: silentLogger(),
      }),
      (e: unknown) =>
        e instanceof BusError &&
        e.code === 'BUS_CONNECT' &&
        e.message.includes(`127.0.0.1:${port}`) &&
        /within 600 ms \(\d+ attempts/.test(e.message),
    );
    assert.ok(Date.now() - t0 < 5_000);
  });
});
