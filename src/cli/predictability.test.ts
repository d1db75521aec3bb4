/**
 * `scalper predictability` run as a user runs it (a child process on its `bin`): on the hand-built
 * book of test/predictability-sample.ts (the worked numbers, through the JSON), on an hour of the
 * simulated default market (the contemporaneous OFI regression strongly positive, as the stylized
 * facts say of whole days; the predictive correlations modest), and its failures (exit 2).
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { runScalper } from '../../test/fixtures.js';
import { SAMPLE_FITS, writePredictabilitySample } from '../../test/predictability-sample.js';
import { simulatedSpan } from '../../test/sim-fixture.js';
import { DbnEncoder } from '../data/index.js';
import type { PredictabilityReport } from './predictability.js';

const scalper = (...args: string[]) => runScalper(args, { timeoutMs: 60_000 });

const PAIR_KEYS = ['pairs', 'correlation', 'ci_low', 'ci_high', 'r2', 'slope'];

describe('scalper predictability on the hand-built book', () => {
  let dir: string;
  let file: string;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'cli-predictability-'));
    file = await writePredictabilitySample(dir);
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  test('prints the documented JSON with the worked correlations', async () => {
    const r = await scalper('predictability', file, '--json', '--max-gap', '15s', '--block', '100s');
    assert.equal(r.status, 0, r.stderr);
    const rep = JSON.parse(r.stdout) as PredictabilityReport;
    assert.deepEqual(Object.keys(rep), [
      'version',
      'files',
      'step_ms',
      'block_ms',
      'max_gap_ms',
      'instruments',
    ]);
    assert.deepEqual([rep.step_ms, rep.block_ms, rep.max_gap_ms], [10_000, 100_000, 15_000]);
    assert.equal(rep.instruments.length, 1);
    const i = rep.instruments[0];
    assert.deepEqual(Object.keys(i), [
      'symbol',
      'instrument_id',
      'tick',
      'from',
      'to',
      'intervals',
      'excluded',
      'blocks',
      'ofi_next',
      'qi_next',
      'ofi_same',
    ]);
    assert.deepEqual(
      [i.symbol, i.tick, i.from, i.to, i.intervals, i.excluded, i.blocks],
      ['6EZ6', 0.00005, '2024-05-08T00:00:10.000000000Z', '2024-05-08T00:03:50.000000000Z', 22, 16, 2],
    );
    for (const pair of ['ofi_next', 'qi_next', 'ofi_same'] as const) {
      const p = i[pair];
      const want = SAMPLE_FITS[pair];
      assert.deepEqual(Object.keys(p), PAIR_KEYS);
      assert.equal(p.pairs, want.n);
      // Printed to 6 decimals (slopes to 9).
      assert.ok(Math.abs((p.correlation as number) - want.correlation) < 5e-7, `${pair} ρ ${p.correlation}`);
      assert.ok(Math.abs((p.r2 as number) - want.correlation ** 2) < 5e-7, `${pair} R² ${p.r2}`);
      assert.ok(Math.abs((p.slope as number) - want.slope) < 5e-9, `${pair} slope ${p.slope}`);
      // Two blocks: every resample is one of four block sets; the bounds are correlations of them.
      assert.ok((p.ci_low as number) <= (p.ci_high as number));
    }
  });

  test('prints a table with a row per measure', async () => {
    const r = await scalper('predictability', file, '--max-gap', '15s');
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /^6EZ6 {2}\(tick 0\.00005\)/);
    assert.match(r.stdout, /22 intervals of 10 s, 16 left out/);
    // One 30-minute block: no interval.
    assert.match(r.stdout, /OFI → next 10 s +3 +-0\.866 +— +0\.750 +-0\.182/);
    assert.match(r.stdout, /queue imbalance at end → next 10 s +3 +0\.841 /);
    assert.match(r.stdout, /OFI → same 10 s \(reference\) +6 +0\.749 /);
  });

  test('fails with exit 2 on a missing file, input without MBP-10 and an absent --symbol', async () => {
    const missing = await scalper('predictability', join(dir, 'nope.mbp-10.dbn'));
    assert.equal(missing.status, 2);
    assert.match(missing.stderr, /nope\.mbp-10\.dbn/);
    const trades = join(dir, 'trades.dbn');
    const enc = DbnEncoder.toFile(trades, {
      metadata: { dataset: 'GLBX.MDP3', schema: 'trades' },
      zstd: false,
    });
    await enc.end();
    const none = await scalper('predictability', trades);
    assert.equal(none.status, 2);
    assert.match(none.stderr, /no MBP-10 input: .*trades\.dbn \(trades\)/);
    const absent = await scalper('predictability', file, '--symbol', '6J');
    assert.equal(absent.status, 2);
    assert.match(absent.stderr, /--symbol 6J: no MBP-10 records of it in the input \(symbols: 6EZ6\)/);
  });
});

describe('scalper predictability on an hour of the simulated default market', () => {
  const span = simulatedSpan({
    date: '2026-11-24',
    instruments: ['6E'],
    seed: 11,
    from: '2026-11-24T14:00:00Z',
    minutes: 60,
    prefix: 'cli-predictability-sim-',
  });

  test('finds the same-interval OFI correlation strong and the predictive ones modest', async (t) => {
    const r = await scalper('predictability', span.dir, '--json');
    assert.equal(r.status, 0, r.stderr);
    const [i] = (JSON.parse(r.stdout) as PredictabilityReport).instruments;
    t.diagnostic(
      `ρ: OFI same ${i.ofi_same.correlation}, OFI next ${i.ofi_next.correlation}, QI next ${i.qi_next.correlation} over ${i.ofi_same.pairs} intervals`,
    );
    // An hour on the 10-second grid: 360 intervals, minus the first (no start) and the edges.
    assert.ok(i.ofi_same.pairs > 340 && i.ofi_same.pairs <= 360, `${i.ofi_same.pairs} intervals`);
    // The stylized facts require 0.3 < R² < 0.9 for the contemporaneous regression (sim/stylized.test.ts).
    const r2 = i.ofi_same.r2 as number;
    assert.ok(r2 > 0.3 && r2 < 0.9, `contemporaneous R² ${r2}`);
    assert.ok((i.ofi_same.ci_low as number) > 0, 'its interval lies above 0');
    // Predictive: positive in expectation and far weaker than the contemporaneous fit; an hour's
    // 360 pairs leave a sampling error of about ±0.1.
    for (const p of [i.ofi_next, i.qi_next]) {
      const rho = p.correlation as number;
      assert.ok(rho > -0.1 && rho < 0.6, `predictive ρ ${rho}`);
      assert.ok((p.r2 as number) < r2, 'below the contemporaneous R²');
    }
  });
});
