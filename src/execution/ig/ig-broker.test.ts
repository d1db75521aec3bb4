import assert from 'node:assert/strict';
import { afterEach, describe, test } from 'node:test';
import { type IgVenue, startIgVenue } from '../../../test/ig-venue.js';
import { until } from '../../../test/until.js';
import { venueContract } from '../../../test/venue-contract.js';
import { IgRest } from '../../data/ig/index.js';
import type { ExecutionReport, VenueEvent } from '../broker.js';
import type { Order, OrderSpec } from '../order.js';
import { carryOut, describeMismatches, reconcile, reconciliationPlan } from '../reconcile.js';
import { IgBroker } from './ig-broker.js';
import { dealReferenceOf } from './reference.js';

const EPIC = 'CS.D.EURUSD.MINI.IP';
/** EUR/USD quoted by IG in points of 0.0001: 1 point = 100,000 raw; the tick 0.00001 = 10,000 raw. */
const POINT_RAW = 100_000;
const TICK_RAW = 10_000;
const INSTRUMENT = 1;

function brokerFor(v: IgVenue, confirmFallbackMs = 500): IgBroker {
  return new IgBroker({
    rest: new IgRest({
      baseUrl: v.baseUrl,
      credentials: { apiKey: v.apiKey, identifier: v.identifier, password: v.password },
    }),
    markets: [
      {
        epic: EPIC,
        instrumentId: INSTRUMENT,
        pointRaw: POINT_RAW,
        tickRaw: TICK_RAW,
        expiry: '-',
        currencyCode: 'USD',
        quantityPerSize: 1,
      },
    ],
    stream: {
      retryDelayMs: 1000,
      firstRetryMaxDelayMs: 10,
      sessionRecoveryTimeoutMs: 0,
      stalledTimeoutMs: 2000,
      reconnectTimeoutMs: 2000,
    },
    confirmFallbackMs,
  });
}

venueContract('IG', async () => {
  const venue = await startIgVenue({ keepaliveMs: 300 });
  return {
    broker: brokerFor(venue),
    venue: venue.harness(EPIC, POINT_RAW),
    instrumentId: INSTRUMENT,
    tickRaw: TICK_RAW,
    // 1.08120 USD per EUR.
    price: 1_081_200_000,
    quantity: 1,
    partialFills: false,
    replace: true,
    close: () => venue.close(),
  };
});

