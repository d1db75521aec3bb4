/**
 * The dashboard's page: its HTML and style, and the files it loads. The page's script is an ES
 * module compiled by tsconfig.page.json beside this file (dist/src/server/page/*.js); it imports
 * the state's update function from dist/src/server/apply.js and uses TradingView's Lightweight
 * Charts, read from node_modules (its standalone build, which defines the global
 * `LightweightCharts`). Nothing comes from a CDN.
 *
 * The server serves `dashboardHtml()` at `/` and each of `dashboardAssets()` at its path.
 */
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chartLibraryFiles, escapeHtml } from '../../backtest/index.js';

/** The page's modules, compiled to dist/src/server/page/NAME.js and served at /assets/page/NAME.js. */
export const PAGE_MODULES = ['app', 'charts', 'controls', 'dom', 'format', 'panels'] as const;

/** A file the page loads: its URL path, where it is on disk, and its content type. */
export interface DashboardAsset {
  readonly path: string;
  readonly file: string;
  readonly contentType: string;
}

const JS = 'text/javascript; charset=utf-8';

/**
 * The files the page loads, by URL path: `/assets/lightweight-charts.js` (the library's standalone
 * build from node_modules), `/assets/apply.js` and `/assets/protocol.js` (dist/src/server/) and
 * `/assets/page/NAME.js` (dist/src/server/page/NAME.js), each with its source map.
 */
export function dashboardAssets(): ReadonlyMap<string, DashboardAsset> {
  const here = dirname(fileURLToPath(import.meta.url));
  const out = new Map<string, DashboardAsset>();
  const add = (path: string, file: string, contentType: string): void => {
    out.set(path, { path, file, contentType });
  };
  add('/assets/lightweight-charts.js', chartLibraryFiles().standalone, JS);
  add('/assets/apply.js', join(here, '..', 'apply.js'), JS);
  add('/assets/apply.js.map', join(here, '..', 'apply.js.map'), 'application/json');
  add('/assets/protocol.js', join(here, '..', 'protocol.js'), JS);
  add('/assets/protocol.js.map', join(here, '..', 'protocol.js.map'), 'application/json');
  for (const m of PAGE_MODULES) {
    add(`/assets/page/${m}.js`, join(here, `${m}.js`), JS);
    add(`/assets/page/${m}.js.map`, join(here, `${m}.js.map`), 'application/json');
  }
  return out;
}

/** What the page is built with. */
export interface DashboardHtmlOptions {
  /** The page's title (escaped). */
  readonly title: string;
}

