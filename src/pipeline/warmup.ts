/**
 * The pipeline's warm-up: synthetic decisions taken when a session starts, before the first real
 * one. A fresh process interprets the analysts, the vote, the debate and the validators until V8 has
 * seen them run often enough to compile them; without a warm-up the first minutes of a session pay
 * for that (their p99 about 3x the steady state's). The warm-up runs the same code on synthetic
 * inputs that take every path a session takes: every analyst long, short and flat (and not ready),
 * every route (fast, standard with and without a debate, full), approvals both ways and a veto from
 * each validator.
 *
 * Fidelity: a synthetic snapshot is built by one object literal with the engine's keys in the
 * engine's order (`FeatureEngine` snapshots: the header, then `FEATURE_COLUMNS`), frozen, so it has
 * the same hidden class as a real one and the compiled code's shape checks hold on real data; setups,
 * sweeps and the regime state are built in the order their producers use.
 *
 * What real sessions meet and a warm-up must too, or V8 throws the compiled code away at the first
 * real decision that does and compiles it again several hundred decisions later: times with seconds,
 * balanced setups and two on a side, a microprice at the mid, one to four sweeps, a directional
 * index against the EMAs, as many closes as a session keeps (the bootstrap's table reused), a
 * debate that runs out of points after an odd round (judged once more at its end).
 *
 * No trace: the decisions are taken by separate pipelines (`DecisionPipeline.warmUp`) sharing only
 * the analysts (pure functions, or a worker pool that keeps no results), with their own intents, a
 * silent logger, no model (nothing is asked, cached or paid for) and no `onDecision`; their
 * decisions are dropped. They read the warm-up's own book (`WarmUpBook`), and every fourth the
 * session's portfolio, which a `PortfolioView` only reads. Bounded: at most `warmUp.decisions`
 * decisions, and it stops after the first that ends past `warmUp.maxMs` of wall time.
 */

import type { AgentInput, RegimeState } from '../agents/index.js';
import { formatTimestamp, fxSession, openCentres } from '../core/index.js';
import type { FeatureSnapshot } from '../features/index.js';
import type { Setup, Stance, SweepAlert, TechniqueName } from '../strategy/index.js';
import type { PipelineConfig } from './config.js';
import type { Trigger, TriggerKind } from './pipeline.js';
import type { PortfolioView } from './portfolio.js';

/** What a warm-up did. */
export interface WarmUpReport {
  /** Synthetic decisions taken. */
  readonly decisions: number;
  /** Wall time it took, ms. */
  readonly ms: number;
}

/** The synthetic market situations, each taken long and short at three convictions. */
export const WARM_UP_VARIANTS = [
  'clean',
  'setups',
  'mixed',
  'wide',
  'toxic',
  'sweeps',
  'stale',
  'regime',
  'unready',
  'crossed',
] as const;
type Variant = (typeof WARM_UP_VARIANTS)[number];

/** Synthetic futures: symbol, id, a typical mid and the tick (decimal). */
const INSTRUMENTS = [
  { symbol: '6EH6', id: 1, mid: 1.16, tick: 0.00005 },
  { symbol: '6BH6', id: 2, mid: 1.27, tick: 0.0001 },
  { symbol: '6JH6', id: 3, mid: 0.0065, tick: 0.0000005 },
  { symbol: '6AH6', id: 4, mid: 0.66, tick: 0.00005 },
  { symbol: '6CH6', id: 5, mid: 0.72, tick: 0.00005 },
  { symbol: '6SH6', id: 6, mid: 1.25, tick: 0.00005 },
] as const;

/**
 * Times the inputs cycle through (UTC, a week of January 2026): the London–New York overlap, London,
 * Tokyo, New York, a US release (08:30 New York), the CME daily break and a Saturday (closed).
 */
const TIMES_MS = [
  Date.UTC(2026, 0, 14, 15, 0),
  Date.UTC(2026, 0, 14, 9, 0),
  Date.UTC(2026, 0, 14, 2, 0),
  Date.UTC(2026, 0, 14, 19, 0),
  Date.UTC(2026, 0, 15, 13, 31),
  Date.UTC(2026, 0, 14, 22, 30),
  Date.UTC(2026, 0, 17, 12, 0),
];
const CONVICTIONS = [0.3, 0.65, 1] as const;
/** 1-minute closes a session keeps for the momentum analyst's bootstrap (the decision loop's). */
export const MAX_CLOSES = 120;
const TRIGGERS: readonly TriggerKind[] = ['bar', 'setup', 'sweep', 'toxicity'];
const TECHNIQUES: readonly TechniqueName[] = ['orb', 'vwap', 'emaMomentum', 'liquiditySweep', 'fvg'];
const STANCES: readonly Stance[] = ['momentum', 'mean_reversion', 'reduce', 'stand_aside'];
const STATES = ['low', 'medium', 'high'] as const;

