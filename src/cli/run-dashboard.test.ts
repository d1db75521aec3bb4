/**
 * `scalper run --dashboard`: the four services in one process, watched. The page's state is the
 * services' (the market from featurize, the decisions and the account from execute, every record
 * counted); its controls hold the replay (market time stands still), pace it, refuse to go back,
 * and pause the run's entries; the run then goes on to its end and writes its files as without the
 * page.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { control, dashboardState, serveDashboard } from '../../test/dashboard.js';
import type { RunningScalper } from '../../test/fixtures.js';
import { simulatedSpan } from '../../test/sim-fixture.js';
import { until } from '../../test/until.js';

const TOKEN = 'run-dashboard-token';

/** A control with the token. */
function post(url: string, body: unknown): Promise<Response> {
  return control(url, body, TOKEN);
}

describe('scalper run --dashboard', () => {
  const span = simulatedSpan({
    seed: 13,
    spot: false,
    from: '2026-11-24T14:00:00Z',
    minutes: 30,
    prefix: 'run-dash-',
  });
  const dir = mkdtempSync(join(tmpdir(), 'run-dash-out-'));
  let running: RunningScalper | null = null;
  after(() => {
    running?.proc.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  });

  test("serves the services' state; holds, paces and pauses the run, which then ends as usual", async () => {
    const out = join(dir, 'out');
    const served = await serveDashboard(
      [
        'run',
        span.day.files.mbp10,
        span.day.files.trades,
        '--speed',
        '60',
        '--out',
        out,
        '--dashboard',
        '--dashboard-port',
        '0',
      ],
      { SCALPER_CONTROL_TOKEN: TOKEN },
      30_000,
    );
    running = served.running;
    const { url } = served;

    await until(async () => (await dashboardState(url)).decisions.length > 0, 'a decision', 60_000);
    const s = await dashboardState(url);
    assert.equal(s.session.name, 'run');
    assert.equal(s.session.mode, 'replay');
    assert.ok(
      s.markets.some((m) => m.ladder !== null && m.candles.length > 0),
      'the market from featurize',
    );
    assert.ok(s.feeds.length > 0 && s.feeds.every((f) => f.records > 0), 'records counted per instrument');

    assert.equal((await post(url, { action: 'hold' })).status, 200);
    await new Promise((r) => setTimeout(r, 300));
    const held = (await dashboardState(url)).session.nowMs;
    await new Promise((r) => setTimeout(r, 500));
    assert.equal((await dashboardState(url)).session.nowMs, held, 'held: market time stands still');
    const back = await post(url, { action: 'seek', value: (held as number) - 60_000 });
    assert.equal(back.status, 409);
    assert.equal((await post(url, { action: 'pause' })).status, 200);
    await until(async () => (await dashboardState(url)).risk.tradingPaused, 'the pause shown', 5_000);
    assert.equal((await post(url, { action: 'speed', value: 5_000 })).status, 200);
    assert.equal((await post(url, { action: 'play' })).status, 200);

    assert.equal(await served.running.exited, 0, served.running.output());
    running = null;
    assert.match(
      served.running.output(),
      /run done: .* records through ingest, featurize, decide and execute/,
    );
    for (const f of ['orders.csv', 'fills.csv', 'decisions.jsonl']) assert.ok(existsSync(join(out, f)), f);
  });
});
