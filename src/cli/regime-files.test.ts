/**
 * Regime detection on simulated days with known regimes (issue 6, "Checks"): fit on six days of
 * one seed, label two days of another seed, score against the simulator's truth. Fitting never
 * reads the truth. States are ordered by volatility, so no label permutation is needed.
 *
 * Six fitting days, because the time-of-day pattern is estimated on them and with few days it is
 * confounded with the regimes that happened to fall in each half hour: on validation days (seeds
 * 3003 for fitting, 4004 for labels; not the seeds below) the HMM agreed with the truth on 87.2 %
 * of minutes after three fitting days and 89.9 % after six.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { FeatureEngine } from '../features/index.js';
import { type SimDayResult, simulate } from '../sim/index.js';
import {
  fitRegimeModel,
  labelSeries,
  type MinuteSeries,
  RegimeError,
  type RegimeModelFile,
  scoreLabels,
} from '../strategy/index.js';
import { minuteSeries, readRegimeModel, readTruthLabels } from './regime-files.js';

interface Day {
  series: MinuteSeries;
  truth: Int32Array;
}

async function days(seed: number, start: string, n: number, out: string): Promise<SimDayResult[]> {
  return simulate({ start, days: n, instruments: ['6E'], seed, out, spot: false });
}

describe('regime models on simulated days (fit on seed 1001, evaluate on seed 2002)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'regime-sim-'));
  let train: MinuteSeries[] = [];
  let evalDays: Day[] = [];
  let hmm: RegimeModelFile;
  let gmm: RegimeModelFile;
  const states = ['low', 'medium', 'high'];

  before(async () => {
    const fit = await days(1001, '2026-11-09', 6, join(dir, 'fit'));
    const ev = await days(2002, '2026-11-23', 2, join(dir, 'eval'));
    for (const d of fit) {
      train.push((await minuteSeries([d.files.mbp10, d.files.trades], new FeatureEngine()))[0]);
    }
    for (const d of ev) {
      const series = (await minuteSeries([d.files.mbp10, d.files.trades], new FeatureEngine()))[0];
      evalDays.push({ series, truth: readTruthLabels(d.files.truth, series.startMs, states) });
    }
    hmm = fitRegimeModel(train, { kind: 'hmm' });
    gmm = fitRegimeModel(train, { kind: 'gmm' });
  });
  after(() => {
    rmSync(dir, { recursive: true, force: true });
    train = [];
    evalDays = [];
  });

  /** Offline and online scores pooled over the evaluation days. */
  function score(m: RegimeModelFile) {
    const off: number[] = [];
    const on: number[] = [];
    const truth: number[] = [];
    for (const d of evalDays) {
      const l = labelSeries(m, d.series);
      off.push(...l.offline, -9);
      on.push(...l.online, -9);
      // A separator between days: no change is counted across it.
      truth.push(...d.truth, -1);
    }
    return { offline: scoreLabels(off, truth), online: scoreLabels(on, truth) };
  }

  test('every minute of the evaluation days has a truth regime', () => {
    for (const d of evalDays) {
      assert.ok(d.series.startMs.length > 1300, `${d.series.startMs.length} minutes`);
      assert.equal(d.truth.filter((x) => x < 0).length, 0);
    }
  });

  test('HMM: Viterbi labels agree with the true regime on at least 80% of held-out minutes', (t) => {
    const h = score(hmm);
    const g = score(gmm);
    t.diagnostic(
      `HMM offline ${(100 * h.offline.accuracy).toFixed(1)}%, online ${(100 * h.online.accuracy).toFixed(1)}% of ${h.offline.minutes} minutes; ` +
        `online: ${h.online.detected}/${h.online.changes} changes detected, mean delay ${h.online.meanDelayMin.toFixed(2)} min`,
    );
    t.diagnostic(
      `GMM offline ${(100 * g.offline.accuracy).toFixed(1)}%, online ${(100 * g.online.accuracy).toFixed(1)}%; ` +
        `online: ${g.online.detected}/${g.online.changes} changes detected, mean delay ${g.online.meanDelayMin.toFixed(2)} min`,
    );
    assert.ok(h.offline.accuracy >= 0.8, `HMM offline accuracy ${h.offline.accuracy}`);
  });

  test('GMM: without persistence it labels at least three quarters of held-out minutes right (chance: a third)', () => {
    // A mixture sees each minute alone (no transition matrix), so it is held to less than the HMM;
    // its online labels switch only after GMM_SWITCH_DELAY (3) bars, so a change is followed within
    // about that delay, and offline and online agree on most minutes.
    const g = score(gmm);
    assert.ok(g.offline.accuracy >= 0.75, `GMM offline accuracy ${g.offline.accuracy}`);
    assert.ok(g.online.accuracy >= 0.75, `GMM online accuracy ${g.online.accuracy}`);
    assert.ok(
      g.online.detected >= 0.6 * g.online.changes,
      `${g.online.detected}/${g.online.changes} detected`,
    );
    assert.ok(g.online.meanDelayMin <= 6, `GMM mean delay ${g.online.meanDelayMin} min`);
  });

  test('HMM online filter: detects regime changes within 3 minutes on average, most of them', () => {
    const h = score(hmm);
    assert.ok(h.online.meanDelayMin <= 3, `mean delay ${h.online.meanDelayMin} min`);
    assert.ok(
      h.online.detected >= 0.8 * h.online.changes,
      `${h.online.detected}/${h.online.changes} detected`,
    );
  });
});

test('readRegimeModel and readTruthLabels name the file they read', () => {
  const dir = mkdtempSync(join(tmpdir(), 'regime-files-'));
  try {
    const path = join(dir, 'model.json');
    writeFileSync(path, '{"kind":"gmm"}');
    assert.throws(
      () => readRegimeModel(path),
      (e: unknown) => e instanceof RegimeError && e.message.startsWith(path),
    );
    assert.throws(
      () => readRegimeModel(join(dir, 'missing.json')),
      (e: unknown) => e instanceof RegimeError && e.message.includes('missing.json'),
    );
    const truth = join(dir, 'truth.json');
    writeFileSync(truth, '{"version":1}');
    assert.throws(
      () => readTruthLabels(truth, [0], ['low']),
      (e: unknown) => e instanceof RegimeError && e.message === `${truth}: field "minutes" is missing`,
    );
    writeFileSync(truth, JSON.stringify({ minutes: [{ ts: '1970-01-01T00:01:00Z', regime: 'high' }] }));
    // Minute 60 000 ms is "high" (index 1 of the states), minute 0 is not in the truth (−1).
    assert.deepEqual([...readTruthLabels(truth, [0, 60_000], ['low', 'high'])], [-1, 1]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
