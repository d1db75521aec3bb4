import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { pearson } from '../../../test/stats.js';
import { Random } from '../../core/index.js';
import { BasisStudy, type BasisStudyOptions } from './basis-study.js';

const close = (a: number, b: number, eps = 1e-9) => assert.ok(Math.abs(a - b) <= eps, `${a} != ${b}`);

/** Wednesday 4 March 2026, 14:00 UTC: Globex open, the London–New York overlap. */
const T0 = Date.parse('2026-03-04T14:00:00Z');

/** Prices whose successive log returns are `r` (first price `start`). */
function pricesFrom(start: number, r: readonly number[]): number[] {
  const out = [start];
  for (const x of r) out.push(out[out.length - 1] * Math.exp(x));
  return out;
}

/**
 * A study fed one future and one spot mid per grid cell (at 10 and 20 ms into cell k, k from 0),
 * then moved past the last cell so every cell is closed.
 */
function fed(opts: BasisStudyOptions, F: readonly number[], S: readonly number[], t0 = T0): BasisStudy {
  const step = opts.sampleMs ?? 100;
  const s = new BasisStudy(opts);
  for (let k = 0; k < F.length; k++) {
    s.updateFuture(t0 + k * step + 10, F[k]);
    s.updateSpot(t0 + k * step + 20, S[k]);
  }
  s.advance(t0 + F.length * step);
  return s;
}

/** Gaussian log returns of a standard deviation of 1e-4. */
function randomReturns(rnd: Random, n: number): number[] {
  return Array.from({ length: n }, () => 1e-4 * rnd.normal());
}

describe('BasisStudy: correlation per horizon', () => {
  it('gives Pearson correlations worked by hand at 1 s (19/26) and 2 s (1/2)', () => {
    // 1 s log returns (×1e-3): F (0, .5, .5, 1, 1, 1.5, 1.5), S (0, .5, .5, 1.5, 1.5, 1, 1).
    // Σx = Σy = 6, Σx² = Σy² = 7, Σxy = 6.5, n = 7: cov·n = 6.5 − 36/7 = 9.5/7, var·n = 7 − 36/7
    // = 13/7, so ρ = 9.5/13 = 19/26. The 2 s returns run between the samples at even seconds
    // (cells 1, 3, 5, 7 end there): F (1, 2, 3), S (1, 3, 2) → deviations (−1, 0, 1) and
    // (−1, 1, 0): ρ = 1/2.
    const rf = [0, 0.5, 0.5, 1, 1, 1.5, 1.5].map((v) => v * 1e-3);
    const rs = [0, 0.5, 0.5, 1.5, 1.5, 1, 1].map((v) => v * 1e-3);
    const s = fed(
      { sampleMs: 1000, horizonsMs: [1000, 2000], maxLagMs: 0 },
      pricesFrom(1.16, rf),
      pricesFrom(1.15, rs),
    );
    const [h1, h2] = s.summary().horizons;
    assert.equal(h1.horizonMs, 1000);
    assert.equal(h1.returns, 7);
    close(h1.correlation, 19 / 26, 1e-9);
    assert.equal(h2.horizonMs, 2000);
    assert.equal(h2.returns, 3);
    close(h2.correlation, 0.5, 1e-9);
  });

  it('compares the future with 1/spot for 6J (USD per JPY against USD/JPY)', () => {
    // The same returns as above for F and for 1/S, the spot quoted as USD/JPY.
    const rf = [0, 0.5, 0.5, 1, 1, 1.5, 1.5].map((v) => v * 1e-3);
    const rs = [0, 0.5, 0.5, 1.5, 1.5, 1, 1].map((v) => v * 1e-3);
    const inv = pricesFrom(1 / 155, rs);
    const s = fed(
      { sampleMs: 1000, horizonsMs: [1000], maxLagMs: 0, invertSpot: true },
      pricesFrom(0.00645, rf),
      inv.map((p) => 1 / p),
    );
    close(s.summary().horizons[0].correlation, 19 / 26, 1e-9);
  });

  it('is NaN with fewer than three returns or a leg that never moves', () => {
    const two = fed({ sampleMs: 1000, horizonsMs: [1000] }, [1.16, 1.161, 1.162], [1.15, 1.151, 1.15]);
    assert.equal(two.summary().horizons[0].returns, 2);
    assert.ok(Number.isNaN(two.summary().horizons[0].correlation));
    const flat = fed(
      { sampleMs: 1000, horizonsMs: [1000] },
      [1.16, 1.161, 1.162, 1.16],
      [1.15, 1.15, 1.15, 1.15],
    );
    assert.equal(flat.summary().horizons[0].returns, 3);
    assert.ok(Number.isNaN(flat.summary().horizons[0].correlation));
  });
});

