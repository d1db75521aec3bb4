/**
 * Shared pieces of the Gaussian regime models (MICROSTRUCTURE.md §14): observation matrices,
 * input checks, the deterministic volatility-quantile initialisation, diagonal Gaussian emissions,
 * the weighted M-step for means and variances, and the volatility ordering of states.
 *
 * Diagonal Gaussian emission of state j over D features:
 *
 *     log b_j(x) = −½ Σ_d [ ln(2π σ²_jd) + (x_d − μ_jd)² / σ²_jd ]
 *
 * Emissions are handed to the recursions shifted per observation: b̃_tj = exp(log b_j(o_t) − m_t) with
 * m_t = max_j log b_j(o_t), so the largest is 1 and nothing underflows however far o_t lies from
 * every mean; the shifts are added back to the log-likelihood (Σ_t m_t).
 */
import {
  InvalidOptionError,
  prng,
  requireInRange,
  requireNonNegativeInt,
  requireOneOf,
  requirePositive,
  requirePositiveInt,
} from '../../core/index.js';
import { RegimeError } from './errors.js';

/** Observations in row-major order: `data[t·dim + d]` is feature d of observation t. */
export interface ObservationMatrix {
  readonly data: Float64Array;
  readonly n: number;
  readonly dim: number;
}

/** Observations as rows (one `ArrayLike` per bar) or one flat row-major array with its width. */
export type Observations =
  | readonly ArrayLike<number>[]
  | { readonly data: Float64Array; readonly dim: number };

/** Diagonal Gaussian emissions of K states over `dim` features (row-major K × dim). */
export interface GaussianEmissions {
  readonly k: number;
  readonly dim: number;
  readonly means: Float64Array;
  readonly variances: Float64Array;
}

/** How fitted states are ordered: by mean (default) or emission variance of the volatility feature. */
export type StateOrder = 'mean' | 'variance';

/** Options shared by `fitHmm` and `fitGmm`. */
export interface FitOptions {
  /** Number of states K. Default 3 (low, medium, high). */
  readonly states?: number;
  /** Stop when |Δ log L| < tolerance · |log L|. Default 1e-6. */
  readonly tolerance?: number;
  /** EM iterations at most (M-steps). Default 200. */
  readonly maxIterations?: number;
  /** Variance floor as a fraction of the data variance of each feature. Default 1e-6. */
  readonly varianceFloor?: number;
  /** Index of the volatility feature (initialisation and ordering). Default 0. */
  readonly volatilityFeature?: number;
  /** Order states by the mean (default) or the variance of the volatility feature, ascending. */
  readonly orderBy?: StateOrder;
  /** Extra random starts after the deterministic one; the best log-likelihood is kept. Default 0. */
  readonly restarts?: number;
  /** Seed of the random starts. Default 1. */
  readonly seed?: number;
  /** Feature names, used in error messages. */
  readonly featureNames?: readonly string[];
  /** Record log L after each E-step in `FitInfo.trace`. Default false. */
  readonly trace?: boolean;
}

/** How a fit ended. */
export interface FitInfo {
  /** Log-likelihood of the returned parameters. */
  readonly logLikelihood: number;
  /** EM updates (M-steps) performed by the kept start. */
  readonly iterations: number;
  /** True when the relative-change rule stopped the kept start before `maxIterations`. */
  readonly converged: boolean;
  /** Observations fitted. */
  readonly n: number;
  /** Log L after each E-step of the kept start (when `trace` was asked for). */
  readonly trace?: readonly number[];
}

/** Fewest observations accepted for K states: 10 per state. */
export function minObservations(k: number): number {
  return 10 * k;
}

const LOG_2PI = Math.log(2 * Math.PI);

function columnName(d: number, names?: readonly string[]): string {
  return names?.[d] !== undefined ? `${d} ("${names[d]}")` : `${d}`;
}

/**
 * Copies and checks observations: every row the same width, every value finite. A bad value is
 * reported with its 0-based row and column (and the feature name when given).
 */
