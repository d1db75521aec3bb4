import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Random } from '../core/index.js';
import { ASK, BID, type EngineOutput, MatchingEngine, Owner } from './engine.js';
import { MartingaleWalk, recentre } from './martingale.js';

/** Records the engine's MBO actions as "C A 1001 5". */
class Log implements EngineOutput {
  lines: string[] = [];
  mbo(_e: MatchingEngine, _id: number, side: number, tick: number, size: number, action: number): void {
    this.lines.push(`${String.fromCharCode(action)} ${side === BID ? 'B' : 'A'} ${tick} ${size}`);
  }
  trade(): void {}
}

describe('martingale mid', () => {
  it('a walk of σ ticks per √minute: steps of a minute have mean 0, variance σ², no correlation', () => {
    const rnd = new Random(11);
    const walk = new MartingaleWalk();
    const sigma = 2.4;
    const n = 50_000;
    const min = 60e9;
    let s = 0;
    let s2 = 0;
    let sxy = 0;
    let prev = 0;
    for (let i = 0; i < n; i++) {
      // A minute in events 6 s apart, as the flow calls it.
      let x = 0;
      for (let j = 0; j < 10; j++) x += walk.advance(rnd, sigma, i * min + j * 6e9, i * min + (j + 1) * 6e9);
      s += x;
      s2 += x * x;
      sxy += x * prev;
      prev = x;
    }
    const v = sigma * sigma;
    // Standard errors: of the mean √(σ²/n); of the variance ≈ √((μ4 − σ⁴)/n), μ4 = λ + 3λ² for a
    // compound Poisson sum of ±1 steps with λ = σ²; of the lag-1 correlation 1/√n. Four of each.
    assert.ok(Math.abs(s / n) < 4 * Math.sqrt(v / n), `mean ${s / n}`);
    assert.ok(Math.abs(s2 / n - v) < 4 * Math.sqrt((v + 2 * v * v) / n), `variance ${s2 / n}, σ² ${v}`);
    assert.ok(Math.abs(sxy / n / v) < 4 / Math.sqrt(n), `lag-1 correlation ${sxy / n / v}`);
  });

  it('the next step is known ahead: it comes at nextNs, the way dir says', () => {
    const rnd = new Random(5);
    const walk = new MartingaleWalk();
    assert.equal(walk.advance(rnd, 3, 0, 0), 0);
    for (let k = 0; k < 1000; k++) {
      const { nextNs, dir } = walk;
      assert.ok(dir === 1 || dir === -1);
      assert.equal(walk.advance(rnd, 3, 0, Math.ceil(nextNs) - 1), 0, 'nothing before the step');
      assert.equal(walk.advance(rnd, 3, 0, Math.ceil(nextNs)), dir, 'the step announced');
    }
    // No volatility, no steps.
    const still = new MartingaleWalk();
    assert.equal(still.advance(rnd, 0, 0, 1e15), 0);
    assert.equal(still.nextNs, Number.POSITIVE_INFINITY);
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
