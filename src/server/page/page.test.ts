/**
 * The dashboard page in Chromium against the fixture server (test/dashboard-fixture.ts): it draws
 * the snapshot, follows the updates to the server's own state, reconnects for a fresh snapshot when
 * the socket drops or an update goes missing, and its controls post with the token and show the
 * server's answer (disabled when the server has no token). Skipped only outside CI when Chromium
 * is missing and cannot be installed.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Page } from 'playwright-core';
import { artifactsDir, type ChromiumSession, ensureChromium, launchChromium } from '../../../test/browser.js';
import {
  type DashboardFixtureServer,
  FIXTURE_ANALYSTS,
  startDashboardFixture,
} from '../../../test/dashboard-fixture.js';
import { until } from '../../../test/until.js';
import { emptyState } from '../apply.js';
import type { DashboardState } from '../protocol.js';

const missing = ensureChromium();

interface Probe {
  messages: number;
  snapshots: number;
  renders: number;
  seq: number;
  conn: string;
}

// The page's scripts are given as text: these tests compile without the DOM's types.
/** The page's counts (cheap to read). */
const counts = (page: Page) =>
  page.evaluate<Omit<Probe, 'state'>>(
    '({ messages: dashboard.messages, snapshots: dashboard.snapshots, renders: dashboard.renders, seq: dashboard.seq, conn: dashboard.conn })',
  );
/** The page's state (a few MB through the debugging protocol). */
const pageState = (page: Page) => page.evaluate<DashboardState | null>('window.dashboard.state');

/** Waits until the page holds the server's last message and has drawn it. */
async function settled(page: Page, server: DashboardFixtureServer): Promise<void> {
  await until(async () => (await counts(page)).seq === server.seq(), `the page at seq ${server.seq()}`);
  await page.evaluate(
    'new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve)))',
  );
}

/** UTC HH:MM:SS of `ms`, worked out apart from the page's own formatting. */
const utcClock = (ms: number) => new Date(ms).toISOString().slice(11, 19);

/** Opens the page, keeping the console's errors and the page's exceptions in `errors`. */
async function open(
  browser: ChromiumSession,
  server: DashboardFixtureServer,
  errors: string[],
): Promise<Page> {
  const page = await browser.context.newPage();
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(`console: ${m.text()}`);
  });
  page.on('pageerror', (e) => errors.push(`page: ${e.message}`));
  await page.goto(server.url);
  await until(async () => (await counts(page).catch(() => null))?.snapshots === 1, 'the first snapshot');
  return page;
}

