export {
  type FitInfo,
  type FitOptions,
  type GaussianEmissions,
  minObservations,
  type ObservationMatrix,
  type Observations,
  type StateOrder,
  toMatrix,
} from './common.js';
export { DEFAULT_RESTARTS } from './defaults.js';
export { RegimeError, type RegimeErrorCode, type RegimeErrorDetails } from './errors.js';
export {
  fitRegimeModel,
  labelSeries,
  parseRegimeModel,
  type RegimeFitOptions,
  type RegimeLabels,
  type RegimeModelFile,
  type RegimeScore,
  RV_IV_WINDOW_MIN,
  realizedImpliedGap,
  regimeModelJson,
  scoreLabels,
  truthLabels,
} from './fit.js';
export {
  type ForwardResult,
  fitHmm,
  forward,
  type HmmFit,
  type HmmModel,
  hmmFilter,
  hmmLogEmissions,
  hmmSmooth,
  hmmViterbi,
  type LogEmissions,
  smooth,
  type ViterbiResult,
  viterbi,
} from './gaussian-hmm.js';
export { fitGmm, type GmmFit, type GmmModel, gmmLabels, gmmPosteriors, labelsFromPosteriors } from './gmm.js';
export type {
  FitJson,
  FittedRegimeModel,
  GmmParamsJson,
  HmmParamsJson,
  LoadedRegimeModel,
  RegimeModel,
  RegimeModelJson,
} from './model.js';
export {
  type MinuteObservation,
  MinuteObserver,
  type MinuteSeries,
  REGIME_FEATURES,
  Seasonality,
} from './observations.js';
export {
  ImpliedVolSeries,
  parseImpliedVolCsv,
  RegimeFilter,
  type RegimeFilterOptions,
  type RegimeTransition,
  readImpliedVolCsv,
  type Stance,
} from './online.js';
