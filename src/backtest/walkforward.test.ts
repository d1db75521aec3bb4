import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { BacktestMetrics } from './results.js';
import { bestIndex, gridPoints, outOfSample, parseAxis, score, walkForwardFolds } from './walkforward.js';

const DAYS = ['2026-11-23', '2026-11-24', '2026-11-25', '2026-11-26', '2026-11-27', '2026-11-30'];

/** Metrics with the fields the walk-forward reads; the rest do not matter here. */
function metrics(m: Partial<BacktestMetrics>): BacktestMetrics {
  return {
    pnl: 0,
    trades: 0,
    winRate: Number.NaN,
    sharpeDaily: Number.NaN,
    expectancy: Number.NaN,
    profitFactor: Number.NaN,
    days: [],
    ...m,
  } as BacktestMetrics;
}

describe('walk-forward folds', () => {
  test('a rolling window: train 3, test 1 over 6 days gives 3 folds, each tested on the day after its training', () => {
    const folds = walkForwardFolds(DAYS, 3, 1);
    assert.deepEqual(
      folds.map((f) => [f.train, f.test]),
      [
        [DAYS.slice(0, 3), [DAYS[3]]],
        [DAYS.slice(1, 4), [DAYS[4]]],
        [DAYS.slice(2, 5), [DAYS[5]]],
      ],
    );
    assert.deepEqual(
      folds.map((f) => f.index),
      [0, 1, 2],
    );
  });

  test('test spans of 2 step by 2; a last span too short for a whole test is left out', () => {
    // Days 0-1 train, 2-3 test; days 2-3 train, 4-5 test; nothing left for a third fold.
    assert.deepEqual(
      walkForwardFolds(DAYS, 2, 2).map((f) => [f.train, f.test]),
      [
        [DAYS.slice(0, 2), DAYS.slice(2, 4)],
        [DAYS.slice(2, 4), DAYS.slice(4, 6)],
      ],
    );
    // 6 days, train 2, test 3: one fold (days 2-4), day 5 alone cannot make a second.
    assert.equal(walkForwardFolds(DAYS, 2, 3).length, 1);
  });

  test('anchored: every fold trains from the first day', () => {
    assert.deepEqual(
      walkForwardFolds(DAYS, 2, 2, true).map((f) => f.train),
      [DAYS.slice(0, 2), DAYS.slice(0, 4)],
    );
  });

  test('no fold is tested on a day it trained on', () => {
    for (const [train, test, anchored] of [
      [1, 1, false],
      [3, 2, true],
      [4, 1, false],
    ] as const) {
      for (const f of walkForwardFolds(DAYS, train, test, anchored)) {
        assert.ok(
          f.train.every((d) => d < f.test[0]),
          `${f.train} before ${f.test}`,
        );
      }
    }
  });

  test('too few days: no fold; bad spans and unordered days are errors', () => {
    assert.deepEqual(walkForwardFolds(DAYS.slice(0, 3), 3, 1), []);
    assert.throws(() => walkForwardFolds(DAYS, 0, 1), /--train must be a positive integer, got 0/);
    assert.throws(() => walkForwardFolds(DAYS, 2, 1.5), /--test must be a positive integer, got 1.5/);
    assert.throws(() => walkForwardFolds([DAYS[1], DAYS[0]], 1, 1), /increasing order/);
  });
});

describe('grids', () => {
  test('every combination, the first axis slowest', () => {
    assert.deepEqual(
      gridPoints([
        { path: 'a.x', values: [1, 2] },
        { path: 'b', values: ['p', 'q', 'r'] },
      ]),
      [
        { 'a.x': 1, b: 'p' },
        { 'a.x': 1, b: 'q' },
        { 'a.x': 1, b: 'r' },
        { 'a.x': 2, b: 'p' },
        { 'a.x': 2, b: 'q' },
        { 'a.x': 2, b: 'r' },
      ],
    );
    assert.deepEqual(gridPoints([]), [{}]);
    assert.throws(
      () =>
        gridPoints([
          { path: 'a', values: [1] },
          { path: 'a', values: [2] },
        ]),
      /each configuration path once/,
    );
  });

  test('--param PATH=V1,V2 reads numbers, booleans and words', () => {
    assert.deepEqual(parseAxis('decide.vpinThreshold=0.7, 0.8,1e0'), {
      path: 'decide.vpinThreshold',
      values: [0.7, 0.8, 1],
    });
    assert.deepEqual(parseAxis('execution.entry.type=market,limit'), {
      path: 'execution.entry.type',
      values: ['market', 'limit'],
    });
    assert.deepEqual(parseAxis('simulate.mbo=true,false').values, [true, false]);
    assert.throws(() => parseAxis('=1,2'), /--param must be PATH=V1,V2/);
    assert.throws(() => parseAxis('decide..x=1'), /--param must be PATH=V1,V2/);
    assert.throws(() => parseAxis('decide.x=1,,2'), /--param decide.x must be a comma-separated list/);
  });
});

describe('objectives', () => {
  const m = metrics({ pnl: -12.5, sharpeDaily: 1.25, expectancy: -0.5, profitFactor: 0.8, trades: 25 });

  test('each objective reads its metric', () => {
    assert.equal(score(m, 'pnl'), -12.5);
    assert.equal(score(m, 'sharpe'), 1.25);
    assert.equal(score(m, 'expectancy'), -0.5);
    assert.equal(score(m, 'profit-factor'), 0.8);
  });

  test('a point that never traded: P&L 0, ratios it does not have rank last', () => {
    const idle = metrics({ pnl: 0 });
    assert.equal(score(idle, 'pnl'), 0);
    assert.equal(score(idle, 'sharpe'), Number.NEGATIVE_INFINITY);
    assert.equal(bestIndex([score(m, 'sharpe'), score(idle, 'sharpe')]), 0);
    // Not trading beats losing on P&L.
    assert.equal(bestIndex([score(m, 'pnl'), score(idle, 'pnl')]), 1);
  });

  test('the best index; ties go to the earlier point', () => {
    assert.equal(bestIndex([1, 3, 2]), 1);
    assert.equal(bestIndex([2, 5, 5, 1]), 1);
    assert.equal(bestIndex([Number.NEGATIVE_INFINITY, Number.NEGATIVE_INFINITY]), 0);
    assert.equal(bestIndex([]), -1);
  });
});

describe('out of sample', () => {
  test('each test day once, the total of their P&L, wins from each fold', () => {
    const folds = [
      { metrics: metrics({ days: [{ date: DAYS[3], pnl: 100 }], trades: 4, winRate: 0.75 }) },
      { metrics: metrics({ days: [{ date: DAYS[4], pnl: -40 }], trades: 0 }) },
      { metrics: metrics({ days: [{ date: DAYS[5], pnl: 10 }], trades: 5, winRate: 0.4 }) },
    ];
    const x = outOfSample(folds);
    assert.deepEqual(
      x.days.map((d) => d.date),
      DAYS.slice(3),
    );
    // 100 - 40 + 10 = 70; wins 3 + 0 + 2 of 9 round trips.
    assert.equal(x.total.estimate, 70);
    assert.equal(x.trades, 9);
    assert.equal(x.wins, 5);
    // Resampling three days: the interval spans 3 × the worst day to 3 × the best.
    assert.ok(x.total.low >= -120 && x.total.high <= 300, `${x.total.low} … ${x.total.high}`);
    assert.ok(x.total.low <= 70 && x.total.high >= 70);
  });
});
