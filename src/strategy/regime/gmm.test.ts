import assert from 'node:assert/strict';
import { test } from 'node:test';
import { InvalidOptionError } from '../../core/index.js';
import { type GmmModel, gmmLabels, gmmPosteriors, labelsFromPosteriors } from './gmm.js';

const close = (a: number, b: number, eps = 1e-12) =>
  assert.ok(Math.abs(a - b) <= eps, `${a} != ${b} (±${eps})`);

const GMM: GmmModel = {
  kind: 'gmm',
  k: 2,
  dim: 1,
  weights: Float64Array.of(0.75, 0.25),
  means: Float64Array.of(0, 2),
  variances: Float64Array.of(1, 1),
};

test('GMM posteriors and log-likelihood match the hand computation', () => {
  // o = 1 lies midway: b_0 = b_1 = φ(1), so r = (0.75, 0.25) and log L = ln φ(1) = −½ ln 2π − ½.
  // o = 0: b = (φ(0), φ(0)e⁻²): r_0 = 0.75 / (0.75 + 0.25e⁻²), log L = ln φ(0) + ln(0.75 + 0.25e⁻²).
  const { posteriors, logLikelihood } = gmmPosteriors(GMM, [[1], [0]]);
  close(posteriors[0], 0.75);
  close(posteriors[1], 0.25);
  const e2 = Math.exp(-2);
  close(posteriors[2], 0.75 / (0.75 + 0.25 * e2));
  const lnPhi0 = -0.5 * Math.log(2 * Math.PI);
  close(logLikelihood, lnPhi0 - 0.5 + lnPhi0 + Math.log(0.75 + 0.25 * e2));
});

test('requiring N further bars delays a GMM switch by exactly N bars and ignores shorter blips', () => {
  // Unsmoothed labels: 0 0 0 1 1 1 1 1 0 0 1 1 0 0 0
  const x = [0, 0, 0, 2, 2, 2, 2, 2, 0, 0, 2, 2, 0, 0, 0].map((v) => [v * 5]);
  assert.deepEqual(Array.from(gmmLabels(GMM, x)), [0, 0, 0, 1, 1, 1, 1, 1, 0, 0, 1, 1, 0, 0, 0]);
  // N = 2: the switch at t = 3 happens at t = 5; back to 0 at t = 8 + 2 = 10 would need bars 8, 9, 10
  // to be 0, but bar 10 is 1: the label stays 1 until the run from t = 12 reaches t = 14.
  assert.deepEqual(Array.from(gmmLabels(GMM, x, 2)), [0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0]);
  // N = 1 on the same bars: each switch one bar late, the two-bar blips still pass.
  assert.deepEqual(Array.from(gmmLabels(GMM, x, 1)), [0, 0, 0, 0, 1, 1, 1, 1, 1, 0, 0, 1, 1, 0, 0]);
  assert.throws(
    () => labelsFromPosteriors(new Float64Array(4), 2, -1),
    (e: unknown) =>
      e instanceof InvalidOptionError &&
      e.message === 'switchDelayBars must be a non-negative integer, got -1',
  );
});
