import assert from 'node:assert/strict';
import { test } from 'node:test';
import { batchOf, type LevelSpec, type MboSpec, mbo, mbp } from '../../test/book.js';
import { runBookViewContract } from '../../test/book-view-contract.js';
import { Side } from '../data/dbn/index.js';
import { BookSide } from './book-view.js';
import { L2Book } from './l2-book.js';
import { L3Book } from './l3-book.js';

test('book side codes are the DBN side characters', () => {
  assert.equal(BookSide.BID, Side.BID);
  assert.equal(BookSide.ASK, Side.ASK);
});

runBookViewContract({
  name: 'L2Book',
  async build(bids, asks) {
    const batch = await batchOf([mbp(bids, asks)], 'mbp-10');
    const book = new L2Book();
    book.applyMbp(batch.at(0));
    return book;
  },
});

/** Each level becomes `count` orders: count − 1 one-lots, then the rest of the size. */
function ordersFor(side: 'B' | 'A', levels: LevelSpec, firstId: number): MboSpec[] {
  const out: MboSpec[] = [];
  let id = firstId;
  for (const [price, size, count] of levels) {
    for (let k = 0; k < count; k++) {
      const sz = k < count - 1 ? 1 : size - (count - 1);
      out.push({ action: 'A', side, price, size: sz, id: id++, flags: 0 });
    }
  }
  return out;
}

runBookViewContract({
  name: 'L3Book',
  async build(bids, asks) {
    const specs = [...ordersFor('B', bids, 1), ...ordersFor('A', asks, 1000)];
    specs[specs.length - 1].flags = 0x80; // the event ends with its last add
    const batch = await batchOf(specs.map(mbo), 'mbo');
    const book = new L3Book();
    for (let i = 0; i < batch.count; i++) book.applyMbo(batch.at(i));
    return book;
  },
});
