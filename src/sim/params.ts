/**
 * Parameters of the order-flow simulator, each with where it comes from. Figures marked
 * "assumption" are chosen so the generated book looks like a large-tick CME FX future
 * (MICROSTRUCTURE.md §16: spread one tick most of the time in liquid hours) and are left for the
 * stylized-fact calibration step to tune; none is fitted to data yet.
 */
import type { FxSessionName } from '../core/index.js';
import type { HourlyActivity } from './activity.js';

/** Volatility regimes, ordered by volatility. */
export const REGIMES = ['low', 'medium', 'high'] as const;
export type Regime = (typeof REGIMES)[number];

/** Everything the simulator's behaviour depends on besides the seed, dates and instruments. */
export interface SimParams {
  /**
   * Events per second at session activity 1 in the medium regime. A 6E day must carry at least
   * 2 million book events (issue 4): at 32 events/s a simulated day has ~2.2M events (~2.6M MBO
   * records, ~2.5M MBP-10 records, an event being 1–6 records). Assumption sized to that target.
   */
  baseEventRate: number;
  /** Activity multiplier by session label (Andersen & Bollerslev 1998; Ito & Hashimoto 2006: overlap busiest, late Asia quietest). Assumed levels. */
  sessionActivity: Record<FxSessionName, number>;
  /**
   * Activity of the late Asian session, Tokyo open after Sydney has closed and before London
   * opens (the Tokyo afternoon lull), which replaces `sessionActivity.tokyo` then. Issue 4 asks
   * for it to be the quietest session of the day; assumed level below Sydney-only hours.
   */
  lateAsiaActivity: number;
  /**
   * Activity by local hour of named time zones (activity.ts): when present, a minute's level is
   * the sum over the zones of the weight of its local hour there, in place of `sessionActivity` and
   * `lateAsiaActivity` (scenario `activity.profile: cme`). Absent by default, so the default
   * parameters, and a default run's truth file, stay as they were.
   */
  hourlyActivity?: HourlyActivity;
  /** Event-rate multiplier per regime (low, medium, high). Assumption. */
  regimeRate: [number, number, number];
  /**
   * Fundamental-value volatility per regime, ticks per sqrt(minute) for 6E. 6E daily moves of
   * ~0.5% are ~115 ticks over ~1,380 minutes, ~3 ticks/sqrt(min) on average; the regime split
   * (1.2, 2.4, 5) is an assumption giving that average with the transition matrix below.
   */
  regimeVol: [number, number, number];
  /**
   * Per-minute Markov transition matrix of the regimes (rows from, columns to). Expected stays of
   * ~40, ~30 and ~12 minutes: volatility clustering over tens of minutes (Cont 2001). Assumption.
   */
  regimeTransition: [[number, number, number], [number, number, number], [number, number, number]];
  /**
   * Jumps of the fundamental value: unscheduled ones at `jumpRate` per minute with a normal size of
   * standard deviation `jumpTicks` (6E ticks), and one at each US data release time (08:30 New York,
   * weekdays) of standard deviation `announcementJumpTicks`, whose minute is `announcementActivity`
   * times busier. Announcement spikes: Andersen & Bollerslev (1998) (MICROSTRUCTURE.md §16); the
   * sizes are assumptions that lift 1-minute excess kurtosis towards the 10–50 target.
   */
  jumpRate: number;
  jumpTicks: number;
  announcementJumpTicks: number;
  announcementActivity: number;
  /** Initial regime index of a run (0 low, 1 medium, 2 high). */
  initialRegime: number;
  /** Shares of the uninformed event mix (normalised): noise limit adds, cancels, market orders, modifies, maker requotes. Assumption. */
  mix: { limit: number; cancel: number; market: number; modify: number; requote: number };
  /** Noise orders resting per instrument around which cancels balance adds (the cancel share scales with count / target). Assumption. */
  targetNoiseOrders: number;
  /** Geometric decay of a noise limit order's distance behind the touch: P(d) ∝ (1 − p)^d. Assumption (most adds at or near the touch). */
  noiseDepthDecay: number;
  /** Largest distance behind the touch of a noise order, ticks. */
  noiseMaxDepth: number;
  /** Probability that a noise add improves a spread wider than one tick. Assumption (large-tick books refill the gap fast). */
  improveProb: number;
  /** Factor on `improveProb` in the high regime (providers refill a gap less eagerly when volatile). Assumption. */
  highVolImproveScale: number;
  /** Mean noise order size beyond the first lot (6E orders are mostly 1–10 lots). Assumption. */
  noiseMeanSize: number;
  /** Share of noise orders that are "large" (size × 5). Assumption. */
  largeOrderProb: number;
  /** Mean size of a noise market order beyond the first lot. Assumption. */
  marketMeanSize: number;
  /** Probability that a noise add near a round (00/50) level snaps to it. Assumption. */
  roundSnapProb: number;
  /** Distance within which a round level attracts orders, ticks. */
  roundSnapTicks: number;
  /** Size multiplier of orders resting on a 00/50 level (and 1 + half of it on a 10-pip level). Assumption. */
  roundSizeMult: number;
  /** Market makers per instrument; maker k quotes k ticks behind the tightest quote. */
  makers: number;
  /** Quote size of a maker, lots. Assumption. */
  makerSize: number;
  /** Time constant of the makers' view of recent aggressive flow, seconds. Assumption. */
  toxicityTauS: number;
  /** Signed-flow imbalance above which makers widen and shrink the hit side. */
  toxicWiden: number;
  /** Imbalance above which makers may pull the hit side. */
  toxicPull: number;
  /** Skew of the makers' quote centre towards the flow, ticks at imbalance 1. */
  makerSkewTicks: number;
  /** Extra width on the hit side, ticks at imbalance 1. */
  makerWidenTicks: number;
  /** Probability per event that a value (fundamental) trader takes a quote the value has passed. Assumption. */
  valueTradeProb: number;
  /**
   * Probability per event that, when the value has passed a quote, the quote's owner cancels it
   * instead (liquidity providers withdraw stale quotes rather than be picked off). Assumption.
   */
  staleCancelProb: number;
  /**
   * Distance inside the touch (ticks) from which liquidity providers start thinning the queue the
   * value approaches: `staleCancelProb` times a probability rising linearly from 0 there to 1 at
   * the touch, never taking its last order (see `staleCancel`); 0 keeps the withdrawals to quotes
   * the value has passed. Informed providers leave the queue about to be picked off first, which is
   * what makes queue imbalance predict the next mid move in large-tick books (Cont & de Larrard
   * 2013; Gould & Bonart 2016: P(up) rising with the imbalance from ~0.2 to ~0.8). Assumption:
   * the quarter of a 6E tick nearest the touch.
   */
  staleApproachTicks: number;
  /** Mean size of a value trade beyond the first lot. Assumption. */
  valueMeanSize: number;
  /** How far (ticks) the value must pass a quote before value traders take it. */
  valueEdge: number;
  /**
   * Toxic-episode arrivals per minute per instrument, by regime, at session activity 1 (scaled by
   * the minute's activity). Assumption: ~10–20 episodes a day.
   */
  episodeRate: [number, number, number];
  /** Shortest episode, minutes, plus an exponential part of mean `episodeMeanExtraMin`. */
  episodeMinMin: number;
  episodeMeanExtraMin: number;
  /** Share of events that are informed at intensity 1. Assumption. */
  informedShareMax: number;
  /** Drift of the fundamental value during an episode at intensity 1, ticks per minute. Assumption. */
  episodeDriftTicksPerMin: number;
  /** Mean informed order size beyond the first lot. */
  informedMeanSize: number;
  /** Probability that an informed order sweeps 2–4 levels. */
  sweepProb: number;
  /** Liquidity-wall arrivals per minute per instrument, mean lifetime (minutes) and size range (lots). Assumption. */
  wallRate: number;
  wallMeanLifeMin: number;
  wallSize: [number, number];
  /** Exchange-to-capture latency, ns: `ts_recv − ts_event` = min + exponential(mean). Assumption (co-located capture, microseconds). */
  recvLatencyMinNs: number;
  recvLatencyMeanNs: number;
  /**
   * The `null` market (martingale.ts): the value a fair-coin walk of whole ticks that the book
   * follows at once, so nothing in the flow or the book predicts the mid. Absent (the default) in
   * every other market: the book follows the value through the traders.
   */
  martingaleMid?: boolean;
  /**
   * Scheduled news (the `news` scenario, news.ts): jumps, spread blow-outs and activity spikes at
   * the releases of an economic calendar. Absent (the default): no news, and nothing is drawn for
   * it.
   */
  news?: NewsParams;
}

