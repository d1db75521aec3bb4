/**
 * The backtest report end to end: `scalper backtest` writes report.html, `scalper report` renders
 * it again, and Debian's Chromium opens the page (served from 127.0.0.1, then as a file) with no
 * error, no request beyond the page itself, and every chart drawn with data. A screenshot is kept
 * under test-artifacts/report/.
 *
 * 40 simulated minutes of 6E holding a toxic episode (14:01–14:07 UTC), backtested with the
 * ablations and the ground truth. VPIN in buckets of 100 lots over 10 buckets, so that it is
 * ready within minutes: the defaults (4,000 lots, 50 buckets) need about a day of 6E volume.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, describe, test } from 'node:test';
import { pathToFileURL } from 'node:url';
import { artifactsDir, ensureChromium, launchChromium, servePage } from '../../test/browser.js';
import { runScalper, type ScalperRun } from '../../test/fixtures.js';
import { simulatedSpan } from '../../test/sim-fixture.js';
import { runBacktestCommand } from './backtest.js';
import { loadConfig } from './config.js';

const scalper = (...args: string[]) => runScalper(args);

/** Per chart: the points of each series and the coloured pixels of its canvases, read in the page. */
interface ChartSeen {
  readonly id: string;
  readonly series: readonly { readonly name: string; readonly points: number }[];
  readonly canvases: number;
  readonly inked: number;
}

/** Counted in the page: pixels far from grey (the series' colours; grid, axes and text are grey). */
const SEEN = `(() => window.reportCharts.map((c) => {
  let inked = 0;
  const canvases = [...document.getElementById(c.id).querySelectorAll('canvas')];
  for (const cv of canvases) {
    if (cv.width === 0 || cv.height === 0) continue;
    const px = cv.getContext('2d').getImageData(0, 0, cv.width, cv.height).data;
    for (let i = 0; i < px.length; i += 4) {
      if (px[i + 3] > 0 && Math.max(px[i], px[i + 1], px[i + 2]) - Math.min(px[i], px[i + 1], px[i + 2]) > 60) inked++;
    }
  }
  return { id: c.id, series: c.series, canvases: canvases.length, inked };
}))()`;

describe('backtest report', () => {
  const span = simulatedSpan({
    seed: 21,
    spot: false,
    from: '2026-11-24T13:30:00Z',
    minutes: 40,
    prefix: 'report-cli-',
  });
  let out: string;
  let again: string;
  let rendered: ScalperRun;
  before(async () => {
    out = join(span.dir, 'bt');
    again = join(span.dir, 'again.html');
    const config = loadConfig({ env: {} });
    await runBacktestCommand([span.day.files.mbp10, span.day.files.trades], {
      out,
      config: { ...config, engine: { ...config.engine, vpinBucketVolume: 100, vpinWindowBuckets: 10 } },
      quiet: true,
      truth: span.day.files.truth,
      ablations: true,
    });
    rendered = await scalper('report', join(out, 'result.json'), '--out', again);
  });

  test('scalper report renders the folder again, says where, and the same folder gives the same bytes', async () => {
    assert.equal(rendered.status, 0, rendered.stderr);
    assert.match(rendered.stdout, /^report: .*again\.html \(\d+\.\d KiB, rendered in \d+\.\d\d s\)\n$/);
    const second = await scalper('report', out);
    assert.equal(second.status, 0, second.stderr);
    assert.equal(second.stdout.split(' ')[1], join(out, 'report.html'), 'by default into the folder');
    assert.ok(readFileSync(join(out, 'report.html')).equals(readFileSync(again)));
    const missing = await scalper('report', join(span.dir, 'nothing-here'));
    assert.equal(missing.status, 2);
    assert.match(
      missing.stderr,
      /error \[REPORT_INPUT\]: .*nothing-here.*result\.json: cannot read a backtest result/,
    );
  });

  test('in Chromium: no error, nothing loaded beyond the page, every chart drawn with data', async (t) => {
    const why = ensureChromium();
    if (why !== null) {
      t.skip(why);
      return;
    }
    const served = await servePage(again, 'report.html');
    const browser = await launchChromium();
    try {
      const page = await browser.context.newPage();
      const errors: string[] = [];
      const requests: string[] = [];
      page.on('console', (m) => {
        if (m.type() === 'error') errors.push(m.text());
      });
      page.on('pageerror', (e) => errors.push(e.message));
      page.on('request', (r) => requests.push(r.url()));
      await page.goto(served.url, { waitUntil: 'load' });
      // Two animation frames: the charts paint on the next frame after their data is set.
      await page.evaluate('new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)))');
      assert.deepEqual(errors, []);
      assert.deepEqual(requests, [served.url]);
      assert.deepEqual(served.requests, ['/report.html']);
      const seen = (await page.evaluate(SEEN)) as ChartSeen[];

      const ids = seen.map((c) => c.id);
      assert.deepEqual(ids, [
        'chart-equity',
        'chart-price-0',
        'chart-pnl',
        ...[0, 1, 2].map((i) => `chart-panel-win-${i}`),
        ...[0, 1, 2].map((i) => `chart-panel-loss-${i}`),
        ...['tier1', 'tier2', 'tier3', 'tier4', 'tier5', 'total'].map((x) => `chart-latency-${x}`),
      ]);
      for (const c of seen) {
        for (const s of c.series) assert.ok(s.points > 0, `${c.id}: ${s.name} has no points`);
        assert.ok(c.canvases > 0 && c.inked > 100, `${c.id}: ${c.inked} coloured pixels`);
      }
      // Each panel: mid, OFI, VPIN and the toxic episodes shaded in each of its three panes.
      for (const c of seen.filter((x) => x.id.startsWith('chart-panel'))) {
        assert.deepEqual(
          c.series.map((s) => s.name),
          ['mid', 'OFI 10 s', 'VPIN', 'toxic', 'toxic', 'toxic'],
        );
      }
      // The ablation table: every variant, its noise marked.
      assert.equal(await page.locator('#ablations tbody tr').count(), 11);
      assert.ok((await page.locator('#ablations .tag').count()) > 0);
      const shot = join(artifactsDir('report'), 'report.png');
      await page.screenshot({ path: shot, fullPage: true });
      t.diagnostic(`screenshot: ${shot}`);

      // Opened as a file, offline, it draws the same.
      const fileErrors = errors.length;
      await page.goto(pathToFileURL(again).href, { waitUntil: 'load' });
      const offline = (await page.evaluate('window.reportCharts')) as { id: string }[];
      assert.equal(offline.length, seen.length);
      assert.equal(errors.length, fileErrors);
    } finally {
      await browser.close();
      await served.close();
    }
  });
});
