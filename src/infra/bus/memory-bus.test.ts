/**
 * The in-process bus: the shared contract (test/bus-contract.ts), then what is its own: the
 * stream's limits, the duplicate window on an injected clock, one reader per durable.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { type BusBackend, busContract } from '../../../test/bus-contract.js';
import { until } from '../../../test/until.js';
import { ManualClock } from '../../core/index.js';
import { BusError } from './errors.js';
import { MemoryBroker, MemoryBus } from './memory-bus.js';
import type { BusMessage, EventBus } from './types.js';

function memoryBackend(): BusBackend {
  const broker = new MemoryBroker();
  const clients: EventBus[] = [];
  return {
    async client(opts) {
      const bus = new MemoryBus({ broker, closeTimeoutMs: opts?.closeTimeoutMs });
      clients.push(bus);
      return bus;
    },
    async dispose() {
      await Promise.all(clients.map((c) => c.close()));
    },
  };
}

busContract('MemoryBus', async () => memoryBackend());

const enc = new TextEncoder();
const text = (m: BusMessage) => new TextDecoder().decode(m.data);

describe('MemoryBus', () => {
  test('keeps at most maxMessages, dropping the oldest; a consumer behind skips them', async () => {
    const bus = new MemoryBus({ maxMessages: 3 });
    for (const t of ['a', 'b', 'c', 'd', 'e']) await bus.publish('orders', enc.encode(t));
    assert.equal(bus.broker.firstSeq, 3);
    assert.equal(bus.broker.lastSeq, 5);
    const seen: [number, string][] = [];
    await bus.subscribe({ durable: 'late', filter: 'orders' }, (m) => {
      seen.push([m.seq, text(m)]);
    });
    await until(() => seen.length === 3, 'three deliveries');
    assert.deepEqual(seen, [
      [3, 'c'],
      [4, 'd'],
      [5, 'e'],
    ]);
    await bus.close();
  });

  test('keeps at most maxBytes of payload', async () => {
    const bus = new MemoryBus({ maxBytes: 10 });
    // 4 + 4 + 4 bytes: the third publish takes the total to 12 > 10, so the first goes.
    for (const t of ['aaaa', 'bbbb', 'cccc']) await bus.publish('fills', enc.encode(t));
    assert.equal(bus.broker.firstSeq, 2);
    await bus.close();
  });

  test('remembers a message id for the duplicate window, on the clock it is given', async () => {
    const clock = new ManualClock(1_000);
    const bus = new MemoryBus({ clock, duplicateWindowMs: 500 });
    assert.deepEqual(await bus.publish('orders', enc.encode('x'), { msgId: 'k' }), {
      seq: 1,
      duplicate: false,
    });
    clock.set(1_499);
    assert.deepEqual(await bus.publish('orders', enc.encode('x'), { msgId: 'k' }), {
      seq: 1,
      duplicate: true,
    });
    // Stored at 1,000 with a 500 ms window: forgotten from 1,500 on.
    clock.set(1_500);
    assert.deepEqual(await bus.publish('orders', enc.encode('x'), { msgId: 'k' }), {
      seq: 2,
      duplicate: false,
    });
    await bus.close();
  });

  test('replays from a time on the clock it is given', async () => {
    const clock = new ManualClock(10_000);
    const bus = new MemoryBus({ clock });
    await bus.publish('orders', enc.encode('t10'));
    clock.set(20_000);
    await bus.publish('orders', enc.encode('t20'));
    await bus.publish('orders', enc.encode('t20b'));
    clock.set(30_000);
    await bus.publish('orders', enc.encode('t30'));
    const seen: string[] = [];
    const sub = await bus.subscribe(
      { durable: 't', filter: 'orders', startAt: { time: new Date(20_000) } },
      (m) => {
        seen.push(text(m));
      },
    );
    await until(() => seen.length === 3, 'three deliveries');
    assert.deepEqual(seen, ['t20', 't20b', 't30']);
    await sub.stop();
  });

  test('copies what is published, so the publisher may reuse its buffer', async () => {
    const bus = new MemoryBus();
    const buf = enc.encode('abc');
    await bus.publish('orders', buf);
    buf[0] = 120;
    const seen: string[] = [];
    await bus.subscribe({ durable: 'c', filter: 'orders' }, (m) => {
      seen.push(text(m));
    });
    await until(() => seen.length === 1, 'one delivery');
    assert.deepEqual(seen, ['abc']);
    await bus.close();
  });

  test('one subscription at a time reads a durable', async () => {
    const bus = new MemoryBus();
    const sub = await bus.subscribe({ durable: 'solo', filter: 'orders' }, () => {});
    await assert.rejects(
      bus.subscribe({ durable: 'solo', filter: 'orders' }, () => {}),
      (e: unknown) => e instanceof BusError && e.code === 'BUS_CONSUMER' && /already read/.test(e.message),
    );
    await assert.rejects(bus.deleteConsumer('solo'), /being read/);
    await sub.stop();
    const again = await bus.subscribe({ durable: 'solo', filter: 'orders' }, () => {});
    await again.stop();
    await bus.close();
  });

  test('bad options are refused, naming the option and the value', async () => {
    assert.throws(() => new MemoryBus({ maxMessages: 0 }), /maxMessages must be a positive integer, got 0/);
    const bus = new MemoryBus();
    await assert.rejects(
      bus.subscribe({ durable: 'd', filter: 'orders', maxAckPending: 1.5 }, () => {}),
      /maxAckPending must be a positive integer, got 1.5/,
    );
    await assert.rejects(
      bus.subscribe({ durable: 'd', filter: 'md.>.x' }, () => {}),
      /filter "md\.>\.x"/,
    );
    await assert.rejects(
      bus.subscribe({ durable: 'd', filter: 'orders', startAt: { seq: 0 } }, () => {}),
      /startAt.seq must be a positive integer, got 0/,
    );
    await bus.close();
  });
});
