/**
 * `scalper serve` end to end, in Debian's Chromium driven by playwright-core: the command replays a
 * simulated 6E day (its own, made without files) into a paper session and serves the dashboard;
 * the page loads with no console error; the chart, the ladder and the agent board fill and follow
 * the server's state; a control without the token is refused with its status; with the token, the
 * kill switch flattens the paper position and the page shows the account flat and the switch on;
 * a reloaded page gets the server's state again. A screenshot is kept in test-artifacts/serve/.
 */
import assert from 'node:assert/strict';
import { appendFileSync, copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { after, describe, test } from 'node:test';
import type { Page } from 'playwright-core';
import { artifactsDir, ensureChromium, launchChromium } from '../../test/browser.js';
import { control, dashboardState, serveDashboard } from '../../test/dashboard.js';
import { type RunningScalper, runScalper } from '../../test/fixtures.js';
import { simulatedSpan } from '../../test/sim-fixture.js';
import { until } from '../../test/until.js';
import type { DashboardState } from '../server/index.js';

const TOKEN = 'serve-test-token';

// The page's globals, as far as the functions run in it use them (the project compiles without the DOM library).
declare const document: {
  querySelector(selector: string): { readonly textContent: string | null } | null;
  querySelectorAll(selector: string): ArrayLike<{ getAttribute(name: string): string | null }>;
};
declare const window: unknown;

/** A control with the token. */
function controlled(url: string, action: string, value?: number): Promise<Response> {
  return control(url, value === undefined ? { action } : { action, value }, TOKEN);
}

/** The page's state (window.dashboard.state). */
function pageState(page: Page): Promise<DashboardState | null> {
  return page.evaluate(
    () => (window as unknown as { dashboard: { state: DashboardState | null } }).dashboard.state,
  );
}

describe('scalper serve in Chromium', () => {
  let running: RunningScalper | null = null;
  after(() => {
    running?.proc.kill('SIGKILL');
  });

  test('the dashboard follows a replay, refuses a control without the token and kills with it', async (t) => {
    const why = ensureChromium();
    if (why !== null) {
      t.skip(why);
      return;
    }
    const served = await serveDashboard(['serve', '--minutes', '120', '--speed', '60', '--port', '0'], {
      SCALPER_CONTROL_TOKEN: TOKEN,
    });
    running = served.running;
    const { url } = served;
    const browser = await launchChromium({ width: 1440, height: 1000 });
    try {
      const page = await browser.context.newPage();
      const errors: string[] = [];
      page.on('console', (m) => {
        if (m.type() === 'error') errors.push(m.text());
      });
      page.on('pageerror', (e) => errors.push(e.message));
      page.on('dialog', (d) => void d.accept());
      await page.goto(url);
      await page.waitForFunction(() => document.querySelector('#conn')?.textContent?.includes('live'));

      // The market fills in: the ladder's ten levels a side, the chart, the clock moving.
      await page.waitForFunction(
        () =>
          document.querySelectorAll('#ladder tr[data-side="bid"]').length === 10 &&
          document.querySelectorAll('#ladder tr[data-side="ask"]').length === 10,
        undefined,
        { timeout: 60_000 },
      );
      assert.ok((await page.locator('#chart canvas').count()) > 0, 'the price chart is drawn');
      const clock1 = await page.locator('#clock').textContent();
      await page.waitForTimeout(1_500);
      assert.notEqual(await page.locator('#clock').textContent(), clock1, 'the clock moves');
      const shown = await pageState(page);
      const ladder = shown?.markets.find((m) => m.ladder !== null)?.ladder;
      assert.ok(ladder !== undefined && ladder !== null);
      // Bids below asks, each side ordered away from the touch.
      assert.ok(ladder.bids[0].px < ladder.asks[0].px);
      assert.ok(ladder.bids.every((l, i) => i === 0 || l.px < ladder.bids[i - 1].px));

      // A decision reaches the agent board: one card per analyst of the decision.
      await page.waitForFunction(
        () =>
          (window as unknown as { dashboard: { state: DashboardState | null } }).dashboard.state?.board !=
          null,
        undefined,
        { timeout: 90_000 },
      );
      const board = (await pageState(page))?.board;
      assert.ok(board !== null && board !== undefined);
      assert.ok(board.agents.length >= 5, `${board.agents.length} analysts on the board`);
      await page.waitForFunction(
        (n) => document.querySelectorAll('#agents [data-agent]').length === n,
        board.agents.length,
      );

      // A control without the token: refused, and the page says so.
      await page.fill('#token', '');
      await page.click('#btn-pause');
      await page.waitForFunction(() =>
        /401/.test(document.querySelector('#control-answer')?.textContent ?? ''),
      );

      // Wait for a paper position, hold the replay on it, and pull the kill switch from the page.
      await page.waitForFunction(
        () =>
          (
            window as unknown as { dashboard: { state: DashboardState | null } }
          ).dashboard.state?.portfolio.positions.some((p) => p.qty !== 0) === true,
        undefined,
        { timeout: 120_000, polling: 50 },
      );
      assert.equal((await controlled(url, 'hold')).status, 200);
      await page.fill('#token', TOKEN);
      await page.click('#btn-kill');
      await page.waitForFunction(() =>
        /kill/i.test(document.querySelector('#control-answer')?.textContent ?? ''),
      );
      assert.doesNotMatch((await page.locator('#control-answer').textContent()) ?? '', /40[13]/);
      // The closing orders fill on the market's next prices.
      assert.equal((await controlled(url, 'play')).status, 200);
      await page.waitForFunction(
        () => {
          const s = (window as unknown as { dashboard: { state: DashboardState | null } }).dashboard.state;
          return s?.risk.killSwitch === true && s.portfolio.positions.every((p) => p.qty === 0);
        },
        undefined,
        { timeout: 60_000 },
      );
      // The page draws the state on its next frame: wait for the positions it shows to catch up.
      await page.waitForFunction(() =>
        Array.from(document.querySelectorAll('#positions [data-qty]')).every(
          (e) => Number(e.getAttribute('data-qty')) === 0,
        ),
      );
      assert.equal(await page.locator('#kill-state').textContent(), 'ON');
      assert.match((await page.locator('#risk-state').textContent()) ?? '', /killed/);
      const qtys = await page.locator('#positions [data-qty]').allTextContents();
      assert.ok(
        qtys.every((q) => Number(q.replace(/[^0-9.-]/g, '')) === 0),
        `positions shown: ${qtys.join(', ')}`,
      );

      // A reloaded page gets the server's state again (held, so that it stands still).
      assert.equal((await controlled(url, 'hold')).status, 200);
      await page.reload();
      await page.waitForFunction(() => document.querySelector('#conn')?.textContent?.includes('live'));
      // Updates may still be on their way: compare until the two agree, or give up after 5 s.
      let server: DashboardState | null = null;
      let seen: DashboardState | null = null;
      for (let i = 0; i < 50; i++) {
        server = await dashboardState(url);
        seen = await pageState(page);
        if (JSON.stringify(seen) === JSON.stringify(server)) break;
        await page.waitForTimeout(100);
      }
      assert.deepEqual(seen, server);

      await page.screenshot({ path: join(artifactsDir('serve'), 'dashboard.png'), fullPage: true });
      // The one refusal asked for above is the only thing the browser reports (as a failed load).
      assert.deepEqual(
        errors.filter((e) => !/status of 401 \(Unauthorized\)/.test(e)),
        [],
      );
      assert.equal(errors.length, 1, errors.join(' | '));
    } finally {
      await browser.close();
      await served.running.stop();
      running = null;
    }
  });
});

describe('scalper serve --backtest', () => {
  const span = simulatedSpan({
    seed: 13,
    spot: false,
    from: '2026-11-24T14:00:00Z',
    minutes: 30,
    prefix: 'serve-bt-',
  });
  const dir = mkdtempSync(join(tmpdir(), 'serve-bt-'));
  let running: RunningScalper | null = null;
  after(() => {
    running?.proc.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  });

  test("runs a finished backtest again and says its fills are the folder's; a changed input is refused", async () => {
    // The inputs copied where the test may change them, then backtested there.
    const inputs = [span.day.files.mbp10, span.day.files.trades].map((f) => {
      const to = join(dir, basename(f));
      copyFileSync(f, to);
      return to;
    });
    const out = join(dir, 'bt');
    const bt = await runScalper(['backtest', ...inputs, '--out', out]);
    assert.equal(bt.status, 0, bt.stderr);

    const served = await serveDashboard(['serve', '--backtest', out, '--speed', '0', '--port', '0'], {
      SCALPER_CONTROL_TOKEN: TOKEN,
    });
    running = served.running;
    let state: DashboardState | null = null;
    await until(
      async () => {
        state = await dashboardState(served.url);
        return state.session.ended !== null;
      },
      'the end of the backtest',
      60_000,
    );
    const s = state as unknown as DashboardState;
    assert.equal(s.session.mode, 'backtest');
    assert.match(s.session.ended ?? '', /the same as its fills\.csv/);
    assert.ok(s.portfolio.fillCount > 0 && s.decisions.length > 0);
    await served.running.stop();
    running = null;

    appendFileSync(inputs[1], Buffer.from([0]));
    const refused = await runScalper(['serve', '--backtest', out, '--port', '0']);
    assert.notEqual(refused.status, 0);
    assert.match(refused.stderr, /is not the file the backtest read \(sha256/);
    const none = await runScalper(['serve', '--backtest', join(dir, 'nothing'), '--port', '0']);
    assert.notEqual(none.status, 0);
    assert.match(none.stderr, /result\.json: not a backtest's result/);
  });
});
