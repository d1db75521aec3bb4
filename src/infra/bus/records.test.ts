/**
 * DBN records on the bus: one message per record holding its bytes, a message id that is the
 * same when the same records are published again, and records that read back as they were.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decodeAll } from '../../../test/dbn.js';
import { until } from '../../../test/until.js';
import {
  DbnDecoder,
  type DbnRecord,
  encodeRecord,
  layoutFor,
  type MboRecord,
  RecordBatch,
  RType,
} from '../../data/index.js';
import { MemoryBus } from './memory-bus.js';
import { RecordPublisher } from './records.js';
import { busSubject } from './subjects.js';

const TS = 1_609_160_400_000_704_060n;

function mbo(instrument: number, action: string, orderId: bigint, sequence: number): MboRecord {
  return {
    hd: { length: 0, rtype: RType.MBO, publisher_id: 1, instrument_id: instrument, ts_event: TS - 1000n },
    order_id: orderId,
    price: 1_085_000_000n,
    size: 3,
    flags: 0,
    channel_id: 0,
    action,
    side: 'B',
    ts_recv: TS,
    ts_in_delta: 0,
    sequence,
  };
}

/** A batch over the encoded records, as the decoder hands one out. */
function batchOf(records: readonly DbnRecord[]): { batch: RecordBatch; bytes: Uint8Array } {
  const layout = layoutFor(RType.MBO, 3)!;
  const bytes = new Uint8Array(layout.size * records.length);
  const batch = new RecordBatch(bytes, 3, false);
  let off = 0;
  for (const r of records) {
    batch.offsets[batch.count++] = off;
    off += encodeRecord(r, layout, bytes, off);
  }
  return { batch, bytes };
}

// One CME packet (sequence 1170352) on 6E (id 42): a fill and the cancel that removes it; then an
// add on 6B (id 43) with the same ts_recv and sequence; then a later add on 6E.
const RECORDS = [
  mbo(42, 'F', 7n, 1170352),
  mbo(42, 'C', 7n, 1170352),
  mbo(43, 'A', 8n, 1170352),
  mbo(42, 'A', 9n, 1170353),
];
const PRODUCT: Record<number, string> = { 42: '6E', 43: '6B' };
const subjectOf = (c: { instrumentId: number }) => busSubject('md', PRODUCT[c.instrumentId], 'mbo');

test('message ids count the records of one venue message, per instrument and record type', () => {
  const { batch } = batchOf(RECORDS);
  const p = new RecordPublisher(new MemoryBus(), subjectOf);
  const ids = Array.from({ length: batch.count }, (_, i) => p.messageId(batch.at(i)));
  // publisher.instrument.rtype(160 = MBO).ts_recv.sequence.n
  assert.deepEqual(ids, [
    '1.42.160.1609160400000704060.1170352.0',
    '1.42.160.1609160400000704060.1170352.1',
    '1.43.160.1609160400000704060.1170352.0',
    '1.42.160.1609160400000704060.1170353.0',
  ]);
});

test('records go one per message to their instrument subject; a republish stores nothing', async () => {
  const { batch, bytes } = batchOf(RECORDS);
  const bus = new MemoryBus();
  assert.deepEqual(await new RecordPublisher(bus, subjectOf).publish(batch), { stored: 4, duplicates: 0 });
  // After a crash, a new publisher reads the same records again.
  assert.deepEqual(await new RecordPublisher(bus, subjectOf).publish(batch), { stored: 0, duplicates: 4 });

  const got: { subject: string; data: Uint8Array }[] = [];
  await bus.subscribe({ durable: 'md', filter: 'md.>' }, (m) => {
    got.push({ subject: m.subject, data: m.data.slice() });
  });
  await until(() => got.length === 4, 'four messages');
  const size = layoutFor(RType.MBO, 3)!.size;
  assert.equal(size, 56);
  assert.deepEqual(
    got.map((g) => g.subject),
    ['md.6E.mbo', 'md.6E.mbo', 'md.6B.mbo', 'md.6E.mbo'],
  );
  for (let i = 0; i < 4; i++) assert.deepEqual(got[i].data, bytes.subarray(i * size, (i + 1) * size));

  // The messages, concatenated, decode as a DBN fragment to the records published.
  const joined = new Uint8Array(got.reduce((n, g) => n + g.data.length, 0));
  let o = 0;
  for (const g of got) {
    joined.set(g.data, o);
    o += g.data.length;
  }
  const back = await decodeAll(DbnDecoder.fromBytes(joined, { version: 3 }));
  assert.deepEqual(
    back.records.map((r) => [
      (r as MboRecord).hd.instrument_id,
      (r as MboRecord).action,
      (r as MboRecord).order_id,
    ]),
    [
      [42, 'F', 7n],
      [42, 'C', 7n],
      [43, 'A', 8n],
      [42, 'A', 9n],
    ],
  );
  await bus.close();
});
