/**
 * Featurize with the feature store in Redis (the machine's server, a key prefix of the test's
 * own): at the end of a replay each instrument's latest snapshot in Redis is the snapshot its last
 * trigger froze, read back by another connection, as any process would.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { skipUnlessMachineRedis, uniquePrefix } from '../../../test/redis.js';
import { ofiSetup } from '../../../test/session.js';
import { simulatedSpan } from '../../../test/sim-fixture.js';
import { MemoryBus, RedisFeatureStore } from '../../infra/index.js';
import type { PendingDecision } from '../../pipeline/index.js';
import { decodeMessage, FeaturizeService, ingestFiles } from './index.js';

const span = simulatedSpan({
  seed: 7,
  instruments: ['6E'],
  zstd: false,
  from: '2026-11-24T14:00:00Z',
  minutes: 20,
  prefix: 'services-features-',
});

describe('featurize into Redis', { skip: await skipUnlessMachineRedis() }, () => {
  test("each instrument's latest snapshot is its last trigger's", async () => {
    const prefix = uniquePrefix('featurize');
    const writer = await RedisFeatureStore.open({ prefix });
    const reader = await RedisFeatureStore.open({ prefix });
    const bus = new MemoryBus({ maxMessages: 10_000_000, maxBytes: 2 ** 31 });
    try {
      const featurize = new FeaturizeService({ bus, loop: ofiSetup.loop, store: writer });
      await featurize.start();
      const triggers: PendingDecision[] = [];
      await bus.subscribe({ durable: 'audit', filter: 'features.>' }, (m) => {
        const g = decodeMessage(m.data, m.subject);
        if (g.kind === 'grid') triggers.push(...g.triggers);
      });
      const f = span.day.files;
      await ingestFiles({ bus, files: [f.mbp10, f.trades] });
      await featurize.ended;
      await featurize.stop();
      assert.ok(triggers.length > 5, `${triggers.length} triggers`);
      const last = triggers.at(-1)?.input.snapshot;
      assert.ok(last !== undefined);
      const got = await reader.latest(last.instrument_id);
      assert.equal(got?.ts_ns, last.ts_ns);
      assert.equal(got?.symbol, last.symbol);
      assert.equal(got?.mid, last.mid);
      assert.equal(got?.vpin, last.vpin);
    } finally {
      await writer.clear();
      await writer.close();
      await reader.close();
      await bus.close();
    }
  });
});
