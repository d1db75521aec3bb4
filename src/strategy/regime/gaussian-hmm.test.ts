import assert from 'node:assert/strict';
import { test } from 'node:test';
import { exampleHmm, sampleHmm } from '../../../test/regime-sample.js';
import { InvalidOptionError } from '../../core/index.js';
import {
  fitHmm,
  forward,
  type HmmModel,
  hmmFilter,
  hmmSmooth,
  hmmViterbi,
  type LogEmissions,
  smooth,
  viterbi,
} from './gaussian-hmm.js';
import { fitGmm, gmmLabels } from './gmm.js';
import { serializeModel } from './model.js';

const close = (a: number, b: number, eps = 1e-12) =>
  assert.ok(Math.abs(a - b) <= eps, `${a} != ${b} (±${eps})`);

// Jurafsky & Martin, "Speech and Language Processing" (3rd ed.), Appendix A: the ice-cream HMM.
// States 0 = HOT, 1 = COLD. π = (0.8, 0.2); A = [[0.6, 0.4], [0.5, 0.5]];
// P(1|H) = 0.2, P(2|H) = 0.4, P(3|H) = 0.4; P(1|C) = 0.5, P(2|C) = 0.4, P(3|C) = 0.1.
// Observed ice creams: 3, 1, 3.
const PI = [0.8, 0.2];
const A = [0.6, 0.4, 0.5, 0.5];
const B: Record<number, [number, number]> = { 1: [0.2, 0.5], 2: [0.4, 0.4], 3: [0.4, 0.1] };
function iceCream(seq: readonly number[]): LogEmissions {
  const data = new Float64Array(seq.length * 2);
  seq.forEach((o, t) => {
    data[t * 2] = Math.log(B[o][0]);
    data[t * 2 + 1] = Math.log(B[o][1]);
  });
  return { data, n: seq.length, k: 2 };
}

test('forward probabilities of the ice-cream HMM match the hand computation', () => {
  // α_1(H) = 0.8·0.4 = 0.32                          α_1(C) = 0.2·0.1 = 0.02
  // α_2(H) = (0.32·0.6 + 0.02·0.5)·0.2 = 0.202·0.2 = 0.0404
  // α_2(C) = (0.32·0.4 + 0.02·0.5)·0.5 = 0.138·0.5 = 0.069
  // α_3(H) = (0.0404·0.6 + 0.069·0.5)·0.4 = 0.05874·0.4 = 0.023496
  // α_3(C) = (0.0404·0.4 + 0.069·0.5)·0.1 = 0.05066·0.1 = 0.005066
  // P(3 1 3) = 0.023496 + 0.005066 = 0.028562
  const alpha = [
    [0.32, 0.02],
    [0.0404, 0.069],
    [0.023496, 0.005066],
  ];
  const r = forward(PI, A, iceCream([3, 1, 3]));
  close(r.logLikelihood, Math.log(0.028562));
  // Scaled α̂_t = α_t / Π_{s≤t} c_s, and Π_{s≤t} c_s = P(o_1..o_t).
  let logPrefix = 0;
  for (let t = 0; t < 3; t++) {
    logPrefix += r.logScale[t];
    close(Math.exp(logPrefix), alpha[t][0] + alpha[t][1]);
    for (let j = 0; j < 2; j++) close(r.filtered[t * 2 + j] * Math.exp(logPrefix), alpha[t][j]);
  }
  close(r.filtered[0], 0.32 / 0.34);
  close(r.filtered[5], 0.005066 / 0.028562);
});

test('smoothed posteriors of the ice-cream HMM match α·β / P', () => {
  // β_3 = (1, 1)
  // β_2(H) = 0.6·0.4·1 + 0.4·0.1·1 = 0.28           β_2(C) = 0.5·0.4 + 0.5·0.1 = 0.25
  // β_1(H) = 0.6·0.2·0.28 + 0.4·0.5·0.25 = 0.0836   β_1(C) = 0.5·0.2·0.28 + 0.5·0.5·0.25 = 0.0905
  // check: 0.32·0.0836 + 0.02·0.0905 = 0.026752 + 0.00181 = 0.028562 = P.
  const P = 0.028562;
  const g = smooth(PI, A, iceCream([3, 1, 3]));
  close(g[0], (0.32 * 0.0836) / P);
  close(g[1], (0.02 * 0.0905) / P);
  close(g[2], (0.0404 * 0.28) / P);
  close(g[3], (0.069 * 0.25) / P);
  close(g[4], 0.023496 / P);
  close(g[5], 0.005066 / P);
});

test('Viterbi path of the ice-cream HMM is HOT, COLD, HOT', () => {
  // v_1 = (0.32, 0.02)
  // v_2(H) = max(0.32·0.6, 0.02·0.5)·0.2 = 0.192·0.2 = 0.0384 (from H)
  // v_2(C) = max(0.32·0.4, 0.02·0.5)·0.5 = 0.128·0.5 = 0.064  (from H)
  // v_3(H) = max(0.0384·0.6, 0.064·0.5)·0.4 = 0.032·0.4 = 0.0128 (from C)
  // v_3(C) = max(0.0384·0.4, 0.064·0.5)·0.1 = 0.032·0.1 = 0.0032 (from C)
  // best end H (0.0128) ← C at t = 2 ← H at t = 1.
  const v = viterbi(PI, A, iceCream([3, 1, 3]));
  assert.deepEqual(Array.from(v.path), [0, 1, 0]);
  close(v.logProbability, Math.log(0.0128));
});

