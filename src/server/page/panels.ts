/**
 * The page's panels other than charts: the header, instrument tabs, the ladder, the agent board,
 * the decision timeline, positions, orders and fills, risk usage and feed health. Each draws one
 * part of the state into its element; the page calls it only when that part changed.
 */
import type {
  AgentView,
  BoardView,
  DashboardState,
  DecisionView,
  FeatureNow,
  FeedView,
  InstrumentView,
  Ladder,
  Level,
  PortfolioView,
  RiskView,
  SessionView,
  WorkingOrder,
} from '../protocol.js';
import { byId, fill, h, setText } from './dom.js';
import {
  fmtClock,
  fmtClockMs,
  fmtEvidence,
  fmtMs,
  fmtNum,
  fmtPct,
  fmtPnl,
  fmtPx,
  fmtQty,
  NONE,
} from './format.js';

/** Decimals of `symbol`'s prices (5 when the instrument is unknown). */
export function decimalsOf(state: DashboardState, symbol: string): number {
  return state.instruments.find((i) => i.symbol === symbol)?.decimals ?? 5;
}

function signClass(v: number): string {
  return v > 0 ? 'pos' : v < 0 ? 'neg' : '';
}

/** The session part of the header: mode, name, clock, speed, and why it ended. */
export function drawSession(s: SessionView): void {
  setText(byId('session'), `${s.mode} · ${s.name}${s.held ? ' · held' : ''}`);
  setText(byId('clock'), fmtClockMs(s.nowMs));
  setText(byId('speed'), s.mode === 'live' ? 'live' : s.speed === 0 ? 'max' : `${s.speed}x`);
  const ended = byId('ended');
  ended.hidden = s.ended === null;
  setText(ended, s.ended === null ? '' : `ended: ${s.ended}`);
}

/** The header's risk state, kill switch and P&L. */
export function drawHeaderRisk(r: RiskView, p: PortfolioView): void {
  const state = byId('risk-state');
  setText(state, r.tradingPaused && r.state === 'trading' ? 'paused' : r.state);
  state.className = `badge ${r.state === 'trading' && !r.tradingPaused ? 'ok' : r.state === 'paused' || r.tradingPaused ? 'warn' : 'bad'}`;
  const kill = byId('kill-state');
  setText(kill, r.killSwitch ? 'ON' : 'off');
  kill.className = `badge ${r.killSwitch ? 'bad' : 'ok'}`;
  const pnl = byId('pnl');
  setText(pnl, fmtPnl(p.dayPnl));
  pnl.className = `num ${signClass(p.dayPnl)}`;
  setText(byId('equity-now'), fmtNum(p.equity, 2));
}

/** One dot per feed in the header (green live, amber lagging, red untrusted) and the feed table. */
export function drawFeeds(feeds: readonly FeedView[]): void {
  const cls = (f: FeedView) => (!f.trusted ? 'bad' : f.lagMs !== null && f.lagMs > 5_000 ? 'stale' : '');
  fill(
    byId('feeds'),
    ...feeds.map((f) =>
      h('span', {
        class: `dot ${cls(f)}`,
        'data-feed': f.symbol,
        title: `${f.symbol}: ${f.trusted ? 'trusted' : `untrusted (${f.why ?? '?'})`}, lag ${fmtMs(f.lagMs)}`,
      }),
    ),
  );
  fill(
    byId('feed-table').querySelector('tbody')!,
    ...feeds.map((f) =>
      h(
        'tr',
        { 'data-feed': f.symbol },
        h('td', {}, f.symbol),
        h('td', {}, String(f.records)),
        h('td', {}, fmtClockMs(f.lastRecordMs)),
        h('td', {}, fmtMs(f.lagMs)),
        h('td', { class: f.trusted ? 'pos' : 'neg' }, f.trusted ? 'ok' : (f.why ?? 'untrusted')),
      ),
    ),
  );
}

/** The instrument tabs; `onPick` is called with a symbol clicked. */
export function drawInstruments(
  instruments: readonly InstrumentView[],
  selected: string | null,
  onPick: (symbol: string) => void,
): void {
  fill(
    byId('instruments'),
    ...instruments.map((i) => {
      const b = h(
        'button',
        { type: 'button', 'data-symbol': i.symbol, 'aria-pressed': String(i.symbol === selected) },
        `${i.symbol}`,
      );
      b.title = `${i.kind}, ${i.decimals} decimals`;
      b.addEventListener('click', () => onPick(i.symbol));
      return b;
    }),
  );
}

