import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { OrderRole, TraderFill } from '../execution/index.js';
import { roundTrips } from './trades.js';

const E6 = { instrumentId: 1, symbol: '6EZ6', tickRaw: 50_000, multiplier: 125_000 };
const px = (p: number) => Math.round(p * 1e9);
const close = (a: number, b: number, what: string) =>
  assert.ok(Math.abs(a - b) < 1e-9, `${what}: ${a} vs ${b}`);

function fill(
  t: number,
  clientId: string,
  side: 'buy' | 'sell',
  quantity: number,
  price: number,
): TraderFill {
  return {
    clientId,
    liquidity: 'taker',
    instrumentId: 1,
    side,
    quantity,
    price: px(price),
    fee: 2.47 * quantity,
    tsNs: BigInt(t),
  };
}

describe('round trips', () => {
  const roles = new Map<string, OrderRole>([
    ['e1', { role: 'entry', decisionId: 'd1' }],
    ['e1b', { role: 'entry', decisionId: 'd1' }],
    ['t1', { role: 'exit', reason: 'target' }],
    ['e2', { role: 'entry', decisionId: 'd2' }],
    ['s2', { role: 'exit', reason: 'stop' }],
    ['x3', { role: 'exit', reason: 'time' }],
  ]);
  const trips = roundTrips(
    [
      fill(1, 'e1', 'buy', 2, 1.085),
      fill(2, 'e1b', 'buy', 1, 1.0851),
      fill(3, 't1', 'sell', 3, 1.0852),
      fill(4, 'e2', 'sell', 2, 1.085),
      fill(5, 's2', 'buy', 5, 1.0849), // closes the short of 2 and opens a long of 3
      fill(6, 'x3', 'sell', 3, 1.0848),
    ],
    roles,
    () => E6,
  );

  test('a trade from flat to flat: prices, ticks, USD after fees, exit reason, decision', () => {
    const t = trips[0];
    assert.deepEqual(
      [t.side, t.quantity, t.entryNs, t.exitNs, t.exitReason, t.decisionId],
      ['long', 3, 1n, 3n, 'target', 'd1'],
    );
    close(t.entryPx, (2 * px(1.085) + px(1.0851)) / 3, 'entry');
    close(t.exitPx, px(1.0852), 'exit');
    // (1.0852 − 1.085) × 2 + (1.0852 − 1.0851) × 1 = 0.0005: 10 ticks, 62.50 USD, less 6 × 2.47.
    close(t.pnlTicks, 10, 'ticks');
    close(t.fees, 14.82, 'fees');
    close(t.pnl, 62.5 - 14.82, 'pnl');
  });

  test('a fill through zero closes one trade and opens the next, its fee shared pro rata', () => {
    const [, short, long] = trips;
    assert.equal(trips.length, 3);
    assert.deepEqual(
      [short.side, short.quantity, short.exitReason, short.decisionId],
      ['short', 2, 'stop', 'd2'],
    );
    // 2 × 0.0001 = 4 ticks, 25 USD; fees 2 × 2.47 in, 2/5 of 5 × 2.47 out.
    close(short.pnlTicks, 4, 'short ticks');
    close(short.pnl, 25 - 4 * 2.47, 'short pnl');
    // The long of 3 from 1.0849, closed at 1.0848 by the time stop: −6 ticks, −37.50 USD, 6 × 2.47 fees.
    assert.deepEqual([long.side, long.quantity, long.entryNs, long.exitReason], ['long', 3, 5n, 'time']);
    close(long.pnlTicks, -6, 'long ticks');
    close(long.pnl, -37.5 - 6 * 2.47, 'long pnl');
  });

  test('the trades add up to the fills: Σ P&L = cash flows × multiplier − fees', () => {
    const total = trips.reduce((s, t) => s + t.pnl, 0);
    // Cash: −2·1.085 − 1.0851 + 3·1.0852 + 2·1.085 − 5·1.0849 + 3·1.0848 (flat at the end).
    const cash = -2 * 1.085 - 1.0851 + 3 * 1.0852 + 2 * 1.085 - 5 * 1.0849 + 3 * 1.0848;
    close(total, cash * 125_000 - 16 * 2.47, 'total');
  });
});