describe('IG broker specifics', () => {
  let venue: IgVenue | null = null;
  let broker: IgBroker | null = null;
  let reports: ExecutionReport[] = [];
  let events: VenueEvent[] = [];

  afterEach(async () => {
    await broker?.close();
    await venue?.close();
    broker = null;
    venue = null;
  });

  async function open(fallbackMs?: number): Promise<{ v: IgVenue; b: IgBroker }> {
    const v = await startIgVenue({ keepaliveMs: 300 });
    venue = v;
    const b = brokerFor(v, fallbackMs);
    broker = b;
    reports = [];
    events = [];
    b.onReport((r) => reports.push(r));
    b.onVenueEvent((e) => events.push(e));
    await b.connect();
    return { v, b };
  }

  const spec = (clientId: string, o: Partial<OrderSpec> = {}): OrderSpec => ({
    clientId,
    instrumentId: INSTRUMENT,
    side: 'buy',
    type: 'market',
    quantity: 1,
    tif: 'IOC',
    ...o,
  });

  const settled = (o: Order) =>
    until(() => ['filled', 'rejected', 'accepted', 'cancelled'].includes(o.status), `order ${o.clientId}`);

  test('deal references: a valid id goes as it is; others are cleaned to 30 of [A-Za-z0-9_-], kept apart by a hash', () => {
    assert.equal(dealReferenceOf('run7-12'), 'run7-12');
    const a = dealReferenceOf('bt.2026-12-04:run:1234567890123');
    const b = dealReferenceOf('bt.2026-12-04:run:1234567890124');
    for (const r of [a, b]) assert.match(r, /^[A-Za-z0-9_-]{1,30}$/);
    assert.notEqual(a, b);
    assert.ok(a.startsWith('bt_2026-12-04_run_'), a);
    assert.equal(
      dealReferenceOf('a.b'),
      dealReferenceOf('a.b'),
      'the same id always gives the same reference',
    );
    assert.notEqual(dealReferenceOf('a.b'), dealReferenceOf('a:b'));
  });

  test('an id IG would refuse reaches IG cleaned, and its confirm still finds the order', async () => {
    const { v, b } = await open();
    const order = b.submit(spec('demo.run:42'), 0n);
    await until(() => order.status === 'filled', 'the fill');
    const sent = v.requests.find((q) => q.path === '/positions/otc')?.body as { dealReference: string };
    assert.equal(sent.dealReference, dealReferenceOf('demo.run:42'));
    assert.match(sent.dealReference, /^demo_run_42-[a-z0-9]+$/);
  });

  test('after a restart a deal is looked up by its confirm; a working order or an unknown deal cannot be', async () => {
    const { v, b } = await open();
    // The venue's default EUR/USD quote is 10811.9 / 10812.1: a market buy fills at the offer.
    const filled = b.submit(spec('look-1', { quantity: 2 }), 0n);
    await settled(filled);
    v.refuseNext('INSUFFICIENT_FUNDS');
    const refused = b.submit(spec('look-2'), 0n);
    await settled(refused);
    const working = b.submit(spec('look-3', { type: 'limit', tif: 'GTC', limitPx: 1_080_850_000 }), 0n);
    await settled(working);
    // A broker of a new process asks IG.
    const after = brokerFor(v);
    await after.connect();
    try {
      const ask = (clientId: string, o: Partial<OrderSpec> = {}) =>
        after.orderStatus({
          clientId,
          instrumentId: INSTRUMENT,
          side: 'buy',
          type: 'market',
          tif: 'IOC',
          ...o,
        });
      // 10812.1 points × 100,000 raw a point = 1,081,210,000 raw.
      const f = await ask('look-1');
      assert.deepEqual([f.status, f.filledQuantity, f.averagePx], ['filled', 2, 1_081_210_000]);
      const r = await ask('look-2');
      assert.deepEqual([r.status, r.filledQuantity], ['rejected', 0]);
      assert.match(r.text ?? '', /IG rejected it: .*funds/i);
      await assert.rejects(
        ask('look-3', { type: 'limit', tif: 'GTC' }),
        /confirms do not tell whether working order look-3 filled/,
      );
      await assert.rejects(ask('never-sent'), /IG holds no confirm of deal never-sent/);
    } finally {
      await after.close();
    }
  });

  test('prices cross in points exactly: a limit at 1.08085 is IG level 10808.5 and fills back at 1,080,850,000 raw', async () => {
    const { v, b } = await open();
    const order = b.submit(spec('px1', { type: 'limit', tif: 'GTC', limitPx: 1_080_850_000 }), 0n);
    await settled(order);
    assert.equal(order.status, 'accepted');
    const sent = v.requests.find((q) => q.path === '/working-orders/otc')?.body as Record<string, unknown>;
    assert.deepEqual(
      [
        sent.level,
        sent.type,
        sent.timeInForce,
        sent.direction,
        sent.size,
        sent.expiry,
        sent.currencyCode,
        sent.forceOpen,
      ],
      [10808.5, 'LIMIT', 'GOOD_TILL_CANCELLED', 'BUY', 1, '-', 'USD', false],
    );
    v.fillWorkingOrder('px1', 1, 10808.3);
    await until(() => order.status === 'filled', 'the fill');
    assert.equal(reports.find((r) => r.kind === 'fill')?.price, 1_080_830_000);
  });

  test('a market order fills at the level IG confirms; the deal went out as a MARKET deal', async () => {
    const { v, b } = await open();
    v.quote(EPIC, 10811.9, 10812.3);
    const order = b.submit(spec('mk1', { side: 'buy', quantity: 3 }), 0n);
    await until(() => order.status === 'filled', 'the fill');
    const fill = reports.find((r) => r.kind === 'fill');
    assert.deepEqual([fill?.quantity, fill?.price, fill?.side], [3, 1_081_230_000, 'buy']);
    const sent = v.requests.find((q) => q.path === '/positions/otc')?.body as Record<string, unknown>;
    assert.deepEqual([sent.orderType, sent.timeInForce, sent.size], ['MARKET', 'EXECUTE_AND_ELIMINATE', 3]);
  });

  test('a limit IOC is a LIMIT deal at its level, a FOK market a FILL_OR_KILL deal; neither rests', async () => {
    const { v, b } = await open();
    const ioc = b.submit(spec('ioc1', { type: 'limit', tif: 'IOC', limitPx: 1_081_250_000 }), 0n);
    const fok = b.submit(spec('fok1', { side: 'sell', tif: 'FOK' }), 0n);
    await until(() => ioc.status === 'filled' && fok.status === 'filled', 'both fills');
    const deals = v.requests
      .filter((q) => q.path === '/positions/otc')
      .map((q) => q.body as Record<string, unknown>);
    assert.deepEqual(
      deals.map((d) => [d.dealReference, d.orderType, d.level, d.timeInForce]),
      [
        ['ioc1', 'LIMIT', 10812.5, 'EXECUTE_AND_ELIMINATE'],
        ['fok1', 'MARKET', undefined, 'FILL_OR_KILL'],
      ],
    );
    assert.equal(v.requests.filter((q) => q.path === '/working-orders/otc').length, 0);
  });

  test('without a confirm on the stream, the order is settled from GET /confirms', async () => {
    const { v, b } = await open(100);
    v.muteConfirms = true;
    const order = b.submit(spec('fb1', { type: 'limit', tif: 'GTC', limitPx: 1_080_000_000 }), 0n);
    await until(() => order.status === 'accepted', 'the acknowledgement');
    assert.ok(v.requests.some((q) => q.path === '/confirms/fb1'));
    const deal = b.submit(spec('fb2'), 0n);
    await until(() => deal.status === 'filled', 'the fill of a deal confirmed by REST');
    assert.equal(reports.find((r) => r.kind === 'fill' && r.clientId === 'fb2')?.price, 1_081_210_000);
  });

  test('a working order filled while the stream was down and never streamed is found by REST after it, once', async () => {
    const { v, b } = await open();
    const order = b.submit(spec('away1', { type: 'limit', tif: 'GTC', limitPx: 1_080_500_000 }), 0n);
    await settled(order);
    v.muteTrade = true;
    const asked = v.requests.length;
    // Filled in the same turn as the cut: no stream is there to hear of it.
    v.drop();
    v.fillWorkingOrder('away1', 1, 10805);
    await until(() => events.some((e) => e.kind === 'disconnected'), 'the disconnection');
    await until(() => order.status === 'filled', 'the fill found by reconciliation');
    const after = v.requests.slice(asked).map((q) => `${q.method} ${q.path}`);
    assert.ok(after.includes('GET /positions') && after.includes('GET /working-orders'), after.join(', '));
    await until(() => events.filter((e) => e.kind === 'connected').length >= 2, 'the reconnection');
    v.muteTrade = false;
    // IG streams the position again (as after a restart of its side): nothing more is booked.
    v.event(`TRADE:${v.accountId}`, {
      OPU: JSON.stringify({
        dealReference: 'away1',
        dealId: 'X',
        epic: EPIC,
        direction: 'BUY',
        status: 'OPEN',
        level: 10805,
        size: 1,
      }),
    });
    await new Promise((r) => setTimeout(r, 200));
    const fills = reports.filter((r) => r.kind === 'fill' && r.clientId === 'away1');
    assert.deepEqual(
      fills.map((f) => [f.quantity, f.price]),
      [[1, 1_080_500_000]],
    );
  });

  test('a malformed CONFIRMS is a problem event, not a crash; orders go on', async () => {
    const { v, b } = await open();
    v.event(`TRADE:${v.accountId}`, { CONFIRMS: '{"dealReference": "x", "dealStatus": ' });
    v.event(`TRADE:${v.accountId}`, {
      CONFIRMS: JSON.stringify({ dealReference: 'x', dealStatus: 'MAYBE' }),
    });
    await until(() => events.filter((e) => e.kind === 'problem').length >= 2, 'two problems');
    const problems = events.flatMap((e) => (e.kind === 'problem' ? [e.message] : []));
    assert.match(problems[0], /TRADE CONFIRMS is not JSON/);
    assert.match(problems[1], /TRADE CONFIRMS has an unexpected shape: dealStatus/);
    const order = b.submit(spec('after1'), 0n);
    await until(() => order.status === 'filled', 'a fill after the problems');
  });

  test('a size change is refused here (IG cannot amend a size); nothing is sent', async () => {
    const { v, b } = await open();
    const order = b.submit(spec('sz1', { type: 'limit', tif: 'GTC', limitPx: 1_080_000_000 }), 0n);
    await settled(order);
    const sent = v.orderEntries;
    b.replace('sz1', { quantity: 2 }, 0n);
    await until(() => reports.some((r) => r.kind === 'replace-rejected'), 'the refusal');
    assert.match(reports.find((r) => r.kind === 'replace-rejected')?.reason ?? '', /size/);
    assert.equal(order.status, 'accepted');
    assert.equal(v.orderEntries, sent);
  });

  test('orders IG cannot take as asked are rejected before sending: stop-limit, a DAY limit, an off-tick price', () => {
    const v0 = { baseUrl: 'http://127.0.0.1:9', apiKey: 'k', identifier: 'i', password: 'p' } as IgVenue;
    const b = brokerFor(v0);
    const cases = [
      spec('r1', { type: 'stop-limit', tif: 'GTC', limitPx: 1_080_000_000, stopPx: 1_080_000_000 }),
      spec('r2', { type: 'limit', tif: 'DAY', limitPx: 1_080_000_000 }),
      spec('r3', { type: 'limit', tif: 'GTC', limitPx: 1_080_005_000 }),
      spec('r4', { instrumentId: 99 }),
    ];
    const reasons = cases.map((c) => {
      const o = b.submit(c, 0n);
      assert.equal(o.status, 'rejected');
      return o.history.at(-1)?.reason ?? '';
    });
    assert.match(reasons[0], /^UNSUPPORTED/);
    assert.match(reasons[1], /^BAD_TIME_IN_FORCE/);
    assert.match(reasons[2], /^OFF_TICK/);
    assert.match(reasons[3], /^UNKNOWN_INSTRUMENT/);
    return b.close();
  });

  test('venue state: positions summed per instrument, signed, at their average raw price', async () => {
    const { v, b } = await open();
    v.quote(EPIC, 10811.9, 10812.1);
    const s1 = b.submit(spec('st1', { side: 'sell', quantity: 2 }), 0n);
    await until(() => s1.status === 'filled', 'the first sell');
    v.quote(EPIC, 10810.9, 10811.1);
    const s2 = b.submit(spec('st2', { side: 'sell', quantity: 1 }), 0n);
    await until(() => s2.status === 'filled', 'the second sell');
    const state = await b.venueState();
    // Short 2 at 1.08119 and 1 at 1.08109: (2 × 1,081,190,000 + 1,081,090,000) / 3.
    assert.deepEqual(state.positions, [
      { instrumentId: INSTRUMENT, quantity: -3, averagePx: (2 * 1_081_190_000 + 1_081_090_000) / 3 },
    ]);
  });
});

