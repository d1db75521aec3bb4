/**
 * The dashboard's server over real sockets, with a scripted model (the server's contract is the
 * model's interface; the session's model has tests of its own): a browser gets a snapshot, then
 * updates numbered without gaps that rebuild the model's state; however often the state changes,
 * at most `updateHz` messages a second go out; controls are refused without a token (403), with a
 * wrong one (401), malformed (400) or untakeable (409), and carried out with the right one; a
 * page of another origin cannot open the socket; a replaced model reaches every browser as a
 * snapshot.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { WebSocket } from 'ws';
import { until } from '../../test/until.js';
import { applyUpdate, emptyState } from './apply.js';
import {
  type ControlAnswer,
  type ControlRequest,
  type DashboardState,
  PROTOCOL_VERSION,
  type ServerMessage,
  type SnapshotMessage,
  type UpdateMessage,
} from './protocol.js';
import { DashboardServer, parseControl } from './server.js';
import { ControlRefused, type DashboardBackend, type DashboardModel } from './source.js';

function startState(nowMs: number): DashboardState {
  const base = emptyState({
    mode: 'replay',
    name: 'test',
    nowMs,
    speed: 1,
    held: false,
    range: { fromMs: 0, toMs: 1e6 },
    controls: true,
    ended: null,
  });
  return { ...base, portfolio: { ...base.portfolio, equity: 100_000 } };
}

/** A model whose clock moves when the test says, with an equity point each time. */
class ScriptedModel implements DashboardModel {
  #state: DashboardState;
  #seq = 0;
  #nowMs: number;
  #lastMs: number;
  samples = 0;

  constructor(startMs: number) {
    this.#nowMs = startMs;
    this.#lastMs = startMs;
    this.#state = startState(startMs);
  }

  move(ms: number): void {
    this.#nowMs += ms;
  }

  /** A name this long makes every update as big. */
  rename(name: string): void {
    this.#state = { ...this.#state, session: { ...this.#state.session, name } };
  }

