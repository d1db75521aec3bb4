import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ASK, BID, type EngineOutput, MatchingEngine, Owner } from './engine.js';
import { frontContract } from './instruments.js';

/** Records what the engine emits as compact strings: "A B 100 5 #1". */
class Log implements EngineOutput {
  lines: string[] = [];
  mbo(_e: MatchingEngine, id: number, side: number, tick: number, size: number, action: number): void {
    this.lines.push(`${String.fromCharCode(action)} ${side === BID ? 'B' : 'A'} ${tick} ${size} #${id}`);
  }
  trade(_e: MatchingEngine, aggressor: number, tick: number, size: number, depth: number): void {
    this.lines.push(`trade ${aggressor === BID ? 'B' : 'A'} ${tick} ${size} d${depth}`);
  }
}

function setup() {
  const log = new Log();
  const e = new MatchingEngine(1, 1000, log, { next: 1 }, 64);
  return { log, e };
}

describe('MatchingEngine', () => {
  it('matches in price then time priority and emits T, F, C per resting order', () => {
    const { log, e } = setup();
    e.add(ASK, 1001, 5, Owner.NOISE); // #1
    e.add(ASK, 1001, 3, Owner.NOISE); // #2, behind #1
    e.add(ASK, 1002, 10, Owner.NOISE); // #3
    e.add(BID, 1000, 4, Owner.NOISE); // #4
    log.lines = [];
    // A buy of 10 up to 1002: 5 from #1, 3 from #2 at 1001, then 2 of #3's 10 at 1002.
    assert.equal(e.aggress(BID, 10, 1002), 10);
    assert.deepEqual(log.lines, [
      'T B 1001 5 #0',
      'trade B 1001 5 d0',
      'F A 1001 5 #1',
      'C A 1001 5 #1',
      'T B 1001 3 #0',
      'trade B 1001 3 d0',
      'F A 1001 3 #2',
      'C A 1001 3 #2',
      'T B 1002 2 #0',
      'trade B 1002 2 d1',
      'F A 1002 2 #3',
      'C A 1002 2 #3',
    ]);
    assert.equal(e.bestAsk, 1002);
    assert.equal(e.sizeAt(1002), 8);
    assert.equal(e.bestBid, 1000);
    assert.equal(e.orderCount, 2);
  });

  it('stops at the limit and rests the remainder when asked', () => {
    const { log, e } = setup();
    e.add(ASK, 1001, 2, Owner.NOISE);
    e.add(ASK, 1003, 2, Owner.NOISE);
    log.lines = [];
    assert.equal(e.aggress(BID, 5, 1002, Owner.INFORMED), 2);
    assert.deepEqual(log.lines.slice(-1), ['A B 1002 3 #3']);
    assert.equal(e.bestBid, 1002);
    assert.equal(e.bestAsk, 1003);
  });

  it('refuses passive orders that would cross and modifies by the CME priority rules', () => {
    const { log, e } = setup();
    const a = e.add(BID, 1000, 5, Owner.NOISE);
    const b = e.add(BID, 1000, 5, Owner.NOISE);
    e.add(ASK, 1001, 5, Owner.NOISE);
    assert.equal(e.add(BID, 1001, 1, Owner.NOISE), -1);
    assert.equal(e.modify(a, 1001, 5), false);
    // A size decrease keeps #1 first: a sell of 3 fills #1 (now 4) before #2.
    assert.equal(e.modify(a, 1000, 4), true);
    log.lines = [];
    e.aggress(ASK, 3, 1000);
    assert.equal(log.lines[2], 'F B 1000 3 #1');
    // A size increase sends #1 to the back: the next sell fills #2 first.
    e.modify(a, 1000, 6);
    log.lines = [];
    e.aggress(ASK, 1, 1000);
    assert.equal(log.lines[2], 'F B 1000 1 #2');
    assert.equal(e.orderSize(b), 4);
    // Partial cancel, then a full one empties the level and moves the best bid.
    e.cancel(b, 1);
    assert.equal(e.sizeAt(1000), 9);
    e.cancel(b, 99);
    e.cancel(a, 6);
    assert.ok(Number.isNaN(e.bestBid));
    assert.equal(e.bidLevels, 0);
  });

  it('reads the top levels over gaps', () => {
    const { e } = setup();
    e.add(BID, 1000, 1, Owner.NOISE);
    e.add(BID, 997, 2, Owner.NOISE);
    e.add(BID, 997, 3, Owner.MAKER);
    e.add(ASK, 1002, 7, Owner.NOISE);
    const top = new Float64Array(60);
    e.topLevels(10, top);
    assert.deepEqual(Array.from(top.slice(0, 12)), [1000, 1, 1, 1002, 7, 1, 997, 5, 2, Number.NaN, 0, 0]);
    assert.equal(e.depth(BID, 2), 6);
    assert.equal(e.levelTick(BID, 1), 997);
    assert.equal(e.liveCount(Owner.NOISE), 3);
  });
});

describe('front contracts', () => {
  it('rolls a week before the last trade (Monday 16 March 2026 for 6EH6)', () => {
    // Third Wednesday of March 2026 is the 18th; two business days before: Monday the 16th.
    assert.equal(frontContract('6E', '2026-03-04').rawSymbol, '6EH6');
    assert.equal(frontContract('6E', '2026-03-10').rawSymbol, '6EM6');
    assert.equal(frontContract('6J', '2026-11-25').rawSymbol, '6JZ6');
    assert.equal(frontContract('6B', '2026-12-28').rawSymbol, '6BH7');
    // 09:16 CDT on 16 March 2026 = 14:16 UTC.
    assert.equal(
      frontContract('6E', '2026-03-04').expirationNs,
      BigInt(Date.parse('2026-03-16T14:16:00Z')) * 1_000_000n,
    );
    assert.throws(() => frontContract('6X', '2026-03-04'), /not simulated/);
  });
});
