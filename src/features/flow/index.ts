export {
  type BasisSessionStats,
  BasisStudy,
  type BasisStudyOptions,
  type BasisStudySummary,
  DEFAULT_BASIS_HORIZONS_MS,
  type HorizonCorrelation,
  type LagCorrelation,
} from './basis-study.js';
export { Aggressor, normalCdf } from './common.js';
export { FuturesSpot, type FuturesSpotOptions } from './futures-spot.js';
export { KyleLambda, type KyleLambdaOptions } from './kyle-lambda.js';
export { RealizedVolatility, type RealizedVolatilityOptions } from './realized-vol.js';
export { TradeFlow, type TradeFlowOptions } from './trade-flow.js';
export { Vpin, type VpinClassification, type VpinOptions, vpinBucketVolume } from './vpin.js';
