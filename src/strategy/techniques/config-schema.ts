/**
 * Parameters of the ten techniques, validated once at the edge (STYLE.md): a zod schema with a
 * documented default for every field, per-technique `enabled` flags, unknown keys rejected.
 *
 * Units: `…Ticks` in the instrument's tick size (`TechniqueContext.tickSize`), `…Pips` in its pip
 * (`pipSizes`, see big-figures.ts), `…Band` in VWAP standard deviations, `…R` in multiples of the
 * risk (|entry − stop|), `…Minutes` in minutes, `…Ms` in milliseconds.
 */
import * as z from 'zod/mini';
import { flag, nonNeg, pos, posInt } from '../../core/schema/index.js';

const centre = z.enum(['sydney', 'tokyo', 'london', 'new_york']);
type Centre = z.infer<typeof centre>;
/** Pivot-point families (pivots.ts). */
export type PivotVariant = 'classic' | 'camarilla' | 'fibonacci';
/** Round-number levels inside a big figure (big-figures.ts). */
export type BigFigureLevel = '00' | '20' | '50' | '80';
const stopAt = z._default(z.enum(['mid', 'opposite']), 'mid');

/** 1. Opening range breakout (orb.ts). */
const orb = z.strictObject({
  enabled: flag(true),
  /** Centres whose opening range is traded. */
  centres: z._default(z.array(centre), (): Centre[] => ['london', 'new_york']),
  /** A breakout counts only this long after the range completes. */
  maxMinutesAfterRange: posInt(120),
  /** The close must be beyond the range by more than this. */
  bufferTicks: nonNeg(0),
  /** Ranges narrower than this are ignored. */
  minRangeTicks: nonNeg(2),
  /** Stop at the range's midpoint or its opposite side. */
  stopAt,
  /** Target = broken side ± this multiple of the range height. */
  targetRangeMultiple: pos(1),
  /** A close so far beyond the range that reward / risk falls below this is no setup. */
  minRewardRisk: nonNeg(1),
  /** Require bar volume ≥ volumeMultiple × its EMA over volumePeriod bars. */
  volumeConfirm: flag(false),
  volumeMultiple: pos(1.5),
  volumePeriod: posInt(20),
  /** Require the 10-s OFI to agree with the breakout's side. */
  ofiConfirm: flag(false),
  validMinutes: posInt(15),
});

/** 2. Swing failure pattern (sfp.ts). */
const sfp = z.strictObject({
  enabled: flag(true),
  /** Fractal strength k: a swing high is higher than the k bars on each side. */
  swingStrength: posInt(2),
  /** Swings older than this many bars are forgotten. */
  maxSwingAgeBars: posInt(60),
  stopBufferTicks: nonNeg(1),
  targetR: pos(2),
  validMinutes: posInt(10),
});

/** 3. Pivot points (pivots.ts). */
const pivots = z.strictObject({
  enabled: flag(true),
  variants: z._default(z.array(z.enum(['classic', 'camarilla', 'fibonacci'])), (): PivotVariant[] => [
    'classic',
    'camarilla',
    'fibonacci',
  ]),
  bounce: flag(true),
  break: flag(true),
  /** A bar within this of a level touches it. */
  touchTicks: nonNeg(1),
  /** A bounce closes at least this far back on the approach side. */
  rejectTicks: nonNeg(1),
  /** A break closes at least this far beyond the level. */
  breakTicks: nonNeg(2),
  stopBufferTicks: nonNeg(2),
  /** Target when no further level of the same variant lies beyond the entry. */
  targetR: pos(1.5),
  validMinutes: posInt(15),
});

/** 4. Big figures (big-figures.ts). */
const bigFigures = z.strictObject({
  enabled: flag(true),
  /** Which round-number levels inside each big figure are used. */
  levels: z._default(z.array(z.enum(['00', '20', '50', '80'])), (): BigFigureLevel[] => [
    '00',
    '20',
    '50',
    '80',
  ]),
  bounce: flag(true),
  break: flag(true),
  magnet: flag(true),
  touchPips: nonNeg(1),
  rejectPips: nonNeg(1),
  breakPips: nonNeg(2),
  /** Stop distance beyond the level. */
  stopPips: pos(5),
  /** The next level used as target must be at least this far from the entry. */
  minTargetPips: pos(5),
  /** Magnet: within (minMagnetPips, magnetPips] of a 00 level, trending toward it. */
  magnetPips: pos(10),
  minMagnetPips: nonNeg(3),
  /** Magnet target this far short of the 00 level (orders cluster just before it). */
  frontRunPips: nonNeg(1),
  validMinutes: posInt(15),
});

/** 5. Liquidity sweep / stop hunt (liquidity-sweep.ts). */
const liquiditySweep = z.strictObject({
  enabled: flag(true),
  swingStrength: posInt(2),
  maxSwingAgeBars: posInt(120),
  useSwings: flag(true),
  usePriorDay: flag(true),
  useBigFigures: flag(true),
  /** The bar must trade at least this far through the level. */
  minRunTicks: nonNeg(1),
  /** The sweep alert must lie inside the bar or at most this long before its start. */
  maxAlertAgeMs: nonNeg(60_000),
  minSweepLevels: posInt(2),
  /** Depth confirmation: opposite best size ≥ depthRatio × same-side size, or a wall near the level. */
  requireDepth: flag(true),
  depthRatio: pos(1.5),
  wallTicks: nonNeg(4),
  stopBufferTicks: nonNeg(2),
  targetR: pos(2),
  validMinutes: posInt(10),
});

