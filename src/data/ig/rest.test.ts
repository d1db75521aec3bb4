import assert from 'node:assert/strict';
import { afterEach, describe, test } from 'node:test';
import { type IgVenue, startIgVenue } from '../../../test/ig-venue.js';
import { IgConfigSchema } from './config-schema.js';
import { dealRejected, IgError } from './errors.js';
import { credentialsFromEnv, IgRest, type IgRestOptions } from './rest.js';

const EPIC = 'CS.D.EURUSD.MINI.IP';

describe('IgRest against a local IG', () => {
  let venue: IgVenue | null = null;
  let rest: IgRest | null = null;

  afterEach(async () => {
    rest?.close();
    await venue?.close();
    rest = null;
    venue = null;
  });

  async function open(
    o: Partial<IgRestOptions> = {},
    accessTokenSeconds?: number,
  ): Promise<{ v: IgVenue; r: IgRest }> {
    const v = await startIgVenue({ accessTokenSeconds });
    venue = v;
    const r = new IgRest({
      baseUrl: v.baseUrl,
      credentials: { apiKey: v.apiKey, identifier: v.identifier, password: v.password },
      ...o,
    });
    rest = r;
    return { v, r };
  }

  test('login v2: the CST and X-SECURITY-TOKEN headers of the login go with every later call', async () => {
    const { v, r } = await open({ login: 2 });
    const accounts = await r.accounts();
    assert.deepEqual(
      accounts.map((a) => [a.accountId, a.balance?.available]),
      [['ABC123', 10000]],
    );
    const [login, call] = v.requests;
    assert.equal(login.path, '/session');
    assert.equal(login.headers.version, '2');
    assert.deepEqual(login.body, { identifier: 'trader', password: 'secret' });
    assert.equal(login.headers.cst, undefined, 'the login itself carries no session token');
    assert.equal(call.path, '/accounts');
    assert.equal(call.headers.cst, 'cst1');
    assert.equal(call.headers['x-security-token'], 'xst2');
    assert.equal(r.accountId, 'ABC123');
  });

  test('every call carries X-IG-API-KEY, its Version and JSON Content-Type and Accept', async () => {
    const { v, r } = await open();
    await r.searchMarkets('EUR/USD');
    await r.market(EPIC);
    await r.positions();
    await r.workingOrders();
    await r.prices(EPIC, { resolution: 'MINUTE', max: 3 });
    const seen = v.requests.map((q) => [q.method, q.path, q.headers.version]);
    assert.deepEqual(seen, [
      ['POST', '/session', '2'],
      ['GET', '/markets', '1'],
      ['GET', `/markets/${EPIC}`, '3'],
      ['GET', '/positions', '2'],
      ['GET', '/working-orders', '2'],
      ['GET', `/prices/${EPIC}`, '3'],
    ]);
    for (const q of v.requests) {
      assert.equal(q.headers['x-ig-api-key'], 'test-api-key');
      assert.match(q.headers['content-type'] ?? '', /^application\/json/);
      assert.match(q.headers.accept ?? '', /^application\/json; charset=UTF-8$/);
    }
    assert.equal(v.requests[1].query.get('searchTerm'), 'EUR/USD');
  });

  test('market search and details read IG shapes', async () => {
    const { r } = await open();
    const found = await r.searchMarkets('EUR/USD');
    assert.deepEqual(
      found.map((m) => [m.epic, m.bid, m.offer, m.scalingFactor]),
      [[EPIC, 10811.9, 10812.1, 10000]],
    );
    const details = await r.market(EPIC);
    assert.equal(details.snapshot.scalingFactor, 10000);
    assert.equal(details.dealingRules.minDealSize?.value, 0.5);
  });

  test('price history surfaces the allowance IG reports', async () => {
    const { v, r } = await open();
    const h = await r.prices(EPIC, {
      resolution: 'MINUTE',
      from: '2026-12-04T08:00:00',
      to: '2026-12-04T08:03:00',
      max: 3,
    });
    assert.equal(h.prices.length, 3);
    // The local IG starts at 10,000 points a week and counts 3 bars.
    assert.deepEqual(h.allowance, {
      remainingAllowance: 9997,
      totalAllowance: 10000,
      allowanceExpiry: 520000,
    });
    const q = v.requests.at(-1)?.query;
    assert.deepEqual(
      [q?.get('resolution'), q?.get('from'), q?.get('to'), q?.get('max')],
      ['MINUTE', '2026-12-04T08:00:00', '2026-12-04T08:03:00', '3'],
    );
    assert.equal(h.prices[0].openPrice.bid, 10810);
  });

  test('login v3: Bearer token and IG-ACCOUNT-ID on calls; an expiring token is refreshed before use', async () => {
    // A 1 s token: the client renews it half-way, so a call after 600 ms goes out with a new one.
    const { v, r } = await open({ login: 3 }, 1);
    await r.accounts();
    const first = v.requests[1];
    assert.equal(first.headers.authorization, 'Bearer acc1');
    assert.equal(first.headers['ig-account-id'], 'ABC123');
    assert.equal(first.headers.cst, undefined);
    await new Promise((res) => setTimeout(res, 600));
    await r.accounts();
    const paths = v.requests.map((q) => `${q.method} ${q.path}`);
    assert.deepEqual(paths, [
      'POST /session',
      'GET /accounts',
      'POST /session/refresh-token',
      'GET /accounts',
    ]);
    assert.deepEqual(v.requests[2].body, { refresh_token: 'ref2' });
    assert.equal(v.requests[3].headers.authorization, 'Bearer acc3');
  });

  test('v3: an access token IG no longer takes is refreshed once and the call sent again', async () => {
    const { v, r } = await open({ login: 3 });
    await r.accounts();
    v.expireSessions();
    const positions = await r.positions();
    assert.deepEqual(positions, []);
    assert.deepEqual(
      v.requests.map((q) => `${q.method} ${q.path}`),
      ['POST /session', 'GET /accounts', 'GET /positions', 'POST /session/refresh-token', 'GET /positions'],
    );
  });

  test('v2: an invalid session token means one new login and one retry; a second refusal is an error', async () => {
    const { v, r } = await open();
    await r.accounts();
    v.expireSessions();
    await r.accounts();
    assert.deepEqual(
      v.requests.map((q) => `${q.method} ${q.path}`),
      ['POST /session', 'GET /accounts', 'GET /accounts', 'POST /session', 'GET /accounts'],
    );
    v.requests.length = 0;
    v.failNext(401, 'error.security.client-token-invalid', 2);
    await assert.rejects(r.accounts(), (e: IgError) => {
      assert.equal(e.code, 'IG_AUTH');
      assert.equal(e.call, 'GET /accounts');
      assert.equal(e.igCode, 'error.security.client-token-invalid');
      return true;
    });
    assert.deepEqual(
      v.requests.map((q) => `${q.method} ${q.path}`),
      ['GET /accounts', 'POST /session', 'GET /accounts'],
    );
  });

  test('v3 streaming login: session tokens from GET /session?fetchSessionTokens=true', async () => {
    const { v, r } = await open({ login: 3 });
    const s = await r.streamingLogin();
    assert.equal(s.accountId, 'ABC123');
    assert.equal(s.lightstreamerEndpoint, v.lightstreamerEndpoint);
    // The local IG numbers its tokens: acc1/ref2 at login, then cst3/xst4 for the stream.
    assert.equal(s.password, 'CST-cst3|XST-xst4');
  });

  for (const [status, igCode, code, words] of [
    [403, 'error.public-api.exceeded-account-allowance', 'IG_ALLOWANCE', "the account's request allowance"],
    [
      403,
      'error.public-api.exceeded-api-key-allowance',
      'IG_ALLOWANCE',
      "the application's request allowance",
    ],
    [403, 'error.public-api.exceeded-account-trading-allowance', 'IG_ALLOWANCE', 'trading allowance'],
    [400, 'error.something.new', 'IG_REQUEST', ''],
    [500, 'system.error', 'IG_SERVER', ''],
  ] as const) {
    test(`${igCode} (HTTP ${status}) is an ${code} naming the code and the call`, async () => {
      const { v, r } = await open();
      await r.positions();
      v.failNext(status, igCode);
      await assert.rejects(r.positions(), (e: IgError) => {
        assert.ok(e instanceof IgError);
        assert.equal(e.code, code);
        assert.equal(e.status, status);
        assert.ok(e.message.includes('GET /positions'), e.message);
        assert.ok(e.message.includes(`"${igCode}"`), e.message);
        assert.ok(e.message.includes(words), e.message);
        return true;
      });
    });
  }

  test('wrong login details: error.security.invalid-details, named', async () => {
    const v = await startIgVenue();
    venue = v;
    rest = new IgRest({
      baseUrl: v.baseUrl,
      credentials: { apiKey: v.apiKey, identifier: 'trader', password: 'wrong' },
    });
    await assert.rejects(rest.accounts(), (e: IgError) => {
      assert.equal(e.code, 'IG_AUTH');
      assert.equal(
        e.message,
        'IG refused POST /session: "error.security.invalid-details" (the identifier or password is wrong), HTTP 401',
      );
      return true;
    });
  });

  test('a closed market: the REJECTED confirm reads as an IG_MARKET refusal', async () => {
    const { v, r } = await open();
    v.refuseNext('MARKET_CLOSED_WITH_EDITS');
    const ref = await r.openPosition({
      epic: EPIC,
      expiry: '-',
      direction: 'BUY',
      size: 1,
      orderType: 'MARKET',
      currencyCode: 'USD',
      forceOpen: false,
      guaranteedStop: false,
      dealReference: 'closedMarket1',
    });
    assert.equal(ref, 'closedMarket1');
    const c = await r.confirm(ref);
    assert.equal(c.dealStatus, 'REJECTED');
    const e = dealRejected('POST /positions/otc', c.reason);
    assert.equal(e.code, 'IG_MARKET');
    assert.equal(
      e.message,
      'IG rejected POST /positions/otc: MARKET_CLOSED_WITH_EDITS (the market is closed; only edits are accepted)',
    );
  });

  test('positions: open, list, close with POST and _method: DELETE', async () => {
    const { v, r } = await open();
    const ref = await r.openPosition({
      epic: EPIC,
      expiry: '-',
      direction: 'SELL',
      size: 2,
      orderType: 'MARKET',
      currencyCode: 'USD',
      forceOpen: true,
      guaranteedStop: false,
    });
    const c = await r.confirm(ref);
    assert.equal(c.dealStatus, 'ACCEPTED');
    assert.equal(c.level, 10811.9, 'a sell at the bid');
    const [p] = await r.positions();
    assert.deepEqual(
      [p.position.direction, p.position.size, p.position.level, p.market.epic],
      ['SELL', 2, 10811.9, EPIC],
    );
    await r.closePosition({ dealId: p.position.dealId, direction: 'BUY', size: 2, orderType: 'MARKET' });
    const close = v.requests.find((q) => q.method === 'DELETE' && q.path === '/positions/otc');
    assert.equal(close?.headers._method, 'DELETE');
    assert.equal(close?.headers.version, '1');
    assert.deepEqual(await r.positions(), []);
  });

  test('working orders: create, amend, list, delete; each confirmed', async () => {
    const { r } = await open();
    const ref = await r.createWorkingOrder({
      epic: EPIC,
      expiry: '-',
      direction: 'BUY',
      size: 1,
      level: 10805.5,
      type: 'LIMIT',
      timeInForce: 'GOOD_TILL_CANCELLED',
      currencyCode: 'USD',
      forceOpen: false,
      guaranteedStop: false,
      dealReference: 'wo-1',
    });
    const created = await r.confirm(ref);
    const dealId = created.dealId as string;
    await r.amendWorkingOrder(dealId, { level: 10806, type: 'LIMIT', timeInForce: 'GOOD_TILL_CANCELLED' });
    const [w] = await r.workingOrders();
    assert.deepEqual(
      [w.workingOrderData.dealId, w.workingOrderData.orderLevel, w.workingOrderData.orderSize],
      [dealId, 10806, 1],
    );
    const del = await r.deleteWorkingOrder(dealId);
    assert.equal((await r.confirm(del)).status, 'DELETED');
    assert.deepEqual(await r.workingOrders(), []);
  });

  test('the allowance holds requests back: the third of two a window waits for the first to age out', async () => {
    const { v, r } = await open({ nonTradingPerWindow: 2, windowMs: 1000 });
    const t0 = Date.now();
    await Promise.all([r.positions(), r.positions()]);
    // Login and one call fill the first window; the second call waits for the login to age out.
    const times = v.requests.map((q) => q.atMs - t0);
    assert.equal(v.requests.length, 3);
    assert.ok(times[2] >= 1000, `the third request went out after ${times[2]} ms`);
    assert.ok(times[1] < 1000, `the second request went out after ${times[1]} ms`);
  });

  test('dealing has its own allowance: a deal does not wait behind other calls', async () => {
    const { v, r } = await open({ nonTradingPerWindow: 1, tradingPerWindow: 5, windowMs: 10_000 });
    await r.login();
    const t0 = Date.now();
    await r.createWorkingOrder({
      epic: EPIC,
      expiry: '-',
      direction: 'BUY',
      size: 1,
      level: 10800,
      type: 'LIMIT',
      timeInForce: 'GOOD_TILL_CANCELLED',
      currencyCode: 'USD',
      forceOpen: false,
      guaranteedStop: false,
    });
    assert.ok(Date.now() - t0 < 5_000);
    assert.equal(v.requests.length, 2);
  });

  test('an answer that is not IG-shaped is an IG_BODY error naming the field', async () => {
    const { v, r } = await open();
    await r.positions();
    v.failNext(200, 'not-a-body');
    await assert.rejects(r.positions(), /IG answered GET \/positions with an unexpected body: positions: /);
  });
});

