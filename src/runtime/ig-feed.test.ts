/**
 * The IG feed against a local IG (test/ig-venue.ts: IG's REST login and a Lightstreamer server
 * speaking TLCP): quotes in IG points become MBP-1 records in exact raw units, with the side that
 * moved; a dropped link, and a market IG does not call TRADEABLE, untrust the market until a
 * whole quote comes again.
 */
import assert from 'node:assert/strict';
import { afterEach, describe, test } from 'node:test';
import { type IgVenue, startIgVenue } from '../../test/ig-venue.js';
import { until } from '../../test/until.js';
import { FeedHealth, type FeedHealthEvent } from '../book/index.js';
import { type RecordBatch, RType } from '../data/dbn/index.js';
import { type IgMarket, IgRest } from '../data/ig/index.js';
import type { ReplaySink } from '../data/index.js';
import type { FeedSink, FeedSummary } from './file-feed.js';
import { IgFeed, type IgFeedEvent } from './ig-feed.js';

const EPIC = 'CS.D.EURUSD.MINI.IP';
const ID = 7;
/** EUR/USD at IG: 10812.5 points is 1.08125 USD, so a point is 100,000 raw units (1e-9). */
const MARKET: IgMarket = {
  epic: EPIC,
  instrumentId: ID,
  pointRaw: 100_000,
  tickRaw: 10_000,
  expiry: '-',
  currencyCode: 'USD',
  quantityPerSize: 1,
};

interface Seen {
  readonly rtype: number;
  readonly id: number;
  readonly side: string;
  readonly bid: number;
  readonly ask: number;
  readonly recvNs: bigint;
  readonly sequence: number;
}

