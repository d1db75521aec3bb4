import {
  bestOfStarts,
  checkLogLikelihood,
  type FitInfo,
  type FitOptions,
  type GaussianEmissions,
  logEmissionMatrix,
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
import { RegimeError } from './errors.js';

/** A fitted Gaussian HMM: π (k), row-major transition matrix A (k × k), means and variances (k × dim). */
export interface HmmModel extends GaussianEmissions {
  readonly kind: 'hmm';
  readonly pi: Float64Array;
  readonly transition: Float64Array;
}

/** Result of `fitHmm`. */
export interface HmmFit {
  readonly model: HmmModel;
  readonly fit: FitInfo;
}

/** Log emissions, row-major: `data[t·k + j] = log b_j(o_t)`. */
export interface LogEmissions {
  readonly data: Float64Array;
  readonly n: number;
  readonly k: number;
}

/** Scaled forward pass over a whole series. */
export interface ForwardResult {
  /** Filtered posteriors α̂_t(j) = P(s_t = j | o_1..o_t), row-major n × k. */
  readonly filtered: Float64Array;
  /** log c_t per observation; Σ_{s≤t} log c_s = log P(o_1..o_t). */
  readonly logScale: Float64Array;
  /** log P(o_1..o_T) = Σ_t log c_t. */
  readonly logLikelihood: number;
}

/** Most likely state path. */
export interface ViterbiResult {
  readonly path: Int32Array;
  /** log P(path, o_1..o_T) of the best path. */
  readonly logProbability: number;
}

function checkChain(pi: ArrayLike<number>, a: ArrayLike<number>, e: LogEmissions): void {
  if (pi.length !== e.k || a.length !== e.k * e.k || e.data.length !== e.n * e.k)
    throw new RegimeError(
      'REGIME_BAD_INPUT',
      `Inconsistent sizes: pi ${pi.length}, transition ${a.length}, emissions ${e.data.length} for k = ${e.k}, n = ${e.n}`,
    );
}

/**
 * Shifts a log-emission matrix row by row (see common.ts): b̃ = exp(log b − m_t). Returns Σ m_t;
 * −∞ rows (impossible observations) make the likelihood −∞ and are reported by the callers.
 */
function shiftLog(e: LogEmissions, b: Float64Array, shift: Float64Array): number {
  const { data, n, k } = e;
  let total = 0;
  for (let t = 0; t < n; t++) {
    let mx = Number.NEGATIVE_INFINITY;
    for (let j = 0; j < k; j++) if (data[t * k + j] > mx) mx = data[t * k + j];
    if (mx === Number.NEGATIVE_INFINITY) mx = 0;
    for (let j = 0; j < k; j++) b[t * k + j] = Math.exp(data[t * k + j] - mx);
    shift[t] = mx;
    total += mx;
  }
  return total;
}

/**
 * Scaled forward recursion on shifted emissions `b` (n × k). Writes α̂ into `alpha` and c_t into
 * `scale`; returns Σ log c_t (add the shifts for log L). No allocation.
 */
function forwardCore(
  pi: ArrayLike<number>,
  a: ArrayLike<number>,
  b: Float64Array,
  n: number,
  k: number,
  alpha: Float64Array,
  scale: Float64Array,
): number {
  let logSum = 0;
  for (let t = 0; t < n; t++) {
    const r = t * k;
    let c = 0;
    if (t === 0) {
      for (let j = 0; j < k; j++) {
        const v = pi[j] * b[j];
        alpha[j] = v;
        c += v;
      }
    } else {
      const p = r - k;
      for (let j = 0; j < k; j++) {
        let s = 0;
        for (let i = 0; i < k; i++) s += alpha[p + i] * a[i * k + j];
        const v = s * b[r + j];
        alpha[r + j] = v;
        c += v;
      }
    }
    scale[t] = c;
    const ic = 1 / c;
    for (let j = 0; j < k; j++) alpha[r + j] *= ic;
    logSum += Math.log(c);
  }
  return logSum;
}

/** Scaled backward recursion with the forward pass's c_t. No allocation. */
function backwardCore(
  a: ArrayLike<number>,
  b: Float64Array,
  n: number,
  k: number,
  scale: Float64Array,
  beta: Float64Array,
): void {
  const last = (n - 1) * k;
  for (let j = 0; j < k; j++) beta[last + j] = 1;
  for (let t = n - 2; t >= 0; t--) {
    const r = t * k;
    const q = r + k;
    const ic = 1 / scale[t + 1];
    for (let i = 0; i < k; i++) {
      let s = 0;
      for (let j = 0; j < k; j++) s += a[i * k + j] * b[q + j] * beta[q + j];
      beta[r + i] = s * ic;
    }
  }
}

/**
 * Scaled forward pass over a log-emission matrix (Rabiner 1989 §V.A): filtered posteriors, log c_t
 * and log L. `transition` is row-major k × k.
 */
export function forward(
  pi: ArrayLike<number>,
  transition: ArrayLike<number>,
  e: LogEmissions,
): ForwardResult {
  checkChain(pi, transition, e);
  const { n, k } = e;
  const b = new Float64Array(n * k);
  const shift = new Float64Array(n);
  shiftLog(e, b, shift);
  const filtered = new Float64Array(n * k);
  const scale = new Float64Array(n);
  forwardCore(pi, transition, b, n, k, filtered, scale);
  const logScale = new Float64Array(n);
  let ll = 0;
  for (let t = 0; t < n; t++) {
    logScale[t] = Math.log(scale[t]) + shift[t];
    ll += logScale[t];
  }
  return { filtered, logScale, logLikelihood: ll };
}

/** Smoothed posteriors γ_t(j) = P(s_t = j | o_1..o_T), row-major n × k (forward–backward). */
export function smooth(pi: ArrayLike<number>, transition: ArrayLike<number>, e: LogEmissions): Float64Array {
  checkChain(pi, transition, e);
  const { n, k } = e;
  const b = new Float64Array(n * k);
  const shift = new Float64Array(n);
  shiftLog(e, b, shift);
  const alpha = new Float64Array(n * k);
  const scale = new Float64Array(n);
  forwardCore(pi, transition, b, n, k, alpha, scale);
  const beta = new Float64Array(n * k);
  backwardCore(transition, b, n, k, scale, beta);
  for (let i = 0; i < n * k; i++) alpha[i] *= beta[i];
  return alpha;
}

/**
 * Viterbi in log space (Rabiner 1989 §III.B): δ_1(j) = log π_j + log b_j(o_1),
 * δ_t(j) = max_i [δ_{t−1}(i) + log A_ij] + log b_j(o_t), then backtracking. Ties go to the lower state.
 */
export function viterbi(
  pi: ArrayLike<number>,
  transition: ArrayLike<number>,
  e: LogEmissions,
): ViterbiResult {
  checkChain(pi, transition, e);
  const { data, n, k } = e;
  const path = new Int32Array(n);
  if (n === 0) return { path, logProbability: 0 };
  const logA = new Float64Array(k * k);
  for (let i = 0; i < k * k; i++) logA[i] = Math.log(transition[i]);
  let prev = new Float64Array(k);
  let cur = new Float64Array(k);
  const back = new Int32Array(n * k);
  for (let j = 0; j < k; j++) prev[j] = Math.log(pi[j]) + data[j];
  for (let t = 1; t < n; t++) {
    for (let j = 0; j < k; j++) {
      let best = Number.NEGATIVE_INFINITY;
      let arg = 0;
      for (let i = 0; i < k; i++) {
        const v = prev[i] + logA[i * k + j];
        if (v > best) {
          best = v;
          arg = i;
        }
      }
      cur[j] = best + data[t * k + j];
      back[t * k + j] = arg;
    }
    const sw = prev;
    prev = cur;
    cur = sw;
  }
  let best = Number.NEGATIVE_INFINITY;
  let arg = 0;
  for (let j = 0; j < k; j++)
    if (prev[j] > best) {
      best = prev[j];
      arg = j;
    }
  path[n - 1] = arg;
  for (let t = n - 1; t > 0; t--) path[t - 1] = back[t * k + path[t]];
  return { path, logProbability: best };
}

/** Log emissions of a fitted model over observations (n × k). */
export function hmmLogEmissions(model: GaussianEmissions, obs: Observations): LogEmissions {
  const m = toMatrix(obs);
  return { data: logEmissionMatrix(m, model), n: m.n, k: model.k };
}

/** Batch forward filter of a fitted HMM: the posterior of each state at each t given o_1..o_t. */
export function hmmFilter(model: HmmModel, obs: Observations): ForwardResult {
  return forward(model.pi, model.transition, hmmLogEmissions(model, obs));
}

/** Smoothed posteriors γ of a fitted HMM (n × k). */
export function hmmSmooth(model: HmmModel, obs: Observations): Float64Array {
  return smooth(model.pi, model.transition, hmmLogEmissions(model, obs));
}

/** Offline labels of a fitted HMM: the Viterbi path (0 = lowest volatility). */
export function hmmViterbi(model: HmmModel, obs: Observations): ViterbiResult {
  return viterbi(model.pi, model.transition, hmmLogEmissions(model, obs));
}

/** Buffers of one fit, shared by all starts; nothing is allocated inside the EM loop. */
interface Work {
  readonly b: Float64Array;
  readonly shift: Float64Array;
  readonly alpha: Float64Array;
  readonly beta: Float64Array;
  readonly u: Float64Array;
  readonly scale: Float64Array;
  readonly cst: Float64Array;
  readonly inv: Float64Array;
  readonly mass: Float64Array;
  readonly xi: Float64Array;
  readonly acc: Float64Array;
}

interface Start {
  pi: Float64Array;
  transition: Float64Array;
  means: Float64Array;
  variances: Float64Array;
}

/**
 * Fits a K-state diagonal Gaussian HMM by Baum–Welch from the volatility-quantile start (plus
 * `restarts` seeded random starts). Throws `RegimeError` on too few observations (< 10·K), a
 * constant feature, a non-finite value (naming its row and column) or a fit that degenerates.
 */
export function fitHmm(obs: Observations, options: FitOptions = {}): HmmFit {
  const setup = prepareFit(obs, options);
  const { m, o, dataVar, floor } = setup;
  const { k } = o;
  const { n, dim } = m;
  const w: Work = {
    b: new Float64Array(n * k),
    shift: new Float64Array(n),
    alpha: new Float64Array(n * k),
    beta: new Float64Array(k),
    u: new Float64Array(k),
    scale: new Float64Array(n),
    cst: new Float64Array(k),
    inv: new Float64Array(k * dim),
    mass: new Float64Array(k),
    xi: new Float64Array(k * k),
    acc: new Float64Array(k * dim),
  };
  const { s, info } = bestOfStarts(
    setup,
    (r, rand): Start => {
      const s: Start = {
        pi: new Float64Array(k).fill(1 / k),
        transition: new Float64Array(k * k),
        means: new Float64Array(k * dim),
        variances: new Float64Array(k * dim),
      };
      if (r === 0) {
        quantileInit(m, k, o.volatilityFeature, floor, s.means, s.variances);
        stickyTransition(s.transition, k, 0.9);
      } else {
        randomInit(m, k, dataVar, rand, s.means, s.variances);
        stickyTransition(s.transition, k, 0.5 + 0.49 * rand());
      }
      return s;
    },
    (s) => baumWelch(m, k, s, floor, o.tolerance, o.maxIterations, o.trace, w),
  );
  const perm = volatilityOrder(
    { k, dim, means: s.means, variances: s.variances },
    o.volatilityFeature,
    o.orderBy,
  );
  const pi = new Float64Array(k);
  const transition = new Float64Array(k * k);
  for (let a = 0; a < k; a++) {
    pi[a] = s.pi[perm[a]];
    for (let c = 0; c < k; c++) transition[a * k + c] = s.transition[perm[a] * k + perm[c]];
  }
  const model: HmmModel = {
    kind: 'hmm',
    k,
    dim,
    pi,
    transition,
    means: permuteRows(s.means, perm, dim),
    variances: permuteRows(s.variances, perm, dim),
  };
  return { model, fit: info };
}

function stickyTransition(a: Float64Array, k: number, stay: number): void {
  const off = k > 1 ? (1 - stay) / (k - 1) : 0;
  for (let i = 0; i < k; i++) for (let j = 0; j < k; j++) a[i * k + j] = i === j ? (k > 1 ? stay : 1) : off;
}

/** One Baum–Welch run from `s`, updating it in place. */
function baumWelch(
  m: ReturnType<typeof toMatrix>,
  k: number,
  s: Start,
  floor: Float64Array,
  tol: number,
  maxIter: number,
  keepTrace: boolean,
  w: Work,
): FitInfo {
  const { n } = m;
  const { b, shift, alpha, beta, u, scale, cst, inv, mass, xi, acc } = w;
  const trace: number[] = [];
  const emissions: GaussianEmissions = { k, dim: m.dim, means: s.means, variances: s.variances };
  let prev = Number.NaN;
  let ll = Number.NaN;
  let iter = 0;
  let converged = false;
  for (;;) {
    // E-step: log L of the current parameters, α̂, β̂.
    const shifts = shiftedEmissions(m, emissions, cst, inv, b, shift);
    ll = forwardCore(s.pi, s.transition, b, n, k, alpha, scale) + shifts;
    if (keepTrace) trace.push(ll);
    checkLogLikelihood(ll, iter, 'HMM', k, 'states');
    if (iter > 0 && Math.abs(ll - prev) < tol * Math.abs(ll)) {
      converged = true;
      break;
    }
    if (iter === maxIter) break;
    // Backward pass fused with the M-step sums (no β̂ matrix is kept): with u_j = b_j(o_{t+1}) β̂_{t+1}(j),
    // β̂_t(i) = Σ_j A_ij u_j / c_{t+1} and ξ_t(i,j) = α̂_t(i) A_ij u_j / c_{t+1}; then γ_t = α̂_t β̂_t
    // overwrites α̂_t, which nothing needs any more.
    xi.fill(0);
    const a = s.transition;
    for (let j = 0; j < k; j++) beta[j] = 1;
    for (let t = n - 2; t >= 0; t--) {
      const r = t * k;
      const q = r + k;
      const ic = 1 / scale[t + 1];
      for (let j = 0; j < k; j++) {
        u[j] = b[q + j] * beta[j] * ic;
        alpha[q + j] *= beta[j];
      }
      for (let i = 0; i < k; i++) {
        const ai = alpha[r + i];
        let sb = 0;
        for (let j = 0; j < k; j++) {
          const v = a[i * k + j] * u[j];
          sb += v;
          xi[i * k + j] += ai * v;
        }
        beta[i] = sb;
      }
    }
    for (let j = 0; j < k; j++) alpha[j] *= beta[j];
    // Transitions: Σ_t ξ_t(i,j), normalised by row (the row sum is Σ_{t<T} γ_t(i)).
    for (let i = 0; i < k; i++) {
      let rs = 0;
      for (let j = 0; j < k; j++) rs += xi[i * k + j];
      if (rs > 1e-300) for (let j = 0; j < k; j++) a[i * k + j] = xi[i * k + j] / rs;
    }
    let ps = 0;
    for (let j = 0; j < k; j++) ps += alpha[j];
    for (let j = 0; j < k; j++) s.pi[j] = alpha[j] / ps;
    weightedGaussians(m, alpha, k, floor, mass, acc, s.means, s.variances);
    prev = ll;
    iter++;
  }
  const info: FitInfo = { logLikelihood: ll, iterations: iter, converged, n };
  return keepTrace ? { ...info, trace } : info;
}
