import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { acceptReport, type ExecutionReport, type ReportAnomaly } from './broker.js';
import { Order } from './order.js';
import { FillPortfolio } from './portfolio.js';

const SPEC = {
  clientId: 'r-1',
  instrumentId: 7,
  side: 'buy',
  type: 'limit',
  quantity: 2,
  limitPx: 1_085_000_000,
  tif: 'GTC',
} as const;

describe('reports an order cannot take', () => {
  test('a second fill of a filled order is set aside with its reason; nothing is booked twice', () => {
    const order = new Order(SPEC, 100n);
    const portfolio = new FillPortfolio([
      { instrumentId: 7, symbol: '6EZ6', tickRaw: 50_000, multiplier: 125_000 },
    ]);
    const anomalies: ReportAnomaly[] = [];
    const base = { clientId: 'r-1', instrumentId: 7, venueNs: 150n, atNs: 160n };
    const fill: ExecutionReport = {
      ...base,
      kind: 'fill',
      side: 'buy',
      quantity: 2,
      price: SPEC.limitPx,
      fee: 4.94,
    };
    const book = (r: ExecutionReport) => {
      if (r.kind === 'fill')
        portfolio.apply({
          instrumentId: 7,
          side: 'buy',
          quantity: 2,
          price: SPEC.limitPx,
          fee: 4.94,
          tsNs: r.atNs,
        });
    };
    for (const r of [{ ...base, kind: 'ack' } as ExecutionReport, fill, fill]) {
      if (acceptReport(order, r, r.kind === 'ack', anomalies)) book(r);
    }
    assert.equal(order.status, 'filled');
    assert.equal(order.filledQuantity, 2);
    assert.equal(portfolio.position(7), 2);
    assert.equal(anomalies.length, 1);
    assert.match(anomalies[0].error, /order r-1: cannot fill in state filled/);
  });

  test('an acknowledgement of a cancelled order is set aside too', () => {
    const order = new Order(SPEC, 100n);
    const anomalies: ReportAnomaly[] = [];
    const base = { clientId: 'r-1', instrumentId: 7, venueNs: 150n, atNs: 160n };
    assert.equal(acceptReport(order, { ...base, kind: 'reject', reason: 'no' }, true, anomalies), true);
    assert.equal(acceptReport(order, { ...base, kind: 'ack' }, false, anomalies), false);
    assert.equal(order.status, 'rejected');
    assert.match(anomalies[0].error, /cannot ack in state rejected/);
  });
});
