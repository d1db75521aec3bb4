/**
 * `scalper paper --dashboard`: the session's page beside its replay. The state it serves is the
 * session's (mode replay, its name, the market moving); its controls pause the session's entries
 * and pace the replay, refuse to go back in time (409: a paper session keeps its orders and state
 * store) and, without SCALPER_CONTROL_TOKEN, are refused as read-only (403). The page closes with
 * the session.
 */
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { scalperBin } from '../../test/fixtures.js';
import { simulatedSpan } from '../../test/sim-fixture.js';
import type { SnapshotMessage } from '../server/index.js';

const TOKEN = 'paper-dashboard-token';

/** `scalper paper FILES --dashboard` running, with the page's URL it printed. */
async function paper(files: readonly string[], dataDir: string, env: NodeJS.ProcessEnv) {
  const proc = spawn(
    process.execPath,
    [
      scalperBin(),
      'paper',
      ...files,
      '--speed',
      '30',
      '--data-dir',
      dataDir,
      '--port',
      '0',
      '--dashboard',
      '--dashboard-port',
      '0',
    ],
    {
      env: { ...process.env, NO_COLOR: '1', SCALPER_LOG_LEVEL: 'warn', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let out = '';
  const collect = (b: Buffer) => {
    out += b.toString();
  };
  proc.stdout?.on('data', collect);
  proc.stderr?.on('data', collect);
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no dashboard URL within 60 s:\n${out}`)), 60_000);
    proc.stderr?.on('data', () => {
      const m = /dashboard: (http:\/\/\S+)/.exec(out);
      if (m !== null) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    });
    proc.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`scalper paper exited ${code}:\n${out}`));
    });
  });
  return { proc, url, out: () => out };
}

function post(url: string, body: unknown, token?: string): Promise<Response> {
  return fetch(`${url}api/control`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...(token === undefined ? {} : { authorization: `Bearer ${token}` }),
    },
    body: JSON.stringify(body),
  });
}

async function state(url: string): Promise<SnapshotMessage['state']> {
  return ((await (await fetch(`${url}api/state`)).json()) as SnapshotMessage).state;
}

async function stop(proc: ChildProcess): Promise<void> {
  if (proc.exitCode !== null) return;
  proc.kill('SIGINT');
  await new Promise((r) => proc.once('exit', r));
}

describe('scalper paper --dashboard', () => {
  const span = simulatedSpan({
    seed: 5,
    spot: false,
    from: '2026-11-24T14:00:00Z',
    minutes: 30,
    prefix: 'paper-dash-',
  });
  const dirs: string[] = [];
  const procs: ChildProcess[] = [];
  after(async () => {
    for (const p of procs) await stop(p);
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });
  const files = () => [span.day.files.mbp10, span.day.files.trades];
  const dataDir = () => {
    const d = mkdtempSync(join(tmpdir(), 'paper-dash-data-'));
    dirs.push(d);
    return d;
  };

  test("serves the session's state; pauses its entries and paces its replay; never goes back", async () => {
    const p = await paper(files(), dataDir(), { SCALPER_CONTROL_TOKEN: TOKEN });
    procs.push(p.proc);
    let s = await state(p.url);
    for (let i = 0; i < 100 && s.session.nowMs === null; i++) {
      await new Promise((r) => setTimeout(r, 100));
      s = await state(p.url);
    }
    assert.equal(s.session.mode, 'replay');
    assert.equal(s.session.name, 'paper');
    assert.equal(s.session.controls, true);
    assert.ok(s.session.nowMs !== null && s.session.nowMs >= Date.parse('2026-11-24T14:00:00Z'));

    const paused = await post(p.url, { action: 'pause' }, TOKEN);
    assert.equal(paused.status, 200);
    assert.match(((await paused.json()) as { message: string }).message, /paused/);
    await new Promise((r) => setTimeout(r, 300));
    assert.equal((await state(p.url)).risk.tradingPaused, true);

    assert.equal((await post(p.url, { action: 'hold' }, TOKEN)).status, 200);
    await new Promise((r) => setTimeout(r, 300));
    const held = (await state(p.url)).session;
    assert.equal(held.held, true);
    const back = await post(p.url, { action: 'seek', value: (held.nowMs as number) - 60_000 }, TOKEN);
    assert.equal(back.status, 409);
    assert.match(((await back.json()) as { error: string }).error, /goes forward only/);
    assert.equal((await post(p.url, { action: 'speed', value: 600 }, TOKEN)).status, 200);
    assert.equal((await post(p.url, { action: 'play' }, TOKEN)).status, 200);
    await stop(p.proc);
    assert.match(p.out(), /paper session|session folder/);
  });

  test('without a token the page is read-only: controls are refused with 403', async () => {
    const p = await paper(files(), dataDir(), { SCALPER_CONTROL_TOKEN: '' });
    procs.push(p.proc);
    assert.match(p.out(), /read-only: set SCALPER_CONTROL_TOKEN/);
    const r = await post(p.url, { action: 'kill' }, 'anything');
    assert.equal(r.status, 403);
    assert.match(((await r.json()) as { error: string }).error, /read-only/);
    assert.equal((await state(p.url)).session.controls, false);
    await stop(p.proc);
  });
});