test('forward log-likelihood of a 1-D two-state Gaussian HMM matches the hand computation', () => {
  // π = (0.5, 0.5), A = [[0.9, 0.1], [0.2, 0.8]], μ = (0, 2), σ² = (1, 1); o = (0, 2, 1).
  // With g = φ(0) = 1/√(2π): b(0) = (g, g·e⁻²), b(2) = (g·e⁻², g), b(1) = (g·e^−½, g·e^−½).
  // α_1 = (0.5g, 0.5g·e⁻²)
  // α_2(0) = (0.5g·0.9 + 0.5g·e⁻²·0.2)·g·e⁻² = 0.5g²·e⁻²(0.9 + 0.2e⁻²)
  // α_2(1) = (0.5g·0.1 + 0.5g·e⁻²·0.8)·g      = 0.5g²(0.1 + 0.8e⁻²)
  // o_3 = 1 is equidistant and A's rows sum to 1, so L = (α_2(0) + α_2(1))·g·e^−½
  //   = 0.5g³e^−½ (0.1 + 1.7e⁻² + 0.2e⁻⁴) = 0.5g³e^−½ · 0.33373310928…
  // log L = ln 0.5 − 1.5 ln(2π) − 0.5 + ln(0.1 + 1.7e⁻² + 0.2e⁻⁴)
  //       = −0.693147 − 2.756816 − 0.5 − 1.097413 ≈ −5.047376
  const e2 = Math.exp(-2);
  const e4 = Math.exp(-4);
  const model: HmmModel = {
    kind: 'hmm',
    k: 2,
    dim: 1,
    pi: Float64Array.of(0.5, 0.5),
    transition: Float64Array.of(0.9, 0.1, 0.2, 0.8),
    means: Float64Array.of(0, 2),
    variances: Float64Array.of(1, 1),
  };
  const r = hmmFilter(model, [[0], [2], [1]]);
  const logL = Math.log(0.5) - 1.5 * Math.log(2 * Math.PI) - 0.5 + Math.log(0.1 + 1.7 * e2 + 0.2 * e4);
  close(r.logLikelihood, logL);
  close(r.logLikelihood, -5.047376, 1e-6);
  // α̂_1 = (1, e⁻²)/(1 + e⁻²); α̂_2(0) = e⁻²(0.9 + 0.2e⁻²)/(0.1 + 1.7e⁻² + 0.2e⁻⁴) ≈ 0.375943
  close(r.filtered[0], 1 / (1 + e2));
  const f2 = (e2 * (0.9 + 0.2 * e2)) / (0.1 + 1.7 * e2 + 0.2 * e4);
  close(r.filtered[2], f2);
  // o_3 carries no information between the states: α̂_3 = α̂_2·A.
  close(r.filtered[4], f2 * 0.9 + (1 - f2) * 0.2);
  // Smoothed γ_3 = α̂_3 (last step), and every γ_t sums to 1.
  const g = hmmSmooth(model, [[0], [2], [1]]);
  close(g[4], r.filtered[4]);
  for (let t = 0; t < 3; t++) close(g[t * 2] + g[t * 2 + 1], 1);
  // Viterbi, with c = ln 0.5 + ln g (the common ln g of b(o_3) added last):
  // δ_1 = (c, c − 2)
  // δ_2(0) = max(c + ln 0.9, c − 2 + ln 0.2) − 2 + ln g = c − 2.10536 + ln g   (from 0)
  // δ_2(1) = max(c + ln 0.1, c − 2 + ln 0.8) + ln g     = c − 2.22314 + ln g   (from 1)
  // δ_3(0) = δ_2(0) + ln 0.9 − ½ + ln g = c − 2.71072 + 2 ln g (beats δ_2(1) + ln 0.2)
  // δ_3(1) = δ_2(1) + ln 0.8 − ½ + ln g = c − 2.94629 + 2 ln g (beats δ_2(0) + ln 0.1)
  // so the path stays in state 0 although the filter prefers state 1 at t = 2 (α̂_2(0) ≈ 0.376).
  const v = hmmViterbi(model, [[0], [2], [1]]);
  assert.deepEqual(Array.from(v.path), [0, 0, 0]);
  close(v.logProbability, Math.log(0.5) - 1.5 * Math.log(2 * Math.PI) + 2 * Math.log(0.9) - 2.5);
});

const TRUE_MODEL = exampleHmm();

