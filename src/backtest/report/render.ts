/**
 * `report.html`: one self-contained page of a backtest that opens offline. The chart library
 * (TradingView's Lightweight Charts, read from its npm package when the page is rendered) and the
 * data are inlined; the page loads nothing. Sections: headline metrics, equity and drawdown, price
 * with the round trips on it, the distribution of their P&L, feature panels (mid, OFI 10 s, VPIN,
 * toxic episodes shaded) around the largest winners and losers, the ablation table, latency per
 * tier, and what the paper broker's fills say about realism.
 *
 * Every text taken from the files is escaped; the page is a function of the folder's files and of
 * this package's build (the same folder renders to the same bytes).
 */
import { readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { formatTimestamp } from '../../core/index.js';
import {
  type AblationJson,
  type BacktestFolder,
  binWidth,
  equityAndDrawdown,
  extremeTrades,
  fillsPerLevel,
  folderName,
  histogram,
  type IntervalJson,
  logHistogram,
  nearestRank,
  onSlots,
  type Point,
  type ResultJson,
  readBacktestFolder,
  type Slots,
  seconds,
  slotsFor,
  spanSeconds,
  spanSteps,
  TIERS,
  type TradeRow,
  type TrainingJson,
} from './data.js';
import { type ChartSpec, drawCharts, type MarkerSpec } from './page.js';

/** The report's file name in a backtest folder. */
export const REPORT_FILE = 'report.html';

/** How many of the largest winners, and of the largest losers, get a feature panel. */
const PANEL_TRADES = 3;
/** Seconds shown before a panel's trade opens and after it closes. */
const PANEL_MARGIN_S = 15 * 60;
/** The most time slots of a chart over the whole run, and of a panel (data.ts `Slots`). */
const RUN_SLOTS = 1500;
const PANEL_SLOTS = 400;

const WIN = '#26a69a';
const LOSS = '#ef5350';
const BLUE = '#2962ff';
const BAND = 'rgba(255, 152, 0, 0.22)';

/** The inlined chart library: its standalone build and its version. */
export interface ChartLibrary {
  readonly source: string;
  readonly version: string;
}

/** Where Lightweight Charts' installed npm package keeps its manifest and its standalone build. */
export function chartLibraryFiles(): { readonly manifest: string; readonly standalone: string } {
  const manifest = createRequire(import.meta.url).resolve('lightweight-charts/package.json');
  return {
    manifest,
    standalone: join(dirname(manifest), 'dist', 'lightweight-charts.standalone.production.js'),
  };
}

/** Reads Lightweight Charts' standalone build from its installed npm package. */
export function chartLibrary(): ChartLibrary {
  const files = chartLibraryFiles();
  const { version } = JSON.parse(readFileSync(files.manifest, 'utf8')) as { version: string };
  return { source: readFileSync(files.standalone, 'utf8'), version };
}

/** `text` with the characters that mean something in HTML replaced by entities. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** JSON to put inside a `<script>` element: no `<`, `>` or `&` can end or open a tag there. */
export function scriptJson(value: unknown): string {
  return JSON.stringify(value).replace(
    /[<>&\u2028\u2029]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}

/** Script text that cannot close its `<script>` element early. */
function scriptText(source: string): string {
  return source.replace(/<\/(script)/gi, '<\\/$1').replace(/<!--/g, '<\\!--');
}

/** An integer part with thousands separators (`-12345.6` → `-12,345.6`). */
function grouped(text: string): string {
  const [int, frac] = text.split('.');
  const sign = int.startsWith('-') ? '-' : '';
  const digits = sign === '' ? int : int.slice(1);
  const g = digits.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return `${sign}${g}${frac === undefined ? '' : `.${frac}`}`;
}

/** A number with `d` decimals, or `–` when it is missing or not finite. */
export function fmt(v: number | null | undefined, d = 2): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return '–';
  const t = v.toFixed(d);
  return grouped(/^-0(\.0*)?$/.test(t) ? t.slice(1) : t);
}

const pct = (v: number | null | undefined, d = 1) =>
  v === null || v === undefined || !Number.isFinite(v) ? '–' : `${fmt(100 * v, d)} %`;

/** A duration in seconds as people read it: `45 s`, `12 min 5 s`, `3 h 20 min`. */
export function duration(sec: number | null | undefined): string {
  if (sec === null || sec === undefined || !Number.isFinite(sec)) return '–';
  const s = Math.round(sec);
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min${s % 60 === 0 ? '' : ` ${s % 60} s`}`;
  const m = Math.round(s / 60);
  return `${Math.floor(m / 60)} h${m % 60 === 0 ? '' : ` ${m % 60} min`}`;
}

/** A slot's length as in `the last of each minute`. */
function every(step: number): string {
  const names: Record<number, string> = { 1: 'second', 60: 'minute', 3600: 'hour', 86400: 'day' };
  return names[step] ?? duration(step);
}

/** A time in ns as `YYYY-MM-DD hh:mm:ss UTC`. */
function utc(ns: bigint): string {
  const iso = formatTimestamp(ns) ?? '';
  return `${iso.slice(0, 10)} ${iso.slice(11, 19)} UTC`;
}

const round = (v: number, d: number) => Number(v.toFixed(d));
const roundPoints = (ps: readonly Point[], d: number): Point[] => ps.map(([t, v]) => [t, round(v, d)]);

/** Decimals needed to print every value (at most `max`). */
function decimalsOf(values: readonly number[], max = 8): number {
  let d = 0;
  for (const v of values) {
    while (d < max && Math.abs(round(v, d) - v) > 1e-12) d++;
  }
  return d;
}

const el = (tag: string, body: string, attrs = '') => `<${tag}${attrs}>${body}</${tag}>`;

/** An HTML table: a header row and body rows of cells already escaped. */
function table(head: readonly string[], rows: readonly (readonly string[])[], cls = ''): string {
  const th = head.map((h) => el('th', escapeHtml(h))).join('');
  const body = rows.map((r) => el('tr', r.map((c) => el('td', c)).join(''))).join('\n');
  return `<table${cls === '' ? '' : ` class="${cls}"`}><thead><tr>${th}</tr></thead><tbody>\n${body}\n</tbody></table>`;
}

/** `key value, key value` of a count table, or `none`. */
function counts(r: Readonly<Record<string, number>> | undefined): string {
  const entries = Object.entries(r ?? {});
  return entries.length === 0 ? 'none' : escapeHtml(entries.map(([k, v]) => `${k} ${fmt(v, 0)}`).join(', '));
}

/** A section's markup and the charts drawn into it. */
interface Section {
  readonly id: string;
  readonly title: string;
  readonly html: string;
  readonly charts: readonly ChartSpec[];
}

function section(id: string, title: string, html: string, charts: readonly ChartSpec[] = []): Section {
  return { id, title, html, charts };
}

const chartDiv = (id: string, cls = 'chart') => `<div class="${cls}" id="${id}"></div>`;

function headline(f: BacktestFolder): Section {
  const m = f.result.metrics;
  const card = (label: string, value: string, note = '') =>
    `<div class="card"><div class="label">${escapeHtml(label)}</div><div class="value">${escapeHtml(value)}</div>${
      note === '' ? '' : `<div class="note">${escapeHtml(note)}</div>`
    }</div>`;
  const signed = (v: number) => `${v > 0 ? '+' : ''}${fmt(v)}`;
  const cards = [
    card('P&L after costs', `${signed(m.pnl)} USD`, `realized ${fmt(m.realized)}, open ${fmt(m.unrealized)}`),
    card('Costs', `${fmt(m.fees)} USD`, 'fees and financing'),
    card('Round trips', fmt(m.trades, 0), `${fmt(m.tradesPerDay, 1)} a day over ${m.days.length} day(s)`),
    card('Win rate', pct(m.winRate), `profit factor ${fmt(m.profitFactor)}`),
    card('Expectancy', `${fmt(m.expectancy)} USD`, `${fmt(m.pnlTicks, 1)} ticks in all, before fees`),
    card(
      'Sharpe',
      fmt(m.sharpeDaily),
      `daily over ${m.days.length} day(s), √252; ${fmt(m.sharpePerTrade, 3)} per trade`,
    ),
    card('Sortino', fmt(m.sortinoDaily), 'daily, √252'),
    card('Max drawdown', `${fmt(m.maxDrawdown)} USD`, `lasting ${duration(m.maxDrawdownSec)}`),
    card('In the market', pct(m.timeInMarket), `average hold ${duration(m.averageHoldingSec)}`),
    card('Turnover', `${fmt(m.turnover, 0)} lots`, `${fmt(m.turnoverPerDay, 0)} a day`),
    card('Maker share', pct(m.makerShare), 'of the lots filled, resting'),
    card('Orders', fmt(m.orders, 0), `${fmt(m.fills, 0)} fills`),
  ];
  const d = m.decisions;
  const lines = [
    ['decisions', fmt(d.decisions, 0)],
    ['triggers', counts(d.byTrigger)],
    ['routes', counts(d.byRoute)],
    ['outcomes', counts(d.byOutcome)],
    ['vetoes', counts(d.vetoes)],
    ['debate skipped', pct(d.debateSkipRate)],
    ['exits', counts(m.exits)],
  ];
  const t = f.result.toxic;
  if (t?.scenarios !== undefined) lines.push(['simulated market', escapeHtml(t.scenarios.join(', '))]);
  if (t !== null && t !== undefined)
    lines.push([
      'toxic episodes',
      escapeHtml(
        `${fmt(t.episodes, 0)} in the ground truth; ${fmt(t.trades, 0)} round trips overlapped one: P&L ${fmt(t.pnl)} USD, losses ${fmt(t.losses)} USD`,
      ),
    ]);
  const days = table(
    ['trading day', 'P&L USD'],
    m.days.map((x) => [escapeHtml(x.date), fmt(x.pnl)]),
    'num',
  );
  const facts = `<dl>${lines.map(([k, v]) => `<dt>${escapeHtml(k)}</dt><dd>${v}</dd>`).join('')}</dl>`;
  return section(
    'headline',
    'Headline',
    `<div class="cards">${cards.join('')}</div><div class="row">${days}${facts}</div>`,
  );
}

function equitySection(f: BacktestFolder): Section {
  const curve = equityAndDrawdown(f.equity);
  const n = curve.equity.length;
  if (n === 0)
    return section(
      'equity',
      'Equity and drawdown',
      '<p class="empty">No equity curve (equity.csv is empty or missing).</p>',
    );
  const slots = slotsFor(curve.equity[0][0], curve.equity[n - 1][0], RUN_SLOTS);
  const equity = roundPoints(onSlots(curve.equity, slots), 2);
  const drawdown = roundPoints(onSlots(curve.drawdown, slots, 'min'), 2);
  const chart: ChartSpec = {
    id: 'chart-equity',
    axis: 'time',
    panes: [3, 1],
    slots,
    series: [
      { kind: 'line', name: 'equity USD', color: BLUE, points: equity, precision: 2 },
      { kind: 'area', name: 'drawdown USD', color: LOSS, points: drawdown, pane: 1, precision: 2 },
    ],
  };
  const note = `<p>Equity after every cost (realized + open − fees), the last of each ${every(slots.step)}, and its distance below its running peak, the deepest of each ${every(slots.step)}. Times in UTC.</p>`;
  return section('equity', 'Equity and drawdown', `${note}${chartDiv('chart-equity', 'chart tall')}`, [
    chart,
  ]);
}

/** The time among sorted `times` nearest to `t` (the earlier on a tie). */
function nearest(times: readonly number[], t: number): number {
  let lo = 0;
  let hi = times.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (times[mid] < t) lo = mid + 1;
    else hi = mid;
  }
  if (lo > 0 && t - times[lo - 1] <= times[lo] - t) return times[lo - 1];
  return times[lo];
}

/** Entry and exit markers of round trips on a series with point times `times`, in time order. */
function tradeMarkers(trades: readonly TradeRow[], times: readonly number[], size = 1): MarkerSpec[] {
  if (times.length === 0) return [];
  const out: MarkerSpec[] = [];
  for (const t of trades) {
    const color = t.pnl > 0 ? WIN : LOSS;
    out.push({
      t: nearest(times, seconds(t.entryNs)),
      price: t.entryPx,
      shape: t.side === 'long' ? 'arrowUp' : 'arrowDown',
      color,
      size,
    });
    out.push({ t: nearest(times, seconds(t.exitNs)), price: t.exitPx, shape: 'circle', color, size });
  }
  return out.sort((a, b) => a.t - b.t);
}

/** Mid, OFI and VPIN series per instrument (names in order), in time order. */
function featureSeries(f: BacktestFolder): Map<string, { mid: Point[]; ofi: Point[]; vpin: Point[] }> {
  const by = new Map<string, { mid: Point[]; ofi: Point[]; vpin: Point[] }>();
  const sorted = [...f.snapshots].sort((a, b) => a.t - b.t);
  for (const name of [...new Set(sorted.map((s) => s.instrument))].sort())
    by.set(name, { mid: [], ofi: [], vpin: [] });
  for (const s of sorted) {
    const e = by.get(s.instrument) as { mid: Point[]; ofi: Point[]; vpin: Point[] };
    e.mid.push([s.t, round(s.mid, 8)]);
    e.ofi.push([s.t, round(s.ofi, 4)]);
    e.vpin.push([s.t, round(s.vpin, 4)]);
  }
  return by;
}

type Features = ReturnType<typeof featureSeries>;

/** The line of an instrument's mid over `slots`, with round trips marked at their fill prices. */
function midSeries(
  mid: readonly Point[],
  slots: Slots,
  trades: readonly TradeRow[],
  markerSize = 1,
): ChartSpec['series'][number] {
  const points = onSlots(mid, slots);
  return {
    kind: 'line',
    name: 'mid',
    color: BLUE,
    points,
    precision: decimalsOf(points.map((p) => p[1])),
    markers: tradeMarkers(
      trades,
      points.map((p) => p[0]),
      markerSize,
    ),
  };
}

function priceSection(f: BacktestFolder, features: Features): Section {
  const charts: ChartSpec[] = [];
  const parts: string[] = [
    '<p>The mid each decision saw, with the round trips at their fill prices: ▲ a long entry, ▼ a short entry, ● the exit; green a round trip that made money after fees, red one that lost.</p>',
  ];
  let i = 0;
  for (const [symbol, s] of features) {
    const mids = s.mid.filter((p) => Number.isFinite(p[1]));
    if (mids.length === 0) continue;
    const trades = f.trades.filter((t) => t.symbol === symbol);
    const id = `chart-price-${i++}`;
    const slots = slotsFor(mids[0][0], mids[mids.length - 1][0], RUN_SLOTS);
    charts.push({
      id,
      axis: 'time',
      slots,
      series: [{ ...midSeries(mids, slots, trades), name: `${symbol} mid` }],
    });
    parts.push(
      `<h3>${escapeHtml(symbol)}: ${fmt(trades.length, 0)} round trips (the last mid of each ${escapeHtml(every(slots.step))})</h3>${chartDiv(id, 'chart tall')}`,
    );
  }
  if (charts.length === 0) parts.push('<p class="empty">No mid prices in decisions.jsonl.</p>');
  return section('price', 'Price and round trips', parts.join('\n'), charts);
}

function pnlSection(f: BacktestFolder): Section {
  const pnls = f.trades.map((t) => t.pnl).filter(Number.isFinite);
  if (pnls.length === 0)
    return section('pnl', 'P&L of the round trips', '<p class="empty">No round trips.</p>');
  const width = binWidth(pnls);
  const bins = histogram(pnls, width);
  const sorted = [...pnls].sort((a, b) => a - b);
  const mean = pnls.reduce((s, v) => s + v, 0) / pnls.length;
  const middles = bins.map((b) => Number(((b.from + b.to) / 2).toPrecision(12)));
  const chart: ChartSpec = {
    id: 'chart-pnl',
    axis: 'value',
    axisPrecision: decimalsOf(middles),
    series: [
      {
        kind: 'histogram',
        name: 'round trips',
        color: WIN,
        points: bins.map((b, i): Point => [middles[i], b.count]),
        colors: bins.map((b) => (b.to <= 0 ? LOSS : WIN)),
        precision: 0,
      },
    ],
  };
  const text = `<p>${fmt(pnls.length, 0)} round trips, P&amp;L after fees in bins of ${fmt(width, decimalsOf([width]))} USD, each bar at the middle of its bin: mean ${fmt(mean)}, median ${fmt(nearestRank(sorted, 0.5))}, best ${fmt(sorted[sorted.length - 1])}, worst ${fmt(sorted[0])} USD.</p>`;
  return section('pnl', 'P&L of the round trips', `${text}${chartDiv('chart-pnl')}`, [chart]);
}

function panelsSection(f: BacktestFolder, features: Features): Section {
  const { winners, losers } = extremeTrades(f.trades, PANEL_TRADES);
  const spans = f.result.toxic?.spans;
  const shaded = spans !== undefined;
  const charts: ChartSpec[] = [];
  const parts: string[] = [
    `<p>Mid, order-flow imbalance over 10 s and VPIN from the decisions' snapshots, ${PANEL_MARGIN_S / 60} minutes either side of each of the ${PANEL_TRADES} largest winners and losers${
      shaded
        ? '; toxic episodes of the ground truth shaded'
        : ' (run the backtest with --truth to shade the toxic episodes of the ground truth)'
    }.</p>`,
  ];
  const panel = (t: TradeRow, title: string, id: string) => {
    const s = features.get(t.symbol);
    const slots = slotsFor(
      seconds(t.entryNs) - PANEL_MARGIN_S,
      seconds(t.exitNs) + PANEL_MARGIN_S,
      PANEL_SLOTS,
    );
    const mid = midSeries(s?.mid ?? [], slots, [t], 3);
    const ofi = onSlots(s?.ofi ?? [], slots);
    const vpin = onSlots(s?.vpin ?? [], slots);
    const series: ChartSpec['series'][number][] = [
      mid,
      { kind: 'histogram', name: 'OFI 10 s', color: '#7e57c2', points: ofi, pane: 1, precision: 3 },
      { kind: 'line', name: 'VPIN', color: '#ff6d00', points: vpin, pane: 2, precision: 3 },
    ];
    if (shaded) {
      const band = spanSteps(spans.filter((x) => x.symbol === t.symbol).map(spanSeconds), slots);
      for (const pane of [0, 1, 2])
        series.push({ kind: 'band', name: 'toxic', color: BAND, points: band, pane });
    }
    charts.push({ id, axis: 'time', panes: [3, 2, 2], slots, series });
    const head = `${title}: ${t.symbol} ${t.side} ${fmt(t.qty, 0)}, ${utc(t.entryNs)} at ${fmt(t.entryPx, decimalsOf([t.entryPx]))} → ${utc(t.exitNs).slice(11)} at ${fmt(t.exitPx, decimalsOf([t.exitPx]))} (${t.exitReason}), ${t.pnl > 0 ? '+' : ''}${fmt(t.pnl)} USD${
      t.toxic === null ? '' : t.toxic ? ', inside a toxic episode' : ''
    }`;
    const notes = [
      mid.points.length === 0 ? 'no mid' : '',
      ofi.length === 0 ? 'no OFI' : '',
      vpin.length === 0 ? 'VPIN not ready' : '',
    ].filter((x) => x !== '');
    parts.push(
      `<h3>${escapeHtml(head)}</h3>${notes.length > 0 ? `<p class="empty">${escapeHtml(notes.join(', '))} in this window.</p>` : ''}${chartDiv(id, 'chart tall')}`,
    );
  };
  winners.forEach((t, i) => {
    panel(t, `Winner ${i + 1}`, `chart-panel-win-${i}`);
  });
  losers.forEach((t, i) => {
    panel(t, `Loser ${i + 1}`, `chart-panel-loss-${i}`);
  });
  if (charts.length === 0) parts.push('<p class="empty">No winning or losing round trips.</p>');
  return section('panels', 'Around the largest winners and losers', parts.join('\n'), charts);
}

/** An interval as `estimate [low, high]`, marked when it is noise. */
/** A share's interval in percent (null stays null). */
function percent(i: IntervalJson): IntervalJson {
  const p = (v: number | null) => (v === null ? null : 100 * v);
  return { estimate: p(i.estimate), low: p(i.low), high: p(i.high), noise: i.noise };
}

function interval(i: IntervalJson, d: number): string {
  if (i.estimate === null || !Number.isFinite(i.estimate)) return '–';
  const text = escapeHtml(`${fmt(i.estimate, d)} [${fmt(i.low, d)}, ${fmt(i.high, d)}]`);
  return i.noise ? `<span class="noise">${text} <span class="tag">noise</span></span>` : `<b>${text}</b>`;
}

function ablationSection(rows: readonly AblationJson[], claim: ResultJson['toxicityClaim']): Section {
  const body = rows.map((r) => [
    `<span title="${escapeHtml(r.label)}">${escapeHtml(r.name)}</span>`,
    fmt(r.metrics.pnl),
    r.name === 'old' ? '' : interval(r.vsOldDays, 0),
    fmt(r.metrics.trades, 0),
    pct(r.metrics.winRate),
    r.name === 'old' || r.vsOldPerContract === undefined ? '' : interval(r.vsOldPerContract, 2),
    r.step == null ? '' : `${interval(r.step.perContract, 2)} on ${escapeHtml(r.step.from)}`,
    r.toxic === null ? '' : fmt(r.toxic.losses),
  ]);
  const tbl = table(
    [
      'variant',
      'P&L USD',
      'vs old, by day (95 % CI)',
      'round trips',
      'win rate',
      'per contract vs old (95 % CI)',
      'step, per contract (95 % CI)',
      'toxic losses USD',
    ],
    body,
    'num ablations',
  );
  const labels = `<dl>${rows.map((r) => `<dt>${escapeHtml(r.name)}</dt><dd>${escapeHtml(r.label)}</dd>`).join('')}</dl>`;
  const c = claim;
  const claimHtml =
    c == null
      ? ''
      : `<p class="claim">Losses on round trips overlapping toxic episodes: ${fmt(c.without)} USD without the toxicity analyst and its veto (+microstructure), ${fmt(c.with)} USD with them (+toxicity); change ${interval(c.change, 0)} USD, share avoided ${interval(percent(c.avoided), 0)} % (95 % bootstrap intervals over ${fmt(c.days.length, 0)} day(s)).</p>`;
  const note =
    '<p>The same data through configurations that add one part at a time, after every cost. Differences are to <code>old</code>: summed over days with a 95 % bootstrap interval over days (paired by day), and the difference of P&amp;L per contract traded with an interval over round trips (the edge whatever the sizes and counts: a variant that trades less loses less in costs without foretelling anything); a step is what a row’s part adds, per contract, to the row it builds on. A difference whose interval holds zero, or rests on a single day, is marked <span class="tag">noise</span>.</p>';
  return section('ablations', 'Ablations', `${note}${tbl}${claimHtml}${labels}`);
}

function trainingSection(f: BacktestFolder, training: readonly TrainingJson[]): Section {
  const tested = f.result.metrics.days.map((d) => d.date);
  const span = (days: readonly string[]) =>
    days.length === 0
      ? '–'
      : days.length === 1
        ? days[0]
        : `${days[0]} … ${days[days.length - 1]} (${days.length} days)`;
  const tbl = table(
    ['fitted', 'on trading days', 'result'],
    training.map((t) => [escapeHtml(t.what), escapeHtml(span(t.days)), escapeHtml(t.detail)]),
    'training',
  );
  const overlap = training.flatMap((t) => t.days).filter((d) => tested.includes(d));
  const note =
    overlap.length === 0
      ? `<p>What this run used that was fitted or chosen on other days than the ${fmt(tested.length, 0)} it was scored on (${escapeHtml(span(tested))}): none of its test days was among them.</p>`
      : `<p class="claim">Warning: ${escapeHtml([...new Set(overlap)].join(', '))} trained and scored: these figures are in-sample.</p>`;
  return section('training', 'Training', `${note}${tbl}`);
}

function latencySection(f: BacktestFolder): Section {
  const rows: string[][] = [];
  const charts: ChartSpec[] = [];
  const cells: string[] = [];
  for (const tier of TIERS) {
    const values = f.timings[tier];
    if (values.length === 0) continue;
    const s = [...values].sort((a, b) => a - b);
    rows.push([
      escapeHtml(tier),
      fmt(s.length, 0),
      fmt(nearestRank(s, 0.5), 3),
      fmt(nearestRank(s, 0.95), 3),
      fmt(nearestRank(s, 0.99), 3),
      fmt(s[s.length - 1], 3),
    ]);
    const bins = logHistogram(values);
    const id = `chart-latency-${tier}`;
    charts.push({
      id,
      axis: 'value',
      axisPrecision: decimalsOf(bins.map((b) => b.from)),
      series: [
        {
          kind: 'histogram',
          name: `${tier} decisions`,
          color: BLUE,
          points: bins.map((b): Point => [b.from, b.count]),
          precision: 0,
        },
      ],
    });
    cells.push(`<div><h3>${escapeHtml(tier)}</h3>${chartDiv(id, 'chart small')}</div>`);
  }
  if (rows.length === 0)
    return section('latency', 'Latency per tier', '<p class="empty">No timings.jsonl.</p>');
  const text =
    '<p>Time each tier of the pipeline took per decision, in ms, measured on the wall clock while the backtest ran (with a model, the model’s time is in it); percentiles by nearest rank. Histograms on bins with edges 1, 2, 5 × 10<sup>k</sup> ms, each bar labelled with its lower edge (the bar at 0.2 counts the decisions from 0.2 ms up to 0.5 ms).</p>';
  return section(
    'latency',
    'Latency per tier',
    `${text}${table(['tier', 'decisions', 'p50 ms', 'p95 ms', 'p99 ms', 'max ms'], rows, 'num')}<div class="grid">${cells.join('')}</div>`,
    charts,
  );
}

function realismSection(f: BacktestFolder): Section {
  const m = f.result.metrics;
  const paper = f.result.config?.execution?.paper;
  let makerLots = 0;
  let takerLots = 0;
  for (const x of f.fills) {
    if (x.liquidity === 'maker') makerLots += x.qty;
    else takerLots += x.qty;
  }
  const levels = fillsPerLevel(f.fills);
  const levelTable = table(
    ['level', 'fills', 'lots'],
    levels.map((r) => [escapeHtml(r.level), fmt(r.fills, 0), fmt(r.lots, 0)]),
    'num',
  );
  const statuses = [...new Set(f.orders.map((o) => o.status))].sort();
  const types = [...new Set(f.orders.map((o) => `${o.role} ${o.type}`))].sort();
  const orderTable = table(
    ['order', ...statuses],
    types.map((k) => [
      escapeHtml(k),
      ...statuses.map((s) =>
        fmt(f.orders.filter((o) => `${o.role} ${o.type}` === k && o.status === s).length, 0),
      ),
    ]),
    'num',
  );
  const latency = paper?.latency;
  const latencyText =
    latency === undefined
      ? '–'
      : Object.entries(latency)
          .map(([k, v]) => `${k} ${String(v)}`)
          .join(', ');
  const warnings = f.result.execution?.largeShareWarnings;
  const facts = [
    [
      'fills',
      escapeHtml(
        `${fmt(f.fills.length, 0)}: ${fmt(makerLots, 0)} lots resting (maker), ${fmt(takerLots, 0)} taken (taker)`,
      ),
    ],
    ['maker share', escapeHtml(`${pct(m.makerShare)} of the lots filled`)],
    ['queue model', escapeHtml(paper?.queue ?? '–')],
    ['order latency', escapeHtml(latencyText)],
    [
      'decision latency',
      escapeHtml(`${fmt(f.result.config?.backtest?.decisionLatencyMs ?? 0, 0)} ms from trigger to orders`),
    ],
    [
      'queue-share warnings',
      escapeHtml(
        `${fmt(warnings, 0)} times one of our resting orders was more than ${pct(paper?.largeShare, 0)} of its price level`,
      ),
    ],
    ['refused', counts(m.refused)],
    ['positions at the end', counts(f.result.execution?.positions)],
  ];
  const dl = `<dl>${facts.map(([k, v]) => `<dt>${escapeHtml(k)}</dt><dd>${v}</dd>`).join('')}</dl>`;
  const text =
    '<p>The paper broker fills against the recorded book: a taking order walks the levels shown when it arrives, a resting order waits behind the queue ahead of it. Our orders do not move the market (no impact is modelled), so resting orders that were a large share of their level, and taking orders that reached deep levels, are where the backtest is least like the market.</p>';
  const levelText =
    '<p>Fills per level: among the fills of one taking order at one time, the first price it took at is level 1, the next level 2, and so on; resting fills are at the order’s own price.</p>';
  return section(
    'realism',
    'Realism',
    `${text}${dl}<div class="row"><div>${levelText}${levelTable}</div><div><p>Orders by what they were for and how they ended.</p>${orderTable}</div></div>`,
  );
}

function header(f: BacktestFolder): string {
  const r = f.result;
  const inputs = (r.inputs ?? []).map((i) => [
    escapeHtml(i.path),
    fmt(i.bytes, 0),
    `<code>${escapeHtml(i.sha256.slice(0, 16))}</code>`,
  ]);
  const first = f.equity[0]?.tsNs;
  const last = f.equity[f.equity.length - 1]?.tsNs;
  const facts = [
    r.package === undefined ? '' : `${r.package.name} ${r.package.version}`,
    r.configHash === undefined ? '' : `configuration ${r.configHash.slice(0, 12)}`,
    r.records === undefined ? '' : `${fmt(r.records, 0)} records`,
    first === undefined || last === undefined ? '' : `${utc(first)} to ${utc(last)}`,
  ].filter((x) => x !== '');
  const missing =
    f.missing.length === 0
      ? ''
      : `<p class="empty">Not in the folder: ${escapeHtml(f.missing.join(', '))}.</p>`;
  return `<header><h1>Backtest ${escapeHtml(folderName(f.dir))}</h1><p class="sub">${escapeHtml(facts.join(' · '))}</p>${missing}${
    inputs.length === 0
      ? ''
      : `<details><summary>Inputs</summary>${table(['file', 'bytes', 'sha256'], inputs)}</details>`
  }</header>`;
}

const STYLE = `
*{box-sizing:border-box}
body{margin:0;font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"Liberation Sans",sans-serif;color:#1f2328;background:#f6f7f9}
header,section,nav,footer{max-width:1180px;margin:0 auto;padding:12px 20px}
header h1{margin:8px 0 2px;font-size:22px}
.sub{color:#57606a;margin:0 0 6px}
nav{position:sticky;top:0;background:#f6f7f9;border-bottom:1px solid #d8dee4;z-index:10}
nav a{margin-right:14px;color:#0969da;text-decoration:none}
section{background:#fff;border:1px solid #d8dee4;border-radius:6px;margin-top:16px}
h2{font-size:18px;margin:4px 0 8px}
h3{font-size:14px;margin:14px 0 4px}
.cards{display:grid;grid-template-columns:repeat(auto-fill,minmax(170px,1fr));gap:8px}
.card{border:1px solid #d8dee4;border-radius:6px;padding:8px 10px}
.card .label{color:#57606a;font-size:12px}
.card .value{font-size:19px;font-weight:600}
.card .note{color:#57606a;font-size:12px}
.row{display:flex;flex-wrap:wrap;gap:24px;align-items:flex-start;margin-top:12px}
.grid{display:grid;grid-template-columns:repeat(auto-fill,minmax(340px,1fr));gap:12px}
table{border-collapse:collapse;margin:6px 0}
th,td{border-bottom:1px solid #e6e8eb;padding:3px 10px;text-align:left;white-space:nowrap}
th{font-weight:600;background:#f6f8fa}
table.num td:not(:first-child){text-align:right;font-variant-numeric:tabular-nums}
dl{display:grid;grid-template-columns:max-content 1fr;gap:2px 14px;margin:6px 0}
dt{color:#57606a}
dd{margin:0}
.chart{height:300px;margin:6px 0}
.chart.tall{height:420px}
.chart.small{height:180px}
.noise{color:#8c959f}
.tag{display:inline-block;font-size:11px;padding:0 5px;border-radius:8px;background:#eaeef2;color:#57606a}
.claim{font-weight:600}
.empty{color:#8c959f;font-style:italic}
footer{color:#57606a;font-size:12px;padding-bottom:30px}
code{font-size:12px}
`;

/** The page of a backtest folder, with the chart library inlined. */
export function renderReport(f: BacktestFolder, lib: ChartLibrary): string {
  const features = featureSeries(f);
  const sections = [
    headline(f),
    equitySection(f),
    priceSection(f, features),
    pnlSection(f),
    panelsSection(f, features),
    ...(f.result.ablations != null && f.result.ablations.length > 0
      ? [ablationSection(f.result.ablations, f.result.toxicityClaim)]
      : []),
    ...(f.result.training != null && f.result.training.length > 0
      ? [trainingSection(f, f.result.training)]
      : []),
    latencySection(f),
    realismSection(f),
  ];
  const charts = sections.flatMap((s) => s.charts);
  const nav = sections.map((s) => `<a href="#${s.id}">${escapeHtml(s.title)}</a>`).join('');
  const body = sections.map(
    (s) => `<section id="${s.id}"><h2>${escapeHtml(s.title)}</h2>\n${s.html}\n</section>`,
  );
  const footer = `<footer>Charts drawn with TradingView Lightweight Charts™ ${escapeHtml(lib.version)}, Copyright (c) TradingView, Inc., <a href="https://www.tradingview.com/">https://www.tradingview.com/</a>, under the Apache License 2.0 (inlined in this page with its notice).</footer>`;
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="icon" href="data:,">
<title>${escapeHtml(`Backtest ${folderName(f.dir)}`)}</title>
<style>${STYLE}</style>
</head>
<body>
${header(f)}
<nav>${nav}</nav>
${body.join('\n')}
${footer}
<script type="application/json" id="report-data">${scriptJson(charts)}</script>
<script>
${scriptText(lib.source)}
</script>
<script>
"use strict";
${scriptText(drawCharts.toString())}
window.reportCharts = drawCharts(document, window.LightweightCharts, JSON.parse(document.getElementById("report-data").textContent));
</script>
</body>
</html>
`;
}

/** Where a report was written, its size and the time its rendering took (reading included). */
export interface ReportWritten {
  readonly path: string;
  readonly bytes: number;
  readonly ms: number;
}

/**
 * Renders the report of a backtest folder (or of its `result.json`) into `out` (default
 * `report.html` in the folder), written under a `.partial` name and renamed when complete.
 */
export function writeReport(path: string, opts: { readonly out?: string } = {}): ReportWritten {
  const t0 = process.hrtime.bigint();
  const folder = readBacktestFolder(path);
  const html = renderReport(folder, chartLibrary());
  const out = opts.out ?? join(folder.dir, REPORT_FILE);
  writeFileSync(`${out}.partial`, html);
  renameSync(`${out}.partial`, out);
  return { path: out, bytes: statSync(out).size, ms: Number(process.hrtime.bigint() - t0) / 1e6 };
}