/** The numbers one synthetic snapshot is made from. */
interface Market {
  readonly side: 1 | -1;
  readonly conviction: number;
  readonly variant: Variant;
  readonly mid: number;
  readonly tick: number;
  /** Spread in ticks (NaN: no quote). */
  readonly spread: number;
  /** NaN for what is not ready yet. */
  readonly ready: number;
}

/**
 * A frozen snapshot with the keys of the engine's, in its order (one literal: the same hidden class
 * as `FeatureEngine`'s snapshots; `warmup.test.ts` checks the keys).
 */
function snapshotOf(ms: number, symbol: string, id: number, m: Market): FeatureSnapshot {
  const { side: s, conviction: c, mid, tick, spread, ready: r } = m;
  const half = (spread * tick) / 2;
  const depthBid = 300 + 80 * s * c;
  const depthAsk = 300 - 80 * s * c;
  // The trend indicators (momentum's) go against the book's side in the `mixed` variant.
  const trend = m.variant === 'mixed' ? -s : s;
  const ema = (k: number) => mid * (1 - trend * c * k * 2e-4) + r;
  const wall = (on: boolean, px: number) => (on ? px : Number.NaN);
  // A balanced book in the `regime` variant: the microprice at the mid (no side to join).
  const lean = m.variant === 'regime' ? 0 : s * c;
  // The directional index against the EMAs in the `crossed` variant (momentum stays flat).
  const di = m.variant === 'crossed' ? -trend : trend;
  const tsNs = BigInt(ms) * 1_000_000n;
  return Object.freeze({
    ts: formatTimestamp(tsNs) ?? '',
    ts_ns: tsNs,
    symbol,
    instrument_id: id,
    session: fxSession(ms),
    spread_ticks: spread,
    spread_bps: ((spread * tick) / mid) * 1e4,
    mid,
    microprice: mid + lean * 0.6 * half,
    microprice_stoikov: id === 1 ? mid + lean * 0.5 * half : Number.NaN,
    qi_l1: s * c * 0.7 + r,
    qi_l5: s * c * 0.5 + r,
    qi_l10: s * c * 0.3 + r,
    ofi_1s: s * c * 20 + r,
    ofi_10s: s * c * 60 + r,
    ofi_60s: s * c * 150 + r,
    mlofi_10s: s * c * 0.8 + r,
    vpin: m.variant === 'toxic' ? 0.7 : 0.2 + 0.2 * c + r,
    vpin_cdf: m.variant === 'toxic' ? 0.97 : 0.1 + 0.5 * c * c + r,
    kyle_lambda: 2e-7 * (1 + c) + r,
    rv_1m: 4e-5 * (1 + c) + r,
    rv_5m: 9e-5 * (1 + c) + r,
    volume_delta: s * c * 40 + r,
    cvd: s * 900 * c,
    trade_rate: 2 + 6 * c,
    // Toxic: quotes pulled on the long side; on the short side only VPIN tells (an ordinary ratio).
    cancel_add_ratio: m.variant === 'toxic' ? (s > 0 ? 3.5 : 0.9) : 0.6 + 0.5 * c + r,
    sweep_alerts: m.variant === 'sweeps' ? 4 : 1,
    basis: Number.NaN,
    basis_dev: Number.NaN,
    fs_corr: Number.NaN,
    fs_lead_ms: Number.NaN,
    fs_lead_corr: Number.NaN,
    depth_bid_5: depthBid + r,
    depth_ask_5: depthAsk + r,
    depth_bid_10: 2 * depthBid,
    depth_ask_10: 2 * depthAsk,
    book_skew_5: (depthBid - depthAsk) / (depthBid + depthAsk),
    bid_wall_px: wall(s > 0, mid - 3 * tick),
    bid_wall_sz: wall(s > 0, 180),
    ask_wall_px: wall(s < 0 && c > 0.5, mid + 3 * tick),
    ask_wall_sz: wall(s < 0 && c > 0.5, 150),
    bid_gap_px: wall(s < 0, mid - 5 * tick),
    ask_gap_px: wall(s > 0 && c > 0.5, mid + 5 * tick),
    ema_3: ema(1),
    ema_6: ema(2),
    ema_12: ema(3),
    rsi_7: 50 + s * c * 32 + r,
    // Under the trend minimum in the `stale` variant (EMAs stacked, no trend strong enough).
    adx_7: m.variant === 'stale' ? 15 + r : 12 + 30 * c + r,
    plus_di_7: 22 + 10 * di * c,
    minus_di_7: 22 - 10 * di * c,
    atr_7: 6 * tick * (1 + c),
    vwap: mid - s * 4 * tick,
    vwap_sd: 5 * tick,
    vol_parkinson_30m: 0.06 * (1 + c),
    vol_gk_30m: 0.055 * (1 + c),
    open_centres: openCentres(ms),
    vpin_daily: 0.3 + r,
  });
}

