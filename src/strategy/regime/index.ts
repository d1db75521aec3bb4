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
export * from './errors.js';
export * from './fit.js';
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
export * from './model.js';
export * from './observations.js';
export * from './online.js';
