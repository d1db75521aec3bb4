/**
 * A service's /metrics and /health: the consumer lag read from the stream (three messages
 * published, none acknowledged: 3), what is in flight, the counts, the stage latencies, and health
 * following the bus.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { until } from '../../../test/until.js';
import { MemoryBus } from '../../infra/index.js';
import { ServiceMetrics } from './metrics.js';

test('metrics show lag, in flight, counts and stages; health follows the bus', async () => {
  const bus = new MemoryBus();
  for (let i = 0; i < 3; i++) await bus.publish('md.6E.mbp10', new Uint8Array([i]));
  let release: () => void = () => {};
  const held = new Promise<void>((r) => {
    release = r;
  });
  const sub = await bus.subscribe({ durable: 'featurize', filter: 'md.>', maxAckPending: 1 }, () => held);
  await until(() => sub.inFlight === 1, 'the first message in the handler');
  let down: string | null = null;
  const m = await ServiceMetrics.serve(
    {
      name: 'featurize',
      subscriptions: () => [sub],
      counts: () => ({ records: 7, published: 2 }),
      stages: () => ({ tick_to_order: { p50: 0.5, p99: 4 } }),
      unhealthy: () => down,
    },
    0,
  );
  try {
    const text = await (await fetch(`${m.url}/metrics`)).text();
    assert.match(text, /scalper_bus_consumer_lag\{service="featurize",durable="featurize"\} 3\n/);
    assert.match(text, /scalper_bus_in_flight\{service="featurize",durable="featurize"\} 1\n/);
    assert.match(text, /scalper_service_messages_total\{service="featurize",what="records"\} 7\n/);
    assert.match(text, /scalper_service_stage_latency_ms\{stage="tick_to_order",quantile="0.99"\} 4\n/);
    const ok = await fetch(`${m.url}/health`);
    assert.equal(ok.status, 200);
    down = 'NATS at 127.0.0.1:4222 disconnected';
    const bad = await fetch(`${m.url}/health`);
    assert.equal(bad.status, 503);
    assert.deepEqual(await bad.json(), { ready: false, reason: down });
    assert.equal((await fetch(`${m.url}/nothing`)).status, 404);
    assert.equal((await fetch(`${m.url}/metrics`, { method: 'POST' })).status, 405);
  } finally {
    release();
    await m.close();
    await sub.stop();
    await bus.close();
  }
});