/**
 * What each release of the economic calendar does to the instruments whose currency it concerns
 * (6E: EUR or USD, 6B: GBP or USD, 6J: JPY or USD; news.ts). Around announcements dealers widen
 * their quotes and thin their depth, prices jump at the release and trading surges after it
 * (Fleming & Remolona 1999, *Price Formation and Liquidity in the U.S. Treasury Market: The
 * Response to Public Information*, J. Finance 54(5); Andersen, Bollerslev, Diebold & Vega 2003,
 * *Micro Effects of Macro Announcements*, AER 93(1), for the dollar's jumps at US releases). The
 * sizes below are assumptions, not fitted.
 */
export interface NewsParams {
  /** The economic-calendar CSV (core/economic-calendar.ts) the events come from; null = the recurring template of news.ts. */
  calendar: string | null;
  /**
   * Standard deviation of the value's jump at a release, 6E ticks, scaled per instrument as the
   * other jumps are (a USD release moves each future by its USD loading; a EUR, GBP or JPY one moves
   * its own future by its volatility scale). Assumption: 20 ticks, 10 pips of EUR/USD.
   */
  jumpTicks: number;
  /**
   * Ticks each side by which liquidity stands back in the blow-out, from `minutes_before` the
   * release to `afterMinutes` after it: resting orders this close to the touch are withdrawn as it
   * starts, makers quote this much wider, noise traders stop improving the spread. Assumption.
   */
  spreadTicks: number;
  /** Factor on the makers' quote size in the blow-out. Assumption. */
  sizeScale: number;
  /** Probability that a maker re-quoting in the blow-out pulls both quotes instead. Assumption. */
  pullProb: number;
  /** Event-rate multiplier of the release's minute on the instruments it concerns. Assumption (the US release's 3, a little more). */
  activity: number;
  /** Minutes after the release the blow-out lasts. Assumption. */
  afterMinutes: number;
}

