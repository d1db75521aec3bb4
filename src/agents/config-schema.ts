/**
 * Parameters of the seven analysts, validated once at the edge (STYLE.md): a zod schema with a
 * documented default for every field, unknown keys rejected, errors naming the field's path.
 *
 * Every analyst has `budgetMs` (its time budget; the runner enforces it on the wall clock, and
 * backtests pass `budgetMs: Infinity` to `runAgents` instead, CONVENTIONS.md "Time, clocks and
 * determinism") and `horizonSec` (the horizon its view is meant for). Units: `…Ticks` in the
 * instrument's tick, `…Ms` milliseconds, `…Minutes` minutes; scores and CDF levels are 0–1.
 */
import * as z from 'zod/mini';
import { nonNeg, nonNegInt, pos, posInt, unit } from '../core/schema/index.js';

const SCALE = z.number().check(z.gte(0), z.lte(2));
const scale = (d: number) => z._default(SCALE, d);

/** Fast momentum (momentum.ts): EMA 3/6/12 stacking, ADX(7) strength, RSI(7) exhaustion. */
const momentum = z.strictObject({
  budgetMs: pos(100),
  horizonSec: posInt(300),
  /** ADX at or above which a stacked EMA trend counts (Wilder: 20–25 marks a trend). */
  adxTrendMin: nonNeg(20),
  /** ADX at which strength saturates (confidence 1 before the RSI penalty). */
  adxStrong: pos(40),
  /** A long is exhausted at RSI ≥ this, a short at RSI ≤ 100 − this. */
  rsiExhausted: z._default(z.number().check(z.gte(50), z.lte(100)), 80),
  /** Confidence multiplier of an exhausted trend. */
  exhaustedScale: unit(0.5),
  /** Confidence of a flat view when the EMAs are ready but not stacked (or ADX is weak). */
  flatConfidence: unit(0.25),
  /**
   * Moving-block bootstrap of the bar returns (needs `AgentInput.closes`). 500 resamples put the
   * share's standard error at most √(0.25/500) ≈ 0.022 and keep the analyst near 0.1 ms, inside the
   * quant path's 1 ms budget per decision.
   */
  bootstrapResamples: posInt(500),
  bootstrapBlock: posInt(5),
  /** Closes needed before the bootstrap runs (returns = closes − 1), newest kept. */
  bootstrapMinBars: posInt(20),
  bootstrapMaxBars: posInt(120),
  bootstrapSeed: nonNegInt(7),
});

/** Technical (technical.ts): the techniques' setups, combined by side. */
const technical = z.strictObject({
  budgetMs: pos(100),
  horizonSec: posInt(600),
  /** Setups below this confidence are ignored. */
  minSetupConfidence: unit(0.1),
  /** The winning side's score must beat the other by more than this. */
  minEdge: unit(0.1),
});

/** Order-book microstructure (microstructure.ts): weights of the components of the score. */
const microstructure = z.strictObject({
  budgetMs: pos(100),
  horizonSec: posInt(30),
  wOfi: nonNeg(0.35),
  wQueue: nonNeg(0.25),
  wMicroprice: nonNeg(0.2),
  wVolumeDelta: nonNeg(0.1),
  wBook: nonNeg(0.1),
  /** |score| above which the view is directional. */
  threshold: unit(0.2),
  /** Spread above this many ticks raises `wide_spread` and halves confidence. */
  wideSpreadTicks: pos(2),
});

/** Flow toxicity and sweep risk (toxicity.ts). */
const toxicity = z.strictObject({
  budgetMs: pos(100),
  horizonSec: posInt(300),
  /** VPIN CDF at or above which flow is toxic (`toxicity`). */
  vpinCdfToxic: unit(0.8),
  /** VPIN CDF at or above which `risk_off` is raised (MICROSTRUCTURE.md §11: flag ≥ 0.9). */
  vpinCdfRiskOff: unit(0.9),
  /** Sweeps are counted over this window before the decision. */
  sweepWindowMs: pos(60_000),
  /** This many sweeps in the window raise `risk_off` (one raises `sweep`). */
  sweepRiskOffCount: posInt(3),
  /** Cancel-to-add ratio at or above which quoting is a burst of pulls (`toxicity`). */
  cancelAddBurst: pos(2),
  /** Cancel-to-add ratio at or above which `risk_off` is raised. */
  cancelAddRiskOff: pos(3),
});

