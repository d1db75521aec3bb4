/**
 * What the dashboard's server sends the browser, and what the browser may ask of it. The page and
 * the server share these types; both speak JSON (at most a few messages a second, never one per
 * market event, so JSON is not on the hot path).
 *
 * Over the WebSocket (`/ws`), server to browser only:
 * - `snapshot`: the whole state, first thing after a browser connects (and after it reconnects);
 * - `update`: what changed since the previous message, at most `updateHz` times a second, only when
 *   something changed. An update's `seq` is one more than the message before it; a browser that sees
 *   a gap reconnects and so gets a fresh snapshot.
 *
 * Controls go over HTTP (`POST /api/control`, JSON `ControlRequest`, `Authorization: Bearer
 * <token>`), so that each answer has a status a user can read: 200 with a `ControlAnswer`; 400 for
 * a malformed request; 401 for a missing or wrong token; 403 when the server has no token (the page
 * is read-only); 409 for a control the source cannot take (seeking a live feed).
 *
 * Times are UTC: `t` in seconds (Lightweight Charts' time), `*Ms` in ms since the epoch. Prices are
 * decimals of the instrument's quote (1.08125), for display; sizes are contracts or lots.
 */

export const PROTOCOL_VERSION = 1;

/** A time and a value: a point of a line series. */
export interface Point {
  readonly t: number;
  readonly v: number;
}

/** A 1-minute candle: `t` is the minute's start. */
export interface Candle {
  readonly t: number;
  readonly o: number;
  readonly h: number;
  readonly l: number;
  readonly c: number;
  /** Contracts traded in the minute. */
  readonly v: number;
}

/** Market trades between two samples, summed per aggressor side, at their volume-weighted price. */
export interface TradeMark {
  readonly t: number;
  readonly px: number;
  readonly qty: number;
  readonly side: 'buy' | 'sell';
}

/** One of our fills. */
export interface FillMark {
  readonly t: number;
  readonly symbol: string;
  readonly side: 'buy' | 'sell';
  readonly px: number;
  readonly qty: number;
  readonly liquidity: 'maker' | 'taker';
  readonly clientId: string;
  /** `entry` or `exit`, and an exit's reason (target, stop, time, flatten, risk_off, kill). */
  readonly role: string;
}

/** A level of the ladder. */
export interface Level {
  readonly px: number;
  readonly sz: number;
  /** Orders at the level (0 when the feed does not say). */
  readonly ct: number;
  /**
   * A wall: the level's size is at least `WALL_MULTIPLE` (3, session-model.ts) times the median
   * size of its side's shown levels.
   */
  readonly wall: boolean;
}

/** One of our working orders, where it stands in the book. */
export interface WorkingOrder {
  readonly clientId: string;
  readonly symbol: string;
  readonly side: 'buy' | 'sell';
  /** Null for a market or stop order not resting in the book. */
  readonly px: number | null;
  readonly qty: number;
  readonly type: string;
  /** Size ahead of it at its price (the queue model's estimate on MBP, exact on MBO), or null. */
  readonly ahead: number | null;
}

/** Ten levels a side, best first, and our orders among them. */
export interface Ladder {
  readonly t: number;
  readonly bids: readonly Level[];
  readonly asks: readonly Level[];
  readonly orders: readonly WorkingOrder[];
}

/** The feature panels' latest values (NaN travels as null). */
export interface FeatureNow {
  readonly mid: number | null;
  readonly microprice: number | null;
  readonly spreadTicks: number | null;
  readonly ofi1s: number | null;
  readonly ofi10s: number | null;
  readonly qiL1: number | null;
  readonly qiL5: number | null;
  readonly vpin: number | null;
  readonly vpinCdf: number | null;
  /** The VPIN CDF at or over which new risk is refused (the risk limits' toxicity veto), or null. */
  readonly vpinAlert: number | null;
  readonly rv1m: number | null;
  readonly rv5m: number | null;
  readonly basis: number | null;
  readonly basisDev: number | null;
  /** The regime model's state (`calm`, `trending`, `volatile` …), or null without one. */
  readonly regime: string | null;
}