/** Setups of the `setups` variant: the main side's, and a weaker one against it at low conviction. */
function setupsOf(ms: number, symbol: string, m: Market, k: number): Setup[] {
  const make = (side: 1 | -1, confidence: number, j: number): Setup =>
    Object.freeze({
      technique: TECHNIQUES[(k + j) % TECHNIQUES.length],
      instrument: symbol,
      side: side > 0 ? ('long' as const) : ('short' as const),
      entry: m.mid,
      stop: m.mid - side * 8 * m.tick,
      target: m.mid + side * 16 * m.tick,
      createdMs: ms - 60_000,
      validUntilMs: ms + 4 * 60_000,
      confidence,
      kind: 'breakout' as const,
      evidence: Object.freeze({
        level: m.mid - side * 2 * m.tick,
        barStart: formatTimestamp(BigInt(ms - 120_000) * 1_000_000n) ?? '',
      }),
    });
  const out = [make(m.side, 0.4 + 0.5 * m.conviction, 0)];
  // Against it: weaker, or (in the `setups` variant) as strong, the two sides balancing.
  if (m.conviction < 0.5)
    out.push(make(m.side > 0 ? -1 : 1, m.variant === 'setups' ? out[0].confidence : 0.35, 1));
  // A second setup on the main side: weaker, or (at full conviction) as strong from another technique.
  else out.push(make(m.side, m.conviction === 1 ? 0.4 + 0.5 * m.conviction : 0.3, 2));
  return out;
}

/** One to four sweeps in the last minute (the toxicity analyst's count below, at and past its limit). */
function sweepsOf(ms: number, m: Market, k: number): SweepAlert[] {
  const sweep = (dt: number): SweepAlert => ({
    side: m.side > 0 ? 'buy' : 'sell',
    levels: 3 + (dt % 3),
    size: 40 + dt,
    tMs: ms - dt * 1_000,
    price: m.mid + m.side * 3 * m.tick,
  });
  return [sweep(50), sweep(40), sweep(20), sweep(5)].slice(3 - (Math.floor(k / 10) % 4));
}

function regimeOf(ms: number, k: number): RegimeState {
  const state = k % STATES.length;
  const p = [0.1, 0.15, 0.2];
  p[state] = 0.55 + 0.1 * (k % 4);
  return {
    state: STATES[state],
    probability: p[state],
    probabilities: p,
    stance: STANCES[k % STANCES.length],
    lastTransitionMs: k % 2 === 0 ? ms - 60_000 : Number.NaN,
  };
}

/**
 * 1-minute closes drifting with `side` (against it in the `mixed` variant, with the EMAs), with a
 * deterministic wobble (the momentum bootstrap reads them).
 */
function closesOf(m: Market, n: number): number[] {
  const out: number[] = [];
  const side = m.variant === 'mixed' ? -m.side : m.side;
  for (let i = 0; i < n; i++) {
    const drift = side * m.conviction * (i - n) * 0.4;
    out.push(m.mid + m.tick * (drift + 3 * Math.sin(i * 1.7)));
  }
  return out;
}

/**
 * The `k`-th synthetic decision of a warm-up, as the decision loop would hand it over. The sequence
 * cycles through every variant, both sides and three convictions (60 inputs), over six
 * instruments and seven times of the week, with mids that drift so that approved positions gain and
 * lose and the exposure and daily-loss checks are reached.
 */
