/**
 * The contract every broker at a venue keeps (IG, FIX), run against a counterparty the test
 * starts on loopback that speaks the venue's real protocol. The harness drives that counterparty
 * (its quote, a fill, a refusal, a dropped link, a hostile message); the suite checks only what
 * the broker reports and what the venue then holds.
 *
 * ```ts
 * venueContract('FIX 4.4', async () => {
 *   const venue = await startAcceptor();
 *   const broker = new FixBroker({ port: venue.port, ... });
 *   return { broker, venue: venue.harness, ... };
 * });
 * ```
 */
import assert from 'node:assert/strict';
import { afterEach, describe, test } from 'node:test';
import {
  BrokerRequestError,
  type ExecutionReport,
  type VenueBroker,
  type VenueEvent,
} from '../src/execution/broker.js';
import type { Order, OrderSpec, OrderStatus } from '../src/execution/order.js';
import { until } from './until.js';

/** What the test makes the counterparty do. */
export interface VenueControl {
  /** The venue's quote from now on (raw units); market orders fill at its touch. */
  quote(bid: number, ask: number): Promise<void>;
  /** The venue fills `quantity` of our working order `clientId` at `price` (raw units). */
  fill(clientId: string, quantity: number, price: number): Promise<void>;
  /** The venue refuses the next order it is sent, with this text as its reason. */
  refuseNext(reason: string): Promise<void>;
  /** Order-entry messages (new, cancel, replace) the venue has received so far. */
  received(): number;
  /** Cuts every connection of the broker (the venue stays up and keeps its state). */
  drop(): Promise<void>;
  /** Sends the broker a message that breaks the venue's protocol (malformed or unexpected). */
  hostile(): Promise<void>;
}

export interface VenueSetup {
  /** Not yet connected: the suite calls `connect()`. */
  readonly broker: VenueBroker;
  readonly venue: VenueControl;
  /** The instrument traded, its tick (raw units) and a price on its grid near which to trade. */
  readonly instrumentId: number;
  readonly tickRaw: number;
  readonly price: number;
  /** The smallest quantity the venue takes, and the step between quantities. */
  readonly quantity: number;
  /** What the venue can do: partial fills of one order, an order's price changed in place. */
  readonly partialFills: boolean;
  readonly replace: boolean;
  /** Stops the counterparty (after the suite has closed the broker). */
  close(): Promise<void>;
}

async function statusOf(order: Order, status: OrderStatus): Promise<void> {
  await until(() => order.status === status, `order ${order.clientId} to be ${status} (is ${order.status})`);
}

