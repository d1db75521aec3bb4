/**
 * The dashboard's model of a trading session (`TradingSession`): what the page shows, read from the
 * session a few times a second (`sample`), each reading an update of only what changed since the
 * last, and the state those updates build (`snapshot`), kept by the same `applyUpdate` the page
 * runs.
 *
 * A sample reads the session's lists from where the last one stopped (decisions, fills, the equity
 * curve, closed bars) and the current values (features, books, positions, risk, feeds), so it costs
 * the same whatever the session's length. Per instrument:
 * - candles: the feature engine's 1-minute trade bars (`DecisionLoop.onBar`), closed ones as they
 *   close, and the forming one (`FeatureEngine.formingBar`) while it moves;
 * - mid, microprice and the panels' series: a point per market second at most (the snapshot's time);
 *   `ofi` is `ofi_10s`, `qi` is `qi_l1`, `vpin` is the VPIN CDF (what `vpinAlert` is compared with),
 *   `rv` is `rv_1m`, `basis` the futures–spot basis;
 * - trade markers: the market trades since the last sample per aggressor side, their volume and
 *   volume-weighted price (`FeatureEngine.tradeTotals`);
 * - the ladder: ten levels a side, a level a wall when its size is at least `WALL_MULTIPLE` times
 *   the median size of its side's shown levels, and our working orders with the size ahead of them
 *   (`PaperBroker.queueAhead`; null on a venue);
 * - lines: the prior day's classic pivots, high and low, the FX day's high and low, the Asian range
 *   (the techniques' session levels, `DecisionLoop.sessions`) and the big figures (100-pip round
 *   numbers of the instrument's quote) below and above the mid.
 *
 * Decisions carry their tier times, each analyst's time and what became of them (`Trader.fateOf`);
 * the board is the latest decision in full. Numbers that are not finite travel as null.
 */
import type { BookView, FeedHealth, L2Book, L3Book } from '../book/index.js';
import { fxFutureRoot } from '../core/index.js';
import type { DecisionFate, Trader } from '../execution/index.js';
import type { Bar, FeatureSnapshot } from '../features/index.js';
import type { Decision, DecisionLoop } from '../pipeline/index.js';
import { type FeedCount, riskState } from '../runtime/index.js';
import { BigFigureGrid, pipSizeOf, pivotLevels } from '../strategy/index.js';
import { applyUpdate, emptyState, KEEP } from './apply.js';
import {
  type AgentView,
  type BoardView,
  type Candle,
  type ControlAnswer,
  type ControlRequest,
  type DashboardState,
  type DecisionView,
  type FeatureNow,
  type FeatureSeries,
  type FeedView,
  type FillMark,
  type InstrumentView,
  type Ladder,
  type Level,
  type LimitView,
  type MarketDelta,
  type Point,
  type PortfolioView,
  type PositionView,
  PROTOCOL_VERSION,
  type PriceLine,
  type RiskView,
  type SessionView,
  type SnapshotMessage,
  type TradeMark,
  type UpdateMessage,
  type WorkingOrder,
} from './protocol.js';
import { ControlRefused, type DashboardModel } from './source.js';

/** A ladder level is a wall when its size is at least this many times its side's median shown size. */
export const WALL_MULTIPLE = 3;
/** Levels a side in the ladder. */
const LADDER_LEVELS = 10;
const NS_PER_S = 1_000_000_000n;

/** What the session does not know of itself: how it is served (mode, pace, controls, its end). */
export type SessionInfo = () => Omit<SessionView, 'nowMs'>;

/**
 * What the model reads of a session, and what its controls call: a paper or live `TradingSession`,
 * a backtest replayed at a pace (paced-backtest.ts), or the services of `scalper run`
 * (services-session.ts).
 */
export interface DashboardSession {
  /** The market's side: features, books, bars and levels; and the decisions taken. */
  readonly loop: Pick<DecisionLoop, 'decisions' | 'engine' | 'onBar' | 'sessions' | 'regime'>;
  readonly trader: Trader;
  /** The session's clock, ns. */
  readonly nowNs: bigint;
  /** Records per instrument so far. */
  feeds(): FeedCount[];
  readonly health: Pick<FeedHealth, 'whyUntrusted'>;
  kill(why: string): void;
  resetKill(why?: string): void;
  pause(why?: string): void;
  resume(): void;
}

