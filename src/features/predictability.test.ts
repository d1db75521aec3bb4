import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { T0 } from '../../test/book.js';
import {
  SAMPLE_FITS,
  SAMPLE_ID,
  SAMPLE_MAX_GAP_MS,
  writePredictabilitySample,
} from '../../test/predictability-sample.js';
import { replay } from '../data/index.js';
import {
  fitOfSums,
  type InstrumentPredictability,
  PREDICTABILITY_PAIRS,
  PredictabilityStudies,
  pooledSums,
} from './index.js';

const T0_MS = Number(T0 / 1_000_000n);

async function study(file: string, blockMs: number): Promise<InstrumentPredictability> {
  const s = new PredictabilityStudies({ stepMs: 10_000, blockMs, maxGapMs: SAMPLE_MAX_GAP_MS });
  await replay([file], s, { everyNs: 10_000_000_000n, onGrid: (t) => s.sample(t) });
  const [r] = s.results();
  return r;
}

describe('PredictabilityStudies on a hand-built book (test/predictability-sample.ts)', () => {
  let dir: string;
  let file: string;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'predictability-'));
    file = await writePredictabilitySample(dir);
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  test('counts 22 intervals and leaves out the locked one, the silent ones and the one the silence ends in', async () => {
    const r = await study(file, 100_000);
    assert.equal(r.symbol, '6EZ6');
    assert.equal(r.instrumentId, SAMPLE_ID);
    assert.equal(r.tickRaw, 50_000);
    assert.equal(r.intervals, 22);
    assert.equal(r.excluded, 16);
    // First usable interval A starts at 10 s; the last, H, ends at 230 s.
    assert.equal(r.firstMs, T0_MS + 10_000);
    assert.equal(r.lastMs, T0_MS + 230_000);
  });

  test('gives the worked correlations, R² and slopes of OFI and queue imbalance against the next mid change', async () => {
    const r = await study(file, 100_000);
    for (const pair of PREDICTABILITY_PAIRS) {
      const fit = fitOfSums(pooledSums(r.blocks, pair));
      const want = SAMPLE_FITS[pair];
      assert.equal(fit.n, want.n, `${pair} pairs`);
      assert.ok(Math.abs(fit.correlation - want.correlation) < 1e-12, `${pair} ρ ${fit.correlation}`);
      assert.ok(Math.abs(fit.r2 - want.correlation ** 2) < 1e-12, `${pair} R² ${fit.r2}`);
      assert.ok(Math.abs(fit.slope - want.slope) < 1e-12, `${pair} slope ${fit.slope}`);
    }
  });

  test('puts each pair in the block of its first interval', async () => {
    // 100 s blocks: A, B, C and E start in [0, 100 s), G and H in [200 s, 300 s).
    const r = await study(file, 100_000);
    assert.deepEqual(r.blockStartsMs, [T0_MS, T0_MS + 200_000]);
    const counts = r.blocks.map((b) => PREDICTABILITY_PAIRS.map((p) => pooledSums([b], p)[0]));
    // ofi_next, qi_next, ofi_same: A→B and B→C, then G→H; A, B, C, E, then G, H.
    assert.deepEqual(counts, [
      [2, 2, 4],
      [1, 1, 2],
    ]);
  });
});

describe('fitOfSums', () => {
  test('is undefined for a constant predictor or fewer than two pairs', () => {
    // n = 2, x = (1, 1): Sxx = 0.
    assert.ok(Number.isNaN(fitOfSums([2, 2, 3, 2, 5, 3]).correlation));
    assert.ok(Number.isNaN(fitOfSums([1, 1, 1, 1, 1, 1]).slope));
  });

  test('fits y = 1 + 2x exactly on three points', () => {
    // x = 0, 1, 2 → y = 1, 3, 5: Σx 3, Σy 9, Σx² 5, Σy² 35, Σxy 13.
    const f = fitOfSums([3, 3, 9, 5, 35, 13]);
    assert.ok(Math.abs(f.correlation - 1) < 1e-12);
    assert.ok(Math.abs(f.slope - 2) < 1e-12);
    assert.ok(Math.abs(f.intercept - 1) < 1e-12);
  });
});
