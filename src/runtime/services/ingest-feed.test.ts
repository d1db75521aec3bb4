/**
 * `ingestFeed` on Databento's live protocol (a gateway on 127.0.0.1 serving 10 simulated minutes
 * of 6E MBP-10, dropping the link a third of the way): every record reaches the bus once, in
 * order and byte for byte as the file holds it, on its product's subject after the instrument's
 * notice naming the symbol the gateway mapped.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, describe, test } from 'node:test';
import { TestGateway } from '../../../test/databento-gateway.js';
import { simulatedSpan } from '../../../test/sim-fixture.js';
import { until } from '../../../test/until.js';
import { FeedHealth } from '../../book/index.js';
import { DbnDecoder } from '../../data/dbn/index.js';
import { executionConfig, feedHealthOptions } from '../../execution/index.js';
import { MemoryBus } from '../../infra/index.js';
import { DatabentoFeed } from '../databento-feed.js';
import { ingestFeed } from './ingest.js';
import { decodeNotice } from './market.js';

const KEY = 'db-TestKey0000000000000ABCDE';

describe('ingest from a live feed', () => {
  const span = simulatedSpan({
    seed: 4,
    spot: false,
    zstd: false,
    from: '2026-11-24T14:00:00Z',
    minutes: 10,
    prefix: 'ingest-feed-',
  });
  const gateways: TestGateway[] = [];
  after(async () => {
    for (const g of gateways) await g.close();
  });

  test('every record once, in order, byte for byte, across a dropped link', async () => {
    const bytes = readFileSync(span.day.files.mbp10);
    const want: Uint8Array[] = [];
    for await (const b of DbnDecoder.fromBytes(bytes))
      for (let i = 0; i < b.count; i++) {
        const c = b.at(i);
        want.push(b.bytes.slice(c.pos, c.pos + c.byteLength));
      }
    const g = await TestGateway.start({
      key: KEY,
      dbn: bytes,
      plans: [{ dropAfter: Math.floor(want.length / 3) }, {}],
    });
    gateways.push(g);
    const ctl = new AbortController();
    const feed = new DatabentoFeed({
      live: {
        dataset: 'GLBX.MDP3',
        key: KEY,
        gateway: g.address,
        reconnect: { initialDelayMs: 5, maxDelayMs: 20 },
      },
      subscriptions: [{ schema: 'mbp-10', symbols: ['6EZ6'] }],
      health: new FeedHealth(feedHealthOptions(executionConfig())),
      signal: ctl.signal,
    });
    const bus = new MemoryBus({ maxMessages: 10_000_000, maxBytes: 2 ** 31 });
    const got: { subject: string; data: Uint8Array }[] = [];
    await bus.subscribe({ durable: 'audit', filter: 'md.>' }, (m) => {
      got.push({ subject: m.subject, data: m.data.slice() });
    });
    const run = ingestFeed({ bus, feed });
    await until(() => got.length >= want.length + 1, 'every record on the bus', 60_000);
    ctl.abort();
    const summary = await run;
    assert.equal(summary.records, want.length);
    assert.equal(g.connections.length, 2, 'one reconnection');
    assert.equal(got[0].subject, 'md.6E.symbols');
    assert.deepEqual(decodeNotice(got[0].data, 'notice').symbol, '6EZ6');
    const records = got.slice(1);
    assert.equal(records.length, want.length, 'none twice');
    for (const r of records) assert.equal(r.subject, 'md.6E.mbp10');
    for (let i = 0; i < want.length; i++) assert.deepEqual(records[i].data, want[i], `record ${i}`);
    await bus.close();
  });
});
