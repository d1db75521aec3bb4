import assert from 'node:assert/strict';
import { afterEach, describe, test } from 'node:test';
import { compressedValues, type IgVenue, startIgVenue } from '../../../test/ig-venue.js';
import { until } from '../../../test/until.js';
import { IgRest } from './rest.js';
import {
  type ChartCandle,
  type ChartTick,
  IgStream,
  linkOf,
  type MarketUpdate,
  parseTradeField,
  type StreamLink,
  type TradeEvent,
} from './stream.js';

const EPIC = 'CS.D.EURUSD.MINI.IP';

describe('IgStream against a local Lightstreamer server', () => {
  let venue: IgVenue | null = null;
  let stream: IgStream | null = null;
  let rest: IgRest | null = null;

  afterEach(async () => {
    await stream?.close();
    rest?.close();
    await venue?.close();
    stream = null;
    rest = null;
    venue = null;
  });

  async function open(
    login: 2 | 3 = 2,
  ): Promise<{ v: IgVenue; s: IgStream; links: StreamLink[]; problems: string[] }> {
    const v = await startIgVenue({ keepaliveMs: 200 });
    venue = v;
    rest = new IgRest({
      baseUrl: v.baseUrl,
      credentials: { apiKey: v.apiKey, identifier: v.identifier, password: v.password },
      login,
    });
    const s = new IgStream({
      login: await rest.streamingLogin(),
      retryDelayMs: 1000,
      firstRetryMaxDelayMs: 10,
      sessionRecoveryTimeoutMs: 0,
    });
    stream = s;
    const links: StreamLink[] = [];
    const problems: string[] = [];
    s.onLink((l) => links.push(l));
    s.onProblem((m) => problems.push(m));
    await s.connect();
    return { v, s, links, problems };
  }

  test('logs in with the account id and CST-…|XST-… and reports the link connected', async () => {
    const { v, links } = await open();
    assert.equal(v.lsSessionsCreated, 1);
    assert.equal(links.at(-1)?.state, 'connected');
    assert.match(links.at(-1)?.status ?? '', /^CONNECTED:WS-STREAMING$/);
  });

  test('after a v3 login the stream logs in with the session tokens IG hands out for it', async () => {
    const { v } = await open(3);
    assert.equal(v.lsSessionsCreated, 1);
    const fetched = v.requests.filter(
      (r) => r.path === '/session' && r.query.get('fetchSessionTokens') === 'true',
    );
    assert.equal(fetched.length, 1);
  });

  test('MARKET: the snapshot, then an update that changes the bid alone keeps the offer', async () => {
    const { v, s } = await open();
    v.quote(EPIC, 10811.9, 10812.1);
    const updates: MarketUpdate[] = [];
    const sub = s.market(EPIC, (u) => updates.push(u));
    await sub.active;
    await until(() => updates.length >= 1, 'the snapshot');
    assert.equal(updates[0].bid, 10811.9);
    assert.equal(updates[0].offer, 10812.1);
    assert.equal(updates[0].marketState, 'TRADEABLE');
    v.publish(`MARKET:${EPIC}`, { BID: '10811.7' });
    await until(() => updates.length >= 2, 'the update');
    assert.equal(updates[1].bid, 10811.7);
    assert.equal(updates[1].offer, 10812.1, 'an unchanged field keeps its value');
    assert.equal(updates[1].high, null);
  });

  test('CHART 1MINUTE candles and TICK updates arrive typed', async () => {
    const { v, s } = await open();
    const candles: ChartCandle[] = [];
    const ticks: ChartTick[] = [];
    const c = s.candles(EPIC, '1MINUTE', (x) => candles.push(x));
    const t = s.ticks(EPIC, (x) => ticks.push(x));
    await Promise.all([c.active, t.active]);
    v.publish(`CHART:${EPIC}:1MINUTE`, {
      UTM: '1764921600000',
      BID_OPEN: '10810.1',
      BID_HIGH: '10811.5',
      BID_LOW: '10809.8',
      BID_CLOSE: '10811.0',
      OFR_OPEN: '10810.7',
      OFR_HIGH: '10812.1',
      OFR_LOW: '10810.4',
      OFR_CLOSE: '10811.6',
      CONS_TICK_COUNT: '37',
      CONS_END: '1',
    });
    v.event(`CHART:${EPIC}:TICK`, { BID: '10811.2', OFR: '10811.8', UTM: '1764921601234' });
    await until(() => candles.length >= 1 && ticks.length >= 1, 'a candle and a tick');
    assert.deepEqual(candles[0].bid, { open: 10810.1, high: 10811.5, low: 10809.8, close: 10811 });
    assert.deepEqual(candles[0].offer, { open: 10810.7, high: 10812.1, low: 10810.4, close: 10811.6 });
    assert.deepEqual(candles[0].lastTraded, { open: null, high: null, low: null, close: null });
    assert.equal(candles[0].timeMs, 1764921600000);
    assert.equal(candles[0].tickCount, 37);
    assert.equal(candles[0].closed, true);
    assert.deepEqual(
      [ticks[0].bid, ticks[0].offer, ticks[0].timeMs, ticks[0].lastTraded],
      [10811.2, 10811.8, 1764921601234, null],
    );
  });

  test('TRADE: CONFIRMS, OPU and WOU JSON become typed events; a malformed one is a problem', async () => {
    const { v, s, problems } = await open();
    const events: TradeEvent[] = [];
    const sub = s.trade(v.accountId, (e) => events.push(e));
    await sub.active;
    const item = `TRADE:${v.accountId}`;
    v.event(item, {
      CONFIRMS: JSON.stringify({
        dealReference: 'R1',
        dealStatus: 'REJECTED',
        reason: 'MARKET_CLOSED_WITH_EDITS',
      }),
    });
    v.event(item, {
      OPU: JSON.stringify({
        dealReference: 'R2',
        dealId: 'D2',
        epic: EPIC,
        direction: 'SELL',
        status: 'OPEN',
        level: 10811.9,
        size: 2,
      }),
    });
    v.event(item, { WOU: '{"dealId":' });
    v.event(item, {
      WOU: JSON.stringify({
        dealReference: 'R3',
        dealId: 'D3',
        epic: EPIC,
        direction: 'BUY',
        status: 'DELETED',
        level: 10805,
        size: 1,
      }),
    });
    await until(() => events.length >= 3 && problems.length >= 1, 'three events and a problem');
    assert.deepEqual(
      events.map((e) => e.kind),
      ['confirm', 'position', 'working-order'],
    );
    const [c, p, w] = events;
    assert.equal(c.kind === 'confirm' && c.confirm.reason, 'MARKET_CLOSED_WITH_EDITS');
    assert.equal(p.kind === 'position' && p.update.level, 10811.9);
    assert.equal(w.kind === 'working-order' && w.update.status, 'DELETED');
    assert.match(problems[0], /TRADE WOU is not JSON/);
  });

  test('a wrong stream password is refused: connect fails naming the refusal', async () => {
    const v = await startIgVenue();
    venue = v;
    const s = new IgStream({
      login: {
        accountId: v.accountId,
        lightstreamerEndpoint: v.lightstreamerEndpoint,
        password: 'CST-x|XST-y',
      },
    });
    stream = s;
    await assert.rejects(s.connect(), (e: Error & { code?: string }) => {
      assert.equal(e.code, 'IG_AUTH');
      assert.match(e.message, /User\/password check failed/);
      return true;
    });
  });

  test('a cut link is reported disconnected, reopened, and the subscriptions come back', async () => {
    const { v, s, links } = await open();
    const updates: MarketUpdate[] = [];
    await s.market(EPIC, (u) => updates.push(u)).active;
    v.drop();
    await until(() => links.some((l) => l.state === 'disconnected'), 'a disconnected link');
    await until(() => links.at(-1)?.state === 'connected' && v.lsSessions === 1, 'the link back');
    await until(() => v.lsSessionsCreated === 2, 'a second session');
    // The subscription is made again on the new session: a quote now reaches the listener.
    await new Promise((r) => setTimeout(r, 100));
    v.quote(EPIC, 10800.5, 10800.7);
    await until(() => updates.some((u) => u.bid === 10800.5), 'a quote after the reconnection');
  });
});

