/**
 * Runs every enabled technique on each closed bar. The set owns an `OpeningRangeTracker` (the
 * opening ranges, Asian range and prior day/session levels every technique reads through
 * `ctx.sessions`); a context made by `context()` points at it, and `onBar` feeds the bar to the
 * tracker before the techniques run, so a range completed by this bar is visible to them.
 */
import { ConfigError } from '../../core/index.js';
import {
  type Bar,
  type DayLevels,
  OpeningRangeTracker,
  type SessionLevelsView,
} from '../../features/index.js';
import { AsianRangeBreakout } from './asian-breakout.js';
import { BigFigures } from './big-figures.js';
import { NO_SETUPS } from './common.js';
import { DEFAULT_TECHNIQUES_CONFIG, type TechniquesConfig } from './config.js';
import { EmaMomentum } from './ema-momentum.js';
import { FairValueGap } from './fvg.js';
import { LiquiditySweep } from './liquidity-sweep.js';
import { OpeningRangeBreakout } from './orb.js';
import { PivotPoints } from './pivots.js';
import { PriorLevels } from './prior-levels.js';
import { SwingFailurePattern } from './sfp.js';
import {
  type Setup,
  TECHNIQUE_NAMES,
  type Technique,
  type TechniqueContext,
  type TechniqueName,
} from './types.js';
import { VwapReversion } from './vwap-reversion.js';

/** A context with every feature unknown (NaN), no sweep alert, reading `sessions`. */
export function createTechniqueContext(
  instrument: string,
  tickSize: number,
  sessions: SessionLevelsView,
): TechniqueContext {
  if (!(tickSize > 0)) throw new ConfigError(`tick size of ${instrument} must be > 0, got ${tickSize}`);
  return {
    instrument,
    tickSize,
    ema3: Number.NaN,
    ema6: Number.NaN,
    ema12: Number.NaN,
    rsi7: Number.NaN,
    adx7: Number.NaN,
    plusDi7: Number.NaN,
    minusDi7: Number.NaN,
    atr: Number.NaN,
    vwap: Number.NaN,
    vwapSd: Number.NaN,
    ofi10s: Number.NaN,
    volumeDelta: Number.NaN,
    sweep: null,
    bestBidSize: Number.NaN,
    bestAskSize: Number.NaN,
    bidWallPx: Number.NaN,
    askWallPx: Number.NaN,
    sessions,
  };
}

/** Each technique's constructor over the techniques configuration, by name (a typed factory). */
export const TECHNIQUES: { readonly [N in TechniqueName]: (config: TechniquesConfig) => Technique } =
  Object.freeze({
    orb: (c) => new OpeningRangeBreakout(c.orb),
    sfp: (c) => new SwingFailurePattern(c.sfp),
    pivots: (c) => new PivotPoints(c.pivots),
    bigFigures: (c) => new BigFigures(c.bigFigures, c.pipSizes),
    liquiditySweep: (c) => new LiquiditySweep(c.liquiditySweep, c.pipSizes),
    vwap: (c) => new VwapReversion(c.vwap),
    emaMomentum: (c) => new EmaMomentum(c.emaMomentum),
    asianBreakout: (c) => new AsianRangeBreakout(c.asianBreakout),
    priorLevels: (c) => new PriorLevels(c.priorLevels),
    fvg: (c) => new FairValueGap(c.fvg),
  });

/** The enabled techniques of a configuration, in `TECHNIQUE_NAMES` order. */
export function createTechniques(config: TechniquesConfig = DEFAULT_TECHNIQUES_CONFIG): Technique[] {
  return TECHNIQUE_NAMES.filter((n) => config[n].enabled).map((n) => TECHNIQUES[n](config));
}

/** Options of `TechniqueSet`. */
export interface TechniqueSetOptions {
  /** Keep every setup until `drain()` (default true). */
  readonly collect?: boolean;
  /** Called with each setup as it fires. */
  readonly onSetup?: (setup: Setup) => void;
  /** A silence between bars longer than this resets the detectors. Default 30 minutes. */
  readonly gapMs?: number;
  /** The session tracker's `onDayBegin`: where the prior day is decided elsewhere (a contract roll). */
  readonly onDayBegin?: (date: string, priorDay: DayLevels) => void;
}

/** Default gap that resets the detectors: longer than any quiet spell inside a session. */
export const DEFAULT_GAP_MS = 30 * 60_000;

/** All enabled techniques of one instrument, with the session tracker they share. */
export class TechniqueSet {
  readonly config: TechniquesConfig;
  readonly sessions: OpeningRangeTracker;
  readonly techniques: readonly Technique[];
  /** A longer silence between bars resets the detectors (ms). */
  readonly gapMs: number;
  #lastStartMs = Number.NEGATIVE_INFINITY;
  #lastEndMs = Number.NaN;
  readonly #collect: boolean;
  readonly #onSetup: ((setup: Setup) => void) | undefined;
  #collected: Setup[] = [];

  constructor(config: TechniquesConfig = DEFAULT_TECHNIQUES_CONFIG, options: TechniqueSetOptions = {}) {
    this.config = config;
    this.sessions = new OpeningRangeTracker({
      minutes: config.openingRangeMinutes,
      onDayBegin: options.onDayBegin,
    });
    this.techniques = Object.freeze(createTechniques(config));
    this.gapMs = options.gapMs ?? DEFAULT_GAP_MS;
    this.#collect = options.collect ?? true;
    this.#onSetup = options.onSetup;
  }

  /** A fresh context for `instrument` that reads this set's session tracker. */
  context(instrument: string, tickSize: number): TechniqueContext {
    return createTechniqueContext(instrument, tickSize, this.sessions);
  }

  /**
   * Runs one closed bar: updates the session tracker first (when `ctx.sessions` is this set's
   * tracker; a caller passing another tracker updates it itself), then every enabled technique.
   * Returns the setups of this bar (the shared empty array when none).
   */
  onBar(bar: Bar, ctx: TechniqueContext): readonly Setup[] {
    // A bar no later than the last one (out of order, or the same again) would corrupt every
    // detector's history: it is dropped.
    if (!(bar.startMs > this.#lastStartMs)) return NO_SETUPS;
    // After a gap (the daily CME break, a weekend, a feed outage) the bars before it are not the
    // neighbours of the bars after it: fair value gaps, swings and previous closes start over.
    if (bar.startMs - this.#lastEndMs > this.gapMs) for (const t of this.techniques) t.reset();
    this.#lastStartMs = bar.startMs;
    this.#lastEndMs = bar.endMs;
    if (ctx.sessions === this.sessions) this.sessions.update(bar);
    let out: Setup[] | null = null;
    for (const t of this.techniques) {
      const s = t.onBar(bar, ctx);
      if (s.length === 0) continue;
      out ??= [];
      for (const x of s) {
        out.push(x);
        if (this.#collect) this.#collected.push(x);
        this.#onSetup?.(x);
      }
    }
    return out ?? NO_SETUPS;
  }

  /** Setups collected since the last `drain()`. */
  get setups(): readonly Setup[] {
    return this.#collected;
  }

  /** Returns the collected setups and starts a new collection. */
  drain(): Setup[] {
    const out = this.#collected;
    this.#collected = [];
    return out;
  }

  /** Resets the tracker and every technique and drops collected setups. */
  reset(): void {
    this.sessions.reset();
    for (const t of this.techniques) t.reset();
    this.#collected = [];
    this.#lastStartMs = Number.NEGATIVE_INFINITY;
    this.#lastEndMs = Number.NaN;
  }
}