describe('BasisStudy: lead–lag', () => {
  const rnd = new Random(11);
  const x = randomReturns(rnd, 600);

  for (const k of [3, 7, -4]) {
    it(`finds a spot that repeats the future ${k} grid steps later at lag ${k} with ρ = 1`, () => {
      // The spot at cell t is 0.999 times the future at cell t − k (held at the first or last
      // price beyond the ends; k < 0: the spot moves first). Cell u's return is x[u − 1] for the
      // future, so the spot's return at u is the future's at u − k wherever u − k is a return of
      // the future (1 … 600): the 600 − |k| pairs at lag k are equal pairs, ρ = 1.
      const F = pricesFrom(1.16, x);
      const S = F.map((_, t) => 0.999 * F[Math.max(0, Math.min(F.length - 1, t - k))]);
      const s = fed({ sampleMs: 100, maxLagMs: 1000 }, F, S).summary();
      assert.ok(s.leadLag);
      assert.equal(s.leadLag.lagMs, k * 100);
      close(s.leadLag.correlation, 1, 1e-12);
      assert.equal(s.leadLag.pairs, 600 - Math.abs(k));
      const at0 = s.crossCorrelation.find((c) => c.lagMs === 0);
      assert.ok(at0 && Math.abs(at0.correlation) < 0.15, `ρ(0) ${at0?.correlation}`);
      assert.equal(s.crossCorrelation.length, 21);
      assert.deepEqual(
        s.crossCorrelation.map((c) => c.lagMs),
        Array.from({ length: 21 }, (_, i) => (i - 10) * 100),
      );
    });
  }

  it('measures the lag in the inverted spot of 6J', () => {
    const F = pricesFrom(0.00645, x);
    // USD/JPY follows 1/F two steps late.
    const S = F.map((_, t) => 1 / F[Math.max(0, t - 2)]);
    const s = fed({ sampleMs: 100, maxLagMs: 500, invertSpot: true }, F, S).summary();
    assert.equal(s.leadLag?.lagMs, 200);
    close(s.leadLag?.correlation ?? 0, 1, 1e-12);
  });

  it('agrees with a direct Pearson at every lag', () => {
    const y = randomReturns(rnd, 600).map((v, i) => v + (i >= 2 ? 0.5 * x[i - 2] : 0));
    const s = fed({ sampleMs: 100, maxLagMs: 500 }, pricesFrom(1.16, x), pricesFrom(1.15, y)).summary();
    for (const c of s.crossCorrelation) {
      const l = c.lagMs / 100;
      // Pairs (rF_{u−l}, rS_u) over the returns u where both exist.
      const xs: number[] = [];
      const ys: number[] = [];
      for (let u = 0; u < 600; u++) {
        if (u - l < 0 || u - l >= 600) continue;
        xs.push(x[u - l]);
        ys.push(y[u]);
      }
      assert.equal(c.pairs, xs.length, `pairs at ${c.lagMs} ms`);
      close(c.correlation, pearson(xs, ys), 1e-9);
    }
    assert.equal(s.leadLag?.lagMs, 200);
  });

  it('finds no correlation between independent series', () => {
    const r2 = new Random(12);
    const n = 20_000;
    const a = randomReturns(r2, n);
    const b = randomReturns(r2, n);
    const s = fed({ sampleMs: 100, maxLagMs: 1000 }, pricesFrom(1.16, a), pricesFrom(1.15, b)).summary();
    // Under independence ρ̂ is about N(0, 1/n): 4.5 standard deviations is 0.032 at n = 20,000.
    const bound = 4.5 / Math.sqrt(n);
    for (const c of s.crossCorrelation)
      assert.ok(Math.abs(c.correlation) < bound, `ρ(${c.lagMs}) ${c.correlation}`);
    for (const h of s.horizons) {
      const b2 = 4.5 / Math.sqrt(h.returns);
      assert.ok(Math.abs(h.correlation) < b2, `${h.horizonMs} ms: ρ ${h.correlation} over ${h.returns}`);
    }
  });
});