export function toMatrix(obs: Observations, names?: readonly string[]): ObservationMatrix {
  let data: Float64Array;
  let dim: number;
  let n: number;
  if (Array.isArray(obs)) {
    const rows = obs as readonly ArrayLike<number>[];
    n = rows.length;
    dim = n > 0 ? rows[0].length : 0;
    data = new Float64Array(n * dim);
    for (let t = 0; t < n; t++) {
      const r = rows[t];
      if (r.length !== dim)
        throw new RegimeError(
          'REGIME_BAD_INPUT',
          `Observation row ${t} has ${r.length} values, expected ${dim}`,
          {
            row: t,
          },
        );
      for (let d = 0; d < dim; d++) data[t * dim + d] = r[d];
    }
  } else {
    const flat = obs as { readonly data: Float64Array; readonly dim: number };
    dim = flat.dim;
    if (!Number.isInteger(dim) || dim <= 0)
      throw new RegimeError('REGIME_BAD_INPUT', `Observation dim must be a positive integer, got ${dim}`);
    if (flat.data.length % dim !== 0)
      throw new RegimeError(
        'REGIME_BAD_INPUT',
        `Observation data length ${flat.data.length} is not a multiple of dim ${dim}`,
      );
    data = Float64Array.from(flat.data);
    n = data.length / dim;
  }
  if (n > 0 && dim === 0) throw new RegimeError('REGIME_BAD_INPUT', 'Observations have no features');
  for (let i = 0; i < data.length; i++) {
    if (!Number.isFinite(data[i])) {
      const t = Math.floor(i / dim);
      const d = i - t * dim;
      throw new RegimeError(
        'REGIME_BAD_INPUT',
        `Observation row ${t}, column ${columnName(d, names)} is ${data[i]}; values must be finite`,
        { row: t, column: names?.[d] ?? d },
      );
    }
  }
  return { data, n, dim };
}

/** Per-feature data variance; throws when there are too few observations or a feature is constant. */
export function checkFitInput(m: ObservationMatrix, k: number, names?: readonly string[]): Float64Array {
  const need = minObservations(k);
  if (m.n < need)
    throw new RegimeError(
      'REGIME_TOO_FEW',
      `Need at least ${need} observations to fit ${k} states (10 per state), got ${m.n}`,
    );
  const { data, n, dim } = m;
  const v = new Float64Array(dim);
  for (let d = 0; d < dim; d++) {
    let mean = 0;
    for (let t = 0; t < n; t++) mean += data[t * dim + d];
    mean /= n;
    let s = 0;
    for (let t = 0; t < n; t++) {
      const e = data[t * dim + d] - mean;
      s += e * e;
    }
    v[d] = s / n;
    // Relative test: a feature equal to rounding error around its mean is constant too.
    if (!(v[d] > 1e-24 * Math.max(1, mean * mean)))
      throw new RegimeError(
        'REGIME_CONSTANT',
        `Observation column ${columnName(d, names)} is constant (variance ${v[d]}); a Gaussian state cannot be fitted to it`,
        { column: names?.[d] ?? d },
      );
  }
  return v;
}

/**
 * Deterministic start: observations sorted by the volatility feature (stable, ties by time) are
 * cut into K groups of equal count; group j gives the means and variances of state j, so state 0
 * starts as the calmest. Variances are floored at `floor`.
 */
export function quantileInit(
  m: ObservationMatrix,
  k: number,
  volFeature: number,
  floor: Float64Array,
  means: Float64Array,
  variances: Float64Array,
): void {
  const { data, n, dim } = m;
  const idx = new Uint32Array(n);
  for (let t = 0; t < n; t++) idx[t] = t;
  const key = new Float64Array(n);
  for (let t = 0; t < n; t++) key[t] = data[t * dim + volFeature];
  const order = Array.from(idx).sort((a, b) => key[a] - key[b] || a - b);
  for (let j = 0; j < k; j++) {
    const lo = Math.floor((j * n) / k);
    const hi = Math.floor(((j + 1) * n) / k);
    const c = hi - lo;
    for (let d = 0; d < dim; d++) {
      let s = 0;
      for (let q = lo; q < hi; q++) s += data[order[q] * dim + d];
      const mu = s / c;
      let ss = 0;
      for (let q = lo; q < hi; q++) {
        const e = data[order[q] * dim + d] - mu;
        ss += e * e;
      }
      means[j * dim + d] = mu;
      variances[j * dim + d] = Math.max(ss / c, floor[d]);
    }
  }
}

/** Random start: K distinct observations drawn as means, the data variance for every state. */
export function randomInit(
  m: ObservationMatrix,
  k: number,
  dataVar: Float64Array,
  rand: () => number,
  means: Float64Array,
  variances: Float64Array,
): void {
  const { data, n, dim } = m;
  const picked = new Set<number>();
  for (let j = 0; j < k; j++) {
    let t = Math.floor(rand() * n);
    while (picked.has(t)) t = (t + 1) % n;
    picked.add(t);
    for (let d = 0; d < dim; d++) {
      means[j * dim + d] = data[t * dim + d];
      variances[j * dim + d] = dataVar[d];
    }
  }
}

/**
 * Shifted emissions (see the file comment): `b[t·k + j] = exp(log b_j(o_t) − m_t)`, `shift[t] = m_t`.
 * `cst` and `inv` are scratch arrays of k and k·dim. Returns Σ_t m_t.
 */
