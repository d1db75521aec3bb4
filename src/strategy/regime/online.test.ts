import assert from 'node:assert/strict';
import { test } from 'node:test';
import { exampleHmm, sampleHmm } from '../../../test/regime-sample.js';
import { InvalidOptionError } from '../../core/index.js';
import { RegimeError } from './errors.js';
import { fitHmm, type HmmModel, hmmFilter } from './gaussian-hmm.js';
import { fitGmm, type GmmModel, gmmPosteriors } from './gmm.js';
import {
  annualizedVol,
  ImpliedVolSeries,
  MINUTES_PER_YEAR,
  parseImpliedVolCsv,
  RegimeFilter,
} from './online.js';

const TRUE_MODEL = exampleHmm();

const close = (a: number, b: number, eps = 1e-12) =>
  assert.ok(Math.abs(a - b) <= eps, `${a} != ${b} (±${eps})`);

test('the online filter equals the batch forward filter at every bar (HMM and GMM)', () => {
  const s = sampleHmm(TRUE_MODEL, 3000, 11);
  const { model } = fitHmm(s);
  const batch = hmmFilter(model, s);
  const f = new RegimeFilter(model);
  const row = new Float64Array(2);
  let logL = 0;
  for (let t = 0; t < 3000; t++) {
    row[0] = s.data[t * 2];
    row[1] = s.data[t * 2 + 1];
    f.update(t * 60_000, row);
    logL += batch.logScale[t];
    let arg = 0;
    for (let j = 0; j < 3; j++) {
      close(f.probabilities[j], batch.filtered[t * 3 + j]);
      if (batch.filtered[t * 3 + j] > batch.filtered[t * 3 + arg]) arg = j;
    }
    assert.equal(f.mostLikely, arg);
    assert.equal(f.state, arg);
    close(f.probability, batch.filtered[t * 3 + arg]);
    close(f.logLikelihood, logL, 1e-9 * Math.abs(logL));
  }
  const gmm = fitGmm(s).model;
  const gb = gmmPosteriors(gmm, s).posteriors;
  const g = new RegimeFilter(gmm);
  for (let t = 0; t < 3000; t++) {
    g.update(t, [s.data[t * 2], s.data[t * 2 + 1]]);
    for (let j = 0; j < 3; j++) close(g.probabilities[j], gb[t * 3 + j]);
  }
});

// Two states far apart (μ = 0 and 10, σ² = 1): each bar's emission decides the state at once.
const TWO: HmmModel = {
  kind: 'hmm',
  k: 2,
  dim: 1,
  pi: Float64Array.of(0.5, 0.5),
  transition: Float64Array.of(0.9, 0.1, 0.1, 0.9),
  means: Float64Array.of(0, 10),
  variances: Float64Array.of(1, 1),
};

test('transitions are recorded with their bar time, and the stance follows the regime', () => {
  const seen: string[] = [];
  const f = new RegimeFilter(TWO, { onTransition: (t, a, b) => seen.push(`${t}:${a}->${b}`) });
  assert.equal(f.isReady, false);
  assert.equal(f.state, -1);
  assert.equal(f.stance, null);
  const xs = [0, 0, 0, 10, 10, 0];
  const states: number[] = [];
  const stances: (string | null)[] = [];
  xs.forEach((x, i) => {
    states.push(f.update(1000 * i, [x]));
    stances.push(f.stance);
  });
  assert.deepEqual(states, [0, 0, 0, 1, 1, 0]);
  assert.deepEqual(f.transitions(), [
    { tMs: 3000, from: 0, to: 1 },
    { tMs: 5000, from: 1, to: 0 },
  ]);
  assert.deepEqual(seen, ['3000:0->1', '5000:1->0']);
  assert.equal(stances[3], 'reduce');
  assert.equal(stances[5], 'mean_reversion');
  assert.equal(f.stateName, 'low');
  // After the first bar: α̂_1 ∝ 0.5·(φ(0), φ(10)) = (1, e⁻⁵⁰)/(1 + e⁻⁵⁰).
  f.reset();
  f.update(0, [0]);
  close(f.probability, 1 / (1 + Math.exp(-50)));
  assert.equal(f.transitionCount, 0);
});

test('a missing bar predicts one step for the HMM and keeps the GMM posterior', () => {
  const f = new RegimeFilter(TWO);
  f.update(0, [0]);
  const p0 = f.probabilities[0];
  f.update(60_000, [Number.NaN]);
  // α̂ A without an emission: p_0 = 0.9 p + 0.1 (1 − p).
  close(f.probabilities[0], 0.9 * p0 + 0.1 * (1 - p0));
  assert.equal(f.missingBars, 1);
  const g: GmmModel = {
    kind: 'gmm',
    k: 2,
    dim: 1,
    weights: Float64Array.of(0.5, 0.5),
    means: TWO.means,
    variances: TWO.variances,
  };
  const r = new RegimeFilter(g);
  r.update(0, [10]);
  const q = Array.from(r.probabilities);
  r.update(1, [Number.POSITIVE_INFINITY]);
  assert.deepEqual(Array.from(r.probabilities), q);
  assert.throws(() => r.update(2, [1, 2]), RegimeError);
});

