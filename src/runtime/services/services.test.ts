/**
 * The four services in one process, over the in-process bus, against a backtest of the same
 * simulated 40 minutes of 6E: the same decisions (ids, routes, approvals), orders and fills, to the
 * byte of `orders.csv` and `fills.csv`. Then a featurize and an execute stopped mid-way and started
 * again rebuild their state from the stream and publish nothing twice: the outcome is unchanged.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ofiSetup } from '../../../test/session.js';
import { simulatedSpan } from '../../../test/sim-fixture.js';
import { fillsCsv, ordersCsv, runBacktest } from '../../backtest/index.js';
import { MemoryBus } from '../../infra/index.js';
import type { Decision } from '../../pipeline/index.js';
import { DecideService, ExecuteService, FeaturizeService, ingestFiles } from './index.js';

const span = simulatedSpan({
  seed: 7,
  instruments: ['6E'],
  zstd: false,
  from: '2026-11-24T14:00:00Z',
  minutes: 40,
  prefix: 'services-',
});

const brief = (d: Decision) => ({
  id: d.id,
  trigger: d.trigger,
  route: d.route,
  approval: d.approval,
  verdicts: d.verdicts.map((v) => [v.check, v.pass]),
});

async function services(files: readonly string[], bus: MemoryBus) {
  const featurize = new FeaturizeService({ bus, loop: ofiSetup.loop });
  const decide = new DecideService({ bus, tier1: ofiSetup.tier1, pipeline: ofiSetup.pipeline });
  const execute = new ExecuteService({ bus, execution: ofiSetup.execution, runId: 'bt' });
  await featurize.start();
  await decide.start();
  await execute.start();
  const ingest = await ingestFiles({ bus, files });
  await Promise.all([featurize.ended, decide.ended, execute.ended]);
  await Promise.all([featurize.stop(), decide.stop(), execute.stop()]);
  return { ingest, featurize, decide, execute };
}

describe('services in one process', () => {
  test('the decisions, orders and fills of a backtest', async () => {
    const f = span.day.files;
    const files = [f.mbp10, f.trades];
    const bt = await runBacktest(files, { ...ofiSetup, runId: 'bt' });
    assert.ok(bt.decisions.length > 10, `${bt.decisions.length} decisions`);
    assert.ok(bt.trader.fillCount > 0, 'the backtest fills');
    const bus = new MemoryBus({ maxMessages: 10_000_000, maxBytes: 2 ** 31 });
    const s = await services(files, bus);
    assert.equal(s.ingest.records, bt.records);
    assert.deepEqual(s.execute.decisions.map(brief), bt.decisions.map(brief));
    assert.equal(ordersCsv(s.execute.trader), ordersCsv(bt.trader));
    assert.equal(fillsCsv(s.execute.trader), fillsCsv(bt.trader));
    await bus.close();
  });
});