export interface SessionModelOptions {
  readonly session: DashboardSession;
  /** The session's mode, name, pace, range, controls and end, read at each sample. */
  readonly view: SessionInfo;
}

/** What a sample remembers of one instrument. */
class Tracked {
  /** The forming candle as last sent (time, OHLC, volume), '' before one. */
  formingKey = '';
  /** Second of the last points (NaN before one). */
  lastPointS = Number.NaN;
  buyQty = 0;
  buyNotional = 0;
  sellQty = 0;
  sellNotional = 0;
  /** Book updates at the last ladder sent (−1 before one). */
  bookUpdates = -1;
  ordersKey = '';
  nowKey = '';
  /** The panels' values as last read (null before a consistent book). */
  now: FeatureNow | null = null;
  linesKey = '';
  regime: string | null = null;

  constructor(
    readonly id: number,
    readonly symbol: string,
    readonly grid: BigFigureGrid,
  ) {}
}

const finite = (v: number): number | null => (Number.isFinite(v) ? v : null);

/** The dashboard model of a trading session (see the module comment). */
export class SessionModel implements DashboardModel {
  readonly #session: DashboardSession;
  readonly #info: SessionInfo;
  readonly #tracked = new Map<number, Tracked>();
  /** Candles closed since the last sample, by instrument. */
  readonly #closed = new Map<number, Candle[]>();
  #state: DashboardState;
  #seq = 0;
  #decisionsRead = 0;
  /** Approved decisions the trader has not acted on yet, by id. */
  readonly #unacted = new Map<string, Decision>();
  #fillsRead = 0;
  #equityRead = 0;
  #instrumentsKey = '';
  #sessionKey = '';
  #portfolioKey = '';
  #riskKey = '';
  #feedsKey = '';

