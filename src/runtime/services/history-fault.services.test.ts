/**
 * Execute's PostgreSQL history lost mid-replay (a server of the test's own, stopped as by a crash,
 * then started again): while it cannot be reached the trader takes no new position
 * (DATA_UNTRUSTED, naming the store) and the writes wait; once it is back they go through in
 * order, and the store holds every fill the trader had and every decision.
 */
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { type PgCluster, postgresBin, startCluster } from '../../../test/pg-cluster.js';
import { ofiSetup } from '../../../test/session.js';
import { simulatedSpan } from '../../../test/sim-fixture.js';
import { until } from '../../../test/until.js';
import { MemoryBus, openPgStore } from '../../infra/index.js';
import { DecideService, ExecuteService, FeaturizeService, ingestFiles } from './index.js';

const span = simulatedSpan({
  seed: 7,
  instruments: ['6E'],
  zstd: false,
  from: '2026-11-24T14:00:00Z',
  minutes: 40,
  prefix: 'services-history-fault-',
});

describe('execute losing its PostgreSQL history', {
  skip: postgresBin() === null ? 'no PostgreSQL binaries' : undefined,
}, () => {
  let cluster: PgCluster | null = null;
  after(() => cluster?.remove());

  test('no new position while blind; every write once it is back', { timeout: 180_000 }, async () => {
    cluster = await startCluster();
    const pg = cluster;
    const store = await openPgStore({ url: pg.url, retryForMs: 500, firstDelayMs: 50, maxDelayMs: 200 });
    const f = span.day.files;
    const bus = new MemoryBus({ maxMessages: 10_000_000, maxBytes: 2 ** 31 });
    const featurize = new FeaturizeService({ bus, loop: ofiSetup.loop });
    const decide = new DecideService({ bus, tier1: ofiSetup.tier1, pipeline: ofiSetup.pipeline });
    const execute = new ExecuteService({ bus, execution: ofiSetup.execution, history: store });
    try {
      await featurize.start();
      await decide.start();
      await execute.start();
      const ingest = ingestFiles({ bus, files: [f.mbp10, f.trades], speed: 120 });
      await until(() => execute.trader.orderCount >= 2, 'two orders', 60_000);
      await pg.stop('immediate');
      const t = execute.trader;
      const blind = () => t.journal.some((e) => e.kind === 'refused' && /history store/.test(e.detail));
      await until(blind, 'a position refused while the store is away', 60_000);
      await pg.start();
      await ingest;
      await Promise.all([featurize.ended, decide.ended, execute.ended]);
      await Promise.all([featurize.stop(), decide.stop(), execute.stop()]);
      const refusal = t.journal.find((e) => e.kind === 'refused' && /history store/.test(e.detail));
      assert.match(refusal?.detail ?? '', /DATA_UNTRUSTED/);
      const fills = await store.fills();
      assert.deepEqual(
        fills.map((x) => `${x.clientId} ${x.quantity}@${x.price} ${x.tsNs}`).sort(),
        t.fills.map((x) => `${x.clientId} ${x.quantity}@${x.price} ${x.tsNs}`).sort(),
      );
      for (const id of t.roles.keys()) assert.ok(await store.order(id), `order ${id} is in the store`);
      assert.equal(await store.decisionCount(), execute.decisions.length);
    } finally {
      // A write still waiting for the server stops with the store.
      await store.close();
      await bus.close();
    }
  });
});