describe('IgFeed against a local IG', () => {
  let venue: IgVenue | null = null;
  let rest: IgRest | null = null;
  let stop: AbortController | null = null;
  let running: Promise<FeedSummary> | null = null;

  afterEach(async () => {
    stop?.abort();
    await running?.catch(() => undefined);
    rest?.close();
    await venue?.close();
    venue = null;
    rest = null;
    stop = null;
    running = null;
  });

  async function start(bid: number, offer: number) {
    const v = await startIgVenue({ keepaliveMs: 200, markets: [{ epic: EPIC, bid, offer }] });
    venue = v;
    v.quote(EPIC, bid, offer);
    rest = new IgRest({
      baseUrl: v.baseUrl,
      credentials: { apiKey: v.apiKey, identifier: v.identifier, password: v.password },
    });
    const trust: FeedHealthEvent[] = [];
    const health = new FeedHealth({
      isOpen: () => true,
      staleAfterMs: 60_000,
      onEvent: (e) => trust.push(e),
    });
    const seen: Seen[] = [];
    const symbols = new Map<number, string>();
    const ticks = new Map<number, number>();
    const events: IgFeedEvent[] = [];
    const engine: ReplaySink = {
      setSymbol: (id, s) => symbols.set(id, s),
      setTickSize: (id, t) => ticks.set(id, t),
      applyDefinition: () => {},
      apply: () => undefined,
      advance: () => {},
    };
    const sink: FeedSink = {
      engine,
      warm: () => assert.fail('a live feed warms nothing'),
      push: (batch: RecordBatch, i: number) => {
        const c = batch.at(i);
        health.update(c);
        seen.push({
          rtype: c.rtype,
          id: c.instrumentId,
          side: String.fromCharCode(c.side),
          bid: c.bidPx(0),
          ask: c.askPx(0),
          recvNs: c.tsRecv,
          sequence: c.sequence,
        });
      },
    };
    stop = new AbortController();
    const feed = new IgFeed({
      rest,
      markets: [MARKET],
      health,
      signal: stop.signal,
      stream: { retryDelayMs: 300, firstRetryMaxDelayMs: 10, sessionRecoveryTimeoutMs: 0 },
      onEvent: (e) => events.push(e),
    });
    running = feed.run(sink);
    await until(() => seen.length >= 1, 'the first quote');
    return { v, health, seen, symbols, ticks, events, trust };
  }

  test('quotes become MBP-1 records at exact raw prices, naming the pair and its tick', async () => {
    const { v, seen, symbols, ticks, health } = await start(10812.3, 10812.5);
    assert.equal(symbols.get(ID), 'EUR/USD');
    assert.equal(ticks.get(ID), 10_000);
    // 10812.3 points × 100,000 raw a point = 1,081,230,000 raw = 1.08123 USD.
    assert.deepEqual(
      [seen[0].rtype, seen[0].id, seen[0].side, seen[0].bid, seen[0].ask],
      [RType.MBP_1, ID, 'N', 1_081_230_000, 1_081_250_000],
    );
    assert.equal(health.whyUntrusted(ID), null, 'a whole quote builds the book');
    v.quote(EPIC, 10812.4, 10812.5);
    await until(() => seen.length >= 2, 'the bid update');
    assert.deepEqual([seen[1].side, seen[1].bid, seen[1].ask], ['B', 1_081_240_000, 1_081_250_000]);
    v.quote(EPIC, 10812.4, 10812.7);
    await until(() => seen.length >= 3, 'the offer update');
    assert.deepEqual([seen[2].side, seen[2].bid, seen[2].ask], ['A', 1_081_240_000, 1_081_270_000]);
    assert.deepEqual(
      seen.map((s) => s.sequence),
      [1, 2, 3],
    );
    assert.ok(seen[1].recvNs > seen[0].recvNs && seen[2].recvNs > seen[1].recvNs, 'ts_recv rises');
  });

  test('a dropped link untrusts the market until the quote after the reconnection', async () => {
    const { v, seen, health, events, trust } = await start(10812.3, 10812.5);
    const before = trust.length;
    v.drop();
    // Unchanged prices still come as a whole quote once the item is subscribed again.
    await until(() => seen.length >= 2, 'the quote after the reconnection');
    assert.deepEqual([seen[1].side, seen[1].bid, seen[1].ask], ['N', 1_081_230_000, 1_081_250_000]);
    const after = trust.slice(before).map((e) => (e.kind === 'untrusted' ? `${e.kind} ${e.reason}` : e.kind));
    assert.deepEqual(after, ['untrusted link', 'trusted'], 'untrusted from the drop to the quote after it');
    const drop = trust[before];
    assert.match(drop.kind === 'untrusted' ? drop.detail : '', /IG stream DISCONNECTED/);
    assert.ok(trust[before + 1].atNs === seen[1].recvNs, 'trusted again by that quote');
    assert.equal(health.whyUntrusted(ID), null);
    assert.ok(events.some((e) => e.type === 'link' && e.link.state === 'connected'));
  });

  test('a market IG does not call TRADEABLE is untrusted, and gives no quotes, until it is', async () => {
    const { v, seen, health } = await start(10812.3, 10812.5);
    v.publish(`MARKET:${EPIC}`, { MARKET_STATE: 'EDIT', BID: '10812.1' });
    await until(() => health.whyUntrusted(ID) !== null, 'EDIT to untrust the market');
    assert.match(health.whyUntrusted(ID) ?? '', /EDIT/);
    v.publish(`MARKET:${EPIC}`, { MARKET_STATE: 'TRADEABLE' });
    await until(() => seen.length >= 2, 'the quote once tradeable');
    assert.equal(seen.length, 2, 'no quote while in EDIT');
    assert.deepEqual([seen[1].side, seen[1].bid], ['N', 1_081_210_000]);
    assert.equal(health.whyUntrusted(ID), null);
  });

  test('delayed prices are no market to trade on: untrusted, and no quotes, until they are live again', async () => {
    const { v, seen, health } = await start(10812.3, 10812.5);
    v.publish(`MARKET:${EPIC}`, { MARKET_DELAY: '1', BID: '10812.2' });
    await until(() => health.whyUntrusted(ID) !== null, 'delayed prices to untrust the market');
    assert.match(health.whyUntrusted(ID) ?? '', /CS\.D\.EURUSD\.MINI\.IP is DELAYED/);
    v.publish(`MARKET:${EPIC}`, { MARKET_DELAY: '0' });
    await until(() => seen.length >= 2, 'the quote once live');
    assert.equal(seen.length, 2, 'no quote while delayed');
    assert.deepEqual([seen[1].side, seen[1].bid], ['N', 1_081_220_000]);
    assert.equal(health.whyUntrusted(ID), null);
  });

  test('a price between raw units is reported as a problem and the feed goes on', async () => {
    const { v, seen, events } = await start(10812.3, 10812.5);
    v.quote(EPIC, 10812.300001, 10812.5);
    await until(() => events.some((e) => e.type === 'problem'), 'the problem');
    const problem = events.find((e) => e.type === 'problem');
    assert.match(problem?.type === 'problem' ? problem.message : '', /10812\.300001/);
    v.quote(EPIC, 10812.2, 10812.5);
    await until(() => seen.length >= 2, 'the next quote');
    assert.equal(seen[1].bid, 1_081_220_000);
  });
});