/** The panels' series, sampled once a market second at most (a feature not ready has no point). */
export interface FeatureSeries {
  /** OFI over 10 s (`ofi_10s`). */
  readonly ofi: readonly Point[];
  /** Queue imbalance at the best level (`qi_l1`). */
  readonly qi: readonly Point[];
  /** The VPIN CDF (`vpin_cdf`), what `FeatureNow.vpinAlert` is a level of. */
  readonly vpin: readonly Point[];
  /** Realized variance over 1 minute (`rv_1m`). */
  readonly rv: readonly Point[];
  /** Futures − spot (decimal), for a future paired with its spot pair. */
  readonly basis: readonly Point[];
  /** The regime from `t` until the next change. */
  readonly regime: readonly { readonly t: number; readonly state: string }[];
}

/** A price level the technical analyst reads (pivots, big figures, session highs and lows). */
export interface PriceLine {
  readonly name: string;
  readonly px: number;
}

/** Everything the page shows of one instrument. */
export interface MarketView {
  readonly symbol: string;
  readonly candles: readonly Candle[];
  readonly mid: readonly Point[];
  readonly micro: readonly Point[];
  readonly trades: readonly TradeMark[];
  readonly ladder: Ladder | null;
  readonly now: FeatureNow;
  readonly series: FeatureSeries;
  readonly lines: readonly PriceLine[];
}

/** What changed of one instrument: new points, and the last candle when it moved. */
export interface MarketDelta {
  readonly symbol: string;
  /** Candles that are new or changed (the forming one), in time order. */
  readonly candles: readonly Candle[];
  readonly mid: readonly Point[];
  readonly micro: readonly Point[];
  readonly trades: readonly TradeMark[];
  readonly ladder: Ladder | null;
  readonly now: FeatureNow;
  readonly series: FeatureSeries;
  /** Present when the lines changed (the whole list). */
  readonly lines?: readonly PriceLine[];
}

/** An instrument of the session. */
export interface InstrumentView {
  readonly id: number;
  readonly symbol: string;
  readonly kind: 'future' | 'spot';
  /** Decimals to show its prices with. */
  readonly decimals: number;
}

/** One analyst's answer in a decision. */
export interface AgentView {
  readonly agent: string;
  /** `long`, `short` or `flat`; `dropped` when it failed or ran out of time (then `why`). */
  readonly direction: 'long' | 'short' | 'flat' | 'dropped';
  readonly confidence: number;
  readonly horizonS: number | null;
  /** The feature values it used. */
  readonly evidence: Readonly<Record<string, number | string | boolean | null>>;
  readonly flags: readonly string[];
  readonly ms: number;
  readonly why: string | null;
}

/** A validator's verdict. */
export interface VerdictView {
  readonly name: string;
  readonly pass: boolean;
  readonly reason: string | null;
}

/** The debate, when there was one. */
export interface DebateView {
  readonly rounds: number;
  readonly turns: readonly { readonly speaker: string; readonly text: string }[];
  /** The judge's direction and reasoning. */
  readonly verdict: string;
}

/** A decision on the timeline, with its latency waterfall. */
export interface DecisionView {
  readonly id: string;
  readonly t: number;
  readonly symbol: string;
  readonly trigger: string;
  /** `fast`, `standard` or `full`. */
  readonly route: string;
  readonly direction: 'long' | 'short' | 'flat';
  /** Contracts approved (0: no trade). */
  readonly size: number;
  /** `traded`, `vetoed` (with the validator), `flat`, `refused` (by risk) … with its reason. */
  readonly outcome: string;
  readonly agreement: number;
  /** Time in each tier, in order, ms. */
  readonly tiers: readonly { readonly name: string; readonly ms: number }[];
  /** Time each analyst took, ms. */
  readonly analysts: readonly { readonly name: string; readonly ms: number }[];
  readonly totalMs: number;
}

/** The agent board: the latest decision in full. */
export interface BoardView {
  readonly decisionId: string;
  readonly t: number;
  readonly symbol: string;
  readonly agents: readonly AgentView[];
  readonly consensus: { readonly direction: string; readonly score: number; readonly agreement: number };
  readonly debate: DebateView | null;
  readonly verdicts: readonly VerdictView[];
}

export interface PositionView {
  readonly symbol: string;
  /** Signed contracts (or lots). */
  readonly qty: number;
  readonly avgPx: number | null;
  /** Open P&L in the account currency. */
  readonly upnl: number;
}

