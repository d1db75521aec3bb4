import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { BookSide, L3Book } from '../book/index.js';
import { DbnDecoder, DbnEncoder, type DbnRecord, Flags, RType } from '../data/index.js';
import {
  logProbability,
  MboQueue,
  ProbabilisticQueue,
  powerProbability,
  type QueueModel,
  queueFill,
  RiskAverseQueue,
} from './queue.js';

const close = (a: number, b: number) => assert.ok(Math.abs(a - b) < 1e-9, `${a} != ${b}`);

const MODELS: QueueModel[] = [
  new RiskAverseQueue(),
  new ProbabilisticQueue(powerProbability(2), 'power-2'),
  new ProbabilisticQueue(logProbability, 'log'),
];

describe('queue models, every one', () => {
  for (const model of MODELS) {
    test(`${model.name}: 100 lots behind a 100-lot queue: 50 traded fill nothing, 100 more fill 50 of ours`, () => {
      const pos = model.join(100);
      model.trade(pos, 50);
      assert.equal(queueFill(pos, 100), 0);
      model.trade(pos, 100);
      assert.equal(queueFill(pos, 100), 50);
      assert.equal(pos.ahead, 0);
      // The level shows the 150 traded: 100 → 0 (with our 50 left on it in reality).
      model.depth(pos, 100, 0);
      assert.equal(pos.ahead, 0);
    });

    test(`${model.name}: a trade is not counted again when the level's size drops by it`, () => {
      const pos = model.join(100);
      model.trade(pos, 30);
      model.depth(pos, 100, 70);
      assert.equal(pos.ahead, 70);
    });

    test(`${model.name}: orders joining behind us change nothing ahead`, () => {
      const pos = model.join(40);
      model.depth(pos, 40, 90);
      assert.equal(pos.ahead, 40);
    });
  }
});

describe('risk-averse queue', () => {
  test('cancels never move us forward, but we cannot be behind more than the level holds', () => {
    const m = new RiskAverseQueue();
    const pos = m.join(100);
    m.depth(pos, 100, 60);
    assert.equal(pos.ahead, 60);
    m.depth(pos, 60, 120);
    m.depth(pos, 120, 90);
    assert.equal(pos.ahead, 60);
  });
});

describe('probabilistic queue', () => {
  test('power 2, as much ahead as behind: half of a cancel of 50 is ahead of us', () => {
    const m = new ProbabilisticQueue(powerProbability(2));
    const pos = m.join(100);
    m.depth(pos, 100, 200);
    m.depth(pos, 200, 150);
    // p(behind) = 100² / (100² + 100²) = 0.5: 100 − 0.5 × 50 = 75
    close(pos.ahead, 75);
  });

  test('power 2, three times as much behind: a tenth of the cancel is ahead', () => {
    const m = new ProbabilisticQueue(powerProbability(2));
    const pos = m.join(100);
    m.depth(pos, 100, 400);
    m.depth(pos, 400, 350);
    // p = 300² / (300² + 100²) = 0.9: 100 − 0.1 × 50 = 95
    close(pos.ahead, 95);
  });

  test('logarithmic: 9 ahead, 99 behind, 10 cancelled', () => {
    const m = new ProbabilisticQueue(logProbability);
    const pos = m.join(9);
    m.depth(pos, 9, 108);
    m.depth(pos, 108, 98);
    // p = ln 100 / (ln 100 + ln 10) = 2/3: 9 − (1/3) × 10 = 5.667
    close(pos.ahead, 9 - 10 / 3);
  });

  test('a cancel larger than what is behind moves us forward by the rest, never past the front', () => {
    const m = new ProbabilisticQueue(powerProbability(2));
    const pos = m.join(10);
    m.depth(pos, 10, 15);
    m.depth(pos, 15, 0);
    // p = 25 / 125 = 0.2: 10 − 0.8 × 15 + min(5 − 3, 0) = −2, held at the front (0): a cancel fills nothing
    assert.equal(pos.ahead, 0);
    assert.equal(queueFill(pos, 5), 0);
  });

  test('after a trade, a further drop is a cancel of what was ahead when nothing is behind', () => {
    const m = new ProbabilisticQueue(powerProbability(2));
    const pos = m.join(100);
    m.trade(pos, 20);
    m.depth(pos, 100, 50);
    // 30 cancelled with 80 ahead and 0 behind (the 20 traded were ahead): all ahead → 50
    close(pos.ahead, 50);
  });
});

describe('exact FIFO on MBO data', () => {
  const P = 1_085_000_000n;
  let seq = 0;
  const mbo = (action: string, orderId: number, size: number, side = 'B', price = P): DbnRecord =>
    ({
      hd: { length: 14, rtype: RType.MBO, publisher_id: 1, instrument_id: 7, ts_event: 1_000n + BigInt(seq) },
      order_id: BigInt(orderId),
      price,
      size,
      flags: Flags.LAST,
      channel_id: 0,
      action,
      side,
      ts_recv: 2_000n + BigInt(seq),
      ts_in_delta: 0,
      sequence: seq++,
    }) as DbnRecord;

  /** Applies records to `book` in order, through the encoder and decoder. */
  async function apply(book: L3Book, recs: DbnRecord[]): Promise<void> {
    const { encoder, result } = DbnEncoder.toBuffer({ metadata: { dataset: 'GLBX.MDP3', schema: 'mbo' } });
    for (const r of recs) encoder.write(r);
    await encoder.end();
    for await (const batch of DbnDecoder.fromBytes(result())) {
      for (let i = 0; i < batch.count; i++) book.applyMbo(batch.at(i));
    }
  }

  test('strangers behind us never move us; cancels ahead do; a modify that loses priority goes behind', async () => {
    const book = new L3Book();
    await apply(book, [mbo('A', 1, 10), mbo('A', 2, 20)]);
    const q = new MboQueue(book, BookSide.BID, Number(P));
    assert.equal(q.ahead, 30);
    await apply(book, [mbo('A', 3, 5)]); // behind us
    assert.equal(q.ahead, 30);
    await apply(book, [mbo('C', 3, 5)]); // a stranger's cancel behind us
    assert.equal(q.ahead, 30);
    await apply(book, [mbo('C', 1, 4)]); // 4 of order 1, ahead of us
    assert.equal(q.ahead, 26);
    await apply(book, [mbo('M', 2, 25)]); // order 2 grows: it loses priority, now behind us
    assert.equal(q.ahead, 6);
  });

  test('a trade takes the orders ahead first; what goes past them fills us', async () => {
    const book = new L3Book();
    await apply(book, [mbo('A', 1, 100)]);
    const q = new MboQueue(book, BookSide.BID, Number(P));
    assert.equal(q.trade(50, 100), 0);
    await apply(book, [mbo('F', 1, 50), mbo('C', 1, 50)]); // the fill, then the cancel removing it
    assert.equal(q.ahead, 50);
    assert.equal(q.trade(120, 100), 70);
    assert.equal(q.trade(500, 100), 100, 'never more than we have left');
  });
});
