import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { VenueState } from './broker.js';
import { executionConfig } from './config.js';
import { Order, type OrderSpec } from './order.js';
import { describeMismatches, reconcile, reconciliationPlan } from './reconcile.js';

const SIX_E = 5482;
const SIX_B = 5501;
/** 6E prices in raw units: 1.0860 and so on. */
const px = (d: number) => Math.round(d * 1e9);

function working(spec: Omit<OrderSpec, 'instrumentId' | 'tif'>): Order {
  const o = new Order({ instrumentId: SIX_E, tif: 'GTC', ...spec }, 0n);
  o.ack(1n);
  return o;
}

/**
 * A restart after a night away: we hold +2 6E with a target (sell 2 @ 1.0860) and a stop (sell 2
 * @ 1.0840) working. While we were away one more lot bought at the venue (+3), one lot of the
 * target filled (1 left), the stop was cancelled, and someone left a buy 1 @ 1.0830 by hand.
 */
function restart() {
  const target = working({ clientId: 'c-1', side: 'sell', type: 'limit', quantity: 2, limitPx: px(1.086) });
  const stop = working({ clientId: 'c-2', side: 'sell', type: 'stop', quantity: 2, stopPx: px(1.084) });
  const ours = { positions: [{ instrumentId: SIX_E, quantity: 2 }], orders: [target, stop] };
  const theirs: VenueState = {
    positions: [{ instrumentId: SIX_E, quantity: 3, averagePx: px(1.08505) }],
    orders: [
      {
        clientId: 'c-1',
        venueId: 'V1',
        instrumentId: SIX_E,
        side: 'sell',
        type: 'limit',
        quantity: 1,
        limitPx: px(1.086),
      },
      { venueId: 'V9', instrumentId: SIX_E, side: 'buy', type: 'limit', quantity: 1, limitPx: px(1.083) },
    ],
  };
  return { ours, theirs };
}

describe('reconciliation with the venue', () => {
  test('the same positions and orders on both sides: nothing to do under any policy', () => {
    const o = working({ clientId: 'c-1', side: 'buy', type: 'limit', quantity: 1, limitPx: px(1.08) });
    const theirs: VenueState = {
      positions: [{ instrumentId: SIX_E, quantity: -1 }],
      orders: [
        {
          clientId: 'c-1',
          venueId: 'V',
          instrumentId: SIX_E,
          side: 'buy',
          type: 'limit',
          quantity: 1,
          limitPx: px(1.08),
        },
      ],
    };
    // A flat instrument listed on one side only is no difference.
    const ours = {
      positions: [
        { instrumentId: SIX_E, quantity: -1 },
        { instrumentId: SIX_B, quantity: 0 },
      ],
      orders: [o],
    };
    const r = reconcile(ours, theirs);
    assert.equal(r.matched, true);
    for (const policy of ['wait', 'adopt', 'flatten'] as const)
      assert.deepEqual(reconciliationPlan(r, theirs, policy), []);
  });

  test('a restart after a night away: every difference named with both sides', () => {
    const { ours, theirs } = restart();
    const r = reconcile(ours, theirs);
    assert.equal(r.matched, false);
    assert.deepEqual(
      r.mismatches.map((m) => m.kind),
      ['position', 'order-differs', 'order-only-ours', 'order-only-theirs'],
    );
    const names = new Map([[SIX_E, '6EZ6']]);
    assert.deepEqual(
      describeMismatches(
        r,
        (id) => names.get(id) ?? String(id),
        (raw) => (raw / 1e9).toFixed(5),
      ),
      [
        '6EZ6: position ours +2, venue +3',
        '6EZ6: order c-1 differs in quantity: ours sell 2 limit 1.08600, venue sell 1 limit 1.08600',
        '6EZ6: order c-2 (sell 2 stop 1.08400) working here, not at the venue',
        '6EZ6: order venue V9 (buy 1 limit 1.08300) at the venue, not ours',
      ],
    );
  });

  test('wait holds trading with the count of differences', () => {
    const { ours, theirs } = restart();
    assert.deepEqual(reconciliationPlan(reconcile(ours, theirs), theirs, 'wait'), [
      { kind: 'hold', reason: '4 differences with the venue: waiting for a decision' },
    ]);
  });

  test("adopt makes ours the venue's: its position, its terms, its orders; ours it no longer has end", () => {
    const { ours, theirs } = restart();
    assert.deepEqual(reconciliationPlan(reconcile(ours, theirs), theirs, 'adopt'), [
      { kind: 'adopt-position', instrumentId: SIX_E, quantity: 3, averagePx: px(1.08505) },
      { kind: 'adopt-order', order: theirs.orders[0] },
      { kind: 'forget-order', clientId: 'c-2' },
      { kind: 'adopt-order', order: theirs.orders[1] },
    ]);
  });

  test("flatten cancels every venue order and closes the venue's position, not ours", () => {
    const { ours, theirs } = restart();
    assert.deepEqual(reconciliationPlan(reconcile(ours, theirs), theirs, 'flatten'), [
      { kind: 'forget-order', clientId: 'c-2' },
      { kind: 'cancel-order', order: theirs.orders[0] },
      { kind: 'cancel-order', order: theirs.orders[1] },
      // The venue holds +3 (not our +2): three lots sold.
      { kind: 'close-position', instrumentId: SIX_E, side: 'sell', quantity: 3 },
    ]);
  });

  test('flatten buys back a short held as two venue positions in one instrument', () => {
    const theirs: VenueState = {
      positions: [
        { instrumentId: SIX_B, quantity: -2 },
        { instrumentId: SIX_B, quantity: -1 },
      ],
      orders: [],
    };
    const r = reconcile({ positions: [], orders: [] }, theirs);
    assert.deepEqual(r.mismatches, [{ kind: 'position', instrumentId: SIX_B, ours: 0, theirs: -3 }]);
    assert.deepEqual(reconciliationPlan(r, theirs, 'flatten'), [
      { kind: 'close-position', instrumentId: SIX_B, side: 'buy', quantity: 3 },
    ]);
  });

  test('the policy is configuration: wait by default, a bad value named', () => {
    assert.equal(executionConfig().reconcile, 'wait');
    assert.equal(executionConfig({ reconcile: 'flatten' }).reconcile, 'flatten');
    assert.throws(
      () => executionConfig({ reconcile: 'ignore' as 'wait' }),
      (e: Error) => /reconcile/.test(e.message),
    );
  });
});
