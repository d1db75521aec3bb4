export { AsianRangeBreakout } from './asian-breakout.js';
export { BigFigureGrid, BigFigures, DEFAULT_PIP_SIZES, pipSizeOf } from './big-figures.js';
export { NO_SETUPS } from './common.js';
export {
  type AsianBreakoutParams,
  type BigFigureLevel,
  type BigFiguresParams,
  DEFAULT_TECHNIQUES_CONFIG,
  type EmaMomentumParams,
  type FvgParams,
  type LiquiditySweepParams,
  type OrbParams,
  type PivotsParams,
  type PivotVariant,
  type PriorLevelsParams,
  parseTechniquesConfig,
  type SfpParams,
  TECHNIQUES_CONFIG,
  type TechniquesConfig,
  type TechniquesConfigInput,
  TechniquesConfigSchema,
  techniquesConfig,
  type VwapParams,
} from './config.js';
export { EmaMomentum } from './ema-momentum.js';
export { fillContext, noteSweep } from './from-features.js';
export { FairValueGap } from './fvg.js';
export { LiquiditySweep } from './liquidity-sweep.js';
export { OpeningRangeBreakout } from './orb.js';
export { type PivotLevels, PivotPoints, pivotLevels } from './pivots.js';
export { PriorLevels } from './prior-levels.js';
export { SwingFailurePattern } from './sfp.js';
export {
  createTechniqueContext,
  createTechniques,
  TECHNIQUES,
  TechniqueSet,
  type TechniqueSetOptions,
} from './technique-set.js';
export {
  type Setup,
  type SetupKind,
  type SweepAlert,
  TECHNIQUE_NAMES,
  type Technique,
  type TechniqueContext,
  type TechniqueName,
} from './types.js';
export { VwapReversion } from './vwap-reversion.js';
