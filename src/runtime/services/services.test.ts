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
import { until } from '../../../test/until.js';
import { fillsCsv, ordersCsv, runBacktest } from '../../backtest/index.js';
import { decodeFill, decodeOrder } from '../../execution/index.js';
import { MemoryBus } from '../../infra/index.js';
import type { Decision } from '../../pipeline/index.js';
import { DecideService, decodeMessage, ExecuteService, FeaturizeService, ingestFiles } from './index.js';

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

describe('services stopped and started again', () => {
  test('each stage rebuilds its state from the stream and publishes nothing twice', async () => {
    const f = span.day.files;
    const files = [f.mbp10, f.trades];
    const bt = await runBacktest(files, { ...ofiSetup, runId: 'bt' });
    const bus = new MemoryBus({ maxMessages: 10_000_000, maxBytes: 2 ** 31 });
    const client = () => new MemoryBus({ broker: bus.broker });
    let featurize = new FeaturizeService({ bus: client(), loop: ofiSetup.loop });
    let decide = new DecideService({ bus: client(), tier1: ofiSetup.tier1, pipeline: ofiSetup.pipeline });
    let execute = new ExecuteService({ bus: client(), execution: ofiSetup.execution, runId: 'bt' });
    await featurize.start();
    await decide.start();
    await execute.start();
    const ingest = ingestFiles({ bus, files });
    // Each stage stopped a third of the way through and replaced by a new one.
    await until(() => featurize.counts.records > bt.records / 3, 'featurize a third through', 60_000);
    await featurize.stop();
    featurize = new FeaturizeService({ bus: client(), loop: ofiSetup.loop });
    await featurize.start();
    await until(() => decide.decisions > 5, 'decide five decisions in', 60_000);
    await decide.stop();
    decide = new DecideService({ bus: client(), tier1: ofiSetup.tier1, pipeline: ofiSetup.pipeline });
    await decide.start();
    await until(() => execute.records > bt.records / 2, 'execute half through', 60_000);
    await execute.stop();
    execute = new ExecuteService({ bus: client(), execution: ofiSetup.execution, runId: 'bt' });
    await execute.start();
    await ingest;
    await Promise.all([featurize.ended, decide.ended, execute.ended]);
    await Promise.all([featurize.stop(), decide.stop(), execute.stop()]);
    assert.deepEqual(execute.decisions.map(brief), bt.decisions.map(brief));
    assert.equal(ordersCsv(execute.trader), ordersCsv(bt.trader));
    assert.equal(fillsCsv(execute.trader), fillsCsv(bt.trader));
    // One message per grid second and product on features, signals and portfolio: none twice.
    const seconds = new Map<string, number>();
    const orders: string[] = [];
    const fills: string[] = [];
    await bus.subscribe({ durable: 'audit', filter: '>' }, (m) => {
      if (m.subject.startsWith('md.')) return;
      if (m.subject === 'orders') return void orders.push(decodeOrder(m.data).clientId);
      if (m.subject === 'fills') {
        const x = decodeFill(m.data);
        return void fills.push(`${x.clientId} ${x.tsNs} ${x.quantity}@${x.price}`);
      }
      const t = decodeMessage(m.data, m.subject);
      const key = `${m.subject}:${t.kind}:${t.tNs}`;
      seconds.set(key, (seconds.get(key) ?? 0) + 1);
    });
    await until(
      () => seconds.size > 0 && [...seconds.keys()].some((k) => k.includes(':end:')),
      'the audit read',
      60_000,
    );
    await new Promise((r) => setTimeout(r, 200));
    const twice = [...seconds].filter(([, n]) => n > 1);
    assert.deepEqual(twice, []);
    // Every order sent and every fill, once each, in order.
    const t = execute.trader;
    assert.deepEqual(orders, [...t.roles.keys()]);
    assert.deepEqual(
      fills,
      t.fills.map((x) => `${x.clientId} ${x.tsNs} ${x.quantity}@${x.price}`),
    );
    await bus.close();
  });
});

describe('products split between featurize processes', () => {
  const two = simulatedSpan({
    seed: 5,
    instruments: ['6E', '6J'],
    zstd: false,
    from: '2026-11-24T14:00:00Z',
    minutes: 30,
    prefix: 'services-split-',
  });

  test('a featurize per product takes the decisions of one', async () => {
    const f = two.day.files;
    const files = [f.mbp10, f.trades];
    const bt = await runBacktest(files, { ...ofiSetup, runId: 'bt' });
    const products = new Set(bt.decisions.map((d) => d.instrument.slice(0, 2)));
    assert.deepEqual([...products].sort(), ['6E', '6J']);
    const bus = new MemoryBus({ maxMessages: 10_000_000, maxBytes: 2 ** 31 });
    const client = () => new MemoryBus({ broker: bus.broker });
    const fe = new FeaturizeService({ bus: client(), loop: ofiSetup.loop, products: ['6E'] });
    const fj = new FeaturizeService({ bus: client(), loop: ofiSetup.loop, products: ['6J'] });
    const decide = new DecideService({ bus: client(), tier1: ofiSetup.tier1, pipeline: ofiSetup.pipeline });
    const execute = new ExecuteService({ bus: client(), execution: ofiSetup.execution, runId: 'bt' });
    for (const s of [fe, fj, decide, execute]) await s.start();
    await ingestFiles({ bus, files });
    await Promise.all([fe.ended, fj.ended, decide.ended, execute.ended]);
    await Promise.all([fe.stop(), fj.stop(), decide.stop(), execute.stop()]);
    // The same decisions on the same inputs; within a second the products may take turns otherwise,
    // so they are compared without their numbers, in the order of their instrument and trigger.
    const content = (ds: readonly Decision[]) =>
      ds
        .map((d) => ({ ...brief(d), id: undefined, instrument: d.instrument }))
        .sort((a, b) => a.instrument.localeCompare(b.instrument) || a.trigger.tMs - b.trigger.tMs);
    assert.deepEqual(content(execute.decisions), content(bt.decisions));
    await bus.close();
  });
});
