/**
 * The contract every `StateStore` keeps (the embedded SQLite store, PostgreSQL), run against a
 * real database of each kind: client order ids, orders driven by the execution layer's own `Order`
 * state machine, idempotent fills, positions, decisions, risk state and feed positions, reopening,
 * and concurrent writers. The harness gives places: each a new, empty store that can be opened
 * again (the same file, the same database schema) and whose tables can be counted.
 *
 * ```ts
 * stateStoreContract('SQLite (better-sqlite3)', {
 *   place: async () => { const path = …; return { open: async () => openSqliteStore(path), count: … }; },
 * });
 * ```
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ClientOrderIds, Order, type OrderSpec } from '../src/execution/index.js';
import type { StateStore, StateStoreError, StoredFill, StoredTransition } from '../src/infra/index.js';

/** One store's data: opened as often as a test needs (each open a new connection to the same data). */
export interface StorePlace<S extends StateStore = StateStore> {
  open(): Promise<S>;
  /** Rows of one of the store's tables, counted in the database itself. */
  count(table: string): Promise<number>;
}

export interface StateStoreHarness<S extends StateStore = StateStore> {
  /** A new, empty place. */
  place(): Promise<StorePlace<S>>;
}

export const isStoreError =
  (code: string, ...parts: string[]) =>
  (e: unknown): boolean => {
    const s = e as StateStoreError;
    return s.code === code && parts.every((p) => s.message.includes(p));
  };

/** A limit order the tests record, under other client ids as they need. */
export const SPEC: OrderSpec = {
  clientId: 'r1-1',
  instrumentId: 42,
  side: 'buy',
  type: 'limit',
  quantity: 5,
  limitPx: 1_085_250_000,
  tif: 'GTC',
};

/** A fill of `order` as the store takes it, from the order's own last transition. */
function fillOf(order: Order, fillId: string, fee = 1.2): [StoredFill, StoredTransition] {
  const t = order.history[order.history.length - 1];
  const fill: StoredFill = {
    fillId,
    clientId: order.clientId,
    instrumentId: order.spec.instrumentId,
    side: order.spec.side,
    quantity: t.quantity!,
    price: t.price!,
    fee,
    tsNs: t.atNs,
    liquidity: 'maker',
  };
  return [fill, t];
}

export function stateStoreContract(name: string, harness: StateStoreHarness): void {
  const fresh = () => harness.place();
  describe(`state store contract: ${name}`, () => {
    describe('client order ids', () => idSuite(fresh));
    describe('orders, fills and positions', () => orderSuite(fresh));
    describe('decisions and risk state', () => decisionAndRiskSuite(fresh));
    describe('concurrent writers', () => concurrencySuite(fresh));
  });
}

function idSuite(fresh: () => Promise<StorePlace>): void {
  test('client order ids count from 1 per run and never repeat across reopening', async () => {
    const place = await fresh();
    const a = await place.open();
    assert.deepEqual(await a.reserveClientOrderIds('r1'), ['r1-1']);
    assert.deepEqual(await a.reserveClientOrderIds('r1', 3), ['r1-2', 'r1-3', 'r1-4']);
    assert.deepEqual(await a.reserveClientOrderIds('other'), ['other-1']);
    await a.close();
    const b = await place.open();
    assert.equal(await b.lastClientOrderSequence('r1'), 4);
    assert.equal(await b.lastClientOrderSequence('never'), 0);
    // The execution layer's ids, restarted from the last sequence, name the next id the same way.
    const ids = new ClientOrderIds('r1', await b.lastClientOrderSequence('r1'));
    assert.equal(ids.next(), 'r1-5');
    assert.deepEqual(await b.reserveClientOrderIds('r1'), ['r1-5']);
    await b.close();
  });

  test('an order recorded under a run id that was never reserved moves its run past it', async () => {
    const place = await fresh();
    const a = await place.open();
    await a.recordOrder({ spec: { ...SPEC, clientId: 'paper-7' }, sentNs: 1n });
    await a.recordOrder({ spec: { ...SPEC, clientId: 'paper-3' }, sentNs: 2n });
    // Not of the `<run>-<n>` form: no sequence.
    await a.recordOrder({ spec: { ...SPEC, clientId: 'manual' }, sentNs: 3n });
    await a.close();
    const b = await place.open();
    assert.equal(await b.lastClientOrderSequence('paper'), 7);
    assert.equal(new ClientOrderIds('paper', await b.lastClientOrderSequence('paper')).next(), 'paper-8');
    assert.deepEqual(await b.reserveClientOrderIds('paper'), ['paper-8']);
    assert.equal(await b.lastClientOrderSequence('manual'), 0);
    await b.close();
  });

  test('a malformed run id or count is refused', async () => {
    const s = await (await fresh()).open();
    await assert.rejects(s.reserveClientOrderIds('r 1'), isStoreError('STORE_INVALID', '"r 1"'));
    await assert.rejects(s.reserveClientOrderIds('r1', 0), isStoreError('STORE_INVALID', 'got 0'));
    await s.close();
    await assert.rejects(s.reserveClientOrderIds('r1'), isStoreError('STORE_CLOSED'));
  });
}

