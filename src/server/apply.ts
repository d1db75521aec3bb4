/**
 * An update applied to a state: what the page does with each `update` message, and what the
 * server's model does to keep the state a snapshot sends. Both sides use this one function, so a
 * browser that joined at any snapshot and applied every update since holds the server's state.
 *
 * It runs in the browser as well (served as a module beside the page's script), so it imports
 * nothing but types.
 */
import type {
  Candle,
  DashboardState,
  DecisionView,
  FeatureSeries,
  MarketDelta,
  MarketView,
  PortfolioView,
  SessionView,
  UpdateMessage,
} from './protocol.js';

/** How much of each list a state keeps: the newest entries. */
export const KEEP = {
  candles: 1_440,
  points: 3_600,
  trades: 2_000,
  decisions: 200,
  fills: 500,
  equity: 5_000,
  regimes: 500,
} as const;

/** The state of `session` before anything was seen: no instrument, decision, fill or limit. */
export function emptyState(session: SessionView): DashboardState {
  return {
    session,
    instruments: [],
    markets: [],
    board: null,
    decisions: [],
    portfolio: {
      positions: [],
      working: [],
      fills: [],
      dayPnl: 0,
      equity: 0,
      equityCurve: [],
      orders: 0,
      fillCount: 0,
    },
    risk: { state: 'trading', killSwitch: false, tradingPaused: false, limits: [] },
    feeds: [],
  };
}

/** `list` then `more`, keeping the last `keep`. */
export function appendKept<T>(list: readonly T[], more: readonly T[], keep: number): T[] {
  if (more.length === 0 && list.length <= keep) return list as T[];
  const all = list.concat(more);
  return all.length > keep ? all.slice(all.length - keep) : all;
}

/** Candles with new or changed ones merged in: a candle of a time already held replaces it. */
function mergeCandles(list: readonly Candle[], more: readonly Candle[]): readonly Candle[] {
  if (more.length === 0) return list;
  const out = list.slice();
  for (const c of more) {
    const last = out.length - 1;
    if (last >= 0 && out[last].t === c.t) out[last] = c;
    else if (last < 0 || out[last].t < c.t) out.push(c);
    else {
      const i = out.findIndex((x) => x.t === c.t);
      if (i >= 0) out[i] = c;
    }
  }
  return out.length > KEEP.candles ? out.slice(out.length - KEEP.candles) : out;
}

function mergeSeries(s: FeatureSeries, d: FeatureSeries): FeatureSeries {
  return {
    ofi: appendKept(s.ofi, d.ofi, KEEP.points),
    qi: appendKept(s.qi, d.qi, KEEP.points),
    vpin: appendKept(s.vpin, d.vpin, KEEP.points),
    rv: appendKept(s.rv, d.rv, KEEP.points),
    basis: appendKept(s.basis, d.basis, KEEP.points),
    regime: appendKept(s.regime, d.regime, KEEP.regimes),
  };
}

const EMPTY_SERIES: FeatureSeries = { ofi: [], qi: [], vpin: [], rv: [], basis: [], regime: [] };

function mergeMarket(m: MarketView | undefined, d: MarketDelta): MarketView {
  const base: MarketView = m ?? {
    symbol: d.symbol,
    candles: [],
    mid: [],
    micro: [],
    trades: [],
    ladder: null,
    now: d.now,
    series: EMPTY_SERIES,
    lines: [],
  };
  return {
    symbol: d.symbol,
    candles: mergeCandles(base.candles, d.candles),
    mid: appendKept(base.mid, d.mid, KEEP.points),
    micro: appendKept(base.micro, d.micro, KEEP.points),
    trades: appendKept(base.trades, d.trades, KEEP.trades),
    ladder: d.ladder ?? base.ladder,
    now: d.now,
    series: mergeSeries(base.series, d.series),
    lines: d.lines ?? base.lines,
  };
}

function mergePortfolio(p: PortfolioView, d: PortfolioView): PortfolioView {
  return {
    ...d,
    fills: appendKept(p.fills, d.fills, KEEP.fills),
    equityCurve: appendKept(p.equityCurve, d.equityCurve, KEEP.equity),
  };
}

/** Decisions with new or changed ones merged in: one of an id already held replaces it where it is. */
function mergeDecisions(
  list: readonly DecisionView[],
  more: readonly DecisionView[],
): readonly DecisionView[] {
  if (more.length === 0) return list;
  const out = list.slice();
  for (const d of more) {
    let i = out.length - 1;
    while (i >= 0 && out[i].id !== d.id) i--;
    if (i >= 0) out[i] = d;
    else out.push(d);
  }
  return out.length > KEEP.decisions ? out.slice(out.length - KEEP.decisions) : out;
}

/** The state after `u`. `state` is not changed. */
export function applyUpdate(state: DashboardState, u: UpdateMessage): DashboardState {
  let markets = state.markets;
  if (u.markets.length > 0) {
    const next = markets.slice();
    for (const d of u.markets) {
      const i = next.findIndex((m) => m.symbol === d.symbol);
      if (i >= 0) next[i] = mergeMarket(next[i], d);
      else next.push(mergeMarket(undefined, d));
    }
    markets = next;
  }
  return {
    session: u.session,
    instruments: u.instruments ?? state.instruments,
    markets,
    board: u.board ?? state.board,
    decisions: mergeDecisions(state.decisions, u.decisions),
    portfolio: u.portfolio === undefined ? state.portfolio : mergePortfolio(state.portfolio, u.portfolio),
    risk: u.risk ?? state.risk,
    feeds: u.feeds ?? state.feeds,
  };
}
