import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { UNDEF_PRICE } from '../../core/index.js';
import {
  DbnDecoder,
  DbnEncoder,
  Flags,
  type RecordBatch,
  RType,
  type TradeRecord,
} from '../../data/dbn/index.js';
import { KyleLambda } from './kyle-lambda.js';
import { TradeFlow } from './trade-flow.js';
import { Vpin } from './vpin.js';

const T0 = 1_715_126_400_000_000_000n; // 2024-05-08T00:00:00Z

/** A trades-schema record; `ms` after T0 on ts_recv, price in raw 1e-9 units (UNDEF when null). */
function trade(ms: number, price: bigint | null, size: number, side: 'B' | 'A' | 'N'): TradeRecord {
  const ts = T0 + BigInt(ms) * 1_000_000n;
  return {
    hd: { length: 12, rtype: RType.MBP_0, publisher_id: 1, instrument_id: 42, ts_event: ts },
    price: price ?? UNDEF_PRICE,
    size,
    action: 'T',
    side,
    flags: Flags.LAST,
    depth: 0,
    ts_recv: ts,
    ts_in_delta: 0,
    sequence: 0,
  };
}

/** Encodes the records with our encoder and returns the decoded batch (the hot path's cursor). */
async function batchOf(records: readonly TradeRecord[]): Promise<RecordBatch> {
  const { encoder, result } = DbnEncoder.toBuffer({ metadata: { dataset: 'GLBX.MDP3', schema: 'trades' } });
  for (const r of records) encoder.write(r);
  await encoder.end();
  for await (const batch of DbnDecoder.fromBytes(result())) return batch;
  throw new Error('no records decoded');
}

describe('RecordCursor adapters', () => {
  it('feed ts_recv, price, size and the aggressor side of decoded trades', async () => {
    const batch = await batchOf([
      trade(0, 1_085_000_000n, 6, 'B'),
      trade(400, 1_085_050_000n, 4, 'A'),
      trade(900, null, 50, 'B'), // UNDEF price: dropped everywhere
      trade(1_200, 1_085_100_000n, 3, 'N'),
    ]);
    const flow = new TradeFlow({ slotMs: 1000, windowsMs: [2000] });
    const vpin = new Vpin({ bucketVolume: 10, windowBuckets: 1, cdfMinHistory: 1 });
    const kyle = new KyleLambda({ intervalMs: 1000, windowIntervals: 3 });
    for (let i = 0; i < batch.count; i++) {
      const c = batch.at(i);
      flow.updateTrade(c);
      vpin.updateTrade(c);
      kyle.updateTrade(c);
    }
    assert.equal(flow.buyVolume(0), 6);
    assert.equal(flow.sellVolume(0), 4);
    assert.equal(flow.unknownVolume(0), 3);
    assert.equal(flow.cvd, 2);
    assert.equal(flow.droppedTrades, 1);
    // Bucket 1 = B6 S4 → VPIN |4 − 6| / 10; the N trade waits for its BVC bar.
    assert.equal(vpin.value, 0.2);
    assert.equal(vpin.pendingBvcVolume, 3);
    assert.equal(vpin.droppedTrades, 1);
    assert.equal(kyle.droppedTrades, 1);
  });
});