describe('IgStream recovery', () => {
  test('with session recovery on, a cut link goes through DISCONNECTED:TRYING-RECOVERY, reported as disconnected', async () => {
    const v = await startIgVenue({ keepaliveMs: 200 });
    const rest = new IgRest({
      baseUrl: v.baseUrl,
      credentials: { apiKey: v.apiKey, identifier: v.identifier, password: v.password },
    });
    const s = new IgStream({
      login: await rest.streamingLogin(),
      retryDelayMs: 1000,
      firstRetryMaxDelayMs: 10,
      sessionRecoveryTimeoutMs: 5000,
    });
    const links: StreamLink[] = [];
    s.onLink((l) => links.push(l));
    try {
      await s.connect();
      v.drop();
      await until(() => links.some((l) => l.status === 'DISCONNECTED:TRYING-RECOVERY'), 'a recovery attempt');
      assert.equal(links.find((l) => l.status === 'DISCONNECTED:TRYING-RECOVERY')?.state, 'disconnected');
      // The local server cannot resume a session (CONERR 20): the client opens a new one.
      await until(() => v.lsSessionsCreated === 2 && s.link.state === 'connected', 'a new session', 8_000);
    } finally {
      await s.close();
      rest.close();
      await v.close();
    }
  });
});

describe('stream parsing', () => {
  test('the link state from each Lightstreamer status', () => {
    assert.deepEqual(
      [
        'CONNECTING',
        'CONNECTED:STREAM-SENSING',
        'CONNECTED:WS-STREAMING',
        'CONNECTED:HTTP-POLLING',
        'STALLED',
        'DISCONNECTED:WILL-RETRY',
        'DISCONNECTED:TRYING-RECOVERY',
        'DISCONNECTED',
      ].map((s) => linkOf(s).state),
      [
        'connecting',
        'connecting',
        'connected',
        'connected',
        'stalled',
        'disconnected',
        'disconnected',
        'disconnected',
      ],
    );
  });

  test('a TRADE field of the wrong shape names the field and what is wrong', () => {
    assert.throws(
      () =>
        parseTradeField(
          'OPU',
          JSON.stringify({ dealId: 'D', epic: 'E', direction: 'UP', status: 'OPEN', level: 1, size: 1 }),
        ),
      /TRADE OPU has an unexpected shape: direction/,
    );
  });

  test("the test server's compressed form: unchanged fields empty, runs of them as ^N, null #, empty $", () => {
    // Worked by hand from TLCP: fields 2–4 unchanged (^3), 5 null (#), 6 empty ($), 7 unchanged ('').
    assert.equal(
      compressedValues(['1.5', 'a', 'b', 'c', null, '', 'z'], ['1.4', 'a', 'b', 'c', 'x', 'y', 'z']),
      '1.5|^3|#|$|',
    );
    assert.equal(compressedValues(['a|b', '10%'], null), 'a%7Cb|10%25');
  });
});