export function shiftedEmissions(
  m: ObservationMatrix,
  e: GaussianEmissions,
  cst: Float64Array,
  inv: Float64Array,
  b: Float64Array,
  shift: Float64Array,
): number {
  const { data, n, dim } = m;
  const { k, means } = e;
  prepareGaussians(e, cst, inv);
  let total = 0;
  for (let t = 0; t < n; t++) {
    const o = t * dim;
    const r = t * k;
    let mx = Number.NEGATIVE_INFINITY;
    for (let j = 0; j < k; j++) {
      let s = 0;
      const p = j * dim;
      for (let d = 0; d < dim; d++) {
        const z = data[o + d] - means[p + d];
        s += z * z * inv[p + d];
      }
      const lb = cst[j] - 0.5 * s;
      b[r + j] = lb;
      if (lb > mx) mx = lb;
    }
    for (let j = 0; j < k; j++) b[r + j] = Math.exp(b[r + j] - mx);
    shift[t] = mx;
    total += mx;
  }
  return total;
}

/** `cst[j] = −½ Σ_d ln(2π σ²_jd)` and `inv[j·dim + d] = 1/σ²_jd`. */
export function prepareGaussians(e: GaussianEmissions, cst: Float64Array, inv: Float64Array): void {
  const { k, dim, variances } = e;
  for (let j = 0; j < k; j++) {
    let c = 0;
    for (let d = 0; d < dim; d++) {
      const v = variances[j * dim + d];
      c += LOG_2PI + Math.log(v);
      inv[j * dim + d] = 1 / v;
    }
    cst[j] = -0.5 * c;
  }
}

/** Log-emission matrix `out[t·k + j] = log b_j(o_t)` (n × k, row-major). */
export function logEmissionMatrix(m: ObservationMatrix, e: GaussianEmissions): Float64Array {
  if (m.dim !== e.dim)
    throw new RegimeError('REGIME_BAD_INPUT', `Observations have ${m.dim} features, the model ${e.dim}`);
  const { data, n, dim } = m;
  const { k, means } = e;
  const cst = new Float64Array(k);
  const inv = new Float64Array(k * dim);
  prepareGaussians(e, cst, inv);
  const out = new Float64Array(n * k);
  for (let t = 0; t < n; t++) {
    for (let j = 0; j < k; j++) {
      let s = 0;
      for (let d = 0; d < dim; d++) {
        const z = data[t * dim + d] - means[j * dim + d];
        s += z * z * inv[j * dim + d];
      }
      out[t * k + j] = cst[j] - 0.5 * s;
    }
  }
  return out;
}

/**
 * Weighted M-step of the emissions (Dempster, Laird & Rubin 1977; Rabiner 1989 eqs. 52–53 for the
 * diagonal case): μ_jd = Σ_t γ_tj o_td / Σ_t γ_tj, σ²_jd = max(Σ_t γ_tj (o_td − μ_jd)² / Σ_t γ_tj, floor_d).
 * The variance uses the new mean in a second pass (no E[x²] − μ² cancellation). The floored
 * variance is the constrained maximiser (the likelihood is unimodal in σ²), so EM stays monotone.
 * A state with total weight below 1e-300 keeps its previous parameters. `mass` (k) and `acc`
 * (k·dim) are scratch.
 */
export function weightedGaussians(
  m: ObservationMatrix,
  gamma: Float64Array,
  k: number,
  floor: Float64Array,
  mass: Float64Array,
  acc: Float64Array,
  means: Float64Array,
  variances: Float64Array,
): void {
  const { data, n, dim } = m;
  mass.fill(0);
  acc.fill(0);
  // One pass over time per moment, all states and features at once (cache-friendly rows).
  for (let t = 0; t < n; t++) {
    const r = t * k;
    const o = t * dim;
    for (let j = 0; j < k; j++) {
      const g = gamma[r + j];
      mass[j] += g;
      const p = j * dim;
      for (let d = 0; d < dim; d++) acc[p + d] += g * data[o + d];
    }
  }
  for (let j = 0; j < k; j++) {
    if (!(mass[j] > 1e-300)) continue;
    for (let d = 0; d < dim; d++) means[j * dim + d] = acc[j * dim + d] / mass[j];
  }
  acc.fill(0);
  for (let t = 0; t < n; t++) {
    const r = t * k;
    const o = t * dim;
    for (let j = 0; j < k; j++) {
      const g = gamma[r + j];
      const p = j * dim;
      for (let d = 0; d < dim; d++) {
        const z = data[o + d] - means[p + d];
        acc[p + d] += g * z * z;
      }
    }
  }
  for (let j = 0; j < k; j++) {
    if (!(mass[j] > 1e-300)) continue;
    for (let d = 0; d < dim; d++) variances[j * dim + d] = Math.max(acc[j * dim + d] / mass[j], floor[d]);
  }
}