/** The news parameters a scenario's `news: {}` takes; see each field for its source. */
export const DEFAULT_NEWS_PARAMS: Readonly<NewsParams> = Object.freeze({
  calendar: null,
  jumpTicks: 20,
  spreadTicks: 2,
  sizeScale: 0.3,
  pullProb: 0.3,
  activity: 4,
  afterMinutes: 1,
});

/** Defaults; see each field for its source. */
export const DEFAULT_PARAMS: Readonly<SimParams> = Object.freeze({
  baseEventRate: 32,
  sessionActivity: { sydney: 0.3, tokyo: 0.6, london: 1.3, new_york: 0.9, overlap: 1.9, closed: 0 },
  lateAsiaActivity: 0.12,
  regimeRate: [0.6, 1, 1.8],
  regimeVol: [1.2, 2.4, 5],
  regimeTransition: [
    [0.975, 0.025, 0],
    [0.02, 0.967, 0.013],
    [0.01, 0.075, 0.915],
  ],
  initialRegime: 1,
  jumpRate: 0.005,
  jumpTicks: 12,
  announcementJumpTicks: 10,
  announcementActivity: 3,
  mix: { limit: 0.46, cancel: 0.34, market: 0.025, modify: 0.05, requote: 0.125 },
  targetNoiseOrders: 120,
  noiseDepthDecay: 0.3,
  noiseMaxDepth: 20,
  improveProb: 0.85,
  highVolImproveScale: 0.5,
  noiseMeanSize: 3,
  largeOrderProb: 0.04,
  marketMeanSize: 1.5,
  roundSnapProb: 0.25,
  roundSnapTicks: 4,
  roundSizeMult: 3,
  makers: 3,
  makerSize: 12,
  toxicityTauS: 30,
  toxicWiden: 0.35,
  toxicPull: 0.6,
  makerSkewTicks: 1.5,
  makerWidenTicks: 3,
  valueTradeProb: 0.15,
  staleCancelProb: 0.3,
  staleApproachTicks: 0.25,
  valueMeanSize: 1.5,
  valueEdge: 0.25,
  episodeRate: [0.004, 0.008, 0.02],
  episodeMinMin: 3,
  episodeMeanExtraMin: 7,
  informedShareMax: 0.08,
  episodeDriftTicksPerMin: 2,
  informedMeanSize: 4,
  sweepProb: 0.04,
  wallRate: 0.02,
  wallMeanLifeMin: 8,
  wallSize: [150, 400],
  recvLatencyMinNs: 2_000,
  recvLatencyMeanNs: 3_000,
}) as SimParams;
