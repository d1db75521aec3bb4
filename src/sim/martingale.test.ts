import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Random } from '../core/index.js';
import { ASK, BID, type EngineOutput, MatchingEngine, Owner } from './engine.js';
import { martingaleSteps, poisson, recentre } from './martingale.js';

/** Records the engine's MBO actions as "C A 1001 5". */
class Log implements EngineOutput {
  lines: string[] = [];
  mbo(_e: MatchingEngine, _id: number, side: number, tick: number, size: number, action: number): void {
    this.lines.push(`${String.fromCharCode(action)} ${side === BID ? 'B' : 'A'} ${tick} ${size}`);
  }
  trade(): void {}
}

describe('martingale mid', () => {
  it('poisson draws have the mean and variance λ', () => {
    // n draws: the sample mean's standard error is √(λ/n); 4 of them bound it.
    const rnd = new Random(7);
    for (const lambda of [0.01, 0.7, 12]) {
      const n = 200_000;
      let s = 0;
      let s2 = 0;
      for (let i = 0; i < n; i++) {
        const k = poisson(rnd, lambda);
        s += k;
        s2 += k * k;
      }
      const m = s / n;
      const v = s2 / n - m * m;
      assert.ok(Math.abs(m - lambda) < 4 * Math.sqrt(lambda / n), `λ ${lambda}: mean ${m}`);
      // Var of the sample variance ≈ (μ4 − σ⁴)/n, μ4 = λ + 3λ² for a Poisson.
      assert.ok(
        Math.abs(v - lambda) < 4 * Math.sqrt((lambda + 2 * lambda * lambda) / n),
        `λ ${lambda}: var ${v}`,
      );
    }
    assert.equal(poisson(rnd, 0), 0);
  });

  it('steps of a minute have mean 0 and variance σ² ticks², and are uncorrelated', () => {
    const rnd = new Random(11);
    const sigma = 2.4;
    const n = 100_000;
    let s = 0;
    let s2 = 0;
    let sxy = 0;
    let prev = 0;
    for (let i = 0; i < n; i++) {
      // A minute in ten steps of 0.1 minute, as events arrive between the steps.
      let x = 0;
      for (let j = 0; j < 10; j++) x += martingaleSteps(rnd, sigma, 0.1);
      s += x;
      s2 += x * x;
      sxy += x * prev;
      prev = x;
    }
    const v = sigma * sigma;
    assert.ok(Math.abs(s / n) < 4 * Math.sqrt(v / n), `mean ${s / n}`);
    assert.ok(Math.abs(s2 / n - v) < 0.05 * v, `variance ${s2 / n}, σ² ${v}`);
    assert.ok(Math.abs(sxy / n / v) < 4 / Math.sqrt(n), `lag-1 correlation ${sxy / n / v}`);
  });

  it('recentres the book: cancels what a step passed, refills an empty touch', () => {
    const log = new Log();
    const e = new MatchingEngine(1, 100, log, { next: 1 }, 64);
    e.add(BID, 99, 4, Owner.NOISE);
    e.add(BID, 98, 6, Owner.NOISE);
    e.add(ASK, 100, 3, Owner.NOISE);
    e.add(ASK, 100, 2, Owner.MAKER);
    e.add(ASK, 101, 5, Owner.NOISE);
    e.add(ASK, 103, 7, Owner.WALL);
    log.lines = [];
    // The value steps two ticks up, to 101.5: bid 101, ask 102. The asks at 100 and 101 are
    // passed (newest first), the bid touch is refilled at 101, and the ask at 102.
    recentre(e, 101.5, new Random(3), 3);
    assert.deepEqual(log.lines.slice(0, 3), ['C A 100 2', 'C A 100 3', 'C A 101 5']);
    assert.equal(log.lines.length, 5);
    assert.match(log.lines[3], /^A B 101 \d+$/);
    assert.match(log.lines[4], /^A A 102 \d+$/);
    assert.equal(e.bestBid, 101);
    assert.equal(e.bestAsk, 102);
    assert.equal(e.sizeAt(99), 4);
    assert.equal(e.sizeAt(103), 7);
    // In place, nothing happens; a bid touch emptied by a trade is refilled at the same price.
    log.lines = [];
    recentre(e, 101.5, new Random(3), 3);
    assert.deepEqual(log.lines, []);
    e.aggress(ASK, e.sizeAt(101), 101);
    log.lines = [];
    recentre(e, 101.5, new Random(3), 3);
    assert.equal(log.lines.length, 1);
    assert.match(log.lines[0], /^A B 101 \d+$/);
    // A step down across the bid cancels the bids it passes; the ask touch follows.
    const refilled = e.sizeAt(101);
    log.lines = [];
    recentre(e, 98.5, new Random(3), 3);
    assert.deepEqual(log.lines.slice(0, 2), [`C B 101 ${refilled}`, 'C B 99 4']);
    assert.equal(log.lines.length, 3);
    assert.match(log.lines[2], /^A A 99 \d+$/);
    assert.equal(e.bestBid, 98);
    assert.equal(e.bestAsk, 99);
  });
});
