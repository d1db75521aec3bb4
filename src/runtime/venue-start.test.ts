/**
 * A live session restarted at a FIX venue (test/fix-venue.ts on loopback): the first session buys
 * 1 at the market and protects it with its bracket's stop and target, then dies with both working
 * at the venue. The second, on the same state store, matches the store's open orders with the
 * venue's by client id: the exits working there are adopted and followed as the position's
 * bracket (no NewOrderSingle is sent again, the target's fill is booked once and the stop is then
 * cancelled); an order the store holds open that the venue does not have is ended in the store,
 * with the reason, by what the venue's position tells.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, afterEach, describe, test } from 'node:test';
import { depth, px, replayThrough, SIX_E_MBP, type Step, T0 } from '../../test/execution.js';
import { FixVenue, tagOf } from '../../test/fix-venue.js';
import { until } from '../../test/until.js';
import { silentLogger } from '../core/index.js';
import {
  executionConfig,
  FixBroker,
  type FixInstrument,
  type Trader,
  venueTrader,
} from '../execution/index.js';
import { openSqliteStore, type SqliteStateStore } from '../infra/index.js';
import { type Resume, resumeOf, SessionJournal } from './journal.js';
import { reconciledResume } from './venue-start.js';

const ID = SIX_E_MBP.instrumentId;
const SIXE: FixInstrument = {
  instrumentId: ID,
  tickRaw: 50_000,
  symbology: { kind: 'symbol', symbol: '6E', maturityMonthYear: '202406', securityExchange: 'XCME' },
};
const CONFIG = executionConfig();

/** The 6E book at `min` minutes after T0: bid 1.085, ask 1.08505. */
function bar(min: number, then?: Step['then']): Step {
  return depth(min * 60_000, [[1.085, 50, 5]], [[1.08505, 50, 5]], then);
}

const root = mkdtempSync(join(tmpdir(), 'venue-start-'));
after(() => rmSync(root, { recursive: true, force: true }));
const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of closers.splice(0).reverse()) await c();
});

/** A venue quoting 1.085 / 1.08505, a store and the folder of the FIX session's sequence numbers. */
async function rig(): Promise<{ venue: FixVenue; store: SqliteStateStore; dir: string }> {
  const dir = mkdtempSync(join(root, 'case-'));
  const venue = await FixVenue.start({
    compId: 'VENUE',
    brokerCompId: 'SCALPER',
    heartbeatSeconds: 1,
    instruments: [SIXE],
  });
  await venue.harness.quote(px(1.085), px(1.08505));
  const store = openSqliteStore(join(dir, 'state.sqlite'));
  closers.push(
    () => venue.close(),
    () => store.close(),
  );
  return { venue, store, dir };
}

async function connected(venue: FixVenue, dir: string): Promise<FixBroker> {
  const broker = new FixBroker({
    host: '127.0.0.1',
    port: venue.port,
    senderCompId: 'SCALPER',
    targetCompId: 'VENUE',
    heartbeatSeconds: 1,
    account: 'ACC-7',
    storeDirectory: join(dir, 'fix'),
    instruments: [SIXE],
    reconnect: { initialMs: 50, maxMs: 400, factor: 2 },
    timeoutMs: 3_000,
    logger: silentLogger(),
  });
  closers.push(() => broker.close());
  await broker.connect();
  return broker;
}

/** A live trader on `broker` journalling to `store`, as `TradingSession` builds one. */
function trader(broker: FixBroker, store: SqliteStateStore, resume?: Resume): Trader {
  const journal = new SessionJournal(store, silentLogger());
  const t = venueTrader({
    broker,
    config: CONFIG,
    runId: 'live',
    lastSequence: resume?.lastSequence,
    beforeSend: (spec, role, nowNs) => journal.beforeSend(spec, role, nowNs),
  });
  journal.follow(t);
  if (resume !== undefined) t.resume(resume.trader);
  t.addInstrument({ instrumentId: ID, symbol: '6EM4' });
  return t;
}

