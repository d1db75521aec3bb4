import { requireNonNegativeInt } from '../../core/index.js';
import {
  bestOfStarts,
  checkLogLikelihood,
  type FitInfo,
  type FitOptions,
  type GaussianEmissions,
  logEmissionMatrix,
  type ObservationMatrix,
  type Observations,
  permuteRows,
  prepareFit,
  quantileInit,
  randomInit,
  shiftedEmissions,
  toMatrix,
  volatilityOrder,
  weightedGaussians,
} from './common.js';

/** A fitted diagonal Gaussian mixture: weights (k), means and variances (k × dim). */
export interface GmmModel extends GaussianEmissions {
  readonly kind: 'gmm';
  readonly weights: Float64Array;
}

/** Result of `fitGmm`. */
export interface GmmFit {
  readonly model: GmmModel;
  readonly fit: FitInfo;
}

/** Turns shifted emissions into responsibilities in place; returns Σ_t log Σ_j w_j b̃_tj. */
function responsibilities(w: Float64Array, b: Float64Array, n: number, k: number): number {
  let ll = 0;
  for (let t = 0; t < n; t++) {
    const r = t * k;
    let c = 0;
    for (let j = 0; j < k; j++) {
      const v = w[j] * b[r + j];
      b[r + j] = v;
      c += v;
    }
    const ic = 1 / c;
    for (let j = 0; j < k; j++) b[r + j] *= ic;
    ll += Math.log(c);
  }
  return ll;
}

/**
 * Fits a K-component diagonal GMM by EM from the volatility-quantile start (plus `restarts` seeded
 * random starts). Same input errors as `fitHmm`.
 */
export function fitGmm(obs: Observations, options: FitOptions = {}): GmmFit {
  const setup = prepareFit(obs, options);
  const { m, o, dataVar, floor } = setup;
  const { k } = o;
  const { n, dim } = m;
  const b = new Float64Array(n * k);
  const shift = new Float64Array(n);
  const cst = new Float64Array(k);
  const inv = new Float64Array(k * dim);
  const mass = new Float64Array(k);
  const acc = new Float64Array(k * dim);
  const { s: e, info } = bestOfStarts(
    setup,
    (r, rand): GmmModel => {
      const e: GmmModel = {
        kind: 'gmm',
        k,
        dim,
        weights: new Float64Array(k).fill(1 / k),
        means: new Float64Array(k * dim),
        variances: new Float64Array(k * dim),
      };
      if (r === 0) quantileInit(m, k, o.volatilityFeature, floor, e.means, e.variances);
      else randomInit(m, k, dataVar, rand, e.means, e.variances);
      return e;
    },
    (e) => em(m, e, floor, o.tolerance, o.maxIterations, o.trace, b, shift, cst, inv, mass, acc),
  );
  const perm = volatilityOrder(e, o.volatilityFeature, o.orderBy);
  const weights = new Float64Array(k);
  for (let a = 0; a < k; a++) weights[a] = e.weights[perm[a]];
  const model: GmmModel = {
    kind: 'gmm',
    k,
    dim,
    weights,
    means: permuteRows(e.means, perm, dim),
    variances: permuteRows(e.variances, perm, dim),
  };
  return { model, fit: info };
}

function em(
  m: ObservationMatrix,
  e: GmmModel,
  floor: Float64Array,
  tol: number,
  maxIter: number,
  keepTrace: boolean,
  b: Float64Array,
  shift: Float64Array,
  cst: Float64Array,
  inv: Float64Array,
  mass: Float64Array,
  acc: Float64Array,
): FitInfo {
  const { n } = m;
  const { k, weights } = e;
  const trace: number[] = [];
  let prev = Number.NaN;
  let ll = Number.NaN;
  let iter = 0;
  let converged = false;
  for (;;) {
    const shifts = shiftedEmissions(m, e, cst, inv, b, shift);
    ll = responsibilities(weights, b, n, k) + shifts;
    if (keepTrace) trace.push(ll);
    checkLogLikelihood(ll, iter, 'GMM', k, 'components');
    if (iter > 0 && Math.abs(ll - prev) < tol * Math.abs(ll)) {
      converged = true;
      break;
    }
    if (iter === maxIter) break;
    weightedGaussians(m, b, k, floor, mass, acc, e.means, e.variances);
    for (let j = 0; j < k; j++) weights[j] = mass[j] / n;
    prev = ll;
    iter++;
  }
  const info: FitInfo = { logLikelihood: ll, iterations: iter, converged, n };
  return keepTrace ? { ...info, trace } : info;
}

/** Posterior of each component for each observation (n × k, row-major) and the log-likelihood. */
export function gmmPosteriors(
  model: GmmModel,
  obs: Observations,
): { readonly posteriors: Float64Array; readonly logLikelihood: number } {
  const m = toMatrix(obs);
  const lb = logEmissionMatrix(m, model);
  const { k } = model;
  let ll = 0;
  for (let t = 0; t < m.n; t++) {
    const r = t * k;
    let mx = Number.NEGATIVE_INFINITY;
    for (let j = 0; j < k; j++) if (lb[r + j] > mx) mx = lb[r + j];
    let c = 0;
    for (let j = 0; j < k; j++) {
      const v = model.weights[j] * Math.exp(lb[r + j] - mx);
      lb[r + j] = v;
      c += v;
    }
    for (let j = 0; j < k; j++) lb[r + j] /= c;
    ll += Math.log(c) + mx;
  }
  return { posteriors: lb, logLikelihood: ll };
}

/**
 * Labels from posteriors (n × k): the most probable component (ties to the lower), held until a new
 * one has led for `switchDelayBars` further consecutive bars (default 0: switch at once). A switch
 * that an unsmoothed labelling makes at bar t happens at bar t + N, or never if the lead breaks.
 */
export function labelsFromPosteriors(posteriors: Float64Array, k: number, switchDelayBars = 0): Int32Array {
  requireNonNegativeInt('switchDelayBars', switchDelayBars);
  const n = posteriors.length / k;
  const out = new Int32Array(n);
  let label = -1;
  let cand = -1;
  let run = 0;
  for (let t = 0; t < n; t++) {
    let arg = 0;
    for (let j = 1; j < k; j++) if (posteriors[t * k + j] > posteriors[t * k + arg]) arg = j;
    if (label < 0 || arg === label) {
      label = label < 0 ? arg : label;
      cand = -1;
      run = 0;
    } else {
      if (arg === cand) run++;
      else {
        cand = arg;
        run = 0;
      }
      if (run >= switchDelayBars) {
        label = arg;
        cand = -1;
        run = 0;
      }
    }
    out[t] = label;
  }
  return out;
}

/** Offline GMM labels (0 = lowest volatility), optionally held for `switchDelayBars` (see above). */
export function gmmLabels(model: GmmModel, obs: Observations, switchDelayBars = 0): Int32Array {
  return labelsFromPosteriors(gmmPosteriors(model, obs).posteriors, model.k, switchDelayBars);
}