test('the online switch delay holds a GMM label for exactly N bars', () => {
  const g: GmmModel = {
    kind: 'gmm',
    k: 2,
    dim: 1,
    weights: Float64Array.of(0.5, 0.5),
    means: TWO.means,
    variances: TWO.variances,
  };
  const xs = [0, 0, 10, 10, 10, 10, 0, 10, 0, 0, 0, 0];
  for (const n of [0, 1, 3]) {
    const f = new RegimeFilter(g, { switchDelayBars: n });
    for (let i = 0; i < xs.length; i++) f.update(i * 60_000, [xs[i]]);
    // Unsmoothed the switches are at bars 2 (0→1), 6 (1→0), 7 (0→1), 8 (1→0).
    const tr = f.transitions().map((x) => `${x.tMs / 60_000}:${x.from}->${x.to}`);
    if (n === 0) assert.deepEqual(tr, ['2:0->1', '6:1->0', '7:0->1', '8:1->0']);
    // N = 1: 2 + 1 = 3; the one-bar dips at 6 and 7 do not last; back to 0 at 8 + 1 = 9.
    if (n === 1) assert.deepEqual(tr, ['3:0->1', '9:1->0']);
    // N = 3: 2 + 3 = 5; then 0 from bar 8 leads through 11 = 8 + 3.
    if (n === 3) assert.deepEqual(tr, ['5:0->1', '11:1->0']);
    // The most likely state itself is never delayed.
    assert.equal(f.mostLikely, 0);
  }
});

test('stances can be configured per state', () => {
  const f = new RegimeFilter(TWO, { stances: ['momentum', 'stand_aside'] });
  f.update(0, [10]);
  assert.equal(f.stance, 'stand_aside');
  assert.throws(
    () => new RegimeFilter(TWO, { stances: ['momentum'] }),
    (e: unknown) =>
      e instanceof InvalidOptionError && e.message === 'stances length must be 2 (one per state), got 1',
  );
});

test('implied vol CSV: latest IV at or before t and the realized-minus-implied gap', () => {
  // The second row is given in epoch ms: 2026-11-24T14:30:00Z = 1,795,530,600,000.
  const csv = 'ts,iv,src\n2026-11-24T14:00:00Z,0.08,a\n1795530600000,0.10,b\n\n';
  const iv = parseImpliedVolCsv(csv, 'iv.csv');
  const t1400 = Date.UTC(2026, 10, 24, 14, 0);
  assert.equal(iv.tMs[1], t1400 + 30 * 60_000);
  assert.ok(Number.isNaN(iv.at(t1400 - 1)));
  assert.equal(iv.at(t1400), 0.08);
  assert.equal(iv.at(t1400 + 15 * 60_000), 0.08);
  assert.equal(iv.at(t1400 + 30 * 60_000), 0.1);
  // Annualising: 252 days × 1380 minutes = 347,760 minutes. A per-minute variance of
  // 0.0144 / 347,760 gives σ = √0.0144 = 0.12: gap = 0.12 − 0.08 = 0.04 at 14:15, 0.12 − 0.10 = 0.02 at 14:30.
  assert.equal(MINUTES_PER_YEAR, 347_760);
  const v = 0.0144 / 347_760;
  close(annualizedVol(v), 0.12);
  close(iv.gap(t1400 + 15 * 60_000, v), 0.04);
  close(iv.gap(t1400 + 30 * 60_000, v), 0.02);
  // On a 24 h × 252 clock: 0.01 / 362,880 per minute → 0.10, gap 0 at 14:30.
  close(iv.gap(t1400 + 30 * 60_000, 0.01 / 362_880, 252 * 1440), 0);
  assert.ok(Number.isNaN(new ImpliedVolSeries(new Float64Array(0), new Float64Array(0)).gap(0, v)));
});

test('a bad implied vol row names the file, the line and the column', () => {
  const bad = (text: string, ...parts: string[]) =>
    assert.throws(
      () => parseImpliedVolCsv(text, 'iv.csv'),
      (e: unknown) => {
        assert.ok(e instanceof RegimeError && e.code === 'REGIME_BAD_IV', String(e));
        for (const p of parts) assert.ok(e.message.includes(p), `"${e.message}" lacks "${p}"`);
        return true;
      },
    );
  bad('ts,iv\n2026-11-24T14:00:00Z,0.08\n2026-11-24T14:45:00Z,abc\n', 'iv.csv:3: column "iv"', '"abc"');
  bad('ts,iv\n2026-11-24T14:00:00Z,0.08\nyesterday,0.09\n', 'iv.csv:3: column "ts"', '"yesterday"');
  bad('ts,iv\n2026-11-24T14:00:00Z,-0.1\n', 'iv.csv:2: column "iv"');
  bad('ts,iv\n2026-11-24T14:00:00,0.1\n', 'iv.csv:2: column "ts"'); // no zone
  bad('ts,vol\n1,0.1\n', 'iv.csv:1: column "iv"', 'missing from the header');
  bad('ts,iv\n2000,0.1\n1000,0.1\n', 'iv.csv:3: column "ts"', 'time order');
  bad('ts,iv\n2026-11-24T14:00:00Z,7.5\n', 'iv.csv:2: column "iv"', 'looks like a percentage');
  bad('ts,iv\n1795615200000000000,0.08\n', 'iv.csv:2: column "ts"', 'nanoseconds');
});