  constructor(opts: SessionModelOptions) {
    this.#session = opts.session;
    this.#info = opts.view;
    opts.session.loop.onBar((id, bar) => this.#closedBar(id, bar));
    this.#state = emptyState(this.#sessionView());
    this.#sessionKey = JSON.stringify(this.#state.session);
  }

  snapshot(): SnapshotMessage {
    return { type: 'snapshot', v: PROTOCOL_VERSION, seq: this.#seq, state: this.#state };
  }

  sample(): UpdateMessage | null {
    const session = this.#sessionView();
    const sessionKey = JSON.stringify(session);
    let changed = sessionKey !== this.#sessionKey;
    this.#sessionKey = sessionKey;

    const instruments = this.#instruments();
    if (instruments !== undefined) changed = true;
    const working = this.#working();
    const markets: MarketDelta[] = [];
    for (const t of this.#tracked.values()) {
      const d = this.#market(t, working);
      if (d !== null) markets.push(d);
    }
    const { board, decisions } = this.#decisions();
    const portfolio = this.#portfolio(working);
    const risk = this.#risk();
    const feeds = this.#feeds();
    changed ||=
      markets.length > 0 ||
      decisions.length > 0 ||
      portfolio !== undefined ||
      risk !== undefined ||
      feeds !== undefined;
    if (!changed) return null;
    const u: UpdateMessage = {
      type: 'update',
      v: PROTOCOL_VERSION,
      seq: this.#seq + 1,
      session,
      markets,
      decisions,
      ...(board !== undefined ? { board } : {}),
      ...(portfolio !== undefined ? { portfolio } : {}),
      ...(risk !== undefined ? { risk } : {}),
      ...(feeds !== undefined ? { feeds } : {}),
      ...(instruments !== undefined ? { instruments } : {}),
    };
    this.#seq++;
    this.#state = applyUpdate(this.#state, u);
    return u;
  }

  // ── session and instruments ─────────────────────────────────────────────────────────────────

  #sessionView(): SessionView {
    const s = this.#session;
    const seen = s.feeds().length > 0;
    return { ...this.#info(), nowMs: seen ? Number(s.nowNs) / 1e6 : null };
  }

  /** The instruments, when one appeared since the last sample (one named by its feed). */
  #instruments(): InstrumentView[] | undefined {
    const engine = this.#session.loop.engine;
    const ids = engine.instruments;
    let added = false;
    for (const id of ids) {
      if (this.#tracked.has(id)) continue;
      const symbol = engine.symbolOf(id);
      if (symbol === undefined) continue;
      this.#tracked.set(id, new Tracked(id, symbol, new BigFigureGrid(pipSizeOf(symbol))));
      added = true;
    }
    if (!added) return undefined;
    const list: InstrumentView[] = [];
    for (const t of this.#tracked.values()) {
      const tick = engine.tickSize(t.id) * 1e-9;
      list.push({
        id: t.id,
        symbol: t.symbol,
        kind: fxFutureRoot(t.symbol) === undefined ? 'spot' : 'future',
        decimals: Math.max(0, Math.ceil(-Math.log10(tick) - 1e-9)),
      });
    }
    const key = JSON.stringify(list);
    if (key === this.#instrumentsKey) return undefined;
    this.#instrumentsKey = key;
    return list;
  }

  // ── markets ─────────────────────────────────────────────────────────────────────────────────

  #closedBar(id: number, bar: Bar): void {
    if (bar.tradeCount === 0) return;
    let list = this.#closed.get(id);
    if (list === undefined) {
      list = [];
      this.#closed.set(id, list);
    }
    list.push(candleOf(bar));
    if (list.length > KEEP.candles) list.shift();
  }

  #market(t: Tracked, working: readonly WorkingOrder[]): MarketDelta | null {
    const loop = this.#session.loop;
    const engine = loop.engine;
    const book = (engine.book(t.id, true) ?? engine.book(t.id, false)) as L2Book | L3Book | null;
    // Features are read from a consistent book only (not between the records of one event).
    const snap = book === null || book.consistent ? engine.snapshot(t.id) : null;
    // Nothing to show before the first reading: what came meanwhile waits for it.
    if (snap === null && t.now === null) return null;
    const candles = this.#candles(t);
    const mid: Point[] = [];
    const micro: Point[] = [];
    const series: { -readonly [K in keyof FeatureSeries]: FeatureSeries[K][number][] } = {
      ofi: [],
      qi: [],
      vpin: [],
      rv: [],
      basis: [],
      regime: [],
    };
    let now = t.now as FeatureNow;
    let nowChanged = false;
    let lines: PriceLine[] | undefined;
    if (snap !== null) {
      const s = Math.floor(Number(snap.ts_ns / NS_PER_S));
      const regime = loop.regime(t.id)?.state ?? null;
      if (!(s <= t.lastPointS)) {
        t.lastPointS = s;
        point(mid, s, snap.mid);
        point(micro, s, snap.microprice);
        point(series.ofi, s, snap.ofi_10s);
        point(series.qi, s, snap.qi_l1);
        point(series.vpin, s, snap.vpin_cdf);
        point(series.rv, s, snap.rv_1m);
        point(series.basis, s, snap.basis);
        if (regime !== null && regime !== t.regime) series.regime.push({ t: s, state: regime });
        t.regime = regime;
      }
      now = this.#now(snap, regime);
      t.now = now;
      const nowKey = JSON.stringify(now);
      nowChanged = nowKey !== t.nowKey;
      t.nowKey = nowKey;
      lines = this.#lines(t, snap.mid);
    }
    const trades = this.#trades(t, snap);
    const ladder = book === null || snap === null ? null : this.#ladder(t, book, snap, working);
    const moved =
      candles.length > 0 ||
      mid.length > 0 ||
      micro.length > 0 ||
      trades.length > 0 ||
      ladder !== null ||
      nowChanged ||
      lines !== undefined ||
      series.ofi.length + series.qi.length + series.vpin.length + series.rv.length + series.basis.length >
        0 ||
      series.regime.length > 0;
    if (!moved) return null;
    return {
      symbol: t.symbol,
      candles,
      mid,
      micro,
      trades,
      ladder,
      now,
      series,
      ...(lines !== undefined ? { lines } : {}),
    };
  }

  /** Closed candles since the last sample, then the forming one when it moved. */
  #candles(t: Tracked): Candle[] {
    const closed = this.#closed.get(t.id);
    const out = closed === undefined ? [] : closed.splice(0, closed.length);
    const bar = this.#session.loop.engine.formingBar(t.id);
    if (bar === undefined || bar.tradeCount === 0 || Number.isNaN(bar.startMs)) return out;
    const c = candleOf(bar);
    const key = `${c.t} ${c.o} ${c.h} ${c.l} ${c.c} ${c.v}`;
    if (key !== t.formingKey) out.push(c);
    t.formingKey = key;
    return out;
  }