/**
 * The first session: long 1 at the market (the venue fills it at its ask, 1.08505), then the
 * bracket's stop at 1.08485 and target at 1.08525 (4 ticks each way, the minimum without an ATR)
 * working at the venue; it dies there (its broker logs out, nothing is cancelled).
 */
async function firstSession(
  venue: FixVenue,
  store: SqliteStateStore,
  dir: string,
  then?: (t: Trader) => Promise<void>,
): Promise<void> {
  const broker = await connected(venue, dir);
  const t = trader(broker, store);
  await replayThrough(
    t,
    [bar(0, (now) => assert.equal(t.act({ instrumentId: ID, target: 1 }, now), null))],
    'mbp-10',
  );
  await until(
    async () => (await store.openOrders()).filter((o) => o.status === 'accepted').length === 2,
    'the stop and target working',
  );
  assert.equal(t.position(ID), 1);
  await then?.(t);
  await broker.close();
}

const clOrdIds = (venue: FixVenue, msgType: string, tag = 11) =>
  venue.messages(msgType).map((m) => tagOf(m.text, tag));

/**
 * The end of a restart after the stop filled while the session was down: both fills booked, and the
 * target, still working for a position that is gone, cancelled with the first record; nothing sent
 * again, and the store following the cancel.
 */
async function stoppedOut(
  venue: FixVenue,
  broker: FixBroker,
  store: SqliteStateStore,
  resume: Resume,
): Promise<void> {
  assert.deepEqual(
    resume.trader.fills.map((f) => [f.clientId, f.side]),
    [
      ['live-1', 'buy'],
      ['live-2', 'sell'],
    ],
  );
  const t = trader(broker, store, resume);
  assert.equal(t.position(ID), 0);
  await replayThrough(t, [bar(2)], 'mbp-10');
  await until(() => broker.order('live-3')?.status === 'cancelled', 'the target cancelled');
  assert.deepEqual(clOrdIds(venue, 'D'), ['live-1', 'live-2', 'live-3'], 'nothing sent again');
  assert.deepEqual(clOrdIds(venue, 'F', 41), ['live-3']);
  await until(async () => (await store.openOrders()).length === 0, 'the store following the target');
}

/**
 * An entry the store recorded and the venue never received (the process died between the two),
 * after the exits, which went out on the wall clock of their entry's fill report: `live-4`.
 */
function recordedNeverSent(store: SqliteStateStore): void {
  store.recordOrderNow(
    {
      spec: {
        clientId: 'live-4',
        instrumentId: ID,
        side: 'buy',
        type: 'limit',
        quantity: 1,
        limitPx: px(1.0849),
        tif: 'GTC',
      },
      sentNs: BigInt(Date.now()) * 1_000_000n,
    },
    { role: 'entry', bracket: { stopPx: px(1.0847), targetPx: px(1.0851), timeStopMs: 300_000 } },
  );
}

