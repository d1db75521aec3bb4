/** The technique contract (test/technique-contract.ts) over all ten techniques, from the registry. */
import { describe } from 'node:test';
import { runTechniqueContract } from '../../../test/technique-contract.js';
import { DEFAULT_TECHNIQUES_CONFIG } from './config.js';
import { TECHNIQUES } from './technique-set.js';
import { TECHNIQUE_NAMES, type TechniqueName } from './types.js';

/**
 * Bars each technique needs before it can fire when no context feature is ready, from its rule:
 * the 15-minute opening range seen whole (ORB); a fractal swing of 2 bars each side, 5 bars
 * (SFP); a previous close (pivots, big figures, prior levels); three bars for a gap (FVG); the
 * Asian range from 00:00 UTC to the London open, at least 7 hours (Asian breakout); a sweep alert,
 * the VWAP or the EMAs, which never come without features (liquidity sweep, VWAP, EMA momentum).
 */
const WARMUP: Readonly<Record<TechniqueName, number>> = {
  orb: DEFAULT_TECHNIQUES_CONFIG.openingRangeMinutes,
  sfp: 2 * DEFAULT_TECHNIQUES_CONFIG.sfp.swingStrength + 1,
  pivots: 1,
  bigFigures: 1,
  liquiditySweep: Number.POSITIVE_INFINITY,
  vwap: Number.POSITIVE_INFINITY,
  emaMomentum: Number.POSITIVE_INFINITY,
  asianBreakout: 7 * 60,
  priorLevels: 1,
  fvg: 3,
};

for (const name of TECHNIQUE_NAMES) {
  describe(`technique contract: ${name}`, () => {
    runTechniqueContract({
      name,
      create: () => TECHNIQUES[name](DEFAULT_TECHNIQUES_CONFIG),
      warmupBars: WARMUP[name],
    });
  });
}