  sample(): UpdateMessage | null {
    this.samples++;
    if (this.#nowMs === this.#lastMs) return null;
    this.#lastMs = this.#nowMs;
    const u: UpdateMessage = {
      type: 'update',
      v: PROTOCOL_VERSION,
      seq: ++this.#seq,
      session: { ...this.#state.session, nowMs: this.#nowMs },
      markets: [],
      decisions: [],
      portfolio: {
        ...this.#state.portfolio,
        fills: [],
        equityCurve: [{ t: this.#nowMs / 1000, v: 100_000 + this.#seq }],
      },
    };
    this.#state = applyUpdate(this.#state, u);
    return u;
  }

  snapshot(): SnapshotMessage {
    return { type: 'snapshot', v: PROTOCOL_VERSION, seq: this.#seq, state: this.#state };
  }
}

class ScriptedBackend implements DashboardBackend {
  current: ScriptedModel;
  readonly controls: ControlRequest[] = [];
  constructor(model: ScriptedModel) {
    this.current = model;
  }
  model(): DashboardModel {
    return this.current;
  }
  async control(req: ControlRequest): Promise<ControlAnswer> {
    if (req.action === 'seek') throw new ControlRefused('seeking a live feed is not possible');
    this.controls.push(req);
    return { ok: true, message: `${req.action} done` };
  }
}

const TOKEN = 'dashboard-test-token';
const dir = mkdtempSync(join(tmpdir(), 'dashboard-server-'));
const ASSET = join(dir, 'x.js');
writeFileSync(ASSET, 'export {};');
after(() => rmSync(dir, { recursive: true, force: true }));

async function startServer(backend: DashboardBackend, token: string | null, updateHz = 10) {
  return DashboardServer.start({
    backend,
    html: '<!doctype html><title>t</title>',
    assets: new Map([
      ['/assets/x.js', { path: '/assets/x.js', file: ASSET, contentType: 'text/javascript' }],
    ]),
    port: 0,
    token,
    updateHz,
  });
}

/** A browser: every message it got, parsed. */
function browser(url: string, origin?: string) {
  const messages: ServerMessage[] = [];
  const ws = new WebSocket(`${url.replace('http', 'ws')}ws`, origin === undefined ? {} : { origin });
  ws.on('message', (data) => messages.push(JSON.parse(String(data)) as ServerMessage));
  const opened = new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
    ws.once('unexpected-response', (_req, res) => reject(new Error(`refused with ${res.statusCode}`)));
  });
  return { ws, messages, opened };
}

function post(url: string, body: unknown, token?: string) {
  return fetch(`${url}api/control`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...(token === undefined ? {} : { authorization: `Bearer ${token}` }),
    },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
}

describe('dashboard server', () => {
  const closers: (() => Promise<void>)[] = [];
  after(async () => {
    for (const c of closers) await c();
  });

  test('a browser gets a snapshot, then updates without gaps that rebuild the state', async () => {
    const model = new ScriptedModel(1_000_000);
    const server = await startServer(new ScriptedBackend(model), TOKEN);
    closers.push(() => server.close());
    const b = browser(server.url);
    await b.opened;
    await until(() => b.messages.length >= 1, 'the snapshot');
    for (let i = 0; i < 5; i++) {
      model.move(1_000);
      server.flush();
    }
    await until(() => b.messages.length >= 6, 'five updates');
    const [first, ...rest] = b.messages;
    assert.equal(first.type, 'snapshot');
    let state = (first as SnapshotMessage).state;
    let seq = first.seq;
    for (const m of rest) {
      assert.equal(m.type, 'update');
      assert.equal(m.seq, seq + 1);
      seq = m.seq;
      state = applyUpdate(state, m as UpdateMessage);
    }
    assert.deepEqual(state, model.snapshot().state);
    assert.equal(state.session.nowMs, 1_005_000);
    assert.equal(state.portfolio.equityCurve.length, 5);
    // A second browser joins with the state as it is, at the same number.
    const late = browser(server.url);
    await late.opened;
    await until(() => late.messages.length >= 1, 'the late snapshot');
    assert.deepEqual(late.messages[0], model.snapshot());
    b.ws.close();
    late.ws.close();
  });

  test('a state that changes thousands of times a second reaches the browser at most updateHz times a second', async () => {
    const model = new ScriptedModel(0);
    const server = await startServer(new ScriptedBackend(model), null, 10);
    closers.push(() => server.close());
    const b = browser(server.url);
    await b.opened;
    const t0 = Date.now();
    let changes = 0;
    while (Date.now() - t0 < 1_000) {
      model.move(1);
      changes++;
      await new Promise((r) => setImmediate(r));
    }
    const got = b.messages.length;
    assert.ok(changes > 500, `${changes} changes`);
    // The snapshot and 10 updates in the second, one more for timer jitter at either end.
    assert.ok(got >= 8 && got <= 12, `${got} messages for ${changes} changes in one second`);
    b.ws.close();
  });

  test('controls: 403 without a token, 401 with a wrong one, 400 malformed, 409 untakeable, 200 carried out', async () => {
    const readOnly = await startServer(new ScriptedBackend(new ScriptedModel(0)), null);
    closers.push(() => readOnly.close());
    const r403 = await post(readOnly.url, { action: 'kill' }, TOKEN);
    assert.equal(r403.status, 403);
    assert.match(((await r403.json()) as { error: string }).error, /read-only: no control token/);

    const backend = new ScriptedBackend(new ScriptedModel(0));
    const server = await startServer(backend, TOKEN);
    closers.push(() => server.close());
    const r401 = await post(server.url, { action: 'kill' }, 'wrong');
    assert.equal(r401.status, 401);
    assert.equal((await post(server.url, { action: 'kill' })).status, 401);
    for (const bad of [
      '{',
      { action: 'explode' },
      { action: 'speed' },
      { action: 'speed', value: -2 },
      { action: 'kill', value: 1 },
      { action: 'kill', extra: 1 },
    ]) {
      const r = await post(server.url, bad, TOKEN);
      assert.equal(r.status, 400, JSON.stringify(bad));
      assert.ok(((await r.json()) as { error: string }).error.length > 10);
    }
    const r409 = await post(server.url, { action: 'seek', value: 1_700_000_000_000 }, TOKEN);
    assert.equal(r409.status, 409);
    assert.match(((await r409.json()) as { error: string }).error, /seeking a live feed/);
    assert.deepEqual(backend.controls, []);
    const ok = await post(server.url, { action: 'speed', value: 30 }, TOKEN);
    assert.equal(ok.status, 200);
    assert.deepEqual(await ok.json(), { ok: true, message: 'speed done' });
    assert.deepEqual(backend.controls, [{ action: 'speed', value: 30 }]);
  });

  test('a page of another origin cannot open the socket; the page, its assets and unknown paths', async () => {
    const server = await startServer(new ScriptedBackend(new ScriptedModel(0)), null);
    closers.push(() => server.close());
    const evil = browser(server.url, 'http://evil.example');
    await assert.rejects(evil.opened, /403/);
    const own = browser(server.url, server.url.slice(0, -1));
    await own.opened;
    own.ws.close();
    const page = await fetch(server.url);
    assert.equal(page.status, 200);
    assert.match(page.headers.get('content-security-policy') ?? '', /script-src 'self'/);
    const asset = await fetch(`${server.url}assets/x.js`);
    assert.equal(asset.headers.get('content-type'), 'text/javascript');
    assert.equal(await asset.text(), 'export {};');
    assert.equal((await fetch(`${server.url}nothing`)).status, 404);
    assert.equal((await fetch(`${server.url}api/control`)).status, 405);
    const state = (await (await fetch(`${server.url}api/state`)).json()) as SnapshotMessage;
    assert.equal(state.type, 'snapshot');
  });

  test('a replaced model reaches every browser as a snapshot', async () => {
    const backend = new ScriptedBackend(new ScriptedModel(0));
    const server = await startServer(backend, null);
    closers.push(() => server.close());
    const b = browser(server.url);
    await b.opened;
    await until(() => b.messages.length >= 1, 'the snapshot');
    backend.current = new ScriptedModel(5_000_000);
    server.flush();
    await until(() => b.messages.length >= 2, 'the new snapshot');
    const m = b.messages[1] as SnapshotMessage;
    assert.equal(m.type, 'snapshot');
    assert.equal(m.state.session.nowMs, 5_000_000);
    b.ws.close();
  });

  test('a browser that stops reading is skipped, not queued for, and gets a snapshot once it reads again', async () => {
    const model = new ScriptedModel(0);
    model.rename('x'.repeat(256 * 1024));
    const server = await DashboardServer.start({
      backend: new ScriptedBackend(model),
      html: '',
      assets: new Map(),
      port: 0,
      token: null,
      updateHz: 50,
      maxBufferedBytes: 1024 * 1024,
    });
    closers.push(() => server.close());
    const b = browser(server.url);
    await b.opened;
    await until(() => b.messages.length >= 1, 'the snapshot');
    const socket = (b.ws as unknown as { _socket: { pause(): void; resume(): void } })._socket;
    socket.pause();
    const sentBefore = server.sent;
    for (let i = 0; i < 200; i++) {
      model.move(1);
      server.flush();
    }
    // 200 updates of 256 KiB are 50 MiB: far fewer went out once the socket was full.
    const sentWhilePaused = server.sent - sentBefore;
    assert.ok(
      sentWhilePaused < 100,
      `${sentWhilePaused} of 200 updates sent to a browser that reads nothing`,
    );
    socket.resume();
    await until(() => b.messages.slice(1).some((m) => m.type === 'snapshot'), 'a fresh snapshot', 10_000);
    const snapshots = b.messages.filter((m) => m.type === 'snapshot');
    const fresh = snapshots[snapshots.length - 1] as SnapshotMessage;
    assert.equal(fresh.state.session.nowMs, model.snapshot().state.session.nowMs);
    b.ws.close();
  });

  test('a request addressed to another host name is refused (421), and a reset refused upgrade harms nothing', async () => {
    const server = await startServer(new ScriptedBackend(new ScriptedModel(0)), null);
    closers.push(() => server.close());
    const port = new URL(server.url).port;
    const status = (host: string) =>
      new Promise<number>((resolve, reject) => {
        const req = request({ host: '127.0.0.1', port, path: '/api/state', headers: { host } }, (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        });
        req.on('error', reject);
        req.end();
      });
    // A site that points its own name at 127.0.0.1 (DNS rebinding) is refused; loopback names are not.
    assert.equal(await status(`evil.example:${port}`), 421);
    assert.equal(await status(`localhost:${port}`), 200);
    assert.equal(await status(`127.0.0.1:${port}`), 200);
    const evil = browser(server.url.replace('127.0.0.1', 'localhost'), `http://evil.example:${port}`);
    await assert.rejects(evil.opened, /403/);
    // An upgrade to a wrong path, then a reset: the socket's error is absorbed.
    await new Promise<void>((resolve) => {
      const sock = connect(Number(port), '127.0.0.1', () => {
        sock.write(
          `GET /nope HTTP/1.1\r\nhost: 127.0.0.1:${port}\r\nconnection: upgrade\r\nupgrade: websocket\r\nsec-websocket-version: 13\r\nsec-websocket-key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n`,
        );
        sock.resetAndDestroy();
        setTimeout(resolve, 200);
      });
      sock.on('error', () => {});
    });
    assert.equal((await fetch(`${server.url}api/state`)).status, 200, 'the server still answers');
  });

  test('a missing asset is named when the server starts', async () => {
    await assert.rejects(
      DashboardServer.start({
        backend: new ScriptedBackend(new ScriptedModel(0)),
        html: '',
        assets: new Map([
          [
            '/assets/y.js',
            { path: '/assets/y.js', file: join(dir, 'absent.js'), contentType: 'text/javascript' },
          ],
        ]),
        port: 0,
      }),
      /the dashboard's \/assets\/y.js is missing: cannot read .*absent\.js.*npm run build makes it/,
    );
  });

  test('parseControl names what is wrong', () => {
    assert.deepEqual(parseControl('{"action":"hold"}'), { action: 'hold' });
    assert.throws(() => parseControl('[]'), /must be a JSON object/);
    assert.throws(() => parseControl('{"action":"seek","value":"soon"}'), /"seek" needs "value": a number/);
  });
});