/** The line above the price chart: mid, micro-price, spread, last candle. */
export function drawLegend(symbol: string, now: FeatureNow, decimals: number, regime: string | null): void {
  fill(
    byId('legend'),
    h('b', {}, symbol),
    'mid ',
    h('b', {}, fmtPx(now.mid, decimals)),
    'micro ',
    h('b', {}, fmtPx(now.microprice, decimals)),
    'spread ',
    h('b', {}, `${fmtNum(now.spreadTicks, 1)} ticks`),
    'regime ',
    h('b', {}, regime ?? NONE),
  );
}

function ladderRow(
  side: 'bid' | 'ask',
  l: Level,
  i: number,
  maxSz: number,
  ours: readonly WorkingOrder[],
  decimals: number,
) {
  const width = `${maxSz > 0 ? Math.round((100 * l.sz) / maxSz) : 0}%`;
  const mine = ours.filter((o) => o.px === l.px && (o.side === 'buy') === (side === 'bid'));
  const oursText = mine
    .map((o) => `${o.side === 'buy' ? 'B' : 'S'}${o.qty} ahead ${o.ahead === null ? NONE : o.ahead}`)
    .join(', ');
  const sz = h('td', { class: 'sz' }, h('span', { class: 'bar', style: `width:${width}` }), String(l.sz));
  const row = h(
    'tr',
    {
      'data-side': side,
      'data-level': i,
      'data-px': fmtPx(l.px, decimals),
      class: `${l.wall ? 'wall' : ''} ${i === 0 ? 'best' : ''}`.trim() || undefined,
    },
    h('td', {}, l.ct > 0 ? String(l.ct) : ''),
    side === 'bid' ? sz : h('td', {}),
    h('td', { class: 'px' }, fmtPx(l.px, decimals)),
    side === 'ask' ? sz : h('td', {}),
    h('td', { class: 'ours', 'data-ours': mine.length > 0 ? 'true' : undefined }, oursText),
  );
  if (l.wall) row.title = 'wall: size at least the wall multiple of its side’s median';
  return row;
}

/** The ladder: asks above (best at the bottom), the spread, bids below; walls and our orders marked. */
export function drawLadder(symbol: string, ladder: Ladder | null, decimals: number): void {
  setText(
    byId('ladder-symbol'),
    ladder === null ? `${symbol}: no book` : `${symbol} at ${fmtClock(ladder.t)}`,
  );
  const body = byId('ladder').querySelector('tbody')!;
  if (ladder === null) {
    fill(body);
    return;
  }
  const maxSz = Math.max(1, ...ladder.bids.map((l) => l.sz), ...ladder.asks.map((l) => l.sz));
  const asks = ladder.asks.map((l, i) => ladderRow('ask', l, i, maxSz, ladder.orders, decimals)).reverse();
  const bids = ladder.bids.map((l, i) => ladderRow('bid', l, i, maxSz, ladder.orders, decimals));
  const bb = ladder.bids[0]?.px;
  const ba = ladder.asks[0]?.px;
  const spread = h(
    'tr',
    { class: 'spread' },
    h(
      'td',
      { colspan: 5 },
      bb !== undefined && ba !== undefined ? `spread ${fmtPx(ba - bb, decimals)}` : NONE,
    ),
  );
  const away = ladder.orders.filter(
    (o) => o.px === null || ![...ladder.bids, ...ladder.asks].some((l) => l.px === o.px),
  );
  const awayRow =
    away.length === 0
      ? null
      : h(
          'tr',
          { class: 'spread' },
          h(
            'td',
            { colspan: 5 },
            `ours off the ladder: ${away.map((o) => `${o.side} ${o.qty} ${o.type} ${fmtPx(o.px, decimals)}`).join(', ')}`,
          ),
        );
  fill(body, ...asks, spread, ...bids, awayRow);
}