describe('dashboard page', { skip: missing ?? false }, () => {
  let browser: ChromiumSession;
  let server: DashboardFixtureServer;
  let page: Page;
  const errors: string[] = [];

  before(async () => {
    browser = await launchChromium({ width: 1600, height: 1100 });
    server = await startDashboardFixture({ hz: 10 });
    page = await open(browser, server, errors);
  });

  after(async () => {
    await browser?.close();
    await server?.close();
  });

  test('draws the snapshot: chart, ladder of ten levels a side, one card per analyst, positions', async () => {
    server.pause();
    await settled(page, server);
    const s = server.state();
    assert.equal(await page.locator('#chart canvas').first().isVisible(), true);
    const m = s.markets.find((x) => x.symbol === '6EZ6')!;
    // The fixture's instruments show five decimals.
    const px = (levels: readonly { px: number }[]) => levels.map((l) => l.px.toFixed(5));
    assert.deepEqual(
      await page.locator('#ladder tr[data-side="bid"] td.px').allTextContents(),
      px(m.ladder!.bids),
    );
    // Asks are drawn highest first, so the best ask sits next to the spread.
    assert.deepEqual(
      await page.locator('#ladder tr[data-side="ask"] td.px').allTextContents(),
      px(m.ladder!.asks).reverse(),
    );
    assert.equal(await page.locator('#ladder tr[data-side="bid"]').count(), 10);
    assert.equal(await page.locator('#ladder tr[data-side="ask"]').count(), 10);
    const walls = m.ladder!.bids.filter((l) => l.wall).length + m.ladder!.asks.filter((l) => l.wall).length;
    assert.equal(await page.locator('#ladder tr.wall').count(), walls);
    assert.deepEqual(
      (
        await page
          .locator('#agents [data-agent]')
          .evaluateAll((els) => els.map((e) => e.getAttribute('data-agent')))
      ).sort(),
      [...FIXTURE_ANALYSTS].sort(),
    );
    for (const p of s.portfolio.positions) {
      assert.equal(
        await page.locator(`#positions tr[data-symbol="${p.symbol}"] [data-qty]`).getAttribute('data-qty'),
        String(p.qty),
      );
    }
    assert.equal(await page.locator('#clock').textContent(), utcClock(s.session.nowMs!));
    assert.equal(await page.locator('#conn').getAttribute('data-state'), 'live');
    assert.equal(await page.locator('#decisions [data-decision]').count(), Math.min(60, s.decisions.length));
    assert.deepEqual(errors, []);
  });

  test('follows ten updates a second to the state the server holds, the clock moving', async () => {
    const before = await counts(page);
    const clock = await page.locator('#clock').textContent();
    server.resume(10);
    await new Promise((r) => setTimeout(r, 2_000));
    const sent = server.seq();
    const during = await counts(page);
    // Keeping up: at most two updates behind the server while they flow.
    assert.ok(sent - during.seq <= 2, `page at ${during.seq}, server at ${sent}`);
    assert.ok(
      during.messages - before.messages >= 15,
      `${during.messages - before.messages} messages in 2 s`,
    );
    assert.ok(during.renders > before.renders);
    server.pause();
    await settled(page, server);
    assert.deepEqual(await pageState(page), JSON.parse(JSON.stringify(server.state())));
    assert.equal((await counts(page)).snapshots, 1);
    assert.notEqual(await page.locator('#clock').textContent(), clock);
    assert.equal(await page.locator('#clock').textContent(), utcClock(server.state().session.nowMs!));
    await page.screenshot({ path: join(artifactsDir('dashboard-page'), 'dashboard.png'), fullPage: true });
    assert.deepEqual(errors, []);
  });

  test('a dropped socket brings a fresh snapshot, the badge saying reconnecting meanwhile', async () => {
    await page.evaluate(`{
      window.connSeen = [];
      const el = document.getElementById('conn');
      new MutationObserver(() => window.connSeen.push(el.dataset.state)).observe(el, { attributes: true });
    }`);
    server.resume(10);
    server.dropClients();
    await until(async () => (await counts(page)).snapshots === 2, 'a second snapshot', 10_000);
    server.pause();
    await settled(page, server);
    const seen = await page.evaluate<string[]>('window.connSeen');
    assert.ok(seen.includes('reconnecting') && seen.at(-1) === 'live', seen.join(','));
    assert.deepEqual(await pageState(page), JSON.parse(JSON.stringify(server.state())));
    assert.deepEqual(errors, []);
  });

  test('a missing update (a gap in seq) makes the page reconnect for a snapshot', async () => {
    server.skip();
    server.resume(10);
    await until(async () => (await counts(page)).snapshots === 3, 'a snapshot after the gap', 10_000);
    server.pause();
    await settled(page, server);
    assert.deepEqual(await pageState(page), JSON.parse(JSON.stringify(server.state())));
    assert.deepEqual(errors, []);
  });

  test('controls post with the token and show the status and answer', async () => {
    assert.equal(await page.locator('#replay').isVisible(), true);
    assert.equal(await page.locator('#btn-kill').isDisabled(), false);
    await page.locator('#token').fill('wrong');
    await page.locator('#btn-pause').click();
    await until(
      async () => /^pause: 401/.test((await page.locator('#control-answer').textContent()) ?? ''),
      '401',
    );
    await page.locator('#token').fill(server.token!);
    await page.locator('#btn-pause').click();
    await until(
      async () => (await page.locator('#control-answer').textContent()) === 'pause: 200: pause done',
      '200',
    );
    page.once('dialog', (d) => void d.accept());
    await page.locator('#btn-kill').click();
    await until(
      async () => (await page.locator('#control-answer').textContent()) === 'kill: 200: kill done',
      'kill',
    );
    await page.locator('#speed-select').selectOption('30');
    await until(async () => server.controls.length === 3, 'the speed');
    assert.deepEqual(server.controls, [
      { action: 'pause' },
      { action: 'kill' },
      { action: 'speed', value: 30 },
    ]);
    // The token is kept for the tab.
    assert.equal(await page.evaluate("sessionStorage.getItem('scalper-dashboard-token')"), server.token);
    // Chromium logs the refused request; nothing else went wrong.
    assert.deepEqual(errors, [
      'console: Failed to load resource: the server responded with a status of 401 (Unauthorized)',
    ]);
    errors.length = 0;
  });

  test('another instrument and the tick view draw without errors', async () => {
    await page.locator('#instruments button[data-symbol="EUR/USD"]').click();
    await until(
      async () => /^EUR\/USD/.test((await page.locator('#ladder-symbol').textContent()) ?? ''),
      'EUR/USD',
    );
    await page.locator('#chart-views button[data-view="tick"]').click();
    server.resume(10);
    await new Promise((r) => setTimeout(r, 500));
    server.pause();
    await settled(page, server);
    const m = server.state().markets.find((x) => x.symbol === 'EUR/USD')!;
    assert.deepEqual(
      await page.locator('#ladder tr[data-side="bid"] td.px').allTextContents(),
      m.ladder!.bids.map((l) => l.px.toFixed(5)),
    );
    await page.screenshot({
      path: join(artifactsDir('dashboard-page'), 'dashboard-ticks.png'),
      fullPage: true,
    });
    assert.deepEqual(errors, []);
  });
});

