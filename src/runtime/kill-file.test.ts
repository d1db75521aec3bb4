/**
 * The kill file: its appearance pulls a session's kill switch within a second (the watcher looks
 * every 500 ms), a session started under it starts killed, its removal clears the switch it pulled;
 * `scalper kill` writes and removes it in the configured data folder and asks a running session
 * over HTTP with the token.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { runScalper } from '../../test/fixtures.js';
import { executionConfig } from '../execution/index.js';
import { analystsTier, DEFAULT_PIPELINE_CONFIG } from '../pipeline/index.js';
import { ControlServer, startSessionControl } from './control.js';
import { FileFeed } from './file-feed.js';
import { killFilePath, sessionKillFile } from './kill-file.js';
import { SessionMetrics } from './metrics.js';
import { TradingSession } from './session.js';

const tmp = mkdtempSync(join(tmpdir(), 'kill-file-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

function session(): TradingSession {
  return new TradingSession({
    setup: { tier1: analystsTier([]), pipeline: DEFAULT_PIPELINE_CONFIG, execution: executionConfig() },
    feed: new FileFeed([], { speed: 0 }),
  });
}

/** Resolves with the ms it took `cond` to hold, polled every 10 ms, or rejects after `limitMs`. */
async function within(limitMs: number, cond: () => boolean): Promise<number> {
  const t0 = Date.now();
  while (!cond()) {
    if (Date.now() - t0 > limitMs) throw new Error(`not within ${limitMs} ms`);
    await new Promise((r) => setTimeout(r, 10));
  }
  return Date.now() - t0;
}

/** A loopback port nothing listens on. */
async function closedPort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as { port: number }).port;
  await new Promise((r) => s.close(r));
  return port;
}

describe('kill file', () => {
  test('its appearance pulls the switch within a second, with its text as the reason; its removal clears it', async () => {
    const path = join(tmp, 'a', 'KILL');
    const s = session();
    const watcher = sessionKillFile(s, path);
    assert.equal(watcher.start(), false);
    mkdirSync(join(tmp, 'a'));
    writeFileSync(path, 'spread blew out\nmore text\n');
    await within(1_000, () => s.trader.risk.killed);
    const kill = s.trader.journal.find((j) => j.kind === 'kill');
    assert.equal(kill?.detail, 'kill file: spread blew out');
    rmSync(path);
    await within(1_000, () => !s.trader.risk.killed);
    watcher.stop();
  });

  test('a session started under the kill file starts with the switch on', () => {
    const path = join(tmp, 'b-KILL');
    writeFileSync(path, '');
    const s = session();
    const watcher = sessionKillFile(s, path);
    assert.equal(watcher.start(), true);
    watcher.stop();
    assert.equal(s.trader.risk.killed, true);
    assert.equal(s.trader.journal.at(-1)?.detail, `kill file: kill file ${path}`);
  });

  test('startSessionControl: a kill file already there kills the session before it runs; port 0 serves nothing', async () => {
    const killed = session();
    const held = join(tmp, 'held');
    mkdirSync(held);
    writeFileSync(join(held, 'KILL'), 'closed for the holiday\n');
    const off = await startSessionControl(killed, { dataDir: held, http: { host: '127.0.0.1', port: 0 } });
    assert.equal(off.server, null);
    assert.equal(killed.trader.risk.killed, true);
    assert.equal(killed.trader.journal.at(-1)?.detail, 'kill file: closed for the holiday');
    await off.close();
    const free = session();
    const port = await closedPort();
    const on = await startSessionControl(free, {
      dataDir: join(tmp, 'free'),
      http: { host: '127.0.0.1', port },
    });
    try {
      assert.equal(on.server?.url, `http://127.0.0.1:${port}`);
      assert.equal((await fetch(`http://127.0.0.1:${port}/status`)).status, 200);
      assert.equal(free.trader.risk.killed, false);
    } finally {
      await on.close();
    }
  });

  test('its place is runtime.killFile, else KILL in runtime.dataDir', () => {
    assert.equal(killFilePath({ dataDir: '/srv/scalper' }), '/srv/scalper/KILL');
    assert.equal(killFilePath({ dataDir: '/srv/scalper', killFile: '/run/stop' }), '/run/stop');
  });
});

