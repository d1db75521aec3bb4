/**
 * Small deterministic inputs for the calculator contract (test/calculator-contract.ts): random-walk
 * bars and trades on a regular clock, and real DBN records (MBP-10 with trades, MBO, sweeps) built
 * with our encoder and read back through the decoder's cursor, as the hot path reads them.
 */
import assert from 'node:assert/strict';
import { prng } from '../src/core/index.js';
import { DbnDecoder, DbnEncoder, Flags, type RecordBatch, type RecordCursor } from '../src/data/dbn/index.js';
import { batchOf, type LevelSpec, type MboSpec, mbo, mbp } from './book.js';
import { writeSample } from './market-sample.js';

/** Aggressor side codes ('B' buyer-initiated, 'A' seller-initiated). */
const BUY = 66;
const SELL = 65;

/** One bar: start time (ms) and OHLC. */
export interface OhlcBar {
  readonly t: number;
  readonly o: number;
  readonly h: number;
  readonly l: number;
  readonly c: number;
}

/** `n` one-minute bars of a random walk around 1.085 from `startMs`: each opens at the last close. */
export function randomBars(n: number, seed: number, startMs: number, stepMs = 60_000): OhlcBar[] {
  const rnd = prng(seed);
  const out: OhlcBar[] = [];
  let c = 1.085;
  for (let i = 0; i < n; i++) {
    const o = c;
    c = o + (rnd() - 0.5) * 4e-4;
    const h = Math.max(o, c) + rnd() * 2e-4 + 1e-5;
    const l = Math.min(o, c) - rnd() * 2e-4 - 1e-5;
    out.push({ t: startMs + i * stepMs, o, h, l, c });
  }
  return out;
}

/** One trade: time (ms), decimal price, size and aggressor side. */
export interface Trade {
  readonly ts: number;
  readonly price: number;
  readonly size: number;
  readonly side: number;
}

/**
 * `n` trades of a random walk around 1.085, one every `stepMs` from `startMs`, sizes 1 to 10, each
 * side at random.
 */
export function randomTrades(n: number, seed: number, startMs: number, stepMs: number): Trade[] {
  const rnd = prng(seed);
  const out: Trade[] = [];
  let p = 1.085;
  for (let i = 0; i < n; i++) {
    p += Math.round((rnd() - 0.5) * 4) * 5e-5;
    out.push({
      ts: startMs + i * stepMs,
      price: p,
      size: 1 + Math.floor(rnd() * 10),
      side: rnd() < 0.5 ? BUY : SELL,
    });
  }
  return out;
}

/** `n` mids of a random walk around 1.085 (decimal), one per step. */
export function randomMids(n: number, seed: number): number[] {
  const rnd = prng(seed);
  const out: number[] = [];
  let m = 1.085;
  for (let i = 0; i < n; i++) {
    m *= 1 + (rnd() - 0.5) * 2e-4;
    out.push(m);
  }
  return out;
}

/**
 * `records` MBP-10 records of the synthetic 6E stream (test/market-sample.ts: one record per event,
 * every one with F_LAST, trades as `T` records, about 20 ms apart), in one batch.
 */
export async function mbp10Sample(records: number, seed: number): Promise<RecordBatch> {
  const { encoder, result } = DbnEncoder.toBuffer({ metadata: { dataset: 'GLBX.MDP3', schema: 'mbp-10' } });
  writeSample(encoder, { records, seed });
  await encoder.end();
  for await (const batch of DbnDecoder.fromBytes(result(), { chunkSize: 1 << 24 })) {
    assert.equal(batch.count, records, 'all sample records fit one batch');
    return batch;
  }
  throw new Error('no records decoded');
}

/** Each record of `batch` in turn, through its reused cursor. */
export function* cursors(batch: RecordBatch): Generator<RecordCursor> {
  for (let i = 0; i < batch.count; i++) yield batch.at(i);
}

/** MBO ids, prices and actions of a quiet book: adds, partial cancels, fills with their cancels, modifies. */
export function mboSample(rounds: number): Promise<RecordBatch> {
  const specs: MboSpec[] = [];
  let t = 0;
  const at = (s: MboSpec) => {
    specs.push({ ...s, t });
    t += 100_000_000; // 100 ms apart
  };
  for (let r = 0; r < rounds; r++) {
    const bid = 2 * r + 1;
    const ask = 2 * r + 2;
    at({ action: 'A', side: 'B', price: 1.085, size: 10, id: bid });
    at({ action: 'A', side: 'A', price: 1.08505, size: 8, id: ask });
    at({ action: 'C', side: 'B', price: 1.085, size: 4, id: bid });
    // A fill is followed by the cancel that removes the filled quantity: not a cancel.
    at({ action: 'F', side: 'A', price: 1.08505, size: 3, id: ask });
    at({ action: 'C', side: 'A', price: 1.08505, size: 3, id: ask });
    at({ action: 'M', side: 'A', price: 1.0851, size: 5, id: ask });
    at({ action: 'C', side: 'B', price: 1.085, size: 6, id: bid });
    at({ action: 'C', side: 'A', price: 1.0851, size: 5, id: ask });
  }
  return batchOf(specs.map(mbo), 'mbo');
}

/** The resting book of `sweepSample`: 10 levels a side, 10 lots each, around 1.08500 / 1.08505. */
function restingBook(): { bids: LevelSpec; asks: LevelSpec } {
  const bids: [number, number, number][] = [];
  const asks: [number, number, number][] = [];
  for (let i = 0; i < 10; i++) {
    bids.push([Math.round((1.085 - i * 5e-5) * 1e5) / 1e5, 10, 2]);
    asks.push([Math.round((1.08505 + i * 5e-5) * 1e5) / 1e5, 10, 2]);
  }
  return { bids, asks };
}

/**
 * MBP-10 sweeps, 5 records an event: three trades (`T`, no F_LAST) taking the best three levels of
 * one side, 10 lots each, then the book without them (F_LAST), then the levels refilled (F_LAST).
 * Sides alternate, buyers first. The first sweep completes at the fourth record.
 */
export function sweepSample(events: number): Promise<RecordBatch> {
  const { bids, asks } = restingBook();
  const records = [];
  for (let e = 0; e < events; e++) {
    const buy = e % 2 === 0;
    const taken = buy ? asks : bids;
    for (let k = 0; k < 3; k++) {
      records.push(
        mbp(bids, asks, {
          action: 'T',
          side: buy ? 'B' : 'A',
          price: taken[k][0],
          size: 10,
          flags: 0,
        }),
      );
    }
    const after = buy ? mbp(bids, asks.slice(3), { action: 'C' }) : mbp(bids.slice(3), asks, { action: 'C' });
    records.push(after);
    records.push(mbp(bids, asks, { action: 'A', flags: Flags.LAST }));
  }
  return batchOf(records, 'mbp-10');
}