/** Volatility regime (regime.ts): size scaling per state and its discounts. */
const regime = z.strictObject({
  budgetMs: pos(50),
  horizonSec: posInt(900),
  /** Size multiplier by state name (states not listed: `unknownScale`). */
  stateScale: z._default(z.record(z.string(), SCALE), () => ({ low: 1, medium: 1, high: 0.5 })),
  /** Size multiplier when the regime is unknown or its state is not listed. */
  unknownScale: scale(1),
  /** Below this state probability the size is multiplied by `lowProbabilityScale`. */
  minProbability: unit(0.6),
  lowProbabilityScale: unit(0.5),
  /** A transition within this long before the decision multiplies size by `transitionScale`. */
  recentTransitionMs: pos(300_000),
  transitionScale: unit(0.5),
});

/** Market making and spread capture (market-making.ts). */
const marketMaking = z.strictObject({
  budgetMs: pos(50),
  horizonSec: posInt(60),
  /** Passive entries only at or below this spread (1 tick: the large-tick regime). */
  maxSpreadTicks: pos(1),
  /** Spread above this raises `wide_spread`. */
  wideSpreadTicks: pos(2),
  /** Quotes are unstable (no passive entry) at a cancel-to-add ratio above this. */
  maxCancelAdd: pos(1.5),
  /** Flow is one-sided (a taking phase) when |tanh(OFI₁₀ₛ / level depth)| exceeds this. */
  maxOfi: unit(0.5),
  /** … or when |60-s volume delta| exceeds this share of the 5-level depth of both sides. */
  maxTakeShare: pos(0.25),
  /** No passive entry at or above this VPIN CDF (adverse selection). */
  maxVpinCdf: unit(0.8),
  /** |microprice − mid| / half-spread below this gives no side. */
  minMicroEdge: unit(0.1),
});

/** A scheduled time (data releases): local wall-clock time in an IANA zone, weekdays only. */
const release = z.strictObject({
  zone: z.string().check(z.minLength(1)),
  hour: z.number().check(z.int(), z.gte(0), z.lte(23)),
  minute: z.number().check(z.int(), z.gte(0), z.lte(59)),
});

/** Session and timing (session.ts). */
const session = z.strictObject({
  budgetMs: pos(50),
  horizonSec: posInt(900),
  /** No trading in the first minutes after the CME daily reopen at 17:00 CT. */
  reopenMinutes: nonNeg(5),
  /** No trading in the minutes before the CME daily break at 16:00 CT (the break itself too). */
  preBreakMinutes: nonNeg(5),
  /** Scheduled releases (default: US data at 08:30 New York) and the window either side. */
  releases: z._default(z.array(release), () => [{ zone: 'America/New_York', hour: 8, minute: 30 }]),
  releaseWindowMinutes: nonNeg(5),
  /** Data older than this at the decision raises `stale_data`. */
  staleDataMs: pos(5_000),
  /** Size multiplier by session (thin Asian hours trade smaller). */
  sessionScale: z._default(z.record(z.string(), SCALE), () => ({
    sydney: 0.75,
    tokyo: 0.75,
    london: 1,
    new_york: 1,
    overlap: 1,
  })),
});

/** The schema of `AgentsConfig`; every field optional on input, defaulted on output. */
export const AgentsConfigSchema = z.strictObject({
  momentum: z.prefault(momentum, {}),
  technical: z.prefault(technical, {}),
  microstructure: z.prefault(microstructure, {}),
  toxicity: z.prefault(toxicity, {}),
  regime: z.prefault(regime, {}),
  marketMaking: z.prefault(marketMaking, {}),
  session: z.prefault(session, {}),
});

/** Validated analyst parameters. */
export type AgentsConfig = z.output<typeof AgentsConfigSchema>;
/** What a configuration file may contain (every field optional). */
export type AgentsConfigInput = z.input<typeof AgentsConfigSchema>;

export type MomentumParams = AgentsConfig['momentum'];
export type TechnicalParams = AgentsConfig['technical'];
export type MicrostructureParams = AgentsConfig['microstructure'];
export type ToxicityParams = AgentsConfig['toxicity'];
export type RegimeParams = AgentsConfig['regime'];
export type MarketMakingParams = AgentsConfig['marketMaking'];
export type SessionParams = AgentsConfig['session'];
