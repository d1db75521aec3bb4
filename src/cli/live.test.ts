/**
 * `scalper live` against a FIX 4.4 venue on loopback (test/fix-venue.ts) and a Databento live
 * gateway on loopback (test/databento-gateway.ts) serving an hour of simulated 6E MBP-10, on a
 * clock set to the data's time. Without `--confirm ACCOUNT` (or with another account) it refuses,
 * naming the venue and the account, and connects to nothing. With it, it logs on, reconciles,
 * trades: every order the venue receives carries the account and was in the state store before it
 * was sent; ended, it leaves no order working at the venue. A venue position the store does not
 * know stops a `wait` start, listing the difference.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { TestGateway } from '../../test/databento-gateway.js';
import { FixVenue, tagOf } from '../../test/fix-venue.js';
import { simulatedSpan } from '../../test/sim-fixture.js';
import { DbnDecoder, SymbolMap } from '../data/index.js';
import { openSqliteStore, stateStorePath } from '../infra/index.js';
import { loadConfig } from './config.js';
import { runLive } from './live.js';

const KEY = 'db-TestKey0000000000000ABCDE';
const FROM = Date.parse('2026-11-24T13:00:00Z');

describe('scalper live through FIX on the Databento feed', () => {
  const span = simulatedSpan({
    seed: 8,
    spot: false,
    zstd: false,
    from: '2026-11-24T13:00:00Z',
    minutes: 60,
    prefix: 'live-',
  });
  const dataDir = mkdtempSync(join(tmpdir(), 'live-data-'));
  const closers: (() => Promise<void>)[] = [];
  const key = process.env.DATABENTO_API_KEY;
  process.env.DATABENTO_API_KEY = KEY;
  after(async () => {
    if (key === undefined) delete process.env.DATABENTO_API_KEY;
    else process.env.DATABENTO_API_KEY = key;
    for (const c of closers) await c();
    rmSync(dataDir, { recursive: true, force: true });
  });

  /** The venue, the gateway and a configuration that trades 6E through them. */
  async function setUp(account = 'ACC-1') {
    const bytes = readFileSync(span.day.files.mbp10);
    const symbols = SymbolMap.fromMetadata(await DbnDecoder.fromBytes(bytes).readMetadata());
    const id = symbols.ids()[0];
    const symbology = { kind: 'security-id' as const, securityId: String(id), securityIdSource: '8' };
    const venue = await FixVenue.start({
      compId: 'VENUE',
      brokerCompId: 'SCALPER',
      heartbeatSeconds: 30,
      instruments: [{ instrumentId: id, tickRaw: 50_000, symbology }],
    });
    const gateway = await TestGateway.start({ key: KEY, dbn: bytes });
    closers.push(
      () => venue.close(),
      () => gateway.close(),
    );
    const config = loadConfig({
      env: { DATABENTO_API_KEY: KEY },
      flags: {
        source: 'test',
        values: {
          runtime: {
            dataDir,
            http: { port: 0 },
            databento: { symbols: ['6EZ6'], schemas: ['mbp-10'], gateway: gateway.address },
          },
          execution: {
            fix: {
              host: '127.0.0.1',
              port: venue.port,
              senderCompId: 'SCALPER',
              targetCompId: 'VENUE',
              account,
              storeDirectory: join(dataDir, 'fix'),
              symbology: { [String(id)]: symbology },
            },
          },
        },
      },
    });
    return { venue, gateway, config, id };
  }

  /** A clock at the data's time: the hour starts now. */
  function dataClock() {
    const offset = Date.now() - FROM;
    return { now: () => Date.now() - offset };
  }

  test('without --confirm ACCOUNT it refuses, naming venue and account, and connects to nothing', async () => {
    const { venue, config } = await setUp();
    const signal = new AbortController().signal;
    for (const confirm of [undefined, 'ACC-2']) {
      await assert.rejects(runLive(config, { confirm, signal }), (e: Error) => {
        assert.match(
          e.message,
          /sends real orders: FIX 4\.4 at 127\.0\.0\.1:\d+ as SCALPER → VENUE, account ACC-1/,
        );
        assert.match(e.message, /--confirm ACC-1/);
        return true;
      });
    }
    assert.equal(venue.received.length, 0);
  });

  test('confirmed, it trades through the venue with every order in the store first, and ends with none working', async () => {
    const { venue, config, id } = await setUp();
    // The venue fills market orders at its own quote: one near the simulated 6E's prices.
    await venue.harness.quote(1_159_950_000, 1_160_000_000);
    const ctl = new AbortController();
    const orders = () => venue.received.filter((m) => m.msgType === 'D');
    const watch = setInterval(() => {
      if (orders().length >= 3) ctl.abort();
    }, 50);
    const stop = setTimeout(() => ctl.abort(), 30_000);
    const { session } = await runLive(config, { confirm: 'ACC-1', signal: ctl.signal, clock: dataClock() });
    clearInterval(watch);
    clearTimeout(stop);
    const sent = orders();
    const why = session.trader.journal
      .slice(-4)
      .map((e) => `${e.kind}: ${e.detail}`)
      .join('; ');
    assert.ok(sent.length >= 3, `${sent.length} orders at the venue; ${why}`);
    assert.ok(session.trader.fills.length >= 1, 'the entry filled at the venue');
    for (const m of sent) assert.equal(tagOf(m.text, 1), 'ACC-1', 'Account(1) on every order');
    const store = openSqliteStore(stateStorePath(dataDir));
    try {
      for (const m of sent) {
        const o = await store.order(tagOf(m.text, 11) as string);
        assert.ok(o !== undefined, `ClOrdID ${tagOf(m.text, 11)} in the store`);
        assert.equal(o.spec.instrumentId, id);
      }
    } finally {
      await store.close();
    }
    assert.deepEqual(
      session.trader.broker.openOrders().map((o) => o.clientId),
      [],
      'nothing left working',
    );
  });
});
