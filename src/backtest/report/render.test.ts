/**
 * The page around the data: escaping, number formats, which sections appear, and what a folder
 * with only its result.json renders. A chart library stand-in keeps the pages small; the charts
 * themselves are drawn in a browser in src/cli/report.test.ts.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { readBacktestFolder } from './data.js';
import type { ChartSpec } from './page.js';
import { duration, escapeHtml, fmt, renderReport, scriptJson, writeReport } from './render.js';

const LIB = { source: 'window.LightweightCharts = {};', version: '0.0.0' };
const dir = mkdtempSync(join(tmpdir(), 'report-render-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const HOSTILE = '<script>alert(1)</script>';

const interval = (estimate: number, low: number, high: number) => ({
  estimate,
  low,
  high,
  noise: !(low > 0 || high < 0),
});

function metrics(pnl: number) {
  return {
    pnl,
    realized: pnl,
    unrealized: 0,
    pnlTicks: 4,
    fees: 9.88,
    days: [{ date: '2026-11-24', pnl }],
    trades: 2,
    tradesPerDay: 2,
    winRate: 0.5,
    profitFactor: null,
    expectancy: pnl / 2,
    averageHoldingSec: 90,
    sharpeDaily: null,
    sharpePerTrade: 0.1,
    sortinoDaily: null,
    maxDrawdown: 12.5,
    maxDrawdownSec: 725,
    timeInMarket: 0.25,
    turnover: 4,
    turnoverPerDay: 4,
    makerShare: 0.25,
    orders: 6,
    fills: 4,
    exits: { target: 1, stop: 1 },
    refused: { [HOSTILE]: 1 },
    decisions: { decisions: 3, byTrigger: {}, byRoute: {}, byOutcome: {}, debateSkipRate: 0.5, vetoes: {} },
  };
}

/** A small backtest folder whose strings try to break out of the page. */
function folder(name: string, ablations: boolean): string {
  const d = join(dir, name);
  rmSync(d, { recursive: true, force: true });
  mkdirSync(d);
  const result = {
    version: 1,
    inputs: [{ path: `/data/${HOSTILE}.dbn`, bytes: 100, sha256: 'ab'.repeat(32) }],
    metrics: metrics(20.12),
    toxic: {
      episodes: 1,
      trades: 1,
      pnl: -3,
      losses: 3,
      spans: [{ symbol: 'X<1>', start: '2026-11-24T14:00:00Z', end: '2026-11-24T14:10:00Z' }],
    },
    execution: { positions: { 'X<1>': 0 }, largeShareWarnings: 2 },
    ablations: ablations
      ? [
          {
            name: 'old',
            label: HOSTILE,
            records: 10,
            metrics: metrics(-5),
            vsOldDays: interval(0, 0, 0),
            vsOldTrades: interval(0, 0, 0),
            toxic: null,
          },
          {
            name: 'full',
            label: 'the full pipeline',
            records: 10,
            metrics: metrics(20.12),
            vsOldDays: interval(25.12, 3, 40),
            vsOldTrades: interval(12.5, -1.25, 30),
            vsOldPerContract: interval(6.25, -0.5, 15),
            step: { from: 'old', perContract: interval(6.25, -0.5, 15) },
            toxic: null,
          },
        ]
      : null,
  };
  writeFileSync(join(d, 'result.json'), JSON.stringify(result));
  writeFileSync(
    join(d, 'trades.csv'),
    'entry_ts,entry_ns,exit_ts,exit_ns,symbol,side,qty,entry_px,exit_px,pnl_ticks,pnl,fees,exit_reason,decision_id,regime,toxic\n' +
      `,1795529000000000000,,1795529090000000000,X<1>,long,2,1.1,1.1002,8,30.06,4.94,"${HOSTILE.replace(/"/g, '""')}",d1,low,false\n` +
      ',1795529200000000000,,1795529290000000000,X<1>,short,2,1.1,1.1002,-4,-9.94,4.94,stop,d2,low,true\n',
  );
  writeFileSync(
    join(d, 'equity.csv'),
    'ts,ts_ns,equity\n,1795529000000000000,0\n,1795529090000000000,30.06\n',
  );
  const snapshot = (s: number, mid: number) =>
    JSON.stringify({
      instrument: 'X<1>',
      snapshotTs: new Date(s * 1000).toISOString(),
      signals: [{ agent: 'microstructure', evidence: { mid, ofi_10s: 0.1 } }],
    });
  writeFileSync(
    join(d, 'decisions.jsonl'),
    [1795529000, 1795529060, 1795529200].map((s, i) => `${snapshot(s, 1.1 + i / 10000)}\n`).join(''),
  );
  return d;
}

/** The chart specifications a page carries. */
function chartsOf(html: string): ChartSpec[] {
  const m = /<script type="application\/json" id="report-data">(.*?)<\/script>/s.exec(html);
  assert.ok(m, 'the page has its data');
  return JSON.parse(m[1]);
}