describe('IG reconciliation after a restart', () => {
  test('flatten cancels the working order left by the session before and sells its 2 lots: IG is left flat', async () => {
    const v = await startIgVenue({ keepaliveMs: 300 });
    const first = brokerFor(v);
    const again = brokerFor(v);
    try {
      const PRICE = 1_081_200_000;
      await v.harness(EPIC, POINT_RAW).quote(PRICE - TICK_RAW, PRICE + TICK_RAW);
      await first.connect();
      const buy = first.submit(
        {
          clientId: 'day1-1',
          instrumentId: INSTRUMENT,
          side: 'buy',
          type: 'market',
          quantity: 2,
          tif: 'IOC',
        },
        0n,
      );
      const target = first.submit(
        {
          clientId: 'day1-2',
          instrumentId: INSTRUMENT,
          side: 'sell',
          type: 'limit',
          quantity: 2,
          limitPx: PRICE + 30 * TICK_RAW,
          tif: 'GTC',
        },
        0n,
      );
      await until(() => buy.status === 'filled' && target.status === 'accepted', 'the first session');
      await first.close();

      await again.connect();
      const theirs = await again.venueState();
      const result = reconcile({ positions: [], orders: [] }, theirs);
      assert.equal(theirs.orders.length, 1);
      const dealId = theirs.orders[0].venueId;
      assert.deepEqual(
        describeMismatches(
          result,
          () => 'EUR/USD',
          (raw) => (raw / 1e9).toFixed(5),
        ),
        [
          'EUR/USD: position ours 0, venue +2',
          `EUR/USD: order venue ${dealId} (sell 2 limit 1.08150) at the venue, not ours`,
        ],
      );
      const done = carryOut(reconciliationPlan(result, theirs, 'flatten'), again, 0n, () => 'flat-1');
      assert.equal(done.cancelling[0].clientId, `venue-${dealId}`);
      await until(
        () => done.cancelling[0].status === 'cancelled' && done.closing[0].status === 'filled',
        'the cancel and the close',
      );
      // Sold at IG's bid, one tick under the price.
      assert.equal(done.closing[0].averagePx, PRICE - TICK_RAW);
      const after = await again.venueState();
      assert.deepEqual(after.orders, []);
      assert.deepEqual(
        after.positions.filter((p) => p.quantity !== 0),
        [],
      );
    } finally {
      await first.close();
      await again.close();
      await v.close();
    }
  });
});
