import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { pearson } from '../../../test/stats.js';
import { FuturesSpot } from './futures-spot.js';

const close = (a: number, b: number, eps = 1e-9) => assert.ok(Math.abs(a - b) <= eps, `${a} != ${b}`);

/** Mids whose grid log returns are `r` (first mid `start`). */
function pricesFrom(start: number, r: number[]): number[] {
  const out = [start];
  for (const x of r) out.push(out[out.length - 1] * Math.exp(x));
  return out;
}

describe('FuturesSpot basis', () => {
  it('is future − spot, or future − 1/spot for 6J', () => {
    const eur = new FuturesSpot();
    eur.updateFuture(0, 1.085);
    assert.ok(Number.isNaN(eur.basis));
    eur.updateSpot(1, 1.0848);
    close(eur.basis, 0.0002, 1e-15);
    const jpy = new FuturesSpot({ invertSpot: true });
    jpy.updateFuture(0, 0.0067);
    jpy.updateSpot(1, 150); // USD/JPY 150 → 1/150 = 0.006666…
    close(jpy.basis, 0.0067 - 1 / 150, 1e-18); // 3.333e-5
  });

  it('ignores an UNDEF/NaN mid', () => {
    const f = new FuturesSpot();
    f.updateFuture(0, 1.085);
    f.updateSpot(0, 1.0848);
    f.updateSpot(1, Number.NaN);
    close(f.basis, 0.0002, 1e-15);
  });
});

describe('FuturesSpot correlation and lead–lag', () => {
  const opts = { sampleMs: 1000, maxLagMs: 2000, windowMs: 4000 };

  it('gives the Pearson correlation of same-time returns: 0.8 by hand', () => {
    // rF = (1, 2, 3, 4)e-3, rS = (1, 3, 2, 4)e-3: deviations (−1.5, −.5, .5, 1.5) and
    // (−1.5, .5, −.5, 1.5); Σ dx·dy = 2.25 − .25 − .25 + 2.25 = 4, Σ dx² = Σ dy² = 5 → ρ = 0.8.
    const f = new FuturesSpot(opts);
    const F = pricesFrom(1.08, [1e-3, 2e-3, 3e-3, 4e-3]);
    const S = pricesFrom(1.07, [1e-3, 3e-3, 2e-3, 4e-3]);
    for (let k = 0; k < 5; k++) {
      f.updateFuture(k * 1000 + 10, F[k]);
      f.updateSpot(k * 1000 + 20, S[k]);
    }
    assert.ok(Number.isNaN(f.correlation)); // cell 4 not closed yet: 3 returns
    f.advance(5000);
    assert.equal(f.returnCount, 4);
    close(f.correlation, 0.8);
    // Lag +1 has only 3 pairs in the window (< minPairs 4).
    assert.ok(Number.isNaN(f.crossCorrelation(1)));
    assert.ok(Number.isNaN(f.crossCorrelation(3))); // beyond maxLag
  });

  it('finds the lag by which the future leads, and matches a direct computation', () => {
    // Spot returns repeat the future's one step later: rS_u = rF_{u−1}, so ρ(+1) = 1.
    const x = [1, -2, 0.5, 1.5, -1, 0, 2, -0.5, 1, -1.5, 0.7, -0.3, 0.9, -1.1, 0.4, 1.2].map((v) => v * 1e-3);
    const rf = x;
    const rs = [0, ...x.slice(0, -1)];
    const f = new FuturesSpot({ sampleMs: 1000, maxLagMs: 2000, windowMs: 8000 });
    const F = pricesFrom(1.08, rf);
    const S = pricesFrom(1.07, rs);
    for (let k = 0; k < F.length; k++) {
      f.updateFuture(k * 1000 + 5, F[k]);
      f.updateSpot(k * 1000 + 7, S[k]);
    }
    f.advance(F.length * 1000); // 16 returns, indices 0..15; the ring (8 + 2 + 1) has wrapped
    assert.equal(f.leadLagSteps, 1);
    assert.equal(f.leadLagMs, 1000);
    close(f.leadLagCorrelation, 1);
    // ρ(0) over the last 8 returns (u = 8..15) against a direct Pearson.
    close(f.correlation, pearson(rf.slice(8), rs.slice(8)));
    // ρ(−2): pairs (rF_u, rS_{u−2}) for u = 8..15.
    close(f.crossCorrelation(-2), pearson(rf.slice(8), rs.slice(6, 14)));
  });

  it('works on the inverted spot for 6J', () => {
    // The future leads the inverted spot by 2 steps; the spot is quoted as USD/JPY = 1/(USD per JPY).
    const x = [1, -2, 0.5, 1.5, -1, 0, 2, -0.5, 1, -1.5, 0.7, -0.3].map((v) => v * 1e-3);
    const rs = [0, 0, ...x.slice(0, -2)];
    const f = new FuturesSpot({ sampleMs: 1000, maxLagMs: 2000, windowMs: 6000, invertSpot: true });
    const F = pricesFrom(0.0067, x);
    const inv = pricesFrom(1 / 150, rs);
    for (let k = 0; k < F.length; k++) {
      f.updateFuture(k * 1000, F[k]);
      f.updateSpot(k * 1000, 1 / inv[k]);
    }
    f.advance(F.length * 1000);
    assert.equal(f.leadLagMs, 2000);
    close(f.leadLagCorrelation, 1);
  });

  it('resets after a gap in the data', () => {
    const f = new FuturesSpot(opts);
    for (let k = 0; k < 6; k++) {
      f.updateFuture(k * 1000, 1.08 + k * 1e-4);
      f.updateSpot(k * 1000, 1.07 + (k % 2) * 1e-4);
    }
    f.advance(6000);
    assert.equal(f.returnCount, 5);
    f.updateFuture(200_000, 1.09); // 194 s of silence > maxGapMs (60 s)
    assert.equal(f.gapResets, 1);
    assert.equal(f.returnCount, 0);
    assert.ok(Number.isNaN(f.basis)); // the spot mid before the gap is stale
    assert.ok(Number.isNaN(f.correlation));
    assert.ok(Number.isNaN(f.leadLagSteps));
  });
});

describe('FuturesSpot basis mean', () => {
  it('tracks an EW mean of the grid-sampled basis and the deviation from it', () => {
    // Grid 1 s, half-life 1 s: α = 1 − 2^−1 = 1/2. Basis samples 0.0002, 0.0004, 0.0008:
    // mean 0.0002 → 0.0003 → 0.00055.
    const f = new FuturesSpot({ sampleMs: 1000, windowMs: 4000, maxLagMs: 1000, basisHalfLifeMs: 1000 });
    f.updateSpot(0, 1.08);
    f.updateFuture(0, 1.0802);
    assert.ok(Number.isNaN(f.basisMean));
    f.updateFuture(1000, 1.0804); // cell 0 closes: 0.0002
    close(f.basisMean, 0.0002, 1e-15);
    f.updateFuture(2000, 1.0808); // cell 1 closes: 0.0004
    close(f.basisMean, 0.0003, 1e-15);
    f.advance(3000); // cell 2 closes: 0.0008
    close(f.basisMean, 0.00055, 1e-15);
    close(f.basisDeviation, 0.0008 - 0.00055, 1e-15);
  });
});