export function warmUpDecision(k: number): { trigger: Trigger; input: AgentInput } {
  const variant = WARM_UP_VARIANTS[k % WARM_UP_VARIANTS.length];
  const side = Math.floor(k / WARM_UP_VARIANTS.length) % 2 === 0 ? 1 : -1;
  const conviction = CONVICTIONS[Math.floor(k / (2 * WARM_UP_VARIANTS.length)) % CONVICTIONS.length];
  const inst = INSTRUMENTS[k % INSTRUMENTS.length];
  // Whole seconds, as a session's grid: minutes and seconds of local time as fractions.
  const ms =
    TIMES_MS[k % TIMES_MS.length] + 60_000 * Math.floor(k / TIMES_MS.length) + 1_000 * ((7 * k) % 60);
  const spread = variant === 'wide' ? 3 : variant === 'crossed' ? 0 : 1;
  const m: Market = {
    side,
    conviction,
    variant,
    // ±0.8 %: a full position marked against itself loses past the default daily loss limit.
    mid: inst.mid * (1 + 0.008 * Math.sin(k * 0.37)),
    tick: inst.tick,
    spread: variant === 'unready' ? Number.NaN : spread,
    ready: variant === 'unready' ? Number.NaN : 0,
  };
  const snapshot = snapshotOf(ms, inst.symbol, inst.id, m);
  const input: AgentInput = Object.freeze({
    snapshot,
    setups: Object.freeze(variant === 'setups' || variant === 'mixed' ? setupsOf(ms, inst.symbol, m, k) : []),
    regime: variant === 'regime' || variant === 'toxic' ? regimeOf(ms, k) : null,
    nowMs: ms,
    lastEventMs: variant === 'stale' ? ms - 30_000 : ms,
    // Mostly as many closes as a session keeps (the bootstrap's table is then reused, as in a session).
    closes: Object.freeze(closesOf(m, variant === 'unready' ? 5 : k % 4 === 0 ? 20 + (k % 41) : MAX_CLOSES)),
    recentSweeps: Object.freeze(variant === 'sweeps' ? sweepsOf(ms, m, k) : []),
  });
  const kind = TRIGGERS[k % TRIGGERS.length];
  // The two shapes of the loop's triggers: without and with a detail.
  const trigger: Trigger = kind === 'bar' ? { kind, tMs: ms } : { kind, tMs: ms, detail: 'warm-up' };
  return { trigger, input };
}

/**
 * The warm-up's own book: 80 % of the gross exposure limit held in one instrument; every fifth
 * decision (`step`) finds the whole limit used and every seventh a day's loss past the limit, so
 * that the exposure and loss checks veto some of the synthetic intents as they would in a busy
 * session.
 */
export class WarmUpBook implements PortfolioView {
  readonly #held = INSTRUMENTS[INSTRUMENTS.length - 1].symbol;
  readonly #limits: PipelineConfig['limits'];
  #gross = 0;
  #pnl = 0;

  constructor(limits: PipelineConfig['limits']) {
    this.#limits = limits;
    this.step(0);
  }

  /** The book as the `k`-th synthetic decision sees it. */
  step(k: number): void {
    const L = this.#limits;
    this.#gross = k % 5 === 3 ? L.maxExposure : Math.round(0.8 * L.maxExposure);
    this.#pnl = k % 7 === 4 ? -1.2 * L.dailyLossLimit : 0;
  }

  position(instrument: string): number {
    return instrument === this.#held ? this.#gross : 0;
  }

  grossExposure(): number {
    return this.#gross;
  }

  dailyPnl(): number {
    return this.#pnl;
  }
}

/** The warm-up's book at its first step. */
export function warmUpPortfolio(limits: PipelineConfig['limits']): WarmUpBook {
  return new WarmUpBook(limits);
}

/** Settings of `runWarmUp` (the pipeline configuration's `warmUp` section). */
export interface WarmUpLimits {
  readonly decisions: number;
  readonly maxMs: number;
}

/**
 * Takes up to `limits.decisions` synthetic decisions through `decide`, stopping after the first that
 * ends past `limits.maxMs`; the decisions themselves are dropped.
 */
export async function runWarmUp(
  decide: (trigger: Trigger, input: AgentInput, k: number) => Promise<unknown>,
  limits: WarmUpLimits,
  book?: WarmUpBook,
): Promise<WarmUpReport> {
  const t0 = performance.now();
  let n = 0;
  while (n < limits.decisions) {
    book?.step(n);
    const { trigger, input } = warmUpDecision(n);
    await decide(trigger, input, n);
    n++;
    if (performance.now() - t0 >= limits.maxMs) break;
  }
  return { decisions: n, ms: performance.now() - t0 };
}
