import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { InvalidOptionError } from '../core/index.js';
import { ClientOrderIds, isTerminal, Order, type OrderSpec, OrderStateError, orderProblem } from './order.js';

// 6E prices in raw 1e-9 units: 1.08500 and 1.08505 (one tick of 0.00005 apart).
const P1 = 1_085_000_000;
const P2 = 1_085_050_000;

function limit(quantity = 10, clientId = 'bt-1'): OrderSpec {
  return { clientId, instrumentId: 42005347, side: 'buy', type: 'limit', quantity, limitPx: P1, tif: 'GTC' };
}

function working(quantity = 10): Order {
  const o = new Order(limit(quantity), 100n);
  o.arrived(150n);
  o.ack(160n);
  return o;
}

/** Asserts `fn` throws an OrderStateError and leaves the order as it was. */
function refused(o: Order, fn: () => void, event: string): void {
  const status = o.status;
  const steps = o.history.length;
  const filled = o.filledQuantity;
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof OrderStateError);
    assert.equal(e.code, 'ORDER_STATE');
    assert.equal(e.event, event);
    assert.equal(e.status, status);
    assert.match(e.message, new RegExp(`order bt-1: cannot ${event} in state ${status}`));
    return true;
  });
  assert.equal(o.status, status);
  assert.equal(o.history.length, steps);
  assert.equal(o.filledQuantity, filled);
}

describe('order state machine', () => {
  test('sent, arrived, acknowledged, filled in two parts: times, states and the average price', () => {
    const o = working();
    o.fill(200n, 3, P1);
    assert.equal(o.status, 'partially-filled');
    assert.equal(o.leavesQuantity, 7);
    o.fill(250n, 7, P2);
    assert.equal(o.status, 'filled');
    assert.equal(o.leavesQuantity, 0);
    // (3 × 1.08500 + 7 × 1.08505) / 10 = 1.085035
    assert.equal(o.averagePx, 1_085_035_000);
    assert.deepEqual(
      o.history.map((t) => [t.event, t.from, t.to, t.atNs]),
      [
        ['send', 'pending-new', 'pending-new', 100n],
        ['arrive', 'pending-new', 'pending-new', 150n],
        ['ack', 'pending-new', 'accepted', 160n],
        ['fill', 'accepted', 'partially-filled', 200n],
        ['fill', 'partially-filled', 'filled', 250n],
      ],
    );
    assert.equal(o.sentNs, 100n);
    assert.deepEqual([o.history[3].quantity, o.history[3].price], [3, P1]);
  });

  test('impossible transitions are refused with a typed error and change nothing', () => {
    const fresh = new Order(limit(), 1n);
    refused(fresh, () => fresh.fill(2n, 1, P1), 'fill');
    refused(fresh, () => fresh.replace(2n, { quantity: 5 }), 'replace');
    refused(fresh, () => fresh.cancelled(2n), 'cancelled');
    const o = working();
    refused(o, () => o.ack(170n), 'ack');
    refused(o, () => o.reject(170n, 'late'), 'reject');
    refused(o, () => o.fill(170n, 11, P1), 'fill'); // more than the order's 10
    refused(o, () => o.fill(170n, 0, P1), 'fill');
    refused(o, () => o.cancelRejected(170n, 'none pending'), 'cancel-rejected');
    refused(o, () => o.replaced(170n), 'replaced');
    o.fill(180n, 10, P1);
    for (const [event, fn] of [
      ['cancel', () => o.cancel(190n)],
      ['fill', () => o.fill(190n, 1, P1)],
      ['expire', () => o.expire(190n)],
      ['cancelled', () => o.cancelled(190n)],
      ['arrive', () => o.arrived(190n)],
    ] as const) {
      refused(o, fn, event);
    }
  });

  test('a fill racing a cancel: partial fill keeps the cancel pending, then the rest is cancelled', () => {
    const o = working();
    o.cancel(200n);
    o.fill(210n, 4, P1);
    assert.equal(o.status, 'pending-cancel');
    o.arrived(215n);
    o.cancelled(220n);
    assert.equal(o.status, 'cancelled');
    assert.equal(o.filledQuantity, 4);
    assert.equal(o.leavesQuantity, 0);
  });

  test('a fill racing a cancel can fill the order, after which the cancel has nothing to do', () => {
    const o = working();
    o.cancel(200n);
    o.fill(210n, 10, P1);
    assert.equal(o.status, 'filled');
    refused(o, () => o.cancelRejected(220n, 'too late'), 'cancel-rejected');
  });

  test('a refused cancel returns the order to its working state, partially filled in between', () => {
    const o = working();
    o.cancel(200n);
    o.fill(205n, 2, P1);
    o.cancelRejected(210n, 'too late to cancel');
    assert.equal(o.status, 'partially-filled');
    assert.equal(o.history.at(-1)!.reason, 'too late to cancel');
  });

  test('cancel/replace: new quantity and price apply once replaced; never below what is filled', () => {
    const o = working();
    o.fill(200n, 2, P1);
    refused(o, () => o.replace(205n, { quantity: 2 }), 'replace');
    o.replace(210n, { quantity: 5, limitPx: P2 });
    assert.equal(o.status, 'pending-replace');
    assert.equal(o.spec.limitPx, P1, 'unchanged until the venue replaces it');
    o.replaced(220n);
    assert.equal(o.status, 'partially-filled');
    assert.equal(o.spec.quantity, 5);
    assert.equal(o.spec.limitPx, P2);
    assert.equal(o.leavesQuantity, 3);
  });

  test('a cancel sent while a replace is pending: both are answered in order, the cancel last', () => {
    const o = working();
    o.replace(200n, { quantity: 6 });
    o.cancel(210n);
    assert.equal(o.status, 'pending-cancel');
    o.replaced(250n);
    assert.deepEqual([o.status, o.spec.quantity], ['pending-cancel', 6]);
    o.cancelled(260n);
    assert.equal(o.status, 'cancelled');
    // Refused replace, then a refused cancel: working again, unchanged.
    const p = working();
    p.replace(200n, { quantity: 6 });
    p.cancel(210n);
    p.replaceRejected(250n, 'too late');
    p.cancelRejected(260n, 'too late');
    assert.deepEqual([p.status, p.spec.quantity], ['accepted', 10]);
  });

  test('an order acknowledged after its cancel was sent stays pending cancel', () => {
    const o = new Order(limit(), 100n);
    o.cancel(110n);
    o.arrived(150n);
    o.ack(160n);
    assert.equal(o.status, 'pending-cancel');
    o.cancelRejected(170n, 'too late');
    assert.equal(o.status, 'accepted');
  });

  test('a refused replace leaves the order as it was', () => {
    const o = working();
    o.replace(210n, { quantity: 20 });
    o.replaceRejected(220n, 'price off the grid');
    assert.equal(o.status, 'accepted');
    assert.equal(o.spec.quantity, 10);
    refused(o, () => o.replaced(230n), 'replaced');
  });

  test('rejection before acknowledgement, expiry of a partly filled order', () => {
    const r = new Order(limit(), 1n);
    r.reject(5n, 'unknown instrument');
    assert.equal(r.status, 'rejected');
    assert.equal(r.leavesQuantity, 0);
    const o = working();
    o.fill(200n, 6, P1);
    o.expire(300n, 'DAY order at the close');
    assert.equal(o.status, 'expired');
    assert.equal(o.filledQuantity, 6);
  });

  test('terminal states are exactly filled, cancelled, rejected and expired', () => {
    const all = [
      'pending-new',
      'accepted',
      'partially-filled',
      'filled',
      'cancelled',
      'rejected',
      'expired',
      'pending-cancel',
      'pending-replace',
    ] as const;
    assert.deepEqual(all.filter(isTerminal), ['filled', 'cancelled', 'rejected', 'expired']);
  });
});

