/**
 * `scalper paper --dashboard`: the session's page beside its replay. The state it serves is the
 * session's (mode replay, its name, the market moving); its controls pause the session's entries
 * and pace the replay, refuse to go back in time (409: a paper session keeps its orders and state
 * store) and, without SCALPER_CONTROL_TOKEN, are refused as read-only (403). The page closes with
 * the session.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { control, dashboardState, type ServedDashboard, serveDashboard } from '../../test/dashboard.js';
import { simulatedSpan } from '../../test/sim-fixture.js';

const TOKEN = 'paper-dashboard-token';

/** `scalper paper FILES --dashboard` running, with the page's URL it printed. */
function paper(files: readonly string[], dataDir: string, env: NodeJS.ProcessEnv): Promise<ServedDashboard> {
  return serveDashboard(
    [
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
    env,
    60_000,
  );
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
  const served: ServedDashboard[] = [];
  after(async () => {
    for (const p of served) await p.running.stop();
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
    served.push(p);
    let s = await dashboardState(p.url);
    for (let i = 0; i < 100 && s.session.nowMs === null; i++) {
      await new Promise((r) => setTimeout(r, 100));
      s = await dashboardState(p.url);
    }
    assert.equal(s.session.mode, 'replay');
    assert.equal(s.session.name, 'paper');
    assert.equal(s.session.controls, true);
    assert.ok(s.session.nowMs !== null && s.session.nowMs >= Date.parse('2026-11-24T14:00:00Z'));

    const paused = await control(p.url, { action: 'pause' }, TOKEN);
    assert.equal(paused.status, 200);
    assert.match(((await paused.json()) as { message: string }).message, /paused/);
    await new Promise((r) => setTimeout(r, 300));
    assert.equal((await dashboardState(p.url)).risk.tradingPaused, true);

    assert.equal((await control(p.url, { action: 'hold' }, TOKEN)).status, 200);
    await new Promise((r) => setTimeout(r, 300));
    const held = (await dashboardState(p.url)).session;
    assert.equal(held.held, true);
    const back = await control(p.url, { action: 'seek', value: (held.nowMs as number) - 60_000 }, TOKEN);
    assert.equal(back.status, 409);
    assert.match(((await back.json()) as { error: string }).error, /goes forward only/);
    assert.equal((await control(p.url, { action: 'speed', value: 600 }, TOKEN)).status, 200);
    assert.equal((await control(p.url, { action: 'play' }, TOKEN)).status, 200);
    await p.running.stop();
    assert.match(p.running.output(), /paper session|session folder/);
  });

  test('without a token the page is read-only: controls are refused with 403', async () => {
    const p = await paper(files(), dataDir(), { SCALPER_CONTROL_TOKEN: '' });
    served.push(p);
    assert.match(p.running.output(), /read-only: set SCALPER_CONTROL_TOKEN/);
    const r = await control(p.url, { action: 'kill' }, 'anything');
    assert.equal(r.status, 403);
    assert.match(((await r.json()) as { error: string }).error, /read-only/);
    assert.equal((await dashboardState(p.url)).session.controls, false);
    await p.running.stop();
  });
});