function agentCard(a: AgentView): HTMLElement {
  const color = a.direction === 'long' ? '#2fae6e' : a.direction === 'short' ? '#e0525a' : '#8b96a3';
  const evidence = Object.entries(a.evidence);
  return h(
    'div',
    { class: 'agent', 'data-agent': a.agent, 'data-direction': a.direction },
    h(
      'div',
      { class: 'name' },
      h('span', {}, a.agent),
      h('span', { class: `dir-${a.direction}` }, `${a.direction} ${fmtPct(a.confidence)}`),
    ),
    h(
      'div',
      { class: 'conf', title: `confidence ${fmtNum(a.confidence, 2)}` },
      h('span', {
        style: `width:${Math.round(Math.max(0, Math.min(1, a.confidence)) * 100)}%;background:${color}`,
      }),
    ),
    h(
      'dl',
      {},
      ...evidence.flatMap(([k, v]) => [h('dt', {}, k), h('dd', { title: String(v) }, fmtEvidence(v))]),
      h('dt', {}, 'time'),
      h('dd', {}, fmtMs(a.ms)),
      a.horizonS === null ? null : h('dt', {}, 'horizon'),
      a.horizonS === null ? null : h('dd', {}, `${a.horizonS} s`),
    ),
    a.why === null ? null : h('div', { class: 'dir-dropped' }, a.why),
    ...a.flags.map((f) => h('span', { class: 'flag' }, f)),
  );
}

/** The agent board: the consensus, each analyst's card, the validators' verdicts and the debate. */
export function drawBoard(b: BoardView | null): void {
  if (b === null) {
    setText(byId('board-meta'), 'no decision yet');
    fill(byId('consensus'));
    fill(byId('agents'));
    fill(byId('verdicts'));
    byId('debate').hidden = true;
    return;
  }
  setText(byId('board-meta'), `${b.symbol} · ${fmtClock(b.t)} · ${b.decisionId}`);
  const c = b.consensus;
  fill(
    byId('consensus'),
    h('span', {}, 'consensus ', h('b', { class: `dir-${c.direction}` }, c.direction)),
    h('span', {}, 'score ', h('b', {}, fmtNum(c.score, 2))),
    h('span', {}, 'agreement ', h('b', {}, fmtPct(c.agreement))),
  );
  fill(byId('agents'), ...b.agents.map(agentCard));
  fill(
    byId('verdicts'),
    ...b.verdicts.map((v) =>
      h(
        'span',
        { class: `verdict ${v.pass ? 'pass' : 'veto'}`, 'data-verdict': v.name, title: v.reason ?? '' },
        `${v.name}: ${v.pass ? 'pass' : 'veto'}${v.reason === null ? '' : ` (${v.reason})`}`,
      ),
    ),
  );
  const debate = byId<HTMLDetailsElement>('debate');
  debate.hidden = b.debate === null;
  if (b.debate !== null) {
    const d = b.debate;
    fill(
      byId('debate-turns'),
      h('div', { class: 'sub' }, `${d.rounds} round${d.rounds === 1 ? '' : 's'}; judge: ${d.verdict}`),
      ...d.turns.map((t) => h('div', { class: 'turn' }, h('b', {}, `${t.speaker}: `), t.text)),
    );
  }
}

const TIER_COLORS = ['#4d9de0', '#8e6fd8', '#e0a33a', '#2fae6e', '#e0525a', '#57c4c4'];

function waterfall(
  parts: readonly { readonly name: string; readonly ms: number }[],
  total: number,
  label: string,
) {
  const sum = Math.max(
    total,
    parts.reduce((s, p) => s + p.ms, 0),
    1e-9,
  );
  return h(
    'div',
    {},
    h('div', { class: 'wf-label' }, `${label}: ${parts.map((p) => `${p.name} ${fmtMs(p.ms)}`).join(' · ')}`),
    h(
      'div',
      { class: 'wf' },
      ...parts.map((p, i) =>
        h('span', {
          title: `${p.name} ${fmtMs(p.ms)}`,
          style: `width:${((100 * p.ms) / sum).toFixed(2)}%;background:${TIER_COLORS[i % TIER_COLORS.length]}`,
        }),
      ),
    ),
  );
}