describe('scalper kill', () => {
  const dataDir = join(tmp, 'data');
  const config = join(tmp, 'config.json');
  writeFileSync(config, JSON.stringify({ runtime: { dataDir } }));
  const file = join(dataDir, 'KILL');

  test('writes the kill file in the configured data folder and --reset removes it', async () => {
    const w = await runScalper(['kill', '--config', config, '--reason', 'news at 13:30']);
    assert.equal(w.status, 0, w.stderr);
    assert.match(w.stdout, new RegExp(`kill file written: ${file}`));
    assert.equal(readFileSync(file, 'utf8'), 'news at 13:30\n');
    const r = await runScalper(['kill', '--config', config, '--reset']);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, new RegExp(`kill file removed: ${file}`));
    assert.equal(existsSync(file), false);
    const again = await runScalper(['kill', '--config', config, '--reset']);
    assert.match(again.stdout, new RegExp(`no kill file at ${file}`));
  });

  test('--url asks a running session with the token, and says clearly what went wrong', async () => {
    const s = session();
    const server = new ControlServer({
      session: s,
      metrics: new SessionMetrics(),
      port: 0,
      token: 'tok-123',
    });
    await server.listen();
    try {
      const noToken = await runScalper(['kill', '--url', server.url], {
        env: { SCALPER_CONTROL_TOKEN: undefined },
      });
      assert.equal(noToken.status, 2);
      assert.match(noToken.stderr, /SCALPER_CONTROL_TOKEN is not set/);
      const wrong = await runScalper(['kill', '--url', server.url], {
        env: { SCALPER_CONTROL_TOKEN: 'nope' },
      });
      assert.equal(wrong.status, 2);
      assert.match(wrong.stderr, /answered 401/);
      assert.equal(s.trader.risk.killed, false);
      const port = await closedPort();
      const refused = await runScalper(['kill', '--url', `http://127.0.0.1:${port}`], {
        env: { SCALPER_CONTROL_TOKEN: 'tok-123' },
      });
      assert.equal(refused.status, 2);
      assert.match(
        refused.stderr,
        new RegExp(`cannot reach the session at http://127.0.0.1:${port}: connection refused`),
      );
      const right = await runScalper(['kill', '--url', server.url, '--reason', 'desk'], {
        env: { SCALPER_CONTROL_TOKEN: 'tok-123' },
      });
      assert.equal(right.status, 0, right.stderr);
      assert.match(right.stdout, /kill switch pulled at http:\/\/127\.0\.0\.1:\d+: desk/);
      assert.equal(s.trader.risk.killed, true);
      const reset = await runScalper(['kill', '--url', server.url, '--reset'], {
        env: { SCALPER_CONTROL_TOKEN: 'tok-123' },
      });
      assert.equal(reset.status, 0, reset.stderr);
      assert.equal(s.trader.risk.killed, false);
    } finally {
      await server.close();
    }
  });

  test('POST /kill/reset is refused while the kill file is there', async () => {
    const path = join(tmp, 'c-KILL');
    writeFileSync(path, 'held');
    const s = session();
    s.kill('test');
    const server = new ControlServer({
      session: s,
      metrics: new SessionMetrics(),
      port: 0,
      token: 't',
      killFile: path,
    });
    await server.listen();
    try {
      const r = await fetch(`${server.url}/kill/reset`, {
        method: 'POST',
        headers: { authorization: 'Bearer t' },
      });
      assert.equal(r.status, 409);
      assert.match(((await r.json()) as { error: string }).error, /kill file .*c-KILL is there/);
      assert.equal(s.trader.risk.killed, true);
    } finally {
      await server.close();
    }
  });
});