describe('dashboard page without a control token', { skip: missing ?? false }, () => {
  test('shows the controls disabled and read-only; the server refuses with 403', async () => {
    const browser = await launchChromium();
    const server = await startDashboardFixture({ controls: false, hz: 10 });
    try {
      const errors: string[] = [];
      const page = await open(browser, server, errors);
      server.pause();
      await settled(page, server);
      for (const id of ['btn-kill', 'btn-pause', 'btn-resume', 'btn-reset', 'token'])
        assert.equal(await page.locator(`#${id}`).isDisabled(), true, id);
      assert.equal(
        await page.locator('#controls-note').textContent(),
        'read-only: the server has no control token',
      );
      const status = await page.evaluate<number>(
        `fetch('/api/control', { method: 'POST', body: '{"action":"kill"}' }).then((r) => r.status)`,
      );
      assert.equal(status, 403);
      assert.deepEqual(server.controls, []);
      assert.deepEqual(errors, [
        'console: Failed to load resource: the server responded with a status of 403 (Forbidden)',
      ]);
    } finally {
      await browser.close();
      await server.close();
    }
  });
});

describe('dashboard page before the first record', { skip: missing ?? false }, () => {
  test('an empty live session draws dashes, without errors', async () => {
    const browser = await launchChromium();
    const initial: DashboardState = emptyState({
      mode: 'live',
      name: 'live',
      nowMs: null,
      speed: 1,
      held: false,
      range: null,
      controls: true,
      ended: null,
    });
    const server = await startDashboardFixture({ hz: 0, mode: 'live', initial });
    try {
      const errors: string[] = [];
      const page = await open(browser, server, errors);
      await settled(page, server);
      assert.equal(await page.locator('#clock').textContent(), '–');
      assert.equal(await page.locator('#pnl').textContent(), '0.00');
      assert.equal(await page.locator('#replay').isVisible(), false);
      assert.equal(await page.locator('#ladder tbody tr').count(), 0);
      assert.equal(await page.locator('#agents [data-agent]').count(), 0);
      assert.equal(await page.locator('#board-meta').textContent(), 'no decision yet');
      assert.deepEqual(errors, []);
    } finally {
      await browser.close();
      await server.close();
    }
  });
});
