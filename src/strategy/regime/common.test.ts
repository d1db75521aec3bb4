import assert from 'node:assert/strict';
import { test } from 'node:test';
import { RegimeError } from './errors.js';
import { fitHmm } from './gaussian-hmm.js';
import { fitGmm } from './gmm.js';

function series(n: number, f: (t: number) => [number, number]): number[][] {
  return Array.from({ length: n }, (_, t) => f(t));
}

const wavy = (t: number): [number, number] => [Math.sin(t * 0.7) + (t % 7) * 0.1, Math.cos(t * 1.3)];

function rejects(fn: () => unknown, code: string, ...parts: string[]): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof RegimeError, String(e));
    assert.equal(e.code, code);
    for (const p of parts) assert.ok(e.message.includes(p), `"${e.message}" lacks "${p}"`);
    return true;
  });
}

test('a constant feature is rejected with its column named, for the HMM and the GMM', () => {
  const obs = series(100, (t) => [wavy(t)[0], 0.5]);
  const names = ['log_rv_1m', 'ret_1m'];
  rejects(() => fitHmm(obs, { featureNames: names }), 'REGIME_CONSTANT', 'column 1 ("ret_1m")', 'constant');
  rejects(() => fitGmm(obs), 'REGIME_CONSTANT', 'column 1');
  // A fully constant 1-D series too.
  rejects(() => fitHmm({ data: new Float64Array(50).fill(-9.2), dim: 1 }, { states: 2 }), 'REGIME_CONSTANT');
});

test('fewer than 10 observations per state are rejected', () => {
  rejects(() => fitHmm(series(29, wavy)), 'REGIME_TOO_FEW', 'at least 30', 'got 29');
  rejects(() => fitGmm(series(19, wavy), { states: 2 }), 'REGIME_TOO_FEW', 'at least 20');
  assert.equal(fitHmm(series(30, wavy)).fit.n, 30);
});

test('NaN and Infinity are rejected naming their row and column', () => {
  const obs = series(100, wavy);
  obs[5][1] = Number.NaN;
  rejects(
    () => fitHmm(obs, { featureNames: ['log_rv_1m', 'ret_1m'] }),
    'REGIME_BAD_INPUT',
    'row 5, column 1 ("ret_1m") is NaN',
  );
  const flat = new Float64Array(200);
  for (let i = 0; i < 200; i++) flat[i] = Math.sin(i);
  flat[2 * 37] = Number.POSITIVE_INFINITY;
  rejects(() => fitGmm({ data: flat, dim: 2 }), 'REGIME_BAD_INPUT', 'row 37, column 0 is Infinity');
  const ragged = series(100, wavy) as number[][];
  ragged[3] = [1];
  rejects(() => fitHmm(ragged), 'REGIME_BAD_INPUT', 'row 3 has 1 values, expected 2');
});

test('a fit never returns a NaN model on hard but legal data', () => {
  // Two distinct values in feature 0 and a heavy outlier: the floor keeps every variance positive.
  const obs = series(300, (t) => [t % 2 === 0 ? 0 : 1, t === 150 ? 1e6 : Math.sin(t)]);
  for (const r of [fitHmm(obs), fitGmm(obs)]) {
    assert.ok(Number.isFinite(r.fit.logLikelihood));
    for (const x of [...r.model.means, ...r.model.variances]) assert.ok(Number.isFinite(x));
    for (const v of r.model.variances) assert.ok(v > 0);
  }
});