describe('IG credentials and configuration', () => {
  test('credentials come from IG_API_KEY, IG_IDENTIFIER, IG_PASSWORD; missing ones are named', () => {
    assert.deepEqual(credentialsFromEnv({ IG_API_KEY: 'k', IG_IDENTIFIER: 'i', IG_PASSWORD: 'p' }), {
      apiKey: 'k',
      identifier: 'i',
      password: 'p',
    });
    assert.throws(
      () => credentialsFromEnv({ IG_API_KEY: 'k' }),
      (e: IgError) => e.code === 'IG_NO_CREDENTIALS' && /IG_IDENTIFIER, IG_PASSWORD/.test(e.message),
    );
  });

  test('the ig section: defaults, a market, and a bad epic named', () => {
    const c = IgConfigSchema.parse({
      markets: [{ epic: EPIC, instrumentId: 7, pointRaw: 100000, tickRaw: 10000 }],
    });
    assert.equal(c.environment, 'demo');
    assert.equal(c.login, 2);
    assert.deepEqual(c.allowances, { nonTradingPerMinute: 30, tradingPerMinute: 60 });
    assert.deepEqual(c.markets[0], {
      epic: EPIC,
      instrumentId: 7,
      pointRaw: 100000,
      tickRaw: 10000,
      expiry: '-',
      currencyCode: 'USD',
      quantityPerSize: 1,
    });
    const bad = IgConfigSchema.safeParse({
      markets: [{ epic: 'EUR USD', instrumentId: 1, pointRaw: 1, tickRaw: 1 }],
    });
    assert.equal(bad.success, false);
    assert.deepEqual(bad.error?.issues[0].path, ['markets', 0, 'epic']);
    assert.equal(IgConfigSchema.safeParse({ password: 'x' }).success, false, 'no place for a password');
  });

  test('a client is made from the section and the credentials in the environment, or not at all', () => {
    const env = { IG_API_KEY: 'k', IG_IDENTIFIER: 'i', IG_PASSWORD: 'p' };
    const r = IgRest.fromConfig(IgConfigSchema.parse({ environment: 'live' }), env);
    r.close();
    assert.throws(() => IgRest.fromConfig(IgConfigSchema.parse({}), {}), /No IG credentials/);
  });
});