/** The dashboard's page. */
export function dashboardHtml(opts: DashboardHtmlOptions): string {
  const title = escapeHtml(opts.title);
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="icon" href="data:,">
<title>${title}</title>
<style>${CSS}</style>
<script src="/assets/lightweight-charts.js"></script>
<script type="module" src="/assets/page/app.js"></script>
</head>
<body>
${header(title)}
<main id="grid">
${marketSection()}
${sideSection()}
${agentSection()}
${portfolioSection()}
</main>
</body>
</html>
`;
}

function header(title: string): string {
  return `<header id="top">
  <h1 id="title">${title}</h1>
  <span id="conn" class="badge conn-connecting" title="Connection to the server">connecting</span>
  <span id="session" class="meta" title="Session: mode and name">–</span>
  <span class="meta">UTC <b id="clock">–</b></span>
  <span class="meta">speed <b id="speed">–</b></span>
  <span id="ended" class="badge warn" hidden></span>
  <span class="spacer"></span>
  <span class="meta">risk <b id="risk-state" class="badge">–</b></span>
  <span class="meta">kill <b id="kill-state" class="badge">–</b></span>
  <span class="meta">feeds <span id="feeds"></span></span>
  <span class="meta">day P&amp;L <b id="pnl" class="num">–</b></span>
  <span class="meta">equity <b id="equity-now" class="num">–</b></span>
</header>`;
}

function marketSection(): string {
  const feature = (id: string, name: string) =>
    `<div class="feature"><div class="fhead"><span>${name}</span><span id="${id}-now" class="num">–</span></div><div id="${id}" class="fchart"></div></div>`;
  return `<section id="market" class="panel">
  <div class="chartbar">
    <nav id="instruments" aria-label="Instruments"></nav>
    <div id="chart-views" role="group" aria-label="Price chart">
      <button type="button" data-view="minute" aria-pressed="true">1m candles</button>
      <button type="button" data-view="tick" aria-pressed="false">ticks &amp; trades</button>
    </div>
  </div>
  <div id="legend" class="legend"></div>
  <div id="chart"></div>
  <div id="features">
    ${feature('f-ofi', 'OFI 1s / 10s')}
    ${feature('f-qi', 'Queue imbalance L1 / L5')}
    ${feature('f-vpin', 'VPIN (alert line)')}
    ${feature('f-rv', 'Realized vol (regime shaded)')}
    ${feature('f-basis', 'Futures–spot basis')}
  </div>
</section>`;
}

function sideSection(): string {
  return `<section id="side" class="panel">
  <h2>Ladder <span id="ladder-symbol" class="sub"></span></h2>
  <table id="ladder" class="ladder"><thead><tr><th>orders</th><th>bid</th><th>price</th><th>ask</th><th>ours</th></tr></thead><tbody></tbody></table>
  <h2>Controls</h2>
  <div id="controls">
    <p id="controls-note" class="note"></p>
    <label>token <input id="token" type="password" autocomplete="off" placeholder="control token"></label>
    <div class="buttons">
      <button id="btn-pause" type="button">Pause trading</button>
      <button id="btn-resume" type="button">Resume</button>
      <button id="btn-kill" type="button" class="danger">KILL (flatten all)</button>
      <button id="btn-reset" type="button">Reset kill</button>
    </div>
    <div id="replay" hidden>
      <div class="buttons">
        <label>speed <select id="speed-select">${[1, 5, 10, 30, 60, 120, 300, 600].map((s) => `<option value="${s}">${s}x</option>`).join('')}</select></label>
        <input id="speed-input" type="number" min="0.1" step="any" placeholder="x" aria-label="speed">
        <button id="btn-speed" type="button">Set speed</button>
        <button id="btn-hold" type="button">Hold</button>
        <button id="btn-play" type="button">Play</button>
      </div>
      <label class="seek">seek <input id="seek" type="range" min="0" max="1" step="1000" value="0"></label>
      <span id="seek-label" class="num">–</span>
    </div>
    <p id="control-answer" class="answer" role="status"></p>
  </div>
  <h2>Risk</h2>
  <div id="risk"></div>
  <h2>Feeds</h2>
  <table id="feed-table"><thead><tr><th>feed</th><th>records</th><th>last</th><th>lag</th><th>state</th></tr></thead><tbody></tbody></table>
</section>`;
}

function agentSection(): string {
  return `<section id="board" class="panel">
  <h2>Agents <span id="board-meta" class="sub"></span></h2>
  <div id="consensus"></div>
  <div id="agents"></div>
  <div id="verdicts"></div>
  <details id="debate" hidden><summary>Debate</summary><div id="debate-turns"></div></details>
  <h2>Decisions <span class="sub">latest first; bars: time per tier, then per analyst</span></h2>
  <div id="decisions"></div>
</section>`;
}

function portfolioSection(): string {
  return `<section id="portfolio" class="panel">
  <div class="cols">
    <div><h2>Positions</h2><table id="positions"><thead><tr><th>symbol</th><th>qty</th><th>avg</th><th>open P&amp;L</th></tr></thead><tbody></tbody></table>
    <h2>Working orders</h2><table id="working"><thead><tr><th>id</th><th>symbol</th><th>side</th><th>type</th><th>px</th><th>qty</th><th>ahead</th></tr></thead><tbody></tbody></table></div>
    <div><h2>Fills <span id="fill-count" class="sub"></span></h2><div class="scroll"><table id="fills"><thead><tr><th>time</th><th>symbol</th><th>side</th><th>px</th><th>qty</th><th>liq</th><th>role</th></tr></thead><tbody></tbody></table></div></div>
    <div><h2>Equity</h2><div id="equity"></div></div>
  </div>
</section>`;
}

const CSS = `
:root { --bg:#0f1318; --panel:#161b22; --line:#2a313b; --text:#d6dde6; --dim:#8b96a3; --bid:#2fae6e; --ask:#e0525a;
  --warn:#e0a33a; --accent:#4d9de0; font: 12px/1.35 system-ui, -apple-system, "Segoe UI", sans-serif; }
* { box-sizing: border-box; }
[hidden] { display: none !important; }
body { margin: 0; background: var(--bg); color: var(--text); }
h1 { font-size: 14px; margin: 0; }
h2 { font-size: 12px; margin: 8px 0 4px; color: var(--dim); text-transform: uppercase; letter-spacing: .04em; }
.sub { text-transform: none; letter-spacing: 0; font-weight: normal; }
.num, td, .ladder { font-variant-numeric: tabular-nums; }
#top { display: flex; flex-wrap: wrap; align-items: center; gap: 6px 14px; padding: 6px 10px; border-bottom: 1px solid var(--line);
  background: var(--panel); position: sticky; top: 0; z-index: 5; }
.meta { color: var(--dim); } .meta b { color: var(--text); }
.spacer { flex: 1; }
.badge { display: inline-block; padding: 1px 6px; border-radius: 3px; background: #253040; color: var(--text); font-weight: 600; }
.badge.ok, .conn-live { background: #1d4d33; } .badge.warn, .conn-reconnecting, .conn-connecting { background: #5a4517; }
.badge.bad { background: #6b1f25; }
.dot { display: inline-block; width: 9px; height: 9px; border-radius: 50%; margin-left: 3px; background: var(--bid); }
.dot.bad { background: var(--ask); } .dot.stale { background: var(--warn); }
#grid { display: grid; gap: 8px; padding: 8px; grid-template-columns: minmax(0, 2.2fr) minmax(270px, 1fr) minmax(320px, 1.3fr);
  grid-template-areas: "market side board" "portfolio portfolio board"; }
#market { grid-area: market; } #side { grid-area: side; } #board { grid-area: board; } #portfolio { grid-area: portfolio; }
@media (max-width: 1250px) { #grid { grid-template-columns: minmax(0, 1fr) minmax(270px, 340px);
  grid-template-areas: "market side" "board board" "portfolio portfolio"; } }
@media (max-width: 800px) { #grid { grid-template-columns: 1fr; grid-template-areas: "market" "side" "board" "portfolio"; } }
.panel { background: var(--panel); border: 1px solid var(--line); border-radius: 4px; padding: 6px 8px; min-width: 0; }
.chartbar { display: flex; justify-content: space-between; gap: 8px; margin-bottom: 4px; }
#instruments, #chart-views { display: flex; gap: 4px; }
.chartbar button { background: #1e252e; border-color: var(--line); padding: 2px 10px; }
.chartbar button[aria-pressed="true"] { background: var(--accent); color: #fff; border-color: var(--accent); }
.legend { color: var(--dim); min-height: 16px; } .legend b { color: var(--text); margin-right: 10px; }
#chart { height: 380px; }
#features { display: grid; grid-template-columns: repeat(auto-fill, minmax(260px, 1fr)); gap: 6px; margin-top: 6px; }
.feature { border: 1px solid var(--line); border-radius: 3px; padding: 2px 4px; }
.fhead { display: flex; justify-content: space-between; color: var(--dim); }
.fhead .num { color: var(--text); } .fhead .alert { color: var(--ask); font-weight: 700; }
.fchart { height: 110px; }
table { border-collapse: collapse; width: 100%; }
th { text-align: right; color: var(--dim); font-weight: normal; border-bottom: 1px solid var(--line); padding: 1px 4px; }
td { text-align: right; padding: 1px 4px; border-bottom: 1px solid #1d232b; white-space: nowrap; }
th:first-child, td:first-child { text-align: left; }
.ladder td { position: relative; }
.ladder tr[data-side="ask"] td.px { color: var(--ask); } .ladder tr[data-side="bid"] td.px { color: var(--bid); }
.ladder td.px { text-align: center; font-weight: 600; }
.ladder .bar { position: absolute; top: 2px; bottom: 2px; opacity: .28; }
.ladder tr[data-side="bid"] .bar { right: 0; background: var(--bid); } .ladder tr[data-side="ask"] .bar { left: 0; background: var(--ask); }
.ladder tr.wall td.sz { font-weight: 700; outline: 1px solid var(--warn); outline-offset: -1px; }
.ladder tr.best td { border-bottom-color: var(--dim); }
.ladder td.ours { color: var(--accent); text-align: left; }
.ladder tr.spread td { color: var(--dim); text-align: center; font-size: 11px; }
#controls label { display: inline-flex; gap: 4px; align-items: center; color: var(--dim); }
#controls input, #controls select { background: #0f1318; color: var(--text); border: 1px solid var(--line); padding: 2px 4px; }
#token { width: 150px; } #speed-input { width: 60px; }
.buttons { display: flex; flex-wrap: wrap; gap: 4px; margin: 4px 0; }
button { background: #253040; color: var(--text); border: 1px solid #3a4756; border-radius: 3px; padding: 3px 8px; cursor: pointer; font: inherit; }
button:hover:not(:disabled) { background: #2f3d50; }
button:disabled, input:disabled, select:disabled { opacity: .45; cursor: not-allowed; }
button.danger { background: #7a1f27; border-color: #a0303a; font-weight: 700; }
.seek:not([hidden]) { display: flex !important; } .seek input { flex: 1; }
.note { color: var(--warn); margin: 2px 0; } .note:empty { display: none; }
.answer { min-height: 16px; margin: 4px 0; color: var(--dim); } .answer.ok { color: var(--bid); } .answer.bad { color: var(--ask); }
.limit { display: grid; grid-template-columns: 110px 1fr 90px; gap: 6px; align-items: center; margin: 2px 0; }
.meter { height: 8px; background: #0f1318; border: 1px solid var(--line); border-radius: 2px; overflow: hidden; }
.meter > span { display: block; height: 100%; background: var(--bid); }
.meter.high > span { background: var(--warn); } .meter.full > span { background: var(--ask); }
#consensus { display: flex; gap: 12px; align-items: baseline; padding: 4px 0; }
.dir-long { color: var(--bid); } .dir-short { color: var(--ask); } .dir-flat { color: var(--dim); } .dir-dropped { color: var(--warn); }
#agents { display: grid; grid-template-columns: repeat(auto-fill, minmax(150px, 1fr)); gap: 4px; }
.agent { border: 1px solid var(--line); border-radius: 3px; padding: 3px 5px; }
.agent .name { font-weight: 600; display: flex; justify-content: space-between; }
.conf { height: 5px; background: #0f1318; margin: 2px 0; } .conf > span { display: block; height: 100%; }
.agent dl { margin: 0; display: grid; grid-template-columns: auto 1fr; gap: 0 6px; color: var(--dim); font-size: 11px; }
.agent dd { margin: 0; color: var(--text); text-align: right; overflow: hidden; text-overflow: ellipsis; }
.flag { display: inline-block; background: #5a4517; border-radius: 2px; padding: 0 3px; margin: 1px 2px 0 0; font-size: 10px; }
#verdicts { display: flex; flex-wrap: wrap; gap: 4px; margin: 6px 0; }
.verdict { border-radius: 3px; padding: 1px 6px; background: #1d4d33; } .verdict.veto { background: #6b1f25; }
#debate { margin: 4px 0; } #debate summary { cursor: pointer; color: var(--dim); }
.turn { margin: 3px 0; } .turn b { color: var(--accent); }
#decisions { max-height: 520px; overflow-y: auto; }
.decision { display: grid; grid-template-columns: 62px 52px 62px 1fr; gap: 2px 6px; padding: 3px 0; border-bottom: 1px solid #1d232b; align-items: center; }
.decision .outcome { grid-column: 4; color: var(--dim); overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
.decision .route { font-size: 11px; } .waterfall { grid-column: 1 / -1; display: flex; flex-direction: column; gap: 1px; }
.wf { display: flex; height: 7px; } .wf > span { display: block; height: 100%; min-width: 1px; border-right: 1px solid var(--panel); }
.wf-label { font-size: 10px; color: var(--dim); }
.cols { display: grid; grid-template-columns: minmax(0, 1fr) minmax(0, 1.2fr) minmax(0, 1fr); gap: 12px; }
@media (max-width: 1000px) { .cols { grid-template-columns: 1fr; } }
.scroll { max-height: 220px; overflow-y: auto; }
#equity { height: 200px; }
.pos { color: var(--bid); } .neg { color: var(--ask); }
`;
