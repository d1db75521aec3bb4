/**
 * Execute with its history in PostgreSQL (the machine's server, a schema of the test's own): every
 * order it sent, every fill and every decision is in the database when the replay ends, as the
 * trader had them; an execute replaced mid-way writes nothing twice.
 */
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { dropSchemas, requirePostgres, uniqueSchema } from '../../../test/pg.js';
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
  prefix: 'services-history-',
});

const problem = await requirePostgres('execute writes its history to PostgreSQL');
if (problem === null) {
  describe('execute with a PostgreSQL history', () => {
    const schemas: string[] = [];
    after(() => dropSchemas(schemas));

    test('orders, fills and decisions in the database, once each across a restart', async () => {
      const schema = uniqueSchema('svc');
      schemas.push(schema);
      const f = span.day.files;
      const bus = new MemoryBus({ maxMessages: 10_000_000, maxBytes: 2 ** 31 });
      const client = () => new MemoryBus({ broker: bus.broker });
      const featurize = new FeaturizeService({ bus: client(), loop: ofiSetup.loop });
      const decide = new DecideService({ bus: client(), tier1: ofiSetup.tier1, pipeline: ofiSetup.pipeline });
      const first = await openPgStore({ schema });
      let execute = new ExecuteService({ bus: client(), execution: ofiSetup.execution, history: first });
      await featurize.start();
      await decide.start();
      await execute.start();
      const ingest = ingestFiles({ bus, files: [f.mbp10, f.trades] });
      await until(() => execute.trader.orderCount >= 4, 'four orders', 60_000);
      await execute.stop();
      await first.close();
      const second = await openPgStore({ schema });
      execute = new ExecuteService({ bus: client(), execution: ofiSetup.execution, history: second });
      await execute.start();
      await ingest;
      await Promise.all([featurize.ended, decide.ended, execute.ended]);
      await Promise.all([featurize.stop(), decide.stop(), execute.stop()]);
      const t = execute.trader;
      const fills = await second.fills();
      assert.equal(fills.length, t.fills.length, 'every fill once');
      assert.deepEqual(
        fills.map((x) => `${x.clientId} ${x.quantity}@${x.price} ${x.tsNs}`).sort(),
        t.fills.map((x) => `${x.clientId} ${x.quantity}@${x.price} ${x.tsNs}`).sort(),
      );
      for (const id of t.roles.keys()) assert.ok(await second.order(id), `order ${id} is in the store`);
      assert.equal(await second.decisionCount(), execute.decisions.length);
      assert.ok(t.fills.length > 0 && execute.decisions.length > 10);
      await second.close();
      await bus.close();
    });
  });
}
