/**
 * Shared shapes of the ten techniques: the setup a detector emits and the per-bar context it reads.
 *
 * Techniques run on the instrument being traded (CONVENTIONS.md): prices are that instrument's own
 * decimal quote (6J in USD per JPY, USD/JPY in JPY per USD), and `tickSize` is its price increment.
 */
import type { Bar, SessionLevelsView } from '../../features/index.js';

/** Names of the ten techniques (also the keys of `TechniquesConfig`). */
export type TechniqueName =
  | 'orb'
  | 'sfp'
  | 'pivots'
  | 'bigFigures'
  | 'liquiditySweep'
  | 'vwap'
  | 'emaMomentum'
  | 'asianBreakout'
  | 'priorLevels'
  | 'fvg';

/** All technique names, in the order `TechniqueSet` runs them. */
export const TECHNIQUE_NAMES: readonly TechniqueName[] = Object.freeze([
  'orb',
  'sfp',
  'pivots',
  'bigFigures',
  'liquiditySweep',
  'vwap',
  'emaMomentum',
  'asianBreakout',
  'priorLevels',
  'fvg',
]);

/** What kind of trade a setup is. */
export type SetupKind = 'breakout' | 'bounce' | 'break' | 'reversal' | 'fill' | 'magnet' | 'momentum';

/** A trade idea from one technique: plain serialisable data. */
export interface Setup {
  readonly technique: TechniqueName;
  readonly instrument: string;
  readonly side: 'long' | 'short';
  /** Entry (the signal bar's close), protective stop and profit target, decimal prices. */
  readonly entry: number;
  readonly stop: number;
  readonly target: number;
  /** The signal bar's end (when the setup became known), and until when it stays valid, ms. */
  readonly createdMs: number;
  readonly validUntilMs: number;
  /** 0–1. */
  readonly confidence: number;
  readonly kind?: SetupKind;
  /** Levels, bar times (ISO-8601) and feature values the rule used. */
  readonly evidence: Readonly<Record<string, number | string>>;
}

/** The last flagged sweep (features/book `SweepDetector`), in decimal prices. */
export interface SweepAlert {
  /** Aggressor side: 'buy' = buyers lifting offers through several levels, 'sell' = hitting bids. */
  readonly side: 'buy' | 'sell';
  /** Price levels taken. */
  readonly levels: number;
  /** Traded quantity. */
  readonly size: number;
  /** Time of the sweep, ms. */
  readonly tMs: number;
  /** Deepest traded price (NaN when unknown). */
  readonly price: number;
}

/**
 * Per-bar inputs besides the bar itself. Every number is NaN when not available; a later step fills
 * this from the feature engine, tests build it by hand (`createTechniqueContext`).
 */
export interface TechniqueContext {
  instrument: string;
  /** Price increment of the traded instrument's quote. */
  tickSize: number;
  ema3: number;
  ema6: number;
  ema12: number;
  rsi7: number;
  adx7: number;
  plusDi7: number;
  minusDi7: number;
  atr: number;
  /** Session VWAP and its volume-weighted standard deviation (band unit σ). */
  vwap: number;
  vwapSd: number;
  /** Order-flow imbalance over 10 s (sign is what techniques use). */
  ofi10s: number;
  /** Buy minus sell volume of the bar. */
  volumeDelta: number;
  /** The most recent sweep alert, or null. */
  sweep: SweepAlert | null;
  bestBidSize: number;
  bestAskSize: number;
  /** Price of a detected wall on each side of the book (NaN when none). */
  bidWallPx: number;
  askWallPx: number;
  /** Opening ranges, Asian range, prior FX day and prior sessions (an `OpeningRangeTracker`). */
  sessions: SessionLevelsView;
}

/** A streaming detector of one technique. */
export interface Technique {
  readonly name: TechniqueName;
  /** Reads one closed bar (bars in time order); returns the setups it fires (a shared empty array when none). */
  onBar(bar: Bar, ctx: TechniqueContext): readonly Setup[];
  /** Forgets all state. */
  reset(): void;
}