function orderSuite(fresh: () => Promise<StorePlace>): void {
  test('an order keeps every state change in order, as the execution layer made them', async () => {
    const s = await (await fresh()).open();
    const o = new Order(SPEC, 1_000n);
    await s.recordOrder(o, { role: 'entry', decisionId: 'd-7' });
    const last = () => o.history[o.history.length - 1];
    o.ack(1_010n);
    await s.recordTransition(o.clientId, last(), { venueId: 'V-99' });
    o.fill(1_020n, 2, SPEC.limitPx!);
    assert.equal(await s.recordFill(...fillOf(o, 'x1')), true);
    o.replace(1_030n, { quantity: 4 });
    await s.recordTransition(o.clientId, last());
    o.replaced(1_040n);
    await s.recordTransition(o.clientId, last(), { quantity: 4 });
    o.cancel(1_050n);
    await s.recordTransition(o.clientId, last());
    o.fill(1_060n, 1, SPEC.limitPx! - 250_000);
    assert.equal(await s.recordFill(...fillOf(o, 'x2')), true);
    o.cancelled(1_070n);
    await s.recordTransition(o.clientId, last());

    assert.deepEqual(await s.orderHistory(o.clientId), o.history);
    // By hand: send, ack, fill 2, replace, replaced (qty 4), cancel, fill 1, cancelled.
    assert.deepEqual(
      (await s.orderHistory(o.clientId)).map((t) => t.to),
      [
        'pending-new',
        'accepted',
        'partially-filled',
        'pending-replace',
        'partially-filled',
        'pending-cancel',
        'pending-cancel',
        'cancelled',
      ],
    );
    assert.deepEqual(await s.order(o.clientId), {
      spec: { ...SPEC, quantity: 4 },
      status: 'cancelled',
      filledQuantity: 3,
      sentNs: 1_000n,
      ackedNs: 1_010n,
      updatedNs: 1_070n,
      venueId: 'V-99',
      role: { role: 'entry', decisionId: 'd-7' },
    });
    assert.deepEqual(await s.openOrders(), []);
    await s.close();
  });

  test("an entry keeps its bracket's exits, an exit its reason", async () => {
    const s = await (await fresh()).open();
    const bracket = { stopPx: 1_084_750_000, targetPx: 1_086_000_000, timeStopMs: 300_000 };
    await s.recordOrder(new Order({ ...SPEC, clientId: 'r1-2' }, 2_000n), {
      role: 'entry',
      decisionId: 'd-2',
      bracket,
    });
    await s.recordOrder(
      new Order({ ...SPEC, clientId: 'r1-3', side: 'sell', type: 'stop', stopPx: 1 }, 3_000n),
      {
        role: 'exit',
        reason: 'stop',
      },
    );
    assert.deepEqual((await s.order('r1-2'))?.role, { role: 'entry', decisionId: 'd-2', bracket });
    assert.deepEqual((await s.order('r1-3'))?.role, { role: 'exit', reason: 'stop' });
    await assert.rejects(
      s.recordOrder(new Order({ ...SPEC, clientId: 'r1-4' }, 4_000n), {
        role: 'entry',
        bracket: { ...bracket, stopPx: 1.5 },
      }),
      isStoreError('STORE_INVALID', 'r1-4', 'bracket stop price', '1.5'),
    );
    await s.close();
  });

  test('a fill recorded twice is stored once; the same id with other terms is refused', async () => {
    const place = await fresh();
    const s = await place.open();
    const o = new Order(SPEC, 1n);
    await s.recordOrder(o);
    o.ack(2n);
    await s.recordTransition(o.clientId, o.history[1]);
    o.fill(3n, 2, SPEC.limitPx!);
    const [fill, t] = fillOf(o, 'exec-1');
    assert.equal(await s.recordFill(fill, t), true);
    await s.close();
    // Heard again after a restart (the venue replays its reports after a reconnect).
    const again = await place.open();
    assert.equal(await again.recordFill(fill, t), false);
    assert.deepEqual(await again.fills(), [fill]);
    assert.equal((await again.order(o.clientId))?.filledQuantity, 2);
    assert.equal((await again.orderHistory(o.clientId)).length, 3);
    assert.deepEqual(await again.positions(), [{ instrumentId: 42, quantity: 2, updatedNs: 3n }]);
    await assert.rejects(
      again.recordFill({ ...fill, tsNs: fill.tsNs + 1n }, t),
      isStoreError('STORE_CONFLICT', '"exec-1"'),
    );
    await again.close();
  });

  test('positions are the signed sum of fills per instrument', async () => {
    const s = await (await fresh()).open();
    // Buy 3 of 42, sell 5 of 42, sell 1 of 7: 42 is short 2, 7 is short 1.
    const legs = [
      { id: 'r1-1', instrumentId: 42, side: 'buy', quantity: 3 },
      { id: 'r1-2', instrumentId: 42, side: 'sell', quantity: 5 },
      { id: 'r1-3', instrumentId: 7, side: 'sell', quantity: 1 },
    ] as const;
    for (const [i, l] of legs.entries()) {
      const o = new Order(
        { ...SPEC, clientId: l.id, instrumentId: l.instrumentId, side: l.side, quantity: l.quantity },
        10n,
      );
      await s.recordOrder(o);
      o.ack(11n);
      await s.recordTransition(l.id, o.history[1]);
      o.fill(BigInt(20 + i), l.quantity, SPEC.limitPx!);
      await s.recordFill(...fillOf(o, `f${i}`));
    }
    assert.deepEqual(await s.positions(), [
      { instrumentId: 7, quantity: -1, updatedNs: 22n },
      { instrumentId: 42, quantity: -2, updatedNs: 21n },
    ]);
    await s.close();
  });

  test('every term of an order comes back as given', async () => {
    const s = await (await fresh()).open();
    const specs: OrderSpec[] = [
      {
        clientId: 'r1-1',
        instrumentId: 42,
        side: 'sell',
        type: 'stop-limit',
        quantity: 2,
        stopPx: 1_084_000_000,
        limitPx: 1_083_900_000,
        tif: 'GTT',
        expireAtNs: 1_772_634_600_123_456_789n,
      },
      {
        clientId: 'r1-2',
        instrumentId: 7,
        side: 'buy',
        type: 'limit',
        quantity: 1,
        limitPx: 5,
        tif: 'DAY',
        postOnly: true,
      },
      { clientId: 'r1-3', instrumentId: 7, side: 'buy', type: 'market', quantity: 9, tif: 'IOC' },
    ];
    for (const spec of specs) await s.recordOrder({ spec, sentNs: 3n });
    for (const spec of specs) assert.deepEqual((await s.order(spec.clientId))?.spec, spec);
    assert.equal(await s.order('r1-4'), undefined);
    assert.deepEqual(await s.orderHistory('r1-4'), []);
    await s.close();
  });

  test('open orders tell the acknowledged from the unacknowledged, oldest first', async () => {
    const s = await (await fresh()).open();
    const a = new Order({ ...SPEC, clientId: 'r1-1' }, 5n);
    const b = new Order({ ...SPEC, clientId: 'r1-2' }, 6n);
    const c = new Order({ ...SPEC, clientId: 'r1-3' }, 7n);
    for (const o of [a, b, c]) await s.recordOrder(o);
    a.ack(8n);
    await s.recordTransition('r1-1', a.history[1]);
    c.reject(9n, 'post-only would cross');
    await s.recordTransition('r1-3', c.history[1]);
    const open = await s.openOrders();
    assert.deepEqual(
      open.map((o) => [o.spec.clientId, o.status, o.ackedNs]),
      [
        ['r1-1', 'accepted', 8n],
        ['r1-2', 'pending-new', null],
      ],
    );
    assert.deepEqual(await s.orderTimesSince(6n), [6n, 7n]);
    await s.close();
  });

  test('a transition that does not follow the stored status, or for an unknown order, is refused', async () => {
    const s = await (await fresh()).open();
    const o = new Order(SPEC, 1n);
    await s.recordOrder(o);
    o.ack(2n);
    await s.recordTransition(o.clientId, o.history[1]);
    await assert.rejects(
      s.recordTransition(o.clientId, o.history[1]),
      isStoreError('STORE_CONFLICT', 'is accepted'),
    );
    await assert.rejects(
      s.recordTransition('r9-9', o.history[1]),
      isStoreError('STORE_UNKNOWN_ORDER', '"r9-9"'),
    );
    const fill: StoredTransition = { event: 'fill', from: 'accepted', to: 'filled', atNs: 3n, quantity: 5 };
    await assert.rejects(
      s.recordTransition(o.clientId, fill),
      isStoreError('STORE_INVALID', 'recorded with its fill'),
    );
    await assert.rejects(
      s.recordOrder(new Order({ ...SPEC, side: 'sell' }, 4n)),
      isStoreError('STORE_CONFLICT', '"r1-1"'),
    );
    await s.recordOrder(o);
    assert.equal((await s.orderHistory(o.clientId)).length, 2);
    await assert.rejects(
      s.recordOrder(new Order({ ...SPEC, clientId: 'r1-2', quantity: 1.5 }, 1n)),
      isStoreError('STORE_INVALID', '1.5'),
    );
    await s.close();
  });
}