test('recovers a known 3-state 2-D HMM from 20,000 samples; the GMM labels less well', (t) => {
  const s = sampleHmm(TRUE_MODEL, 20_000, 42);
  const { model, fit } = fitHmm(s, { featureNames: ['log_rv_1m', 'ret_1m'] });
  assert.equal(fit.converged, true);
  // Means within 0.03 of the truth (standard error ≈ 0.4/√6,700 ≈ 0.005 for feature 0).
  for (let i = 0; i < 6; i++) close(model.means[i], TRUE_MODEL.means[i], 0.03);
  // Variances within 10 % and the persistence within 0.01.
  for (let i = 0; i < 6; i++) close(model.variances[i] / TRUE_MODEL.variances[i], 1, 0.1);
  for (let j = 0; j < 3; j++) close(model.transition[j * 4], 0.98, 0.01);
  const path = hmmViterbi(model, s).path;
  let hit = 0;
  for (let i = 0; i < path.length; i++) if (path[i] === s.states[i]) hit++;
  const hmmAcc = hit / path.length;
  const gmm = fitGmm(s);
  const labels = gmmLabels(gmm.model, s);
  let ghit = 0;
  for (let i = 0; i < labels.length; i++) if (labels[i] === s.states[i]) ghit++;
  const gmmAcc = ghit / labels.length;
  t.diagnostic(`HMM Viterbi accuracy ${(100 * hmmAcc).toFixed(2)} % in ${fit.iterations} iterations`);
  t.diagnostic(`GMM accuracy ${(100 * gmmAcc).toFixed(2)} % in ${gmm.fit.iterations} iterations`);
  assert.ok(hmmAcc >= 0.95, `HMM accuracy ${hmmAcc}`);
  assert.ok(gmmAcc >= 0.85, `GMM accuracy ${gmmAcc}`);
  assert.ok(gmmAcc < hmmAcc);
  for (let i = 0; i < 6; i++) close(gmm.model.means[i], TRUE_MODEL.means[i], 0.05);
});

test('the log-likelihood never decreases across EM iterations', () => {
  const s = sampleHmm(TRUE_MODEL, 3000, 9);
  const { fit } = fitHmm(s, { tolerance: 0, maxIterations: 60, trace: true });
  const tr = fit.trace!;
  assert.equal(tr.length, 61);
  assert.equal(fit.iterations, 60);
  assert.equal(fit.converged, false);
  for (let i = 1; i < tr.length; i++) assert.ok(tr[i] >= tr[i - 1] - 1e-9 * Math.abs(tr[i - 1]), `step ${i}`);
  assert.equal(fit.logLikelihood, tr[tr.length - 1]);
  const g = fitGmm(s, { tolerance: 0, maxIterations: 60, trace: true }).fit.trace!;
  for (let i = 1; i < g.length; i++) assert.ok(g[i] >= g[i - 1] - 1e-9 * Math.abs(g[i - 1]), `GMM step ${i}`);
});

test('the fit stops on the relative-change rule and states come out ordered by volatility', () => {
  const s = sampleHmm(TRUE_MODEL, 3000, 5);
  const { model, fit } = fitHmm(s, { tolerance: 1e-6, trace: true });
  const tr = fit.trace!;
  const n = tr.length;
  assert.ok(fit.converged);
  assert.equal(n, fit.iterations + 1);
  assert.ok(Math.abs(tr[n - 1] - tr[n - 2]) < 1e-6 * Math.abs(tr[n - 1]));
  assert.ok(Math.abs(tr[n - 2] - tr[n - 3]) >= 1e-6 * Math.abs(tr[n - 2]));
  assert.ok(model.means[0] < model.means[2] && model.means[2] < model.means[4]);
  const byVar = fitHmm(s, { volatilityFeature: 1, orderBy: 'variance' }).model;
  assert.ok(byVar.variances[1] < byVar.variances[3] && byVar.variances[3] < byVar.variances[5]);
  // Options outside their domain name themselves (two observation columns: index 0 or 1).
  const bad = (o: Parameters<typeof fitHmm>[1], message: string) =>
    assert.throws(
      () => fitHmm(s, o),
      (e: unknown) => e instanceof InvalidOptionError && e.message === message,
    );
  bad({ volatilityFeature: 2 }, 'volatilityFeature must be an integer in [0, 1], got 2');
  bad({ orderBy: 'median' as 'mean' }, 'orderBy must be one of "mean", "variance", got "median"');
  bad({ states: 0 }, 'states must be a positive integer, got 0');
  bad({ tolerance: -1 }, 'tolerance must be a number >= 0, got -1');
});

test('the same data and seed give byte-identical model JSON, with random restarts', () => {
  const s = sampleHmm(TRUE_MODEL, 2000, 3);
  const opts = { restarts: 3, seed: 17 };
  const a = serializeModel(fitHmm(s, opts), ['log_rv_1m', 'ret_1m']);
  const b = serializeModel(fitHmm({ data: Float64Array.from(s.data), dim: 2 }, opts), [
    'log_rv_1m',
    'ret_1m',
  ]);
  assert.equal(a, b);
  const ga = serializeModel(fitGmm(s, opts), ['log_rv_1m', 'ret_1m']);
  assert.equal(ga, serializeModel(fitGmm(s, opts), ['log_rv_1m', 'ret_1m']));
  // The restarts keep the best start: never worse than the deterministic start alone.
  assert.ok(fitHmm(s, opts).fit.logLikelihood >= fitHmm(s).fit.logLikelihood);
});