describe('a live session restarted at a FIX venue', () => {
  test('adopts the exits working at the venue as its bracket: nothing is sent again, the target fill is booked once', async () => {
    const { venue, store, dir } = await rig();
    await firstSession(venue, store, dir);
    assert.deepEqual(clOrdIds(venue, 'D'), ['live-1', 'live-2', 'live-3'], 'entry, stop, target');
    // An order recorded and never sent: the process died between the two.
    recordedNeverSent(store);

    const nowNs = T0 + 120_000_000_000n;
    const first = await resumeOf(store, { runId: 'live', feed: 'databento', nowNs, venue: true });
    assert.deepEqual(
      first.open.map((o) => o.spec.clientId),
      ['live-2', 'live-3', 'live-4'],
    );
    const broker = await connected(venue, dir);
    // `wait` holds trading on any difference: none is left once our orders are matched.
    const resume = await reconciledResume({
      broker,
      resume: first,
      store,
      policy: 'wait',
      runId: 'live',
      nowNs,
      log: silentLogger(),
    });
    // Not among the venue's working orders: asked of the venue (OrderStatusRequest), which does not know it.
    assert.deepEqual(clOrdIds(venue, 'H'), ['live-4']);
    const never = await store.order('live-4');
    assert.equal(never?.status, 'rejected');
    assert.equal(
      (await store.orderHistory('live-4')).at(-1)?.reason,
      'looked up at the venue on restart: rejected (unknown order)',
    );
    assert.deepEqual(
      resume.open.map((o) => [o.spec.clientId, o.status]),
      [
        ['live-2', 'accepted'],
        ['live-3', 'accepted'],
      ],
    );
    assert.deepEqual(resume.trader.brackets, [
      {
        instrumentId: ID,
        exits: { stopPx: px(1.08485), targetPx: px(1.08525), timeStopMs: 300_000 },
        stopId: 'live-2',
        targetId: 'live-3',
      },
    ]);
    assert.deepEqual(
      broker.openOrders().map((o) => [o.clientId, o.spec.type, o.spec.side, o.spec.stopPx ?? o.spec.limitPx]),
      [
        ['live-2', 'stop', 'sell', px(1.08485)],
        ['live-3', 'limit', 'sell', px(1.08525)],
      ],
      'adopted by the broker',
    );

    const t = trader(broker, store, resume);
    assert.equal(t.position(ID), 1);
    // Records come: a position without its exits would have them sent now; these are working.
    await replayThrough(t, [bar(2), bar(2.5)], 'mbp-10');
    assert.deepEqual(
      clOrdIds(venue, 'D'),
      ['live-1', 'live-2', 'live-3'],
      'no NewOrderSingle since the restart',
    );

    venue.fill('live-3', 1, px(1.08525));
    await until(
      () => broker.order('live-2')?.status === 'cancelled',
      'the stop cancelled once the target filled',
    );
    assert.equal(t.position(ID), 0);
    assert.deepEqual(clOrdIds(venue, 'F', 41), ['live-2'], 'one cancel, of the stop');
    assert.deepEqual(
      t.fills.map((f) => [f.clientId, f.side, f.quantity, f.price]),
      [
        ['live-1', 'buy', 1, px(1.08505)],
        ['live-3', 'sell', 1, px(1.08525)],
      ],
    );
    await until(
      async () => (await store.order('live-2'))?.status === 'cancelled',
      'the store following the stop',
    );
    assert.deepEqual(
      (await store.fills('live-3')).map((f) => [f.quantity, f.price]),
      [[1, px(1.08525)]],
    );
    assert.equal((await store.order('live-3'))?.status, 'filled');
    assert.deepEqual(await store.openOrders(), []);
  });

  test('an exit the venue filled while the session was down is looked up and booked at its price; the other is cancelled', async () => {
    const { venue, store, dir } = await rig();
    await firstSession(venue, store, dir);
    // While no session is logged on, the stop fills at the venue a tick through its price (the venue
    // keeps the report for a resend, which the restarted broker, not knowing the order, cannot book).
    venue.fill('live-2', 1, px(1.0848));
    const nowNs = T0 + 120_000_000_000n;
    const first = await resumeOf(store, { runId: 'live', feed: 'databento', nowNs, venue: true });
    const broker = await connected(venue, dir);
    const resume = await reconciledResume({
      broker,
      resume: first,
      store,
      policy: 'wait',
      runId: 'live',
      nowNs,
      log: silentLogger(),
    });
    // Asked of the venue: filled, CumQty 1 at AvgPx 1.0848.
    assert.deepEqual(clOrdIds(venue, 'H'), ['live-2']);
    const stop = await store.order('live-2');
    assert.deepEqual([stop?.status, stop?.filledQuantity], ['filled', 1]);
    assert.match(
      (await store.orderHistory('live-2')).at(-1)?.reason ?? '',
      /^filled while the session was down, looked up at the venue on restart: filled;/,
    );
    assert.deepEqual(
      (await store.fills('live-2')).map((f) => [f.side, f.quantity, f.price, f.fee]),
      [['sell', 1, px(1.0848), 0]],
      "booked at the venue's price",
    );
    await stoppedOut(venue, broker, store, resume);
  });

  test('a venue that cannot be asked: its position shows which order filled while the session was down', async () => {
    const { venue, store, dir } = await rig();
    await firstSession(venue, store, dir);
    venue.refuseOrderStatus('OrderStatusRequest is not supported');
    // An entry recorded and never sent, and the stop filled at the venue a tick through its price.
    recordedNeverSent(store);
    venue.fill('live-2', 1, px(1.0848));
    const nowNs = T0 + 120_000_000_000n;
    const first = await resumeOf(store, { runId: 'live', feed: 'databento', nowNs, venue: true });
    const broker = await connected(venue, dir);
    const resume = await reconciledResume({
      broker,
      resume: first,
      store,
      policy: 'wait',
      runId: 'live',
      nowNs,
      log: silentLogger(),
    });
    // Both questions refused. The venue's position went from +1 to 0: what the stop's sell of 1
    // does, not the entry's buy of 1.
    assert.deepEqual(clOrdIds(venue, 'H'), ['live-2', 'live-4']);
    const stop = await store.order('live-2');
    assert.deepEqual([stop?.status, stop?.filledQuantity], ['filled', 1]);
    assert.match(
      (await store.orderHistory('live-2')).at(-1)?.reason ?? '',
      /^filled while the session was down: not working at the venue on restart, and the venue's position moved by -1 as its fill would; the venue did not tell the price or fee: booked at its stop price, without a fee$/,
    );
    assert.deepEqual(
      (await store.fills('live-2')).map((f) => [f.side, f.quantity, f.price]),
      [['sell', 1, px(1.08485)]],
      'booked at its stop price, the price the venue did not tell',
    );
    assert.equal((await store.order('live-4'))?.status, 'cancelled');
    assert.equal(
      (await store.orderHistory('live-4')).at(-1)?.reason,
      "not working at the venue on restart; the venue's position shows the fill of live-2, none of this one",
    );
    await stoppedOut(venue, broker, store, resume);
  });

  test('a stop tightened by a replace is found by its last ClOrdID, kept at its tightened level, and its fill booked', async () => {
    const { venue, store, dir } = await rig();
    await firstSession(venue, store, dir, async (t) => {
      // A sweep alert: the stop moves to 2 ticks under the bid, 1.085 − 0.0001 = 1.0849.
      t.onToxicity(ID, T0 + 30_000_000_000n, 'sweep');
      await until(async () => {
        const o = await store.order('live-2');
        return o?.status === 'accepted' && o.spec.stopPx === px(1.0849);
      }, 'the stop replaced');
    });
    assert.deepEqual(
      venue.messages('G').map((m) => [tagOf(m.text, 11), tagOf(m.text, 41)]),
      [['live-2.1', 'live-2']],
    );
    const nowNs = T0 + 120_000_000_000n;
    const first = await resumeOf(store, { runId: 'live', feed: 'databento', nowNs, venue: true });
    const broker = await connected(venue, dir);
    const resume = await reconciledResume({
      broker,
      resume: first,
      store,
      policy: 'wait',
      runId: 'live',
      nowNs,
      log: silentLogger(),
    });
    assert.deepEqual(resume.trader.brackets, [
      {
        instrumentId: ID,
        exits: { stopPx: px(1.0849), targetPx: px(1.08525), timeStopMs: 300_000 },
        stopId: 'live-2',
        targetId: 'live-3',
      },
    ]);
    const t = trader(broker, store, resume);
    await replayThrough(t, [bar(2)], 'mbp-10');
    // The venue reports the stop's fill under the ClOrdID of its replace.
    venue.fill('live-2.1', 1, px(1.0849));
    await until(
      () => broker.order('live-3')?.status === 'cancelled',
      'the target cancelled once the stop filled',
    );
    assert.equal(t.position(ID), 0);
    assert.deepEqual(clOrdIds(venue, 'D'), ['live-1', 'live-2', 'live-3'], 'nothing sent again');
    assert.deepEqual(
      t.fills.map((f) => [f.clientId, f.side, f.price]),
      [
        ['live-1', 'buy', px(1.08505)],
        ['live-2', 'sell', px(1.0849)],
      ],
    );
    await until(async () => (await store.openOrders()).length === 0, 'the store following the target');
    assert.deepEqual(
      (await store.fills('live-2')).map((f) => [f.quantity, f.price]),
      [[1, px(1.0849)]],
    );
  });
});
