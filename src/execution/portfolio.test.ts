import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { InvalidOptionError, Random } from '../core/index.js';
import { type Fill, FillPortfolio, type InstrumentTerms } from './portfolio.js';

const E6: InstrumentTerms = { instrumentId: 1, symbol: '6EZ6', tickRaw: 50_000, multiplier: 125_000 };
const J6: InstrumentTerms = { instrumentId: 2, symbol: '6JZ6', tickRaw: 500, multiplier: 12_500_000 };
const USDJPY: InstrumentTerms = {
  instrumentId: 3,
  symbol: 'USD/JPY',
  tickRaw: 1_000_000,
  multiplier: 1,
  quotedInJpy: true,
};

const px = (decimal: number) => Math.round(decimal * 1e9);

function fill(
  instrumentId: number,
  side: 'buy' | 'sell',
  quantity: number,
  price: number,
  fee = 0,
  tsNs = 0n,
): Fill {
  return { instrumentId, side, quantity, price, fee, tsNs };
}

describe('portfolio from fills', () => {
  test('6E: two buys closed by one sell, first in first out, in raw units, ticks and USD', () => {
    const p = new FillPortfolio([E6]);
    p.apply(fill(1, 'buy', 2, px(1.085), 4));
    p.apply(fill(1, 'buy', 1, px(1.0851), 2));
    assert.equal(p.position('6EZ6'), 3);
    // (2 × 1.08500 + 1 × 1.08510) / 3 = 1.0850333…
    assert.ok(Math.abs(p.averagePrice(1) - (2 * 1_085_000_000 + 1_085_100_000) / 3) < 1e-6);
    p.apply(fill(1, 'sell', 3, px(1.0852), 6));
    assert.equal(p.position(1), 0);
    // (1.08520 − 1.08500) × 2 + (1.08520 − 1.08510) × 1 = 0.0005 = 500,000 raw = 10 ticks of 0.00005
    assert.equal(p.realizedRaw(1), 500_000n);
    assert.equal(p.realizedTicks(1), 10);
    // 0.0005 × 125,000 = 62.50 USD, less 12.00 of fees
    assert.ok(Math.abs(p.realized() - 50.5) < 1e-9);
    assert.equal(p.feesNano(), 12_000_000_000n);
    // Flat: realized P&L is exactly the sum of the cash flows.
    assert.equal(p.cashFlowRaw('6EZ6'), p.realizedRaw('6EZ6'));
    assert.ok(Number.isNaN(p.averagePrice(1)));
  });

  test('financing charges count with the fees; a credit lowers them', () => {
    const p = new FillPortfolio([E6]);
    p.charge(1, 2.5);
    p.charge(1, -0.75);
    assert.equal(p.feesNano(1), 1_750_000_000n);
    assert.ok(Math.abs(p.realized() + 1.75) < 1e-12);
    assert.throws(() => p.charge(1, Number.NaN), /charge must be a finite amount/);
  });

  test('a fill through zero closes the long and opens a short at its own price', () => {
    const p = new FillPortfolio([E6]);
    p.apply(fill(1, 'buy', 1, px(1.085)));
    p.apply(fill(1, 'sell', 3, px(1.0849)));
    assert.equal(p.position(1), -2);
    assert.equal(p.realizedRaw(1), -100_000n); // −0.0001 on one contract
    assert.equal(p.averagePrice(1), px(1.0849));
    p.mark(1, px(1.0847));
    // short 2 from 1.08490 marked at 1.08470: +0.0002 × 2 × 125,000 = +50 USD open, 4 ticks × 2
    assert.ok(Math.abs(p.unrealized() - 50) < 1e-9);
    assert.equal(p.unrealizedTicks(1), 8);
    // realized −0.0001 × 125,000 = −12.50
    assert.ok(Math.abs(p.equity() - 37.5) < 1e-9);
    // 2 × 1.0847 × 125,000
    assert.ok(Math.abs(p.exposure() - 271_175) < 1e-6);
  });

  test('USD/JPY spot: P&L in yen, converted to dollars at the mark', () => {
    const p = new FillPortfolio([USDJPY]);
    p.apply(fill(3, 'buy', 100_000, px(150)));
    p.apply(fill(3, 'sell', 100_000, px(150.1)));
    p.mark(3, px(150.1));
    // 0.1 JPY × 100,000 = 10,000 JPY; at 150.1 JPY per USD: 66.622… USD
    assert.ok(Math.abs(p.realized() - 10_000 / 150.1) < 1e-9);
    assert.equal(p.realizedTicks(3), 10_000_000); // 0.1 / 0.001 pips × 100,000 units
  });

  test('a random day of fills on two contracts ending flat: realized equals cash flows exactly', () => {
    const rnd = new Random(20261124);
    const p = new FillPortfolio([E6, J6]);
    const fees = [0n, 0n, 0n];
    const pos = [0, 0, 0];
    for (let i = 0; i < 2000; i++) {
      const id = 1 + Math.floor(rnd.uniform() * 2);
      const tick = id === 1 ? E6.tickRaw : J6.tickRaw;
      const base = id === 1 ? px(1.085) : px(0.00665);
      const price = base + tick * Math.floor(rnd.uniform() * 200 - 100);
      const quantity = 1 + Math.floor(rnd.uniform() * 9);
      const side = rnd.uniform() < 0.5 ? 'buy' : 'sell';
      const fee = 1.42 * quantity;
      p.apply(fill(id, side, quantity, price, fee, BigInt(i)));
      pos[id] += side === 'buy' ? quantity : -quantity;
      fees[id] += BigInt(Math.round(fee * 1e9));
    }
    for (const id of [1, 2]) {
      if (pos[id] !== 0)
        p.apply(
          fill(id, pos[id] > 0 ? 'sell' : 'buy', Math.abs(pos[id]), id === 1 ? px(1.085) : px(0.00665)),
        );
      assert.equal(p.position(id), 0);
      assert.equal(p.realizedRaw(id), p.cashFlowRaw(id), `instrument ${id}`);
      assert.equal(p.feesNano(id), fees[id]);
    }
    const expected =
      (Number(p.cashFlowRaw(1)) / 1e9) * 125_000 +
      (Number(p.cashFlowRaw(2)) / 1e9) * 12_500_000 -
      Number(fees[1] + fees[2]) / 1e9;
    assert.ok(Math.abs(p.realized() - expected) < 1e-6);
  });

  test('bad fills are refused and change nothing', () => {
    const p = new FillPortfolio([E6]);
    p.apply(fill(1, 'buy', 1, px(1.085)));
    for (const bad of [
      fill(9, 'buy', 1, px(1.085)),
      fill(1, 'buy', 0, px(1.085)),
      fill(1, 'buy', -1, px(1.085)),
      fill(1, 'buy', 1.5, px(1.085)),
      fill(1, 'buy', 1, 1_085_000_000.5),
      fill(1, 'buy', 1, px(1.085), -1),
      fill(1, 'buy', 1, px(1.085), Number.NaN),
    ]) {
      assert.throws(() => p.apply(bad), InvalidOptionError);
    }
    assert.equal(p.position(1), 1);
    assert.equal(p.feesNano(), 0n);
    assert.equal(p.cashFlowRaw(1), -1_085_000_000n);
  });

  test('the equity curve samples realized + open − fees on the event clock', () => {
    const p = new FillPortfolio([E6]);
    p.apply(fill(1, 'buy', 1, px(1.085), 2));
    p.mark(1, px(1.0851));
    p.sample(60n);
    p.mark(1, px(1.0849));
    p.sample(120n);
    // +0.0001 × 125,000 − 2 = 10.50; −0.0001 × 125,000 − 2 = −14.50
    assert.deepEqual(
      p.equityCurve.map((e) => [e.tsNs, Math.round(e.equity * 100) / 100]),
      [
        [60n, 10.5],
        [120n, -14.5],
      ],
    );
  });
});