describe('client order ids', () => {
  test('run id and a sequence from 1, continued after a restart, read back', () => {
    const ids = new ClientOrderIds('bt20261124');
    assert.deepEqual([ids.next(), ids.next()], ['bt20261124-1', 'bt20261124-2']);
    const again = new ClientOrderIds('bt20261124', 2);
    assert.equal(again.next(), 'bt20261124-3');
    assert.equal(again.sequenceOf('bt20261124-17'), 17);
    assert.equal(again.sequenceOf('other-17'), undefined);
    assert.equal(again.sequenceOf('bt20261124-x'), undefined);
  });

  test('a run id that could not be told apart, or a negative sequence, is refused', () => {
    assert.throws(() => new ClientOrderIds('a-b'), InvalidOptionError);
    assert.throws(() => new ClientOrderIds(''), InvalidOptionError);
    assert.throws(() => new ClientOrderIds('run', -1), InvalidOptionError);
  });
});

describe('orders that cannot be sent as asked', () => {
  const TICK = 50_000; // 6E
  const base = limit();
  const problem = (change: Partial<OrderSpec>) => orderProblem({ ...base, ...change }, TICK)?.problem ?? 'ok';

  test('each problem by name, and a good order passes', () => {
    assert.equal(problem({}), 'ok');
    assert.equal(orderProblem(base, undefined)?.problem, 'UNKNOWN_INSTRUMENT');
    for (const quantity of [0, -1, 1.5, Number.NaN]) assert.equal(problem({ quantity }), 'BAD_QUANTITY');
    assert.equal(problem({ limitPx: undefined }), 'MISSING_PRICE');
    assert.equal(problem({ limitPx: P1 + 10_000 }), 'OFF_TICK'); // 1.08501: between two ticks
    assert.equal(problem({ limitPx: -TICK }), 'OFF_TICK');
    assert.equal(problem({ type: 'stop', limitPx: undefined }), 'MISSING_PRICE');
    assert.equal(problem({ type: 'stop', limitPx: undefined, stopPx: P2 }), 'ok');
    assert.equal(problem({ type: 'stop-limit', stopPx: P2 }), 'ok');
    assert.equal(problem({ type: 'market', limitPx: undefined }), 'ok');
    assert.equal(problem({ type: 'market', limitPx: undefined, postOnly: true }), 'BAD_TIME_IN_FORCE');
    assert.equal(problem({ postOnly: true, tif: 'IOC' }), 'BAD_TIME_IN_FORCE');
    assert.equal(problem({ tif: 'GTT' }), 'BAD_TIME_IN_FORCE');
    assert.equal(problem({ tif: 'GTT', expireAtNs: 5n }), 'ok');
    assert.equal(problem({ tif: 'DAY', expireAtNs: 5n }), 'BAD_TIME_IN_FORCE');
  });

  test('the detail names the value', () => {
    assert.deepEqual(orderProblem({ ...base, limitPx: P1 + 10_000 }, TICK), {
      problem: 'OFF_TICK',
      detail: 'limit price 1085010000 is not a positive multiple of the tick 50000',
    });
  });
});
