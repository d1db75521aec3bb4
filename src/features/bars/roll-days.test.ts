import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { vpinBucketVolume } from '../flow/index.js';
import {
  type ContractDay,
  type ContractHistory,
  frontAverageDailyVolume,
  frontPriorDay,
} from './roll-days.js';

const day = (date: string, high: number, low: number, close: number, volume: number): ContractDay => ({
  date,
  high,
  low,
  close,
  volume,
});
const history = (rows: Record<string, ContractDay[]>): ContractHistory =>
  new Map(Object.entries(rows).map(([s, days]) => [s, new Map(days.map((d) => [d.date, d]))]));

// 6EH7 rolls to 6EM7 on Tuesday 9 March 2027 (last trade Monday 15 March, four trading dates
// before it: 12, 11, 10, 9). M7 trades some 40 ticks over H7 (the forward points).
const H = history({
  '6EH7': [
    day('2027-03-04', 1.1, 1.094, 1.097, 200_000),
    day('2027-03-05', 1.102, 1.096, 1.1, 190_000),
    day('2027-03-08', 1.105, 1.099, 1.102, 180_000),
    day('2027-03-09', 1.106, 1.1, 1.103, 40_000),
  ],
  '6EM7': [
    day('2027-03-05', 1.106, 1.1, 1.104, 60_000),
    day('2027-03-08', 1.109, 1.103, 1.106, 120_000),
    day('2027-03-09', 1.11, 1.104, 1.107, 210_000),
  ],
});

describe('prior-day levels across a roll', () => {
  it("takes the new front's own previous day on the roll day, the old front's before it", () => {
    // Monday 8 March: H7 is the front; its Friday 5 March bar.
    assert.deepEqual(frontPriorDay('6E', '2027-03-08', H), day('2027-03-05', 1.102, 1.096, 1.1, 190_000));
    // Tuesday 9 March, the roll day: M7's Monday bar (high 1.109), not H7's (1.105).
    assert.deepEqual(frontPriorDay('6E', '2027-03-09', H), day('2027-03-08', 1.109, 1.103, 1.106, 120_000));
  });

  it("has none when the new front has no bar the day before: the old front's is not used", () => {
    const noM7 = history({ '6EH7': [day('2027-03-08', 1.105, 1.099, 1.102, 180_000)] });
    assert.equal(frontPriorDay('6E', '2027-03-09', noM7), undefined);
  });
});

describe('the average daily volume of the front series for VPIN buckets', () => {
  it('averages each day the volume of the contract that was the front that day', () => {
    // On the roll day, over 3 days: 4, 5 and 8 March, all H7's: (200,000 + 190,000 + 180,000) / 3
    // = 190,000, buckets of 190,000 / 50 = 3,800.
    const adv = frontAverageDailyVolume('6E', '2027-03-09', H, 3);
    assert.equal(adv, 190_000);
    assert.equal(vpinBucketVolume(adv as number), 3_800);
    // The day after: 5 and 8 March of H7, 9 March of M7 (the front from then): (190,000 + 180,000
    // + 210,000) / 3.
    assert.equal(frontAverageDailyVolume('6E', '2027-03-10', H, 3), 580_000 / 3);
  });

  it('leaves out days without a bar and has none without any', () => {
    // Over 4 days before 9 March: 3 March has no H7 bar, the other three average 190,000.
    assert.equal(frontAverageDailyVolume('6E', '2027-03-09', H, 4), 190_000);
    assert.equal(frontAverageDailyVolume('6E', '2027-03-09', new Map(), 3), undefined);
    assert.throws(() => frontAverageDailyVolume('6E', '2027-03-09', H, 0), /days/);
  });
});