export function venueContract(name: string, start: () => Promise<VenueSetup>): void {
  describe(`venue contract: ${name}`, () => {
    let setup: VenueSetup | null = null;
    let reports: ExecutionReport[] = [];
    let events: VenueEvent[] = [];
    let n = 0;

    async function open(): Promise<VenueSetup> {
      const s = await start();
      setup = s;
      reports = [];
      events = [];
      s.broker.onReport((r) => reports.push(r));
      s.broker.onVenueEvent((e) => events.push(e));
      await s.broker.connect();
      await s.venue.quote(s.price - s.tickRaw, s.price + s.tickRaw);
      return s;
    }

    /** Closes the broker and the counterparty of the test that ran. */
    async function release(): Promise<void> {
      const s = setup;
      setup = null;
      if (!s) return;
      await s.broker.close();
      await s.close();
    }

    // node:test does not run afterEach hooks for a test that skipped itself: those release first.
    afterEach(release);

    const spec = (
      s: VenueSetup,
      o: Partial<OrderSpec> & Pick<OrderSpec, 'side' | 'type'>,
      multiple = 1,
    ): OrderSpec => ({
      clientId: `vc${process.pid}x${++n}`,
      instrumentId: s.instrumentId,
      quantity: s.quantity * multiple,
      tif: o.type === 'market' ? 'IOC' : 'GTC',
      ...o,
    });

    const fillsOf = (clientId: string) => reports.filter((r) => r.kind === 'fill' && r.clientId === clientId);

    test('a market buy is acknowledged and filled at the ask; the venue then holds that long position', async () => {
      const s = await open();
      const ask = s.price + s.tickRaw;
      const order = s.broker.submit(spec(s, { side: 'buy', type: 'market' }, 2), 0n);
      await statusOf(order, 'filled');
      const fills = fillsOf(order.clientId);
      assert.equal(
        fills.reduce((q, f) => q + (f.quantity as number), 0),
        2 * s.quantity,
      );
      for (const f of fills) {
        assert.equal(f.price, ask);
        assert.equal(f.side, 'buy');
        assert.equal(f.instrumentId, s.instrumentId);
      }
      const state = await s.broker.venueState();
      const position = state.positions.find((p) => p.instrumentId === s.instrumentId);
      assert.equal(position?.quantity, 2 * s.quantity);
    });

    test('a market sell after a buy leaves the venue flat', async () => {
      const s = await open();
      const buy = s.broker.submit(spec(s, { side: 'buy', type: 'market' }), 0n);
      await statusOf(buy, 'filled');
      const sell = s.broker.submit(spec(s, { side: 'sell', type: 'market' }), 0n);
      await statusOf(sell, 'filled');
      assert.equal(fillsOf(sell.clientId)[0].price, s.price - s.tickRaw, 'a sell fills at the bid');
      const state = await s.broker.venueState();
      const open_ = state.positions.filter((p) => p.instrumentId === s.instrumentId && p.quantity !== 0);
      assert.deepEqual(open_, []);
    });

    test('a limit buy below the market rests and the venue lists it; a cancel ends it and the venue drops it', async () => {
      const s = await open();
      const limitPx = s.price - 5 * s.tickRaw;
      const order = s.broker.submit(spec(s, { side: 'buy', type: 'limit', limitPx }), 0n);
      await statusOf(order, 'accepted');
      let state = await s.broker.venueState();
      const listed = state.orders.filter((o) => o.instrumentId === s.instrumentId);
      assert.equal(listed.length, 1);
      assert.equal(listed[0].side, 'buy');
      assert.equal(listed[0].limitPx, limitPx);
      assert.equal(listed[0].quantity, s.quantity);
      s.broker.cancel(order.clientId, 0n);
      await statusOf(order, 'cancelled');
      state = await s.broker.venueState();
      assert.deepEqual(
        state.orders.filter((o) => o.instrumentId === s.instrumentId),
        [],
      );
      assert.deepEqual(fillsOf(order.clientId), []);
    });

    test('a resting limit sell the venue fills is reported filled at the venue price, once', async () => {
      const s = await open();
      const limitPx = s.price + 4 * s.tickRaw;
      const order = s.broker.submit(spec(s, { side: 'sell', type: 'limit', limitPx }), 0n);
      await statusOf(order, 'accepted');
      await s.venue.fill(order.clientId, s.quantity, limitPx);
      await statusOf(order, 'filled');
      await new Promise((r) => setTimeout(r, 100));
      const fills = fillsOf(order.clientId);
      assert.equal(fills.length, 1);
      assert.equal(fills[0].price, limitPx);
      assert.equal(fills[0].quantity, s.quantity);
      assert.equal(order.averagePx, limitPx);
    });

    test('partial fills: two fills that sum to the order, partially filled then filled', async (t) => {
      const s = await open();
      if (!s.partialFills) {
        await release();
        return t.skip(`${name} fills an order whole`);
      }
      const limitPx = s.price - 3 * s.tickRaw;
      const order = s.broker.submit(spec(s, { side: 'buy', type: 'limit', limitPx }, 3), 0n);
      await statusOf(order, 'accepted');
      await s.venue.fill(order.clientId, s.quantity, limitPx);
      await statusOf(order, 'partially-filled');
      assert.equal(order.leavesQuantity, 2 * s.quantity);
      await s.venue.fill(order.clientId, 2 * s.quantity, limitPx - s.tickRaw);
      await statusOf(order, 'filled');
      const fills = fillsOf(order.clientId);
      assert.deepEqual(
        fills.map((f) => [f.quantity, f.price]),
        [
          [s.quantity, limitPx],
          [2 * s.quantity, limitPx - s.tickRaw],
        ],
      );
      // Average of one lot at L and two at L − tick.
      assert.equal(order.averagePx, limitPx - (2 * s.tickRaw) / 3);
    });

    test("a replace moves a resting order's price; the venue lists the new price", async (t) => {
      const s = await open();
      if (!s.replace) {
        await release();
        return t.skip(`${name} cannot change an order in place`);
      }
      const order = s.broker.submit(
        spec(s, { side: 'buy', type: 'limit', limitPx: s.price - 6 * s.tickRaw }),
        0n,
      );
      await statusOf(order, 'accepted');
      const moved = s.price - 2 * s.tickRaw;
      s.broker.replace(order.clientId, { limitPx: moved }, 0n);
      await until(() => reports.some((r) => r.kind === 'replaced'), 'a replaced report');
      assert.equal(order.status, 'accepted');
      assert.equal(order.spec.limitPx, moved);
      const state = await s.broker.venueState();
      const listed = state.orders.filter((o) => o.instrumentId === s.instrumentId);
      assert.equal(listed.length, 1);
      assert.equal(listed[0].limitPx, moved);
    });

    test("an order the venue refuses comes back rejected with the venue's reason", async () => {
      const s = await open();
      await s.venue.refuseNext('market closed for the test');
      const order = s.broker.submit(spec(s, { side: 'buy', type: 'market' }), 0n);
      await statusOf(order, 'rejected');
      const reject = reports.find((r) => r.kind === 'reject' && r.clientId === order.clientId);
      assert.match(reject?.reason ?? '', /market closed for the test/);
      const state = await s.broker.venueState();
      assert.deepEqual(
        state.positions.filter((p) => p.instrumentId === s.instrumentId && p.quantity !== 0),
        [],
      );
    });

    test('a client id used twice and a cancel of an unknown order are refused here, and nothing is sent', async () => {
      const s = await open();
      const first = spec(s, { side: 'buy', type: 'limit', limitPx: s.price - 5 * s.tickRaw });
      const order = s.broker.submit(first, 0n);
      await statusOf(order, 'accepted');
      const sent = s.venue.received();
      assert.throws(
        () => s.broker.submit(first, 0n),
        (e) => e instanceof BrokerRequestError && e.code === 'DUPLICATE_ORDER_ID',
      );
      assert.throws(
        () => s.broker.cancel('no-such-order', 0n),
        (e) => e instanceof BrokerRequestError && e.code === 'UNKNOWN_ORDER',
      );
      await new Promise((r) => setTimeout(r, 100));
      assert.equal(s.venue.received(), sent);
      assert.equal(s.broker.openOrders().length, 1);
    });

    test('a dropped link: the broker reconnects, and a fill made while it was away is reported once', async () => {
      const s = await open();
      const limitPx = s.price - 4 * s.tickRaw;
      const order = s.broker.submit(spec(s, { side: 'buy', type: 'limit', limitPx }), 0n);
      await statusOf(order, 'accepted');
      await s.venue.drop();
      await until(() => events.some((e) => e.kind === 'disconnected'), 'a disconnected event');
      await s.venue.fill(order.clientId, s.quantity, limitPx);
      await statusOf(order, 'filled');
      await until(() => events.filter((e) => e.kind === 'connected').length >= 2, 'the broker to reconnect');
      await new Promise((r) => setTimeout(r, 200));
      assert.equal(fillsOf(order.clientId).length, 1);
      const state = await s.broker.venueState();
      assert.equal(state.positions.find((p) => p.instrumentId === s.instrumentId)?.quantity, s.quantity);
    });

    test('a hostile message is a problem reported, not a crash; orders keep their state and trading goes on', async () => {
      const s = await open();
      const resting = s.broker.submit(
        spec(s, { side: 'sell', type: 'limit', limitPx: s.price + 5 * s.tickRaw }),
        0n,
      );
      await statusOf(resting, 'accepted');
      await s.venue.hostile();
      await until(() => events.some((e) => e.kind === 'problem'), 'a problem event');
      assert.equal(resting.status, 'accepted');
      const after = s.broker.submit(spec(s, { side: 'buy', type: 'market' }), 0n);
      await statusOf(after, 'filled');
      s.broker.cancel(resting.clientId, 0n);
      await statusOf(resting, 'cancelled');
    });
  });
}