export interface PortfolioView {
  readonly positions: readonly PositionView[];
  readonly working: readonly WorkingOrder[];
  /** The latest fills, oldest first (a snapshot holds at most the last 500). */
  readonly fills: readonly FillMark[];
  readonly dayPnl: number;
  readonly equity: number;
  readonly equityCurve: readonly Point[];
  readonly orders: number;
  readonly fillCount: number;
}

/** A risk limit and how much of it is used. */
export interface LimitView {
  readonly name: string;
  readonly used: number;
  readonly limit: number;
}

export interface RiskView {
  /** `trading`, `paused`, `killed`, a day's halt (`DAILY_LOSS`, `DRAWDOWN`) or `stopped`. */
  readonly state: string;
  readonly killSwitch: boolean;
  /** New entries paused from the dashboard (positions and their brackets still managed). */
  readonly tradingPaused: boolean;
  readonly limits: readonly LimitView[];
}

export interface FeedView {
  readonly symbol: string;
  readonly records: number;
  readonly lastRecordMs: number | null;
  /** How far the last record is behind the session's clock, ms. */
  readonly lagMs: number | null;
  readonly trusted: boolean;
  readonly why: string | null;
}

/** Where the data comes from and how the session moves. */
export interface SessionView {
  /** `replay` (files at a pace), `live` (a live feed) or `backtest` (a finished backtest, replayed). */
  readonly mode: 'replay' | 'live' | 'backtest';
  readonly name: string;
  /** The session's clock (market time of a replay), ms; null before the first record. */
  readonly nowMs: number | null;
  /** Multiple of real time (1 live; 0 as fast as it reads). */
  readonly speed: number;
  /** A replay held by the dashboard (its clock stopped). */
  readonly held: boolean;
  /** What a replay covers, for seeking (null live). */
  readonly range: { readonly fromMs: number; readonly toMs: number } | null;
  /** Whether the server takes controls (a token is configured); the page is read-only without. */
  readonly controls: boolean;
  /** Why the session ended, or null while it runs. */
  readonly ended: string | null;
}

export interface DashboardState {
  readonly session: SessionView;
  readonly instruments: readonly InstrumentView[];
  readonly markets: readonly MarketView[];
  readonly board: BoardView | null;
  /** The latest decisions, oldest first (a snapshot holds at most the last 200). */
  readonly decisions: readonly DecisionView[];
  readonly portfolio: PortfolioView;
  readonly risk: RiskView;
  readonly feeds: readonly FeedView[];
}

export interface SnapshotMessage {
  readonly type: 'snapshot';
  readonly v: typeof PROTOCOL_VERSION;
  readonly seq: number;
  readonly state: DashboardState;
}

export interface UpdateMessage {
  readonly type: 'update';
  readonly v: typeof PROTOCOL_VERSION;
  readonly seq: number;
  readonly session: SessionView;
  readonly markets: readonly MarketDelta[];
  /** Present when a new decision replaced the board. */
  readonly board?: BoardView;
  /**
   * New decisions since the last message, and earlier ones whose outcome has changed since (an
   * approved decision the trader acted on later): one with an id already held replaces it.
   */
  readonly decisions: readonly DecisionView[];
  /** Present when it changed: `fills` and `equityCurve` hold only what is new; the rest is whole. */
  readonly portfolio?: PortfolioView;
  readonly risk?: RiskView;
  readonly feeds?: readonly FeedView[];
  /** Present when the instruments changed (a new one appeared). */
  readonly instruments?: readonly InstrumentView[];
}

export type ServerMessage = SnapshotMessage | UpdateMessage;

/** The controls. */
export const CONTROL_ACTIONS = [
  /** No new entries; positions and their brackets are still managed. */
  'pause',
  /** New entries again. */
  'resume',
  /** The kill switch: working orders cancelled, every position closed, no new risk. */
  'kill',
  /** Clears the kill switch. */
  'reset',
  /** A replay's pace: `value` times real time (0: as fast as it reads). */
  'speed',
  /** A replay's clock stopped, and started again. */
  'hold',
  'play',
  /** A replay moved to market time `value` (ms): forward by running ahead, back by replaying from its start. */
  'seek',
] as const;
export type ControlAction = (typeof CONTROL_ACTIONS)[number];

export interface ControlRequest {
  readonly action: ControlAction;
  readonly value?: number;
}

export interface ControlAnswer {
  readonly ok: boolean;
  /** What was done, or why not. */
  readonly message: string;
}
