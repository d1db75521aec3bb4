/**
 * Seeded sampling from a Gaussian HMM, for tests, benchmarks and demos: the state chain follows π
 * and A, each observation is drawn from its state's diagonal Gaussian by `Random.normal`
 * (Box–Muller on a mulberry32 stream), so a seed gives the same series on every platform.
 */
import { Random } from '../src/core/index.js';
import type { HmmModel } from '../src/strategy/regime/gaussian-hmm.js';

/** A sampled series: observations (row-major n × dim) and the true states. */
export interface HmmSample {
  readonly data: Float64Array;
  readonly dim: number;
  readonly states: Int32Array;
}

/** Draws `n` observations from `model` with the given seed. */
export function sampleHmm(model: HmmModel, n: number, seed: number): HmmSample {
  const { k, dim, pi, transition, means, variances } = model;
  const rand = new Random(seed);
  const data = new Float64Array(n * dim);
  const states = new Int32Array(n);
  const draw = (p: Float64Array, off: number): number => {
    const u = rand.uniform();
    let c = 0;
    for (let j = 0; j < k; j++) {
      c += p[off + j];
      if (u < c) return j;
    }
    return k - 1;
  };
  let s = 0;
  for (let t = 0; t < n; t++) {
    s = t === 0 ? draw(pi, 0) : draw(transition, s * k);
    states[t] = s;
    for (let d = 0; d < dim; d++)
      data[t * dim + d] = means[s * dim + d] + Math.sqrt(variances[s * dim + d]) * rand.normal();
  }
  return { data, dim, states };
}

/**
 * A three-state, two-feature example HMM for tests and benchmarks: feature 0 a log-RV-like level
 * (means −1, 0, 1, variance 0.16), feature 1 a zero-mean return whose variance grows (0.25, 1, 4);
 * persistent states (0.98 on the diagonal), uniform π.
 */
export function exampleHmm(): HmmModel {
  return {
    kind: 'hmm',
    k: 3,
    dim: 2,
    pi: Float64Array.of(1 / 3, 1 / 3, 1 / 3),
    transition: Float64Array.of(0.98, 0.015, 0.005, 0.01, 0.98, 0.01, 0.005, 0.015, 0.98),
    means: Float64Array.of(-1, 0, 0, 0, 1, 0),
    variances: Float64Array.of(0.16, 0.25, 0.16, 1, 0.16, 4),
  };
}
