import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  bootstrap,
  bootstrapDifference,
  bootstrapRatioDifference,
  maxDrawdown,
  mean,
  meanStd,
  sharpe,
  sortino,
  tradeStats,
  wilsonInterval,
  winRateVsBreakEven,
} from './metrics.js';

const close = (a: number, b: number, what: string, tol = 1e-9) =>
  assert.ok(Math.abs(a - b) < tol, `${what}: ${a} vs ${b}`);

describe('return ratios', () => {
  test('Sharpe: mean over the sample deviation, times √252 for daily P&L', () => {
    // [1, 2, 3]: mean 2, sample deviation 1.
    close(sharpe([1, 2, 3], 252), 2 * Math.sqrt(252), 'daily');
    close(sharpe([1, 2, 3]), 2, 'per trade');
    assert.equal(sharpe([5, 5, 5]), 0, 'no deviation');
    assert.ok(Number.isNaN(sharpe([])));
    assert.ok(Number.isNaN(sharpe([3])), 'one period has no deviation to speak of');
    assert.ok(Number.isNaN(sortino([-3])));
  });

  test('Sortino: mean over the downside deviation √(Σ min(r, 0)² / n)', () => {
    // [2, −1, 3]: mean 4/3; downside √(1/3).
    close(sortino([2, -1, 3], 252), (4 / 3 / Math.sqrt(1 / 3)) * Math.sqrt(252), 'sortino');
    assert.equal(sortino([1, 2]), Number.POSITIVE_INFINITY, 'no losing period');
  });

  test('mean and sample deviation', () => {
    const m = meanStd([2, 4, 4, 4, 5, 5, 7, 9]);
    close(m.mean, 5, 'mean');
    close(m.std, Math.sqrt(32 / 7), 'std'); // Σ(x − 5)² = 32
  });
});

describe('trades', () => {
  test('win rate, profit factor and expectancy', () => {
    const s = tradeStats([30, -10, 20, 0, -20]);
    close(s.winRate, 2 / 5, 'win rate'); // 0 is not a win
    close(s.profitFactor, 50 / 30, 'profit factor');
    close(s.expectancy, 20 / 5, 'expectancy');
    assert.equal(tradeStats([5, 1]).profitFactor, Number.POSITIVE_INFINITY);
  });
});

describe('drawdown', () => {
  test('the deepest fall from a running peak, and how long until a new high', () => {
    const curve = [0, 10, 4, 12, 6, 6, 13, 11].map((equity, i) => ({ tsNs: BigInt(i * 100), equity }));
    const d = maxDrawdown(curve);
    // 10 → 4 is 6 deep; 12 → 6 is 6 deep too: the first found stays (a deeper one would replace it).
    assert.equal(d.depth, 6);
    assert.deepEqual([d.peakNs, d.troughNs, d.recoveredNs, d.durationNs], [100n, 200n, 300n, 200n]);
    const never = maxDrawdown([5, 9, 2, 3].map((equity, i) => ({ tsNs: BigInt(i), equity })));
    assert.deepEqual([never.depth, never.peakNs, never.recoveredNs, never.durationNs], [7, 1n, null, 2n]);
  });
});

