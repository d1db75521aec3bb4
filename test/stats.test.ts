import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  autocorrelation,
  type BestLevel,
  blockSums,
  diff,
  excessKurtosis,
  MidResampler,
  mean,
  OfiAccumulator,
  ofiContribution,
  ols,
  type TopOfBook,
} from './stats.js';

const close = (a: number, b: number, eps = 1e-12) => assert.ok(Math.abs(a - b) <= eps, `${a} != ${b}`);

/** A book record with one best level (NaN price = empty side). */
function top(bidPx: number, bidSz: number, askPx: number, askSz: number): TopOfBook {
  return { bidPx: () => bidPx, askPx: () => askPx, bidSz: () => bidSz, askSz: () => askSz };
}

describe('mean and excessKurtosis', () => {
  it('skips non-finite values', () => {
    assert.equal(mean([1, 2, 3, Number.NaN, Number.POSITIVE_INFINITY]), 2);
    assert.ok(Number.isNaN(mean([])));
  });

  it('matches hand-worked moments', () => {
    // 1..5: mean 3, m2 = (4+1+0+1+4)/5 = 2, m4 = (16+1+0+1+16)/5 = 6.8, 6.8/4 − 3 = −1.3.
    close(excessKurtosis([1, 2, 3, 4, 5]), -1.3);
    // Nine 0s and one 10: mean 1, m2 = (9·1 + 81)/10 = 9, m4 = (9·1 + 6561)/10 = 657,
    // 657/81 − 3 = 46/9 (a heavy tail).
    close(excessKurtosis([0, 0, 0, 0, 0, 0, 0, 0, 0, 10, Number.NaN]), 46 / 9);
  });

  it('is NaN for fewer than two values or zero variance', () => {
    assert.ok(Number.isNaN(excessKurtosis([4])));
    assert.ok(Number.isNaN(excessKurtosis([2, 2, 2])));
  });
});

describe('autocorrelation', () => {
  it('matches the hand-worked ACF of 1, 2, 3, 4', () => {
    // Mean 2.5, deviations −1.5 −0.5 0.5 1.5, Σd² = 5; lag 1: 0.75 − 0.25 + 0.75 = 1.25;
    // lag 2: −0.75 − 0.75 = −1.5.
    const r = autocorrelation([1, 2, 3, 4], 2);
    close(r[0], 1);
    close(r[1], 0.25);
    close(r[2], -0.3);
  });

  it('pools segments without pairing values across them', () => {
    // Pooled mean 2, deviations −1 1 | −1 1, Σd² = 4; lag 1 within segments: −1 −1 = −2.
    close(
      autocorrelation(
        [
          [1, 3],
          [1, 3],
        ],
        1,
      )[1],
      -0.5,
    );
    // The same values as one series also pair 3 with the next 1: −3/4.
    close(autocorrelation([1, 3, 1, 3], 1)[1], -0.75);
  });

  it('is NaN for a constant series', () => {
    assert.ok(autocorrelation([5, 5, 5], 1).every(Number.isNaN));
  });
});

describe('ols', () => {
  it('fits an exact line', () => {
    const f = ols([0, 1, 2, 3], [1, 3, 5, 7]);
    close(f.slope, 2);
    close(f.intercept, 1);
    close(f.r2, 1);
    assert.equal(f.n, 4);
  });

  it('matches a hand-worked noisy fit and skips NaN pairs', () => {
    // x 1 2 3, y 1 3 2: dx −1 0 1, dy −1 1 0, Sxx 2, Sxy 1, Syy 2:
    // slope 1/2, intercept 2 − 1 = 1, R² = 1/(2·2).
    const f = ols([1, 2, 3, 4], [1, 3, 2, Number.NaN]);
    close(f.slope, 0.5);
    close(f.intercept, 1);
    close(f.r2, 0.25);
    assert.equal(f.n, 3);
  });

  it('is NaN for a constant regressor and rejects unequal lengths', () => {
    assert.ok(Number.isNaN(ols([1, 1, 1], [1, 2, 3]).slope));
    assert.equal(ols([1, 2, 3], [4, 4, 4]).r2, 0);
    assert.throws(() => ols([1, 2], [1]), {
      name: 'SeriesLengthError',
      code: 'SERIES_LENGTH',
      xLength: 2,
      yLength: 1,
    });
  });
});

