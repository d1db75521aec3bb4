/**
 * The techniques' prior-day levels across the 6E roll of Tuesday 8 December 2026 (6EZ6 → 6EH7),
 * through the decision loop: on the roll day the new front's prior day is its own bar of Monday 7
 * December, or none when it did not trade that day (never an older day, never 6EZ6's levels).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { batchOf } from '../../test/book.js';
import { createAnalysts } from '../agents/index.js';
import { type DbnRecord, RType } from '../data/dbn/index.js';
import { DecisionLoop } from './loop.js';
import { analystsTier, DecisionPipeline } from './pipeline.js';

const Z6 = 1;
const H7 = 2;

/** A trade of `id` at 14:00 UTC + `minute` of `date` (08:00 Chicago: inside the trading date). */
function trade(id: number, date: string, minute: number, px: number): DbnRecord {
  const ns = BigInt(Date.parse(`${date}T14:00:00Z`) + minute * 60_000) * 1_000_000n;
  return {
    hd: { length: 12, rtype: RType.MBP_0, publisher_id: 1, instrument_id: id, ts_event: ns },
    price: BigInt(Math.round(px * 1e5)) * 10_000n,
    size: 10,
    action: 'T',
    side: 'B',
    flags: 128,
    depth: 0,
    ts_recv: ns,
    ts_in_delta: 0,
    sequence: 0,
  };
}

/** Three one-minute trades of a contract on a date (three bars). */
const day = (id: number, date: string, [a, b, c]: [number, number, number]) => [
  trade(id, date, 0, a),
  trade(id, date, 1, b),
  trade(id, date, 2, c),
];

/** Runs the trades, in time order, through a decision loop; the loop afterwards. */
async function run(records: DbnRecord[]): Promise<DecisionLoop> {
  const sorted = [...records].sort(
    (x, y) =>
      Number((x.ts_recv as bigint) - (y.ts_recv as bigint)) || x.hd.instrument_id - y.hd.instrument_id,
  );
  const batch = await batchOf(sorted, 'trades');
  const loop = new DecisionLoop({
    pipeline: new DecisionPipeline({ tier1: analystsTier(createAnalysts()) }),
  });
  loop.engine.setSymbol(Z6, '6EZ6');
  loop.engine.setSymbol(H7, '6EH7');
  for (let i = 0; i < batch.count; i++) loop.push(batch, i);
  await loop.settled();
  return loop;
}

// Friday 4 December: both trade, 6EH7 some 40 ticks over 6EZ6. Monday 7 December: 6EZ6; 6EH7 in
// one case. Tuesday 8 December (the roll): 6EH7.
const FRIDAY = [
  ...day(Z6, '2026-12-04', [1.162, 1.165, 1.163]),
  ...day(H7, '2026-12-04', [1.166, 1.169, 1.167]),
];
const MONDAY_Z6 = day(Z6, '2026-12-07', [1.17, 1.168, 1.169]);
const MONDAY_H7 = day(H7, '2026-12-07', [1.1745, 1.172, 1.173]);
const ROLL_DAY = day(H7, '2026-12-08', [1.175, 1.176, 1.1755]);

describe('decision loop: prior-day levels across a roll', () => {
  it("gives the new front its own Monday levels on the roll day, not the expiring contract's", async () => {
    const loop = await run([...FRIDAY, ...MONDAY_Z6, ...MONDAY_H7, ...ROLL_DAY]);
    const h = loop.sessions(H7)?.priorDay;
    assert.equal(h?.date, '2026-12-07');
    // 6EH7's Monday: high 1.1745, low 1.172, close 1.173 (6EZ6's was 1.17 / 1.168 / 1.169).
    assert.ok(Math.abs((h?.high ?? 0) - 1.1745) < 1e-9, `high ${h?.high}`);
    assert.ok(Math.abs((h?.low ?? 0) - 1.172) < 1e-9, `low ${h?.low}`);
    assert.ok(Math.abs((h?.close ?? 0) - 1.173) < 1e-9, `close ${h?.close}`);
    assert.equal(loop.sessions(H7)?.priorDay.bars, 3);
  });

  it('has no prior day for a new front that did not trade the day before (not its older Friday)', async () => {
    const loop = await run([...FRIDAY, ...MONDAY_Z6, ...ROLL_DAY]);
    const s = loop.sessions(H7);
    assert.ok(s !== undefined);
    // The tracker alone would take 6EH7's Friday (1.169 / 1.166 / 1.167): the last day it traded.
    assert.equal(s.priorDay.bars, 0);
    assert.ok(Number.isNaN(s.priorDay.high));
    assert.equal(loop.engine.priorDay(H7), undefined);
    // 6EZ6, the old front (no trade on the roll day), keeps what Monday gave it: its own Friday.
    const z = loop.sessions(Z6)?.priorDay;
    assert.equal(z?.date, '2026-12-04');
  });
});
