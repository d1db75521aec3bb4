/**
 * `execution.tradeOn: spot`: decisions taken on simulated 6E and 6J depth are traded on EUR/USD and
 * USD/JPY, the simulator's spot quotes of the same hour. Every order is on a spot pair; an entry
 * goes the decision's way on EUR/USD and the other way on USD/JPY (a long yen future is a short
 * USD/JPY), in lots of the contracts' notional; its stop and target sit on the spot's side of the
 * entry, where a bracket of that side puts them.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ofiSetup } from '../../test/session.js';
import { simulatedSpan } from '../../test/sim-fixture.js';
import { executionConfig } from '../execution/index.js';
import { runBacktest } from './runner.js';

describe('decisions on futures traded on their spot pairs', () => {
  const span = simulatedSpan({
    seed: 21,
    instruments: ['6E', '6J'],
    zstd: false,
    from: '2026-11-24T14:00:00Z',
    minutes: 40,
    prefix: 'spot-route-',
  });

  test('every order is on EUR/USD or USD/JPY, the yen turned, sized by notional', async () => {
    const f = span.day.files;
    const run = await runBacktest([f.mbp10, f.trades, f.spotMbp1 as string], {
      ...ofiSetup,
      execution: executionConfig({ tradeOn: 'spot' }),
    });
    const t = run.trader;
    const orders = [...t.roles.keys()].map((id) => t.broker.order(id)).filter((o) => o !== undefined);
    assert.ok(orders.length >= 4, `${orders.length} orders`);
    const symbols = new Set(orders.map((o) => t.portfolio.terms(o.spec.instrumentId)?.symbol));
    assert.deepEqual([...symbols].sort(), ['EUR/USD', 'USD/JPY']);
    const byId = new Map(run.decisions.map((d) => [d.id, d]));
    const seen = { 'EUR/USD': 0, 'USD/JPY': 0 };
    for (const o of orders) {
      const role = t.roles.get(o.spec.clientId);
      if (role?.role !== 'entry' || role.decisionId === undefined) continue;
      const d = byId.get(role.decisionId);
      assert.ok(d?.approval.approved, `entry ${o.spec.clientId} has its decision`);
      const sym = t.portfolio.terms(o.spec.instrumentId)?.symbol as 'EUR/USD' | 'USD/JPY';
      seen[sym]++;
      const long = d.approval.direction === 'long';
      if (sym === 'EUR/USD') {
        assert.equal(o.spec.side, long ? 'buy' : 'sell', `${o.spec.clientId} goes the decision's way`);
        // 125,000 EUR a contract in lots of 100,000, nearest, at least one.
        assert.ok(o.spec.quantity <= Math.max(1, Math.round((d.approval.size * 125_000) / 100_000)));
      } else {
        assert.equal(o.spec.side, long ? 'sell' : 'buy', `${o.spec.clientId} is the yen turned`);
      }
    }
    assert.ok(seen['EUR/USD'] > 0 && seen['USD/JPY'] > 0, JSON.stringify(seen));
    // Stops below a long entry and above a short one, in the spot's own prices (USD/JPY near 150).
    for (const o of orders) {
      const role = t.roles.get(o.spec.clientId);
      if (role?.role !== 'exit' || o.spec.type !== 'stop' || o.spec.stopPx === undefined) continue;
      const sym = t.portfolio.terms(o.spec.instrumentId)?.symbol;
      const px = o.spec.stopPx * 1e-9;
      if (sym === 'USD/JPY') assert.ok(px > 100 && px < 200, `USD/JPY stop ${px}`);
      else assert.ok(px > 0.9 && px < 1.5, `EUR/USD stop ${px}`);
    }
  });
});