describe('report page', () => {
  test('text from the files is escaped in the page and in its inlined data', () => {
    const html = renderReport(readBacktestFolder(folder('hostile', true)), LIB);
    assert.ok(!html.includes(HOSTILE), 'no file text arrives as markup');
    assert.ok(!html.includes('X<1>'));
    assert.ok(html.includes('&#60;script&#62;alert(1)&#60;/script&#62;'), 'shown as text');
    assert.ok(html.includes('X&#60;1&#62;'));
    // Three scripts: the data, the chart library, the page's own.
    assert.equal(html.match(/<script/g)?.length, 3);
    assert.equal(html.match(/<\/script>/g)?.length, 3);
    const charts = chartsOf(html);
    assert.ok(charts.some((c) => c.series.some((s) => s.name === 'X<1> mid')));
  });

  test('escaping: the five HTML characters as entities; JSON in a script without <, > or &', () => {
    assert.equal(escapeHtml(`<a href="x">&'`), '&#60;a href=&#34;x&#34;&#62;&#38;&#39;');
    const json = scriptJson({ s: '</script><!--&' });
    assert.equal(json, '{"s":"\\u003c/script\\u003e\\u003c!--\\u0026"}');
    assert.deepEqual(JSON.parse(json), { s: '</script><!--&' });
  });

  test('numbers: thousands grouped, no negative zero, a dash for what is missing; durations as people read them', () => {
    assert.equal(fmt(-1234567.891), '-1,234,567.89');
    assert.equal(fmt(999.999, 2), '1,000.00');
    assert.equal(fmt(-0.001), '0.00');
    assert.equal(fmt(null), '–');
    assert.equal(fmt(Number.NaN), '–');
    assert.deepEqual([45, 725, 12_000, 79_591.57, null].map(duration), [
      '45 s',
      '12 min 5 s',
      '3 h 20 min',
      '22 h 7 min',
      '–',
    ]);
  });

  test('the ablation table marks noise; a difference whose interval excludes zero stands out', () => {
    const html = renderReport(readBacktestFolder(folder('ablations', true)), LIB);
    assert.match(html, /<section id="ablations">/);
    // full − old by day: 25.12 [3, 40] is not noise; per contract 6.25 [−0.50, 15.00] is.
    assert.ok(html.includes('<b>25 [3, 40]</b>'));
    assert.ok(html.includes('<span class="noise">6.25 [-0.50, 15.00] <span class="tag">noise</span></span>'));
    assert.ok(html.includes('<span class="tag">noise</span></span> on old</td>'), 'the step names its base');
    const without = renderReport(readBacktestFolder(folder('plain', false)), LIB);
    assert.doesNotMatch(without, /<section id="ablations">/);
  });

  test('round trips are marked on the price at their fill prices, coloured by outcome, toxic episodes shaded', () => {
    const charts = chartsOf(renderReport(readBacktestFolder(folder('marks', false)), LIB));
    const price = charts.find((c) => c.id === 'chart-price-0');
    // Mid at 1795529000, …060 and …200. Trade 1 (won): entry at …000, exit at …090 (nearest …060);
    // trade 2 (lost): entry and exit at …200 and …290 (both nearest …200).
    assert.deepEqual(price?.series[0].markers, [
      { t: 1795529000, price: 1.1, shape: 'arrowUp', color: '#26a69a', size: 1 },
      { t: 1795529060, price: 1.1002, shape: 'circle', color: '#26a69a', size: 1 },
      { t: 1795529200, price: 1.1, shape: 'arrowDown', color: '#ef5350', size: 1 },
      { t: 1795529200, price: 1.1002, shape: 'circle', color: '#ef5350', size: 1 },
    ]);
    // The winner's panel spans its entry − 15 min to its exit + 15 min, 1795528100–1795529990:
    // 1,891 s, on 5-second slots (379 of them; 2-second ones would be 946, more than 400). The
    // episode 14:00–14:10 (1795528800–1795529400) overlaps the slots from 1795528800 to
    // 1795529395: shaded from 1795528800 until 1795529400, in each of the three panes.
    const panel = charts.find((c) => c.id === 'chart-panel-win-0');
    assert.deepEqual(panel?.slots, { from: 1795528100, step: 5, count: 379 });
    const bands = panel?.series.filter((s) => s.kind === 'band') ?? [];
    assert.deepEqual(
      bands.map((b) => b.pane),
      [0, 1, 2],
    );
    assert.deepEqual(bands[0].points, [
      [1795528100, 0],
      [1795528800, 1],
      [1795529400, 0],
      [1795529990, 0],
    ]);
  });

  test('a folder with only its result.json renders, saying what is missing', () => {
    const d = join(dir, 'bare');
    mkdirSync(d);
    writeFileSync(join(d, 'result.json'), readFileSync(join(folder('source', false), 'result.json')));
    const out = writeReport(join(d, 'result.json'), { out: join(d, 'page.html') });
    const html = readFileSync(out.path, 'utf8');
    assert.equal(out.bytes, Buffer.byteLength(html));
    assert.ok(
      html.includes(
        'Not in the folder: trades.csv, fills.csv, orders.csv, equity.csv, decisions.jsonl, timings.jsonl.',
      ),
    );
    assert.ok(html.includes('No round trips.'));
  });
});
