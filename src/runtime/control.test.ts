/**
 * The control endpoint over real HTTP on loopback, around paper sessions on a simulated half hour
 * of 6E: the metrics it serves are the session's (orders, fills, decisions and refusals counted
 * from the trader and the loop), readiness follows the feed and the books' trust, the kill switch
 * needs the configured token, and hostile requests get an error status while the server goes on.
 */
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { after, describe, test } from 'node:test';
import { parsePrometheusText, promSum } from '../../test/prometheus-text.js';
import { ofiSetup } from '../../test/session.js';
import { simulatedSpan } from '../../test/sim-fixture.js';
import { FeedHealth } from '../book/index.js';
import { ControlServer, type ControlServerOptions } from './control.js';
import { FileFeed, type FileFeedOptions } from './file-feed.js';
import { SessionMetrics } from './metrics.js';
import { type Feed, TradingSession } from './session.js';

const setup = ofiSetup;

const TOKEN = 'c0ntrol-t0ken-for-tests';

/** Every metric the issue names, by its name here. */
const NAMED = [
  'scalper_feed_records_total',
  'scalper_feed_events_per_second',
  'scalper_feed_lag_seconds',
  'scalper_feature_update_seconds',
  'scalper_decision_tier_seconds',
  'scalper_decisions_total',
  'scalper_orders_total',
  'scalper_fills_total',
  'scalper_rejections_total',
  'scalper_pnl_usd',
  'scalper_risk_daily_loss_used_ratio',
  'scalper_kill_switch',
  'scalper_model_calls_total',
  'scalper_cache_hit_ratio',
  'scalper_book_trusted',
];

/** A session on the span's files whose records also feed a feed-health monitor, as a live feed's would. */
function monitoredSession(files: string[], feedOpts: FileFeedOptions = { speed: 0 }, wall?: () => number) {
  const health = new FeedHealth();
  const inner = new FileFeed(files, feedOpts);
  let session: TradingSession | undefined;
  const feed: Feed = {
    clock: inner.clock,
    speed: inner.speed,
    run: (sink) =>
      inner.run({
        engine: sink.engine,
        warm: (b, i) => sink.warm(b, i),
        push: (b, i) => {
          sink.push(b, i);
          health.update(b.at(i), (session as TradingSession).loop.engine.lastBook);
        },
      }),
  };
  session = new TradingSession({ setup, feed });
  const metrics = new SessionMetrics({ trust: health, sampleEveryMs: 200, wall }).attach(session);
  return { session, health, metrics };
}

const servers: ControlServer[] = [];
after(async () => {
  for (const s of servers) await s.close();
});

async function serve(opts: Omit<ControlServerOptions, 'port'>): Promise<string> {
  const server = new ControlServer({ ...opts, port: 0 });
  servers.push(server);
  await server.listen();
  return server.url;
}

/** Sends `raw` bytes on a fresh connection and returns what came back before it closed. */
function rawRequest(
  url: string,
  write: (send: (chunk: string | Buffer) => boolean) => void,
): Promise<string> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const socket = connect(Number(port), hostname);
    let got = '';
    socket.on('data', (d) => {
      got += d.toString('latin1');
    });
    // The server may close while we still send: what it answered is what counts.
    socket.on('error', () => undefined);
    socket.on('close', () => resolve(got));
    socket.on('connect', () => write((c) => socket.write(c)));
  });
}