/**
 * Permutation putting states in ascending order of the mean (or variance) of the volatility
 * feature: `perm[newIndex] = oldIndex`. Ties keep the fitted order.
 */
export function volatilityOrder(e: GaussianEmissions, volFeature: number, by: StateOrder): Int32Array {
  const src = by === 'variance' ? e.variances : e.means;
  const perm = Array.from({ length: e.k }, (_, j) => j);
  perm.sort((a, b) => src[a * e.dim + volFeature] - src[b * e.dim + volFeature] || a - b);
  return Int32Array.from(perm);
}

/** Rows of a K × dim matrix reordered by `perm` (`perm[new] = old`). */
export function permuteRows(x: Float64Array, perm: Int32Array, dim: number): Float64Array {
  const out = new Float64Array(x.length);
  for (let a = 0; a < perm.length; a++) out.set(x.subarray(perm[a] * dim, perm[a] * dim + dim), a * dim);
  return out;
}

/** Resolved `FitOptions` with their defaults, checked. */
export interface ResolvedFitOptions {
  readonly k: number;
  readonly tolerance: number;
  readonly maxIterations: number;
  readonly varianceFloor: number;
  readonly volatilityFeature: number;
  readonly orderBy: StateOrder;
  readonly restarts: number;
  readonly seed: number;
  readonly trace: boolean;
  readonly featureNames?: readonly string[];
}

/** Applies defaults and checks `FitOptions` against the observation width. */
export function resolveFitOptions(o: FitOptions, dim: number): ResolvedFitOptions {
  const k = requirePositiveInt('states', o.states ?? 3);
  // Tolerance 0 runs to maxIterations; a negative one would stop at once.
  const tolerance = o.tolerance ?? 1e-6;
  if (!(tolerance >= 0)) throw new InvalidOptionError('tolerance', tolerance, 'a number >= 0');
  const maxIterations = requireNonNegativeInt('maxIterations', o.maxIterations ?? 200);
  const varianceFloor = requirePositive('varianceFloor', o.varianceFloor ?? 1e-6);
  const volatilityFeature = requireInRange('volatilityFeature', o.volatilityFeature ?? 0, 0, dim - 1, true);
  const restarts = requireNonNegativeInt('restarts', o.restarts ?? 0);
  const orderBy = requireOneOf('orderBy', o.orderBy ?? 'mean', ['mean', 'variance']);
  const r: ResolvedFitOptions = {
    k,
    tolerance,
    maxIterations,
    varianceFloor,
    volatilityFeature,
    orderBy,
    restarts,
    seed: o.seed ?? 1,
    trace: o.trace ?? false,
  };
  return o.featureNames ? { ...r, featureNames: o.featureNames } : r;
}

/**
 * Throws `REGIME_NUMERIC` when an EM iteration's log-likelihood is not finite; `model` and `unit` name
 * the model and its states in the message.
 */
export function checkLogLikelihood(ll: number, iter: number, model: string, k: number, unit: string): void {
  if (!Number.isFinite(ll))
    throw new RegimeError(
      'REGIME_NUMERIC',
      `${model} log-likelihood became ${ll} at iteration ${iter}; the data cannot support ${k} ${unit}`,
    );
}

/** What every EM fit starts from: the checked observations, resolved options and the variance floor. */
export interface FitSetup {
  readonly m: ObservationMatrix;
  readonly o: ResolvedFitOptions;
  /** Variance of each feature over the data. */
  readonly dataVar: Float64Array;
  /** `dataVar` × `varianceFloor`: no fitted variance goes below it. */
  readonly floor: Float64Array;
}

/** Checks the observations and options of a fit (errors name the bad row, column or option). */
export function prepareFit(obs: Observations, options: FitOptions): FitSetup {
  const m = toMatrix(obs, options.featureNames);
  const o = resolveFitOptions(options, Math.max(m.dim, 1));
  const dataVar = checkFitInput(m, o.k, o.featureNames);
  return { m, o, dataVar, floor: dataVar.map((v) => v * o.varianceFloor) };
}

/**
 * Runs `fit` from `start(0, …)` (the deterministic volatility-quantile start) and from `restarts`
 * more starts `start(r, rand)` drawn with the seeded `rand`, and keeps the one with the highest
 * log-likelihood (the first on ties).
 */
export function bestOfStarts<S>(
  setup: FitSetup,
  start: (restart: number, rand: () => number) => S,
  fit: (s: S) => FitInfo,
): { s: S; info: FitInfo } {
  const rand = prng(setup.o.seed);
  let best: { s: S; info: FitInfo } | undefined;
  for (let r = 0; r <= setup.o.restarts; r++) {
    const s = start(r, rand);
    const info = fit(s);
    if (best === undefined || info.logLikelihood > best.info.logLikelihood) best = { s, info };
  }
  return best as { s: S; info: FitInfo };
}
