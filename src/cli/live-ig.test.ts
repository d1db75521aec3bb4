/**
 * Trading on IG's prices and through IG, against a local IG (test/ig-venue.ts: REST and a
 * Lightstreamer server) and a Databento live gateway on loopback serving an hour of simulated 6E
 * depth. `scalper live --venue ig` refuses without `--confirm` naming the configured account (and
 * without one configured), says which IG environment, account and markets it would trade, and
 * sends nothing; confirmed, it takes decisions on 6E and deals EUR/USD at IG, each deal's reference
 * a client order id the state store held first, and leaves nothing working. `scalper paper --feed
 * ig` records IG's quotes as the spot files a backtest reads.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { TestGateway } from '../../test/databento-gateway.js';
import { type IgVenue, startIgVenue } from '../../test/ig-venue.js';
import { simulatedSpan } from '../../test/sim-fixture.js';
import { until } from '../../test/until.js';
import { DbnDecoder, RType, SymbolMap } from '../data/index.js';
import { openSqliteStore, stateStorePath } from '../infra/index.js';
import type { SessionStatus } from '../runtime/index.js';
import { loadConfig } from './config.js';
import { runLive } from './live.js';
import { runPaper } from './paper.js';

const KEY = 'db-TestKey0000000000000ABCDE';
const FROM = Date.parse('2026-11-24T13:00:00Z');
const EPIC = 'CS.D.EURUSD.MINI.IP';
const SPOT_ID = 900;
const ENV = {
  DATABENTO_API_KEY: KEY,
  IG_API_KEY: 'test-api-key',
  IG_IDENTIFIER: 'trader',
  IG_PASSWORD: 'secret',
};

describe('trading on IG prices and through IG', () => {
  const span = simulatedSpan({
    seed: 8,
    zstd: false,
    from: '2026-11-24T13:00:00Z',
    minutes: 60,
    prefix: 'live-ig-',
  });
  const dataDir = mkdtempSync(join(tmpdir(), 'live-ig-data-'));
  const closers: (() => Promise<void>)[] = [];
  const saved = Object.fromEntries(Object.keys(ENV).map((k) => [k, process.env[k]]));
  Object.assign(process.env, ENV);
  after(async () => {
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
    for (const c of closers) await c();
    rmSync(dataDir, { recursive: true, force: true });
  });

  /** The first simulated EUR/USD quote, in IG points (pointRaw 100,000). */
  async function firstSpotQuote(): Promise<{ bid: number; offer: number }> {
    const dec = DbnDecoder.fromBytes(readFileSync(span.day.files.spotMbp1 as string));
    for await (const batch of dec)
      for (let i = 0; i < batch.count; i++) {
        const c = batch.at(i);
        if (c.rtype === RType.MBP_1) return { bid: c.bidPx(0) / 100_000, offer: c.askPx(0) / 100_000 };
      }
    throw new Error('no spot quote');
  }

  /** The local IG, the gateway and a configuration that trades through (or on) them. */
  async function setUp(o: { accountId?: string; feeds?: string[]; gateway?: boolean } = {}) {
    const q = await firstSpotQuote();
    const venue: IgVenue = await startIgVenue({
      keepaliveMs: 200,
      markets: [{ epic: EPIC, bid: q.bid, offer: q.offer }],
    });
    venue.quote(EPIC, q.bid, q.offer);
    closers.push(() => venue.close());
    let gateway: TestGateway | null = null;
    if (o.gateway !== false) {
      gateway = await TestGateway.start({ key: KEY, dbn: readFileSync(span.day.files.mbp10) });
      const g = gateway;
      closers.push(() => g.close());
    }
    const config = loadConfig({
      env: ENV,
      flags: {
        source: 'test',
        values: {
          runtime: {
            dataDir,
            http: { port: 0 },
            ...(o.feeds !== undefined ? { feeds: o.feeds } : {}),
            databento: {
              symbols: ['6EZ6'],
              schemas: ['mbp-10'],
              ...(gateway !== null ? { gateway: gateway.address } : {}),
            },
          },
          ig: {
            baseUrl: venue.baseUrl,
            ...('accountId' in o
              ? o.accountId === undefined
                ? {}
                : { accountId: o.accountId }
              : { accountId: venue.accountId }),
            confirmFallbackMs: 300,
            stream: { retryDelayMs: 500 },
            markets: [{ epic: EPIC, instrumentId: SPOT_ID, pointRaw: 100_000, tickRaw: 10_000 }],
          },
        },
      },
    });
    /** Keeps IG's quote moving a little, as a live market's does. */
    const ticker = setInterval(() => {
      const step = Math.round(Math.random() * 2 - 1) / 10;
      venue.quote(EPIC, Math.round((q.bid + step) * 10) / 10, Math.round((q.offer + step) * 10) / 10);
    }, 200);
    closers.push(async () => clearInterval(ticker));
    return { venue, config, q };
  }

  /** A clock at the data's time: the hour starts now. */
  function dataClock() {
    const offset = Date.now() - FROM;
    return { now: () => Date.now() - offset };
  }

  test('without --confirm naming the configured IG account it refuses, saying what it would trade', async () => {
    const { venue, config } = await setUp({ gateway: false });
    const signal = new AbortController().signal;
    for (const confirm of [undefined, 'XYZ999']) {
      await assert.rejects(runLive(config, { venue: 'ig', confirm, signal }), (e: Error) => {
        assert.match(e.message, /sends real orders: IG demo at http:\/\/127\.0\.0\.1:\d+\/gateway\/deal/);
        assert.match(e.message, /account ABC123, trading EUR\/USD \(CS\.D\.EURUSD\.MINI\.IP\)/);
        assert.match(e.message, /--confirm ABC123/);
        return true;
      });
    }
    const unnamed = await setUp({ gateway: false, accountId: undefined });
    await assert.rejects(
      runLive(unnamed.config, { venue: 'ig', confirm: 'ABC123', signal }),
      /ig\.accountId/,
    );
    assert.equal(venue.requests.length + unnamed.venue.requests.length, 0, 'nothing reached IG');
  });

  test('confirmed, it decides on 6E depth and deals EUR/USD at IG, every deal in the store first', async () => {
    const { venue, config } = await setUp({ feeds: ['databento', 'ig'] });
    const ctl = new AbortController();
    const watch = setInterval(() => {
      if (venue.orderEntries >= 2) ctl.abort();
    }, 50);
    const stop = setTimeout(() => ctl.abort(), 40_000);
    const { session } = await runLive(config, {
      venue: 'ig',
      confirm: 'ABC123',
      signal: ctl.signal,
      clock: dataClock(),
    });
    clearInterval(watch);
    clearTimeout(stop);
    const why = session.trader.journal
      .slice(-4)
      .map((e) => `${e.kind}: ${e.detail}`)
      .join('; ');
    const deals = venue.requests.filter(
      (r) => r.method === 'POST' && (r.path === '/positions/otc' || r.path === '/working-orders/otc'),
    );
    assert.ok(deals.length >= 1, `${deals.length} deals at IG; ${why}`);
    const store = openSqliteStore(stateStorePath(dataDir));
    try {
      for (const r of deals) {
        const body = r.body as { epic: string; dealReference: string };
        assert.equal(body.epic, EPIC, 'EUR/USD, the spot pair of 6E');
        const o = await store.order(body.dealReference);
        assert.ok(o !== undefined, `deal reference ${body.dealReference} is a client id in the store`);
        assert.equal(o.spec.instrumentId, SPOT_ID);
      }
    } finally {
      await store.close();
    }
    assert.ok(session.trader.fills.length >= 1, `the entry filled at IG; ${why}`);
    assert.deepEqual(
      session.trader.broker.openOrders().map((o) => o.clientId),
      [],
      'nothing left working',
    );
    assert.equal(venue.workingOrders.length, 0, 'no working order left at IG');
  });

  test('scalper paper --feed ig records IG quotes as the spot files a backtest reads', async () => {
    const { venue, config, q } = await setUp({ gateway: false, feeds: ['ig'] });
    const ctl = new AbortController();
    const running = runPaper([], config, { signal: ctl.signal, startMs: Date.now() + 1 });
    // Two quotes a tick apart on each side after the first.
    await until(() => venue.lsSessions > 0, 'the stream');
    await new Promise((r) => setTimeout(r, 600));
    ctl.abort();
    const { session, folder } = await running;
    assert.ok(session.status().records >= 1, 'quotes arrived');
    const feedDir = join(folder, 'feed');
    const spot = readdirSync(feedDir).filter((f) => f.startsWith('ig-fx-') && f.includes('mbp-1'));
    assert.equal(spot.length, 1, readdirSync(feedDir).join(', '));
    const dec = DbnDecoder.fromBytes(readFileSync(join(feedDir, spot[0])));
    const meta = await dec.readMetadata();
    assert.ok(meta !== null, 'the recording has its metadata');
    assert.equal(meta.dataset, 'IG.FX');
    assert.equal(SymbolMap.fromMetadata(meta).resolve(SPOT_ID), 'EUR/USD');
    let quotes = 0;
    for await (const batch of dec)
      for (let i = 0; i < batch.count; i++) {
        const c = batch.at(i);
        assert.equal(c.instrumentId, SPOT_ID);
        // Within a tenth of a point of the first quote: 10,000 raw.
        assert.ok(Math.abs(c.bidPx(0) - q.bid * 100_000) <= 10_000 + 1, `${c.bidPx(0)}`);
        quotes++;
      }
    assert.equal(quotes, session.status().records);
  });

  test('scalper paper --feed databento trades the paper broker on the gateway and records what it saw', async () => {
    const { config } = await setUp({ feeds: ['databento'] });
    const ctl = new AbortController();
    const stop = setTimeout(() => ctl.abort(), 60_000);
    // The gateway serves its hour at once: the session is stopped once it has taken a decision (on
    // a sweep: the feed is depth alone), however fast this machine reads.
    let seen: SessionStatus | null = null;
    const running = runPaper(
      [],
      { ...config, runtime: { ...config.runtime, statusEveryMs: 50 } },
      {
        signal: ctl.signal,
        startMs: Date.now() + 2,
        status: (s) => {
          seen = s;
        },
      },
    );
    await until(() => (seen?.decisions ?? 0) >= 1 && (seen?.records ?? 0) > 1_000, 'a decision', 50_000);
    ctl.abort();
    const { session, folder } = await running;
    clearTimeout(stop);
    const s = session.status();
    assert.ok(s.records > 1_000, `${s.records} records`);
    assert.ok(s.decisions >= 1, `${s.decisions} decisions, ${s.records} records`);
    const feedDir = join(folder, 'feed');
    const depth = readdirSync(feedDir).filter((f) => f.startsWith('glbx-mdp3-') && f.includes('mbp-10'));
    assert.equal(depth.length, 1, readdirSync(feedDir).join(', '));
    let recorded = 0;
    for await (const batch of DbnDecoder.fromBytes(readFileSync(join(feedDir, depth[0]))))
      recorded += batch.count;
    assert.equal(recorded, s.records, 'every record the session saw is in its recording');
  });

  test('paper: files and a live feed do not mix, and a live feed names what it lacks', async () => {
    const { config } = await setUp({ gateway: false, feeds: ['ig'] });
    const signal = new AbortController().signal;
    await assert.rejects(
      runPaper(['x.dbn'], config, { signal }),
      /--feed ig trades on a live feed and takes no files/,
    );
    const files = loadConfig({ env: ENV, flags: { source: 'test', values: { runtime: { dataDir } } } });
    await assert.rejects(runPaper([], files, { signal }), /needs DBN files to replay, or a live feed/);
    const noIg = loadConfig({
      env: ENV,
      flags: { source: 'test', values: { runtime: { dataDir, feeds: ['ig'] } } },
    });
    await assert.rejects(runPaper([], noIg, { signal }), /ig\.markets/);
  });
});