describe('BasisStudy: gaps', () => {
  const rf = [1, -2, 0.5, 1.5, -1, 0.3, 2, -0.5, 1, -1.5].map((v) => v * 1e-4);
  const rs = [0.8, -1.5, 0.7, 1, -0.6, 0.1, 1.7, -0.2, 0.6, -1].map((v) => v * 1e-4);

  it('takes no return across a silence of both streams longer than maxGapMs', () => {
    // Cells 0–5, two minutes of silence, then cells 0–5 again after a jump of 1 % in both legs:
    // 5 + 5 one-second returns, not 11, and their correlation is that of those ten pairs.
    const F = pricesFrom(1.16, rf);
    const S = pricesFrom(1.15, rs);
    const s = new BasisStudy({ sampleMs: 1000, horizonsMs: [1000], maxLagMs: 0, maxGapMs: 60_000 });
    const after = T0 + 180_000;
    for (const [t0, scale] of [
      [T0, 1],
      [after, 1.01],
    ]) {
      for (let k = 0; k < 6; k++) {
        s.updateFuture(t0 + k * 1000 + 10, F[k] * scale);
        s.updateSpot(t0 + k * 1000 + 20, S[k] * scale);
      }
    }
    s.advance(after + 6000);
    const sum = s.summary();
    assert.equal(sum.horizons[0].returns, 10);
    close(
      sum.horizons[0].correlation,
      pearson([...rf.slice(0, 5), ...rf.slice(0, 5)], [...rs.slice(0, 5), ...rs.slice(0, 5)]),
    );
    assert.equal(sum.breaks, 1);
    assert.equal(sum.samples, 12);
  });

  it('takes no return across a leg that is silent longer than maxGapMs while the other moves', () => {
    // The future is silent for 100 s (the CME break, say) while the spot quotes every second: the
    // samples from 60 s after the future's last mid until it quotes again are invalid.
    const s = new BasisStudy({ sampleMs: 1000, horizonsMs: [1000], maxLagMs: 0, maxGapMs: 60_000 });
    const F = pricesFrom(1.16, rf);
    for (let k = 0; k < 120; k++) {
      const t = T0 + k * 1000;
      if (k < 6 || k >= 106) s.updateFuture(t + 10, F[k < 6 ? k : k - 100]);
      s.updateSpot(t + 20, 1.15 + (k % 3) * 1e-4);
    }
    s.advance(T0 + 120_000);
    // Cell k ends at k + 1 s and the future's last mid is at 5.01 s: the sample at the end of
    // cell 64 (65 s) is 59.99 s old, that of cell 65 (66 s) 60.99 s, too old. Cells 0–64 are
    // valid, and 106–119 again: 65 + 14 samples, 64 + 13 returns (none from 64 to 106).
    const sum = s.summary();
    assert.equal(sum.samples, 65 + 14);
    assert.equal(sum.horizons[0].returns, 64 + 13);
    assert.equal(sum.breaks, 1);
  });

  it('counts a silence only when it interrupts the counted samples', () => {
    // Cells 0–5, two minutes of silence, cells 0–5 again; counting from the second block on, the
    // silence before it is no break and only the second block's 6 samples and 5 returns count.
    const F = pricesFrom(1.16, rf);
    const S = pricesFrom(1.15, rs);
    const after = T0 + 180_000;
    const s = new BasisStudy({ sampleMs: 1000, horizonsMs: [1000], maxLagMs: 0, fromMs: after });
    for (const t0 of [T0, after]) {
      for (let k = 0; k < 6; k++) {
        s.updateFuture(t0 + k * 1000 + 10, F[k]);
        s.updateSpot(t0 + k * 1000 + 20, S[k]);
      }
    }
    s.advance(after + 6000);
    const sum = s.summary();
    assert.equal(sum.breaks, 0);
    assert.equal(sum.samples, 6);
    assert.equal(sum.horizons[0].returns, 5);
  });

  it('counts only the cells from fromMs on', () => {
    const F = pricesFrom(1.16, rf);
    const S = pricesFrom(1.15, rs);
    const s = fed({ sampleMs: 1000, horizonsMs: [1000], maxLagMs: 0, fromMs: T0 + 4000 }, F, S);
    // Cells 4–10 are counted; their returns are rf[3..9] (cell k's return is rf[k − 1]).
    const sum = s.summary();
    assert.equal(sum.samples, 7);
    assert.equal(sum.horizons[0].returns, 7);
    close(sum.horizons[0].correlation, pearson(rf.slice(3), rs.slice(3)));
    assert.equal(sum.firstMs, T0 + 4000);
    assert.equal(sum.lastMs, T0 + 11_000);
  });
});

