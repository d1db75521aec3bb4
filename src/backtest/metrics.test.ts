import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  bootstrap,
  bootstrapDifference,
  maxDrawdown,
  mean,
  meanStd,
  sharpe,
  sortino,
  tradeStats,
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

  test('the same seed gives the same interval; a clearly positive sample is not noise', () => {
    const xs = Array.from({ length: 50 }, (_, i) => 1 + (i % 7) - 3 + 2);
    assert.deepEqual(bootstrap(xs, mean, { seed: 3 }), bootstrap(xs, mean, { seed: 3 }));
    assert.equal(bootstrap(xs, mean).noise, false);
  });
});