  #now(snap: FeatureSnapshot, regime: string | null): FeatureNow {
    const veto = this.#session.trader.risk.limits.toxicityVeto;
    return {
      mid: finite(snap.mid),
      microprice: finite(snap.microprice),
      spreadTicks: finite(snap.spread_ticks),
      ofi1s: finite(snap.ofi_1s),
      ofi10s: finite(snap.ofi_10s),
      qiL1: finite(snap.qi_l1),
      qiL5: finite(snap.qi_l5),
      vpin: finite(snap.vpin),
      vpinCdf: finite(snap.vpin_cdf),
      vpinAlert: veto === undefined ? null : veto,
      rv1m: finite(snap.rv_1m),
      rv5m: finite(snap.rv_5m),
      basis: finite(snap.basis),
      basisDev: finite(snap.basis_dev),
      regime,
    };
  }

  /** The market trades since the last sample, per aggressor side. */
  #trades(t: Tracked, snap: FeatureSnapshot | null): TradeMark[] {
    const totals = this.#session.loop.engine.tradeTotals(t.id);
    if (totals === undefined || snap === null) return [];
    const out: TradeMark[] = [];
    const s = Math.floor(Number(snap.ts_ns / NS_PER_S));
    const buy = totals.buyQty - t.buyQty;
    const sell = totals.sellQty - t.sellQty;
    if (buy > 0) out.push({ t: s, px: (totals.buyNotional - t.buyNotional) / buy, qty: buy, side: 'buy' });
    if (sell > 0)
      out.push({ t: s, px: (totals.sellNotional - t.sellNotional) / sell, qty: sell, side: 'sell' });
    t.buyQty = totals.buyQty;
    t.buyNotional = totals.buyNotional;
    t.sellQty = totals.sellQty;
    t.sellNotional = totals.sellNotional;
    return out;
  }

  /** The ladder, when the book or our orders in it changed since the last sample. */
  #ladder(
    t: Tracked,
    book: L2Book | L3Book,
    snap: FeatureSnapshot,
    working: readonly WorkingOrder[],
  ): Ladder | null {
    const orders = working.filter((o) => o.symbol === t.symbol);
    const ordersKey = JSON.stringify(orders);
    if (book.updates === t.bookUpdates && ordersKey === t.ordersKey) return null;
    t.bookUpdates = book.updates;
    t.ordersKey = ordersKey;
    return {
      t: Math.floor(Number(snap.ts_ns / NS_PER_S)),
      bids: side(book, true),
      asks: side(book, false),
      orders,
    };
  }

  /** Pivots, session levels and big figures, when they changed. */
  #lines(t: Tracked, mid: number): PriceLine[] | undefined {
    const out: PriceLine[] = [];
    const levels = this.#session.loop.sessions(t.id);
    if (levels !== undefined) {
      const prior = levels.priorDay;
      if (Number.isFinite(prior.high) && Number.isFinite(prior.low) && Number.isFinite(prior.close)) {
        const p = pivotLevels(prior.high, prior.low, prior.close).classic;
        for (const name of ['S3', 'S2', 'S1', 'P', 'R1', 'R2', 'R3'] as const)
          line(out, `pivot ${name}`, p[name]);
        line(out, 'prior day high', prior.high);
        line(out, 'prior day low', prior.low);
      }
      line(out, 'day high', levels.fxDay.high);
      line(out, 'day low', levels.fxDay.low);
      line(out, 'Asian high', levels.asian.high);
      line(out, 'Asian low', levels.asian.low);
    }
    if (Number.isFinite(mid)) {
      const below = Math.floor(t.grid.pips(mid) / 100) * 100;
      line(out, 'big figure', t.grid.price(below));
      line(out, 'big figure', t.grid.price(below + 100));
    }
    const key = JSON.stringify(out);
    if (key === t.linesKey) return undefined;
    t.linesKey = key;
    return out;
  }

  // ── decisions ───────────────────────────────────────────────────────────────────────────────

  #decisions(): { board: BoardView | undefined; decisions: DecisionView[] } {
    const all = this.#session.loop.decisions;
    const decisions: DecisionView[] = [];
    // Approved decisions the trader had not acted on yet (a decision latency): sent again, whole,
    // once it has.
    for (const [id, d] of this.#unacted) {
      if (this.#session.trader.fateOf(id) === undefined) continue;
      this.#unacted.delete(id);
      decisions.push(this.#decisionView(d));
    }
    const from = Math.max(this.#decisionsRead, all.length - KEEP.decisions);
    for (let i = from; i < all.length; i++) {
      const view = this.#decisionView(all[i]);
      decisions.push(view);
      if (view.outcome === 'approved') {
        this.#unacted.set(all[i].id, all[i]);
        // The oldest are let go: a decision still unacted after this many others never will be.
        if (this.#unacted.size > KEEP.decisions)
          this.#unacted.delete(this.#unacted.keys().next().value as string);
      }
    }
    this.#decisionsRead = all.length;
    const board = all.length > from ? boardView(all[all.length - 1]) : undefined;
    return { board, decisions };
  }

  #decisionView(d: Decision): DecisionView {
    const tm = d.timings;
    return {
      id: d.id,
      t: d.trigger.tMs / 1000,
      symbol: d.instrument,
      trigger: d.trigger.detail === undefined ? d.trigger.kind : `${d.trigger.kind}: ${d.trigger.detail}`,
      route: d.route,
      direction: d.approval.direction,
      size: d.approval.approved ? d.approval.size : 0,
      outcome: decisionOutcome(d, this.#session.trader.fateOf(d.id)),
      agreement: d.consensus.agreement,
      tiers: [
        { name: 'analysts', ms: tm.tier1 },
        { name: 'consensus', ms: tm.tier2 },
        { name: 'debate', ms: tm.tier3 },
        { name: 'validation', ms: tm.tier4 },
        { name: 'approval', ms: tm.tier5 },
      ],
      analysts: d.outcomes.map((o) => ({ name: o.agent, ms: o.ms })),
      totalMs: tm.total,
    };
  }

  // ── portfolio, risk, feeds ──────────────────────────────────────────────────────────────────

  /** Our working orders (the broker's open orders), with their place in the queue when known. */
  #working(): WorkingOrder[] {
    const trader = this.#session.trader;
    const broker = trader.broker as { queueAhead?: (clientId: string) => number | null };
    const out: WorkingOrder[] = [];
    for (const o of trader.broker.openOrders()) {
      const spec = o.spec;
      const resting = spec.type === 'limit' && spec.limitPx !== undefined;
      out.push({
        clientId: o.clientId,
        symbol: this.#symbol(spec.instrumentId),
        side: spec.side,
        px: resting ? (spec.limitPx as number) / 1e9 : null,
        qty: o.leavesQuantity,
        type: spec.type,
        ahead: resting && typeof broker.queueAhead === 'function' ? broker.queueAhead(o.clientId) : null,
      });
    }
    return out;
  }

  #symbol(id: number): string {
    return (
      this.#session.trader.portfolio.terms(id)?.symbol ?? this.#session.loop.engine.symbolOf(id) ?? String(id)
    );
  }

  #portfolio(working: WorkingOrder[]): PortfolioView | undefined {
    const trader = this.#session.trader;
    const p = trader.portfolio;
    const positions: PositionView[] = [];
    for (const h of p.positions()) {
      if (h.quantity === 0) continue;
      positions.push({
        symbol: h.symbol,
        qty: h.quantity,
        avgPx: finite(p.averagePrice(h.instrumentId) / 1e9),
        upnl: finite(p.unrealizedOf(h.instrumentId)) ?? 0,
      });
    }
    const fills: FillMark[] = [];
    const all = trader.fills;
    for (let i = Math.max(this.#fillsRead, all.length - KEEP.fills); i < all.length; i++) {
      const f = all[i];
      const role = trader.roles.get(f.clientId);
      fills.push({
        t: Number(f.tsNs) / 1e9,
        symbol: this.#symbol(f.instrumentId),
        side: f.side,
        px: f.price / 1e9,
        qty: f.quantity,
        liquidity: f.liquidity,
        clientId: f.clientId,
        role:
          role === undefined
            ? 'unknown'
            : role.reason === undefined
              ? role.role
              : `${role.role} ${role.reason}`,
      });
    }
    this.#fillsRead = all.length;
    const curve = p.equityCurve;
    const equityCurve: Point[] = [];
    for (let i = Math.max(this.#equityRead, curve.length - KEEP.equity); i < curve.length; i++) {
      const e = curve[i];
      if (Number.isFinite(e.equity)) equityCurve.push({ t: Number(e.tsNs) / 1e9, v: e.equity });
    }
    this.#equityRead = curve.length;
    const whole = {
      positions,
      working,
      dayPnl: finite(trader.dailyPnl()) ?? 0,
      equity: finite(p.equity()) ?? 0,
      orders: trader.orderCount,
      fillCount: trader.fillCount,
    };
    const key = JSON.stringify(whole);
    if (key === this.#portfolioKey && fills.length === 0 && equityCurve.length === 0) return undefined;
    this.#portfolioKey = key;
    return { ...whole, fills, equityCurve };
  }

  #risk(): RiskView | undefined {
    const trader = this.#session.trader;
    const risk = trader.risk;
    const L = risk.limits;
    const dayPnl = finite(trader.dailyPnl()) ?? 0;
    const limits: LimitView[] = [];
    for (const h of trader.positions())
      limits.push({ name: `position ${h.symbol}`, used: Math.abs(h.quantity), limit: L.maxPosition });
    limits.push(
      { name: 'gross position', used: trader.grossExposure(), limit: L.maxGrossPosition },
      {
        name: 'orders per minute',
        used: risk.ordersInLastMinute(this.#session.nowNs),
        limit: L.maxOrdersPerMinute,
      },
      { name: 'daily loss', used: Math.max(0, -dayPnl), limit: L.dailyLossLimit },
      { name: 'drawdown', used: Math.max(0, risk.dayHigh - dayPnl), limit: L.maxDrawdown },
    );
    const view: RiskView = {
      state: riskState(trader),
      killSwitch: risk.killed,
      tradingPaused: risk.paused !== null,
      limits,
    };
    const key = JSON.stringify(view);
    if (key === this.#riskKey) return undefined;
    this.#riskKey = key;
    return view;
  }

  #feeds(): FeedView[] | undefined {
    const s = this.#session;
    const nowMs = Number(s.nowNs) / 1e6;
    const out: FeedView[] = [];
    for (const f of s.feeds()) {
      const why = s.health.whyUntrusted(f.instrumentId);
      const last = finite(f.lastRecordMs);
      out.push({
        symbol: this.#symbol(f.instrumentId),
        records: f.records,
        lastRecordMs: last,
        lagMs: last === null ? null : finite(nowMs - last),
        trusted: why === null,
        why,
      });
    }
    const key = JSON.stringify(out);
    if (key === this.#feedsKey) return undefined;
    this.#feedsKey = key;
    return out;
  }
}

function candleOf(bar: Readonly<Bar>): Candle {
  return { t: bar.startMs / 1000, o: bar.open, h: bar.high, l: bar.low, c: bar.close, v: bar.volume };
}

function point(into: Point[], t: number, v: number): void {
  if (Number.isFinite(v)) into.push({ t, v });
}

function line(into: PriceLine[], name: string, px: number): void {
  if (Number.isFinite(px)) into.push({ name, px });
}

/** Ten levels of one side, best first, walls marked. */
function side(book: BookView, bid: boolean): Level[] {
  const n = Math.min(LADDER_LEVELS, bid ? book.bidLevels : book.askLevels);
  const sizes: number[] = [];
  const out: { px: number; sz: number; ct: number; wall: boolean }[] = [];
  for (let i = 0; i < n; i++) {
    const px = bid ? book.bidPx(i) : book.askPx(i);
    const sz = bid ? book.bidSz(i) : book.askSz(i);
    if (!Number.isFinite(px) || !(sz > 0)) continue;
    sizes.push(sz);
    out.push({ px: px / 1e9, sz, ct: bid ? book.bidCt(i) : book.askCt(i), wall: false });
  }
  const median = medianOf(sizes);
  for (const l of out) l.wall = l.sz >= WALL_MULTIPLE * median;
  return out;
}

function medianOf(xs: number[]): number {
  if (xs.length === 0) return Number.NaN;
  const s = xs.slice().sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/**
 * What became of a decision, for the timeline: `traded` (an order went out for it), `vetoed by`
 * the first validator that vetoed it, `flat`, `not approved`, `refused by risk` (the trader's
 * refusal and its reason), `held` (the position already at its target), or `approved` while the
 * trader has not acted on it yet; each with its reason.
 */
export function decisionOutcome(d: Decision, fate: DecisionFate | undefined): string {
  const a = d.approval;
  if (!a.approved || a.direction === 'flat' || a.size === 0) {
    const veto = d.verdicts.find((v) => !v.pass);
    if (veto !== undefined) return `vetoed by ${veto.check}: ${veto.reason}`;
    if (a.direction === 'flat') return `flat: ${a.reason}`;
    return `not approved: ${a.reason}`;
  }
  if (fate === undefined) return 'approved';
  if (fate.kind === 'sent') return `traded: order ${fate.clientId}`;
  if (fate.kind === 'refused') return `refused by risk: ${fate.detail}`;
  return 'held: the position is at its target';
}

/**
 * A decision's board: each analyst's answer (or why it was left out), the vote, the debate when
 * there was one, and the verdicts.
 */
export function boardView(d: Decision): BoardView {
  const agents: AgentView[] = [];
  const seen = new Set<string>();
  for (const o of d.outcomes) {
    seen.add(o.agent);
    const s = d.signals.find((x) => x.agent === o.agent);
    agents.push(
      s === undefined || o.status !== 'ok' ? dropped(o.agent, o.ms, o.error ?? o.status) : agentOf(s, o.ms),
    );
  }
  for (const s of d.signals) if (!seen.has(s.agent)) agents.push(agentOf(s, 0));
  const db = d.debate;
  return {
    decisionId: d.id,
    t: d.trigger.tMs / 1000,
    symbol: d.instrument,
    agents,
    consensus: {
      direction: d.consensus.direction,
      score: finite(d.consensus.score) ?? 0,
      agreement: finite(d.consensus.agreement) ?? 0,
    },
    debate: db.ran
      ? {
          rounds: db.rounds,
          turns: db.turns.map((t) => ({ speaker: `${t.side} (${t.source})`, text: t.argument })),
          verdict: `${db.direction}, confidence ${db.confidence.toFixed(2)}, agreement ${db.agreement.toFixed(2)} (${db.end})`,
        }
      : null,
    verdicts: d.verdicts.map((v) => ({
      name: v.check,
      pass: v.pass,
      reason: v.reason === '' ? null : v.reason,
    })),
  };
}

function agentOf(s: Decision['signals'][number], ms: number): AgentView {
  const evidence: Record<string, number | string | boolean | null> = {};
  for (const [k, v] of Object.entries(s.evidence)) evidence[k] = typeof v === 'number' ? finite(v) : v;
  return {
    agent: s.agent,
    direction: s.direction,
    confidence: s.confidence,
    horizonS: s.horizonSec,
    evidence,
    flags: [...s.flags],
    ms,
    why: null,
  };
}

function dropped(agent: string, ms: number, why: string): AgentView {
  return { agent, direction: 'dropped', confidence: 0, horizonS: null, evidence: {}, flags: [], ms, why };
}

/**
 * The controls a trading session takes from the dashboard: pause and resume new entries, the kill
 * switch and its reset. Others (a replay's pace and position) throw `ControlRefused`.
 */
export function sessionControls(session: DashboardSession): (req: ControlRequest) => Promise<ControlAnswer> {
  return async (req) => {
    const risk = session.trader.risk;
    switch (req.action) {
      case 'pause': {
        if (risk.paused !== null) return { ok: true, message: 'trading already paused: no new entries' };
        session.pause('paused from the dashboard');
        return {
          ok: true,
          message: 'trading paused: no new entries (open positions keep their stops, targets and time stops)',
        };
      }
      case 'resume': {
        if (risk.paused === null) return { ok: true, message: 'trading was not paused' };
        session.resume();
        return {
          ok: true,
          message: risk.killed
            ? 'pause lifted, but the kill switch is still on: no new entries until it is reset'
            : 'trading resumed: new entries allowed',
        };
      }
      case 'kill': {
        if (risk.killed) return { ok: true, message: 'the kill switch is already on' };
        const positions = session.trader.positions().filter((p) => p.quantity !== 0).length;
        const orders = session.trader.broker.openOrders().length;
        session.kill('kill switch pulled from the dashboard');
        return {
          ok: true,
          message: `kill switch pulled: ${count(positions, 'position')} closing, ${count(orders, 'working order')} cancelled; no new risk until reset`,
        };
      }
      case 'reset': {
        if (!risk.killed) return { ok: true, message: 'the kill switch was not on' };
        session.resetKill('kill switch reset from the dashboard');
        return {
          ok: true,
          message:
            risk.paused !== null
              ? 'kill switch reset; trading is still paused'
              : 'kill switch reset: new entries allowed (what was closed stays closed)',
        };
      }
      default:
        throw new ControlRefused(`"${req.action}" is not a control of a trading session`);
    }
  };
}

function count(n: number, what: string): string {
  return `${n} ${what}${n === 1 ? '' : 's'}`;
}