function decisionAndRiskSuite(fresh: () => Promise<StorePlace>): void {
  const header = {
    id: 'd-1',
    instrument: '6EH6',
    snapshotTs: '2026-03-04T14:30:00.000000000Z',
    trigger: { kind: 'bar' },
    route: 'fast',
    approval: { approved: true, direction: 'long' as const, size: 2 },
  };
  const audit = JSON.stringify({ ...header, verdicts: [{ check: 'spread', pass: true }] });

  test('a decision keeps its audit record; recorded twice it is stored once', async () => {
    const s = await (await fresh()).open();
    assert.equal(await s.recordDecision(header, audit), true);
    assert.equal(await s.recordDecision(header, audit), false);
    assert.deepEqual(await s.decision('d-1'), {
      id: 'd-1',
      instrument: '6EH6',
      snapshotTs: '2026-03-04T14:30:00.000000000Z',
      trigger: 'bar',
      route: 'fast',
      approved: true,
      direction: 'long',
      size: 2,
      audit,
    });
    await assert.rejects(s.recordDecision(header, '{}'), isStoreError('STORE_CONFLICT', '"d-1"'));
    await assert.rejects(
      s.recordDecision({ ...header, id: 'd-2' }, '{oops'),
      isStoreError('STORE_INVALID', 'd-2'),
    );
    assert.equal(await s.decision('d-2'), undefined);
    await s.close();
  });

  test('risk state and the kill switch survive reopening; every kill switch change is kept', async () => {
    const place = await fresh();
    const s = await place.open();
    assert.deepEqual(await s.killSwitch(), { engaged: false, reason: '', atNs: 0n });
    const day = {
      tradingDate: '2026-03-04',
      startEquity: 100_000,
      pnl: -150.5,
      high: 40,
      halted: null,
      updatedNs: 9n,
    };
    await s.saveRiskDay(day);
    await s.saveRiskDay({ ...day, pnl: -2_000, halted: 'DAILY_LOSS', updatedNs: 10n });
    await s.setKillSwitch({ engaged: true, reason: 'operator', atNs: 11n });
    await s.setKillSwitch({ engaged: false, reason: 'reset by operator', atNs: 12n });
    await s.setKillSwitch({ engaged: true, reason: 'venue disconnected', atNs: 13n });
    await assert.rejects(
      s.saveRiskDay({ ...day, tradingDate: '4/3/2026' }),
      isStoreError('STORE_INVALID', '"4/3/2026"'),
    );
    await assert.rejects(s.saveRiskDay({ ...day, pnl: Number.NaN }), isStoreError('STORE_INVALID', 'NaN'));
    await s.close();
    const t = await place.open();
    assert.deepEqual(await t.riskDay('2026-03-04'), {
      ...day,
      pnl: -2_000,
      halted: 'DAILY_LOSS',
      updatedNs: 10n,
    });
    assert.equal(await t.riskDay('2026-03-05'), undefined);
    assert.deepEqual(await t.killSwitch(), { engaged: true, reason: 'venue disconnected', atNs: 13n });
    await t.close();
    assert.equal(await place.count('kill_switch_events'), 3);
  });

  test('a feed position only moves forward and survives reopening', async () => {
    const place = await fresh();
    const s = await place.open();
    assert.equal(await s.feedPosition('files'), null);
    await s.saveFeedPosition('files', 1_000n);
    await s.saveFeedPosition('files', 5_000n);
    // A late save of an earlier position (a slower writer) does not move it back.
    await s.saveFeedPosition('files', 3_000n);
    await s.saveFeedPosition('databento', 7n);
    await assert.rejects(s.saveFeedPosition('', 1n), isStoreError('STORE_INVALID', 'name'));
    await s.close();
    const t = await place.open();
    assert.equal(await t.feedPosition('files'), 5_000n);
    assert.equal(await t.feedPosition('databento'), 7n);
    await t.close();
  });
}

