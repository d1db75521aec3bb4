/**
 * A paper session on Databento's live feed, against a gateway on loopback that speaks the Raw API
 * (test/databento-gateway.ts) and serves ten simulated minutes of 6E MBP-10. The gateway drops the
 * link part-way; the client replays from where it was. Every record reaches the session once, the
 * gateway's symbol mapping names the instrument, the drop marks the book untrusted and the replay
 * makes it trusted again.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, describe, test } from 'node:test';
import { TestGateway } from '../../test/databento-gateway.js';
import { simulatedSpan } from '../../test/sim-fixture.js';
import { createAnalysts } from '../agents/index.js';
import { FeedHealth } from '../book/index.js';
import { DbnDecoder } from '../data/index.js';
import { executionConfig, feedHealthOptions } from '../execution/index.js';
import { analystsTier, DEFAULT_PIPELINE_CONFIG } from '../pipeline/index.js';
import { DatabentoFeed } from './databento-feed.js';
import { TradingSession } from './session.js';

const KEY = 'db-TestKey0000000000000ABCDE';

describe('paper session on the Databento live feed', () => {
  const span = simulatedSpan({
    seed: 4,
    spot: false,
    zstd: false,
    from: '2026-11-24T14:00:00Z',
    minutes: 10,
    prefix: 'databento-feed-',
  });
  const gateways: TestGateway[] = [];
  after(async () => {
    for (const g of gateways) await g.close();
  });

  test('every record once across a dropped link, the symbol mapped, trust lost and regained', async () => {
    const bytes = readFileSync(span.day.files.mbp10);
    let total = 0;
    for await (const b of DbnDecoder.fromBytes(bytes)) total += b.count;
    const g = await TestGateway.start({
      key: KEY,
      dbn: bytes,
      plans: [{ dropAfter: Math.floor(total / 3) }, {}],
    });
    gateways.push(g);
    const execution = executionConfig();
    const events: string[] = [];
    const health = new FeedHealth({
      ...feedHealthOptions(execution),
      onEvent: (e) =>
        events.push(
          e.kind === 'out-of-order' ? e.kind : `${e.kind}:${e.kind === 'untrusted' ? e.reason : ''}`,
        ),
    });
    const ctl = new AbortController();
    const feed = new DatabentoFeed({
      live: {
        dataset: 'GLBX.MDP3',
        key: KEY,
        gateway: g.address,
        reconnect: { initialDelayMs: 5, maxDelayMs: 20 },
      },
      subscriptions: [{ schema: 'mbp-10', symbols: ['6EZ6'] }],
      health,
      signal: ctl.signal,
    });
    const session = new TradingSession({
      setup: {
        tier1: analystsTier(createAnalysts()),
        pipeline: DEFAULT_PIPELINE_CONFIG,
        execution,
        loop: { engine: { vpinBucketVolume: 200, vpinWindowBuckets: 10 } },
      },
      feed,
      health,
    });
    const watch = setInterval(() => {
      if (session.status().records >= total) ctl.abort();
    }, 20);
    const { feed: fed } = await session.run(ctl.signal);
    clearInterval(watch);
    assert.equal(fed.records, total, 'every record once');
    assert.equal(g.connections.length, 2, 'one reconnection');
    const id = session.loop.engine.instruments[0];
    assert.equal(session.loop.engine.symbolOf(id), '6EZ6');
    assert.equal(health.totals.linkDrops, 1);
    assert.ok(events.includes('untrusted:link'), events.join(' '));
    assert.equal(events.at(-1), 'trusted:', 'trusted again after the replay');
    assert.ok(health.trusted(id));
  });
});