/** 6. VWAP reversion and bounce (vwap.ts). */
const vwap = z.strictObject({
  enabled: flag(true),
  reversion: flag(true),
  bounce: flag(true),
  /** Reversion: the bar reaches at least this many σ from VWAP, then closes against its open. */
  reversionBand: pos(2),
  /** Reversion is skipped when ADX(7) is at or above this (a strong trend). */
  maxAdxForReversion: pos(30),
  /** Bounce: the low (high) comes within this many σ of VWAP in a trend. */
  bounceTouchBand: nonNeg(0.25),
  /** Bounce trend filter: EMA 6 beyond EMA 12 and ADX(7) at least this. */
  minAdxTrend: nonNeg(20),
  bounceStopBand: pos(1),
  bounceTargetBand: pos(2),
  stopBufferTicks: nonNeg(2),
  /** σ below this many ticks is treated as unusable. */
  minSdTicks: nonNeg(1),
  validMinutes: posInt(15),
});

/** 7. EMA 3/6/12 momentum (ema-momentum.ts). */
const emaMomentum = z.strictObject({
  enabled: flag(true),
  /** Longs need RSI(7) in (rsiLongMin, rsiLongMax); shorts in (rsiShortMin, rsiShortMax). */
  rsiLongMin: nonNeg(50),
  rsiLongMax: nonNeg(80),
  rsiShortMin: nonNeg(20),
  rsiShortMax: nonNeg(50),
  minAdx: nonNeg(20),
  /** Also require +DI > −DI for longs (−DI > +DI for shorts). */
  requireDi: flag(true),
  stopAtr: pos(1),
  targetR: pos(1.5),
  validMinutes: posInt(10),
});

/** 8. Asian range breakout at the London open (asian-breakout.ts). */
const asianBreakout = z.strictObject({
  enabled: flag(true),
  maxMinutesAfterLondonOpen: posInt(120),
  bufferTicks: nonNeg(0),
  minRangeTicks: nonNeg(4),
  /** Ranges wider than this are skipped; 0 = no limit. */
  maxRangeTicks: nonNeg(0),
  stopAt,
  targetRangeMultiple: pos(1),
  /** A close so far beyond the range that reward / risk falls below this is no setup. */
  minRewardRisk: nonNeg(1),
  validMinutes: posInt(15),
});

/** 9. Prior-day and prior-session high/low tests (prior-levels.ts). */
const priorLevels = z.strictObject({
  enabled: flag(true),
  priorDay: flag(true),
  centres: z._default(z.array(centre), (): Centre[] => ['sydney', 'tokyo', 'london', 'new_york']),
  bounce: flag(true),
  break: flag(true),
  touchTicks: nonNeg(1),
  rejectTicks: nonNeg(1),
  breakTicks: nonNeg(2),
  stopBufferTicks: nonNeg(2),
  targetR: pos(1.5),
  validMinutes: posInt(15),
});

/** 10. Fair value gap fill (fvg.ts). */
const fvg = z.strictObject({
  enabled: flag(true),
  minGapTicks: nonNeg(2),
  maxAgeBars: posInt(60),
  maxGaps: posInt(8),
  stopBufferTicks: nonNeg(1),
  targetR: pos(2),
  validMinutes: posInt(10),
});

/** The schema of `TechniquesConfig`; every field optional on input, defaulted on output. */
export const TechniquesConfigSchema = z.strictObject({
  /** Opening-range length, minutes (OpeningRangeTracker). */
  openingRangeMinutes: posInt(15),
  /** Pip size by instrument, over the built-in table (big-figures.ts `DEFAULT_PIP_SIZES`). */
  pipSizes: z._default(
    z.record(
      z.string(),
      z.number().check(
        z.positive(),
        z.refine((v) => Math.abs(Math.log10(v) - Math.round(Math.log10(v))) < 1e-9, {
          message: 'a pip size is a power of ten (0.0001, 0.01, 0.000001 …)',
        }),
      ),
    ),
    () => ({}),
  ),
  orb: z.prefault(orb, {}),
  sfp: z.prefault(sfp, {}),
  pivots: z.prefault(pivots, {}),
  bigFigures: z.prefault(bigFigures, {}),
  liquiditySweep: z.prefault(liquiditySweep, {}),
  vwap: z.prefault(vwap, {}),
  emaMomentum: z.prefault(emaMomentum, {}),
  asianBreakout: z.prefault(asianBreakout, {}),
  priorLevels: z.prefault(priorLevels, {}),
  fvg: z.prefault(fvg, {}),
});

/** Validated technique parameters. */
export type TechniquesConfig = z.output<typeof TechniquesConfigSchema>;
/** What a configuration file may contain (every field optional). */
export type TechniquesConfigInput = z.input<typeof TechniquesConfigSchema>;

export type OrbParams = TechniquesConfig['orb'];
export type SfpParams = TechniquesConfig['sfp'];
export type PivotsParams = TechniquesConfig['pivots'];
export type BigFiguresParams = TechniquesConfig['bigFigures'];
export type LiquiditySweepParams = TechniquesConfig['liquiditySweep'];
export type VwapParams = TechniquesConfig['vwap'];
export type EmaMomentumParams = TechniquesConfig['emaMomentum'];
export type AsianBreakoutParams = TechniquesConfig['asianBreakout'];
export type PriorLevelsParams = TechniquesConfig['priorLevels'];
export type FvgParams = TechniquesConfig['fvg'];