function concurrencySuite(fresh: () => Promise<StorePlace>): void {
  test('two stores reserving ids of one run at once never hand out the same id', async () => {
    const place = await fresh();
    const a = await place.open();
    const b = await place.open();
    // 2 stores x 20 calls x 3 ids: 120 ids, r1-1 .. r1-120, each once.
    const calls = [];
    for (let i = 0; i < 20; i++)
      calls.push(a.reserveClientOrderIds('r1', 3), b.reserveClientOrderIds('r1', 3));
    const ids = (await Promise.all(calls)).flat();
    assert.equal(new Set(ids).size, 120);
    assert.deepEqual(
      ids.map((id) => Number(id.slice(3))).sort((x, y) => x - y),
      Array.from({ length: 120 }, (_, i) => i + 1),
    );
    assert.equal(await a.lastClientOrderSequence('r1'), 120);
    await a.close();
    await b.close();
  });

  test('one fill heard by two stores at once is booked once', async () => {
    const place = await fresh();
    const a = await place.open();
    const b = await place.open();
    const o = new Order(SPEC, 1n);
    await a.recordOrder(o);
    o.ack(2n);
    await a.recordTransition(o.clientId, o.history[1]);
    o.fill(3n, 2, SPEC.limitPx!);
    const [fill, t] = fillOf(o, 'exec-1');
    const booked = await Promise.all([a.recordFill(fill, t), b.recordFill(fill, t), a.recordFill(fill, t)]);
    assert.deepEqual(
      booked.filter((x) => x),
      [true],
    );
    assert.equal(await place.count('fills'), 1);
    // send, ack, one fill.
    assert.equal((await b.orderHistory(o.clientId)).length, 3);
    assert.deepEqual(await b.positions(), [{ instrumentId: 42, quantity: 2, updatedNs: 3n }]);
    await a.close();
    await b.close();
  });

  test('transitions of one order from two stores at once: one follows, the other is refused', async () => {
    const place = await fresh();
    const a = await place.open();
    const b = await place.open();
    const o = new Order(SPEC, 1n);
    await a.recordOrder(o);
    o.ack(2n);
    const results = await Promise.allSettled([
      a.recordTransition(o.clientId, o.history[1]),
      b.recordTransition(o.clientId, o.history[1]),
    ]);
    assert.deepEqual(results.map((r) => r.status).sort(), ['fulfilled', 'rejected']);
    const refused = results.find((r) => r.status === 'rejected') as PromiseRejectedResult;
    assert.ok(isStoreError('STORE_CONFLICT', 'is accepted')(refused.reason), String(refused.reason));
    assert.deepEqual(
      (await a.orderHistory(o.clientId)).map((t) => t.event),
      ['send', 'ack'],
    );
    await a.close();
    await b.close();
  });
}