describe('BasisStudy: basis per trading date and session', () => {
  it('gives count, mean, sample std, min and max per FX session, in price units', () => {
    // 4 March 2026, 07:58–08:02 UTC (UK on GMT): Tokyo only until 08:00, then London opens.
    // Future 1.1620 throughout; spot 1.1618 before 08:00 (basis 0.0002), then alternately
    // 1.1619 and 1.1617 (basis 0.0001 and 0.0003). One sample a second.
    const t0 = Date.parse('2026-03-04T07:58:00Z');
    const F: number[] = [];
    const S: number[] = [];
    for (let k = 0; k < 240; k++) {
      F.push(1.162);
      S.push(k < 120 ? 1.1618 : k % 2 === 0 ? 1.1619 : 1.1617);
    }
    const rows = fed({ sampleMs: 1000, maxLagMs: 0 }, F, S, t0).summary().basis;
    assert.deepEqual(
      rows.map((r) => [r.date, r.session, r.samples]),
      [
        ['2026-03-04', 'tokyo', 120],
        ['2026-03-04', 'london', 120],
      ],
    );
    close(rows[0].mean, 0.0002, 1e-12);
    close(rows[0].std, 0, 1e-12);
    close(rows[0].min, 0.0002, 1e-12);
    close(rows[0].max, 0.0002, 1e-12);
    // 60 samples of 0.0001 and 60 of 0.0003: mean 0.0002, each 0.0001 from it, so the sample
    // variance is 120 · 1e-8 / 119.
    close(rows[1].mean, 0.0002, 1e-12);
    close(rows[1].std, Math.sqrt((120 * 1e-8) / 119), 1e-12);
    close(rows[1].min, 0.0001, 1e-12);
    close(rows[1].max, 0.0003, 1e-12);
  });

  it('is F − 1/S for 6J, dated by the CME trading day, and left out of the daily break', () => {
    // 3 March 2026 (US on CST, UTC−6): Globex closes at 22:00 UTC and reopens at 23:00 UTC for
    // trading date 4 March. Mids every second from 21:59:00 to 22:00:29, then from 23:00:00 to
    // 23:00:59. 21:59 UTC is 16:59 in New York (open) and 08:59 in Sydney: "new_york" of 3 March.
    // 22:00:00–22:00:29 is still valid (the mids are seconds old) but has no trading date.
    // 23:00 UTC is 10:00 in Sydney, New York closed: "sydney" of 4 March.
    const s = new BasisStudy({ sampleMs: 1000, maxLagMs: 0, invertSpot: true });
    const feed = (from: string, seconds: number, fut: number, usdJpy: number) => {
      const t0 = Date.parse(from);
      for (let k = 0; k < seconds; k++) {
        s.updateFuture(t0 + k * 1000 + 10, fut);
        s.updateSpot(t0 + k * 1000 + 20, usdJpy);
      }
    };
    feed('2026-03-03T21:59:00Z', 90, 0.0065, 155);
    feed('2026-03-03T23:00:00Z', 60, 0.0064, 156);
    s.advance(Date.parse('2026-03-03T23:01:00Z'));
    const sum = s.summary();
    assert.equal(sum.samples, 150);
    assert.equal(sum.breaks, 1);
    assert.deepEqual(
      sum.basis.map((r) => [r.date, r.session, r.samples]),
      [
        ['2026-03-03', 'new_york', 60],
        ['2026-03-04', 'sydney', 60],
      ],
    );
    close(sum.basis[0].mean, 0.0065 - 1 / 155, 1e-15);
    close(sum.basis[1].mean, 0.0064 - 1 / 156, 1e-15);
  });
});