describe('diff and blockSums', () => {
  it('differences plain and log series', () => {
    assert.deepEqual(Array.from(diff([1, 2, 4])), [1, 2]);
    close(diff([1, Math.E], true)[0], 1);
    assert.ok(Number.isNaN(diff([Number.NaN, 1])[0]));
    assert.equal(diff([]).length, 0);
  });

  it('sums whole blocks and drops the partial one', () => {
    assert.deepEqual(Array.from(blockSums([1, 2, 3, 4, 5], 2)), [3, 7]);
  });
});

describe('MidResampler', () => {
  it('takes the book as of each grid point and carries it over one-sided books', () => {
    // Grid 1000, 2000, 3000, 4000 ms.
    const m = new MidResampler({ startMs: 1000, stepMs: 1000, count: 4 });
    m.update(1500, top(100, 1, 102, 1)); // mid 101, spread 2
    m.update(2000, top(101, 1, 102, 1)); // stamped at a grid point: after it (mid 101.5)
    m.update(2500, top(101, 1, Number.NaN, 0)); // one-sided: ignored
    m.update(2600, top(103, 1, 102, 1)); // crossed: ignored
    m.finish();
    assert.deepEqual(Array.from(m.mid), [Number.NaN, 101, 101.5, 101.5]);
    assert.deepEqual(Array.from(m.spread), [Number.NaN, 2, 1, 1]);
  });
});

describe('ofiContribution (Cont, Kukanov & Stoikov 2014)', () => {
  const prev: BestLevel = { bidPx: 100, bidSz: 5, askPx: 102, askSz: 7 };
  const cases: [string, BestLevel, number][] = [
    ['bid size added at the same price', { bidPx: 100, bidSz: 8, askPx: 102, askSz: 7 }, 8 - 5],
    ['bid improved', { bidPx: 101, bidSz: 2, askPx: 102, askSz: 7 }, 2],
    ['bid level depleted', { bidPx: 99, bidSz: 4, askPx: 102, askSz: 7 }, -5],
    ['ask level lifted', { bidPx: 100, bidSz: 5, askPx: 103, askSz: 6 }, 7],
    ['ask improved', { bidPx: 100, bidSz: 5, askPx: 101, askSz: 3 }, -3],
    ['buy trade takes 3 of 7 at the ask', { bidPx: 100, bidSz: 5, askPx: 102, askSz: 4 }, -4 + 7],
    ['both sides change', { bidPx: 101, bidSz: 2, askPx: 101.5, askSz: 1 }, 2 - 1],
  ];
  for (const [name, cur, e] of cases) it(name, () => assert.equal(ofiContribution(prev, cur), e));
});

describe('OfiAccumulator', () => {
  it('sums e_n into half-open intervals and restarts after an invalid book', () => {
    const acc = new OfiAccumulator({ startMs: 0, stepMs: 10, count: 2 });
    acc.update(1, top(100, 5, 102, 7)); // first state: nothing to compare with
    acc.update(3, top(100, 8, 102, 7)); // +3 into [0, 10)
    acc.update(10, top(101, 2, 102, 7)); // +2 into [10, 20)
    acc.update(12, top(101, 2, Number.NaN, 0)); // one-sided: skipped, state reset
    acc.update(13, top(101, 2, 102, 1)); // fresh state, no contribution
    acc.update(15, top(101, 2, 102, 4)); // ask −4 + 1 = −3 into [10, 20)
    acc.update(25, top(101, 9, 102, 4)); // outside the grid
    assert.deepEqual(Array.from(acc.ofi), [3, -1]);
  });
});