function decisionRow(d: DecisionView): HTMLElement {
  return h(
    'div',
    { class: 'decision', 'data-decision': d.id, 'data-outcome': d.outcome.split(/[\s:(]/)[0] },
    h('span', { class: 'num' }, fmtClock(d.t)),
    h('span', {}, d.symbol),
    h('span', { class: `dir-${d.direction}` }, `${d.direction}${d.size > 0 ? ` ${d.size}` : ''}`),
    h(
      'span',
      { class: 'outcome', title: `${d.trigger}; ${d.outcome}` },
      h('span', { class: 'route badge' }, d.route),
      ` ${d.outcome} · agr ${fmtPct(d.agreement)} · ${fmtMs(d.totalMs)} · ${d.trigger}`,
    ),
    h(
      'div',
      { class: 'waterfall' },
      waterfall(d.tiers, d.totalMs, 'tiers'),
      d.analysts.length === 0 ? null : waterfall(d.analysts, 0, 'analysts'),
    ),
  );
}

/** The decision timeline, latest first (the newest `max`). */
export function drawDecisions(decisions: readonly DecisionView[], max = 60): void {
  const shown = decisions.slice(-max).reverse();
  fill(byId('decisions'), ...shown.map(decisionRow));
}

/** Positions, working orders and fills. */
export function drawPortfolio(p: PortfolioView, state: DashboardState): void {
  fill(
    byId('positions').querySelector('tbody')!,
    ...p.positions.map((pos) =>
      h(
        'tr',
        { 'data-symbol': pos.symbol },
        h('td', {}, pos.symbol),
        h('td', { 'data-qty': pos.qty, class: signClass(pos.qty) }, fmtQty(pos.qty)),
        h('td', {}, fmtPx(pos.avgPx, decimalsOf(state, pos.symbol))),
        h('td', { class: signClass(pos.upnl) }, fmtPnl(pos.upnl)),
      ),
    ),
  );
  fill(
    byId('working').querySelector('tbody')!,
    ...p.working.map((o) =>
      h(
        'tr',
        { 'data-order': o.clientId },
        h('td', {}, o.clientId),
        h('td', {}, o.symbol),
        h('td', { class: o.side === 'buy' ? 'pos' : 'neg' }, o.side),
        h('td', {}, o.type),
        h('td', {}, fmtPx(o.px, decimalsOf(state, o.symbol))),
        h('td', {}, String(o.qty)),
        h('td', {}, o.ahead === null ? NONE : String(o.ahead)),
      ),
    ),
  );
  setText(byId('fill-count'), `${p.fillCount} fills, ${p.orders} orders`);
  fill(
    byId('fills').querySelector('tbody')!,
    ...p.fills
      .slice(-50)
      .reverse()
      .map((f) =>
        h(
          'tr',
          { 'data-fill': f.clientId },
          h('td', {}, fmtClock(f.t)),
          h('td', {}, f.symbol),
          h('td', { class: f.side === 'buy' ? 'pos' : 'neg' }, f.side),
          h('td', {}, fmtPx(f.px, decimalsOf(state, f.symbol))),
          h('td', {}, String(f.qty)),
          h('td', {}, f.liquidity),
          h('td', {}, f.role),
        ),
      ),
  );
}

/** Risk usage: one bar per limit (used / limit). */
export function drawRisk(r: RiskView): void {
  fill(
    byId('risk'),
    h(
      'div',
      { class: 'sub' },
      `state ${r.state} · kill switch ${r.killSwitch ? 'ON' : 'off'} · entries ${r.tradingPaused ? 'paused' : 'on'}`,
    ),
    ...r.limits.map((l) => {
      const f = l.limit > 0 ? Math.abs(l.used) / l.limit : 0;
      return h(
        'div',
        { class: 'limit', 'data-limit': l.name },
        h('span', {}, l.name),
        h(
          'div',
          { class: `meter ${f >= 1 ? 'full' : f >= 0.75 ? 'high' : ''}` },
          h('span', { style: `width:${Math.min(100, f * 100).toFixed(1)}%` }),
        ),
        h(
          'span',
          { class: 'num' },
          `${fmtNum(l.used, Number.isInteger(l.used) ? 0 : 2)} / ${fmtNum(l.limit, Number.isInteger(l.limit) ? 0 : 2)}`,
        ),
      );
    }),
  );
}