describe('bootstrap intervals', () => {
  test('a constant sample has the constant as its interval; a single value is noise', () => {
    const ci = bootstrap([3, 3, 3, 3], mean);
    assert.deepEqual([ci.estimate, ci.low, ci.high, ci.noise], [3, 3, 3, false]);
    assert.equal(bootstrap([3], mean).noise, true);
  });

  test('two values 0 and 1: the mean of a resample is 0, ½ or 1, so the 95 % interval is [0, 1], noise', () => {
    const ci = bootstrap([0, 1], mean, { resamples: 4_000, seed: 7 });
    assert.deepEqual([ci.estimate, ci.low, ci.high, ci.noise], [0.5, 0, 1, true]);
  });

  test('a difference of means: constant samples give the exact difference; overlapping ones are noise', () => {
    const d = bootstrapDifference([5, 5, 5], [2, 2]);
    assert.deepEqual([d.estimate, d.low, d.high, d.noise], [3, 3, 3, false]);
    const n = bootstrapDifference([0, 1], [0, 1], { seed: 4 });
    // Each side's resampled mean is 0, ½ or 1: the difference spans [−1, 1] at 95 %.
    assert.deepEqual([n.estimate, n.low, n.high, n.noise], [0, -1, 1, true]);
  });

  test('a difference of ratios of sums: P&L per contract, resampled by round trip', () => {
    // a: +10 on 2 contracts and −4 on 2: 6 / 4 = 1.5 a contract; b: +3 on 1. A resample of a is
    // (10 + 10) / 4 = 5, (−4 − 4) / 4 = −2 (a quarter of the time each) or 1.5, so the difference
    // to b's 3 spans [−5, 2] at 95 %: noise.
    const a = [
      { num: 10, den: 2 },
      { num: -4, den: 2 },
    ];
    const d = bootstrapRatioDifference(a, [{ num: 3, den: 1 }], { resamples: 4_000, seed: 2 });
    assert.deepEqual([d.estimate, d.low, d.high, d.noise], [-1.5, -5, 2, true]);
    // Sizes weigh: 100 on 10 contracts and 0 on 1 is 100/11 a contract, not the mean trade's 50.
    const w = bootstrapRatioDifference(
      [
        { num: 100, den: 10 },
        { num: 0, den: 1 },
      ],
      [{ num: 0, den: 5 }],
      { resamples: 10, seed: 1 },
    );
    assert.equal(w.estimate, 100 / 11);
    assert.ok(Number.isNaN(bootstrapRatioDifference([], a).low));
  });

  test("Wilson's interval: 8 of 10 is [0.490, 0.943], 0 of 10 is [0, 0.278]", () => {
    // Worked by hand from p̂ = 0.8, n = 10, z = 1.96: centre (0.8 + z²/20) / (1 + z²/10) = 0.7167,
    // half-width z·√(0.016 + z²/400) / (1 + z²/10) = 0.2266 (Newcombe 1998, table I, lists the same).
    const a = wilsonInterval(8, 10);
    assert.ok(Math.abs(a.low - 0.4902) < 5e-4 && Math.abs(a.high - 0.9433) < 5e-4, JSON.stringify(a));
    const b = wilsonInterval(0, 10);
    assert.equal(b.low, 0);
    assert.ok(Math.abs(b.high - 0.2775) < 5e-4, JSON.stringify(b));
    assert.ok(Number.isNaN(wilsonInterval(0, 0).low));
  });

  test('a win rate beside its break-even: 2 wins of 10 USD and 3 losses of 5 break even at 1/3', () => {
    const w = winRateVsBreakEven([10, -5, 10, -5, -5]);
    assert.equal(w.trades, 5);
    assert.equal(w.wins, 2);
    assert.equal(w.winRate, 0.4);
    assert.equal(w.breakEven, 5 / 15);
    assert.equal(w.expectancy, 1);
    assert.equal(w.edge, 'none');
    // 50 wins of 10 and 50 losses of 5: the win rate's interval [0.404, 0.596] lies above 1/3
    // (40 of 100, [0.309, 0.498], would not).
    const many = winRateVsBreakEven([...Array(50).fill(10), ...Array(50).fill(-5)]);
    assert.equal(winRateVsBreakEven([...Array(40).fill(10), ...Array(60).fill(-5)]).edge, 'none');
    assert.ok(many.low > 1 / 3, `${many.low}`);
    assert.equal(many.edge, 'above');
    // 20 wins of 5 and 80 losses of 5: [0.133, 0.289] lies below the break-even ½.
    assert.equal(winRateVsBreakEven([...Array(20).fill(5), ...Array(80).fill(-5)]).edge, 'below');
  });

  test('the same seed gives the same interval; a clearly positive sample is not noise', () => {
    const xs = Array.from({ length: 50 }, (_, i) => 1 + (i % 7) - 3 + 2);
    assert.deepEqual(bootstrap(xs, mean, { seed: 3 }), bootstrap(xs, mean, { seed: 3 }));
    assert.equal(bootstrap(xs, mean).noise, false);
  });
});