describe('control endpoint', () => {
  const span = simulatedSpan({
    seed: 13,
    spot: false,
    from: '2026-11-24T14:00:00Z',
    minutes: 30,
    prefix: 'control-',
  });
  const files = () => [span.day.files.mbp10, span.day.files.trades];

  test('the metrics endpoint serves every named metric in the Prometheus text format, counting what the session did', async () => {
    // The rates' wall clock stands still through the replay, then moves 2 s on.
    let wallMs = 0;
    const { session, metrics } = monitoredSession(files(), { speed: 0 }, () => wallMs);
    const url = await serve({ session, metrics, token: null });
    const { feed } = await session.run();
    metrics.close();
    wallMs = 2_000;
    const res = await fetch(`${url}/metrics`);
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /^text\/plain; version=0\.0\.4/);
    const e = parsePrometheusText(await res.text());
    for (const name of NAMED) assert.ok(e.types.has(name), `${name} is served`);
    const t = session.trader;
    assert.ok(t.orderCount > 2 && t.fills.length > 2, `${t.orderCount} orders, ${t.fills.length} fills`);
    assert.equal(promSum(e, 'scalper_orders_total'), t.orderCount);
    assert.equal(promSum(e, 'scalper_fills_total'), t.fills.length);
    for (const liquidity of ['maker', 'taker'])
      assert.equal(
        promSum(e, 'scalper_fills_total', { liquidity }),
        t.fills.filter((f) => f.liquidity === liquidity).length,
        liquidity,
      );
    const decisions = session.loop.decisions;
    assert.equal(promSum(e, 'scalper_decisions_total'), decisions.length);
    for (const route of new Set(decisions.map((d) => d.route)))
      assert.equal(
        promSum(e, 'scalper_decisions_total', { route }),
        decisions.filter((d) => d.route === route).length,
      );
    assert.equal(promSum(e, 'scalper_decision_tier_seconds_count', { tier: 'total' }), decisions.length);
    const refused = t.journal.filter((j) => j.kind === 'refused').length;
    assert.equal(promSum(e, 'scalper_rejections_total', { source: 'risk' }), refused);
    assert.equal(promSum(e, 'scalper_feed_records_total'), feed.records);
    assert.equal(promSum(e, 'scalper_feed_events_per_second'), feed.records / 2);
    // Records 0, 1024, 2048, … of the feed are timed.
    assert.equal(
      promSum(e, 'scalper_feature_update_seconds_count'),
      Math.floor((feed.records - 1) / 1024) + 1,
    );
    assert.equal(promSum(e, 'scalper_pnl_usd', { kind: 'equity' }), t.portfolio.equity());
    assert.equal(promSum(e, 'scalper_kill_switch'), 0);
    assert.equal(promSum(e, 'scalper_model_calls_total'), 0, 'no model is configured');
    const trusted = e.samples.filter((s) => s.name === 'scalper_book_trusted');
    assert.ok(trusted.length >= 1 && trusted.every((s) => s.value === 1 && /^6E/.test(s.labels.instrument)));
  });

  test('/health is 503 before the first record, 200 while a healthy feed runs and 503 once it ended', async () => {
    const ctl = new AbortController();
    const { session, health, metrics } = monitoredSession(files(), { speed: 30, signal: ctl.signal });
    const url = await serve({ session, metrics, trust: health, token: null });
    const before = await fetch(`${url}/health`);
    assert.equal(before.status, 503);
    assert.ok(((await before.json()) as { reasons: string[] }).reasons.includes('feed: no record yet'));
    const running = session.run(ctl.signal);
    let ready: unknown = null;
    for (let i = 0; i < 200 && ready === null; i++) {
      const r = await fetch(`${url}/health`);
      if (r.status === 200) ready = await r.json();
      else await new Promise((done) => setTimeout(done, 50));
    }
    ctl.abort();
    await running;
    metrics.close();
    assert.deepEqual(ready, { ready: true });
    const ended = await fetch(`${url}/health`);
    assert.equal(ended.status, 503);
    const body = (await ended.json()) as { ready: boolean; reasons: string[] };
    assert.equal(body.ready, false);
    assert.ok(body.reasons.includes('session ended: session stopped'), body.reasons.join('; '));
  });

  test('without a monitor of the books /health is never ready, and says why', async () => {
    const { session, metrics } = monitoredSession(files());
    const url = await serve({ session, metrics, token: null });
    const r = await fetch(`${url}/health`);
    assert.equal(r.status, 503);
    assert.ok(
      ((await r.json()) as { reasons: string[] }).reasons.includes(
        'books: no feed-health monitor, trust unknown',
      ),
    );
  });

  test('POST /kill is refused without a configured token (403) and with a wrong one (401)', async () => {
    const { session, metrics } = monitoredSession(files());
    const open = await serve({ session, metrics, token: null });
    const r403 = await fetch(`${open}/kill`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TOKEN}` },
    });
    assert.equal(r403.status, 403);
    assert.match(((await r403.json()) as { error: string }).error, /SCALPER_CONTROL_TOKEN/);
    const guarded = await serve({ session, metrics, token: TOKEN });
    for (const authorization of [undefined, 'Bearer wrong', `Basic ${TOKEN}`, `Bearer ${TOKEN}x`]) {
      const r = await fetch(`${guarded}/kill`, {
        method: 'POST',
        headers: authorization === undefined ? {} : { authorization },
      });
      assert.equal(r.status, 401, String(authorization));
    }
    assert.equal(session.trader.risk.killed, false);
  });

  test('POST /kill with the token pulls the switch: no order goes out after it, each refused KILL_SWITCH', async () => {
    const { session, metrics } = monitoredSession(files());
    const url = await serve({ session, metrics, token: TOKEN });
    const r = await fetch(`${url}/kill`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ reason: 'desk says stop' }),
    });
    assert.equal(r.status, 200);
    const body = (await r.json()) as { killed: boolean; reason: string; status: { risk: string } };
    assert.deepEqual([body.killed, body.reason, body.status.risk], [true, 'desk says stop', 'killed']);
    assert.equal(session.trader.risk.killed, true);
    await session.run();
    metrics.close();
    const t = session.trader;
    assert.equal(t.orderCount, 0);
    const refusals = t.journal.filter((j) => j.kind === 'refused');
    assert.ok(refusals.length > 0 && refusals.every((j) => j.detail.startsWith('KILL_SWITCH:')));
    const e = parsePrometheusText(await (await fetch(`${url}/metrics`)).text());
    assert.equal(promSum(e, 'scalper_kill_switch'), 1);
    assert.equal(promSum(e, 'scalper_rejections_total', { reason: 'KILL_SWITCH' }), refusals.length);
    const reset = await fetch(`${url}/kill/reset`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TOKEN}` },
    });
    assert.equal(reset.status, 200);
    assert.equal(t.risk.killed, false);
  });

  test('/status is the session status as JSON; unknown paths 404, other methods 405', async () => {
    const { session, metrics } = monitoredSession(files());
    const url = await serve({ session, metrics, token: TOKEN });
    const st = await fetch(`${url}/status`);
    assert.equal(st.status, 200);
    const body = (await st.json()) as Record<string, unknown>;
    // Before a record: no clock yet (NaN goes out as null), nothing done.
    assert.deepEqual([body.records, body.orders, body.nowMs, body.risk], [0, 0, null, 'trading']);
    assert.equal((await fetch(`${url}/nowhere`)).status, 404);
    const wrong = await fetch(`${url}/metrics`, { method: 'DELETE' });
    assert.equal(wrong.status, 405);
    assert.equal(wrong.headers.get('allow'), 'GET');
    assert.equal((await fetch(`${url}/kill`)).status, 405);
    const taken = new ControlServer({ session, metrics, port: Number(new URL(url).port) });
    await assert.rejects(
      taken.listen(),
      new RegExp(`control endpoint on 127\\.0\\.0\\.1:${new URL(url).port}: .*EADDRINUSE`),
    );
  });

  test('hostile requests get an error status and the server keeps serving', async () => {
    const { session, metrics } = monitoredSession(files());
    const url = await serve({ session, metrics, token: TOKEN });
    const tenMb = Buffer.alloc(10 * 1024 * 1024, 0x61);
    const announced = await rawRequest(url, (send) => {
      send(
        `POST /kill HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${TOKEN}\r\nContent-Type: text/plain\r\nContent-Length: ${tenMb.length}\r\n\r\n`,
      );
      send(tenMb);
    });
    assert.match(announced, /^HTTP\/1\.1 413 /);
    const chunked = await rawRequest(url, (send) => {
      send(
        `POST /kill HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${TOKEN}\r\nTransfer-Encoding: chunked\r\n\r\n`,
      );
      send(`${tenMb.length.toString(16)}\r\n`);
      send(tenMb);
      send('\r\n0\r\n\r\n');
    });
    assert.match(chunked, /^HTTP\/1\.1 413 /);
    assert.equal(session.trader.risk.killed, false, 'a refused body pulls nothing');
    const garbage = await rawRequest(url, (send) => send('\u0000\u0001GARBAGE \u00ff\r\n\r\n'));
    assert.match(garbage, /^HTTP\/1\.1 400 /);
    const hugeHeader = await rawRequest(url, (send) =>
      send(`GET /status HTTP/1.1\r\nHost: x\r\nX-Big: ${'b'.repeat(64 * 1024)}\r\n\r\n`),
    );
    assert.match(hugeHeader, /^HTTP\/1\.1 431 /);
    const badJson = await fetch(`${url}/kill`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
      body: '{"reason":',
    });
    assert.equal(badJson.status, 400);
    assert.equal(session.trader.risk.killed, false);
    assert.equal((await fetch(`${url}/status`)).status, 200);
  });
});
