/**
 * Test helpers for the books: builds real DBN records with our encoder and decodes them with our
 * decoder, so unit tests feed the books the same cursor the hot path does (no mocked cursor).
 * Not exported from the folder's index: tests only.
 */
import assert from 'node:assert/strict';
import type { BookView } from '../src/book/book-view.js';
import { UNDEF_PRICE } from '../src/core/index.js';
import {
  DbnDecoder,
  DbnEncoder,
  type DbnRecord,
  Flags,
  type MboRecord,
  type MbpRecord,
  type RecordBatch,
  RType,
  type SchemaName,
} from '../src/data/dbn/index.js';

/** Raw 1e-9 units of a decimal price given as a number with at most 9 decimals (tests only). */
export function px(price: number): number {
  return Math.round(price * 1e9);
}

/** Raw price as the bigint a record holds. */
function rawBig(price: number): bigint {
  return BigInt(px(price));
}

/** Time of the test records: 2024-05-08T00:00:00Z. */
export const T0 = 1_715_126_400_000_000_000n;

/** Fields of a test MBO record; prices as decimals. */
export interface MboSpec {
  action: 'A' | 'C' | 'M' | 'R' | 'T' | 'F' | 'N';
  side?: 'B' | 'A' | 'N';
  price?: number;
  size?: number;
  id?: number;
  flags?: number;
  instrumentId?: number;
  publisherId?: number;
  /** Nanoseconds after T0. */
  t?: number;
}

/** An MBO record object; F_LAST unless `flags` says otherwise. */
export function mbo(s: MboSpec): MboRecord {
  const ts = T0 + BigInt(s.t ?? 0);
  return {
    hd: {
      length: 14,
      rtype: RType.MBO,
      publisher_id: s.publisherId ?? 1,
      instrument_id: s.instrumentId ?? 5602,
      ts_event: ts,
    },
    order_id: BigInt(s.id ?? 0),
    price: s.price === undefined ? UNDEF_PRICE : rawBig(s.price),
    size: s.size ?? 0,
    flags: s.flags ?? Flags.LAST,
    channel_id: 0,
    action: s.action,
    side: s.side ?? 'N',
    ts_recv: ts + 1000n,
    ts_in_delta: 0,
    sequence: s.t ?? 0,
  };
}

/** One side of an MBP record: [price, size, count] best first. */
export type LevelSpec = readonly (readonly [number, number, number])[];

/** An MBP-10 (or, with `rtype: RType.MBP_1`, MBP-1) record object with the given levels. */
export function mbp(
  bids: LevelSpec,
  asks: LevelSpec,
  opts: {
    rtype?: number;
    flags?: number;
    action?: string;
    side?: string;
    price?: number;
    size?: number;
    /** Nanoseconds after T0 (ts_event; ts_recv is 1 µs later). */
    t?: number;
  } = {},
): MbpRecord {
  const ts = T0 + BigInt(opts.t ?? 0);
  const n = opts.rtype === RType.MBP_1 ? 1 : 10;
  const levels = [];
  for (let i = 0; i < n; i++) {
    const b = bids[i];
    const a = asks[i];
    levels.push({
      bid_px: b ? rawBig(b[0]) : UNDEF_PRICE,
      ask_px: a ? rawBig(a[0]) : UNDEF_PRICE,
      bid_sz: b ? b[1] : 0,
      ask_sz: a ? a[1] : 0,
      bid_ct: b ? b[2] : 0,
      ask_ct: a ? a[2] : 0,
    });
  }
  return {
    hd: { length: 0, rtype: opts.rtype ?? RType.MBP_10, publisher_id: 1, instrument_id: 5482, ts_event: ts },
    price: opts.price === undefined ? UNDEF_PRICE : rawBig(opts.price),
    size: opts.size ?? 0,
    action: opts.action ?? 'N',
    side: opts.side ?? 'N',
    flags: opts.flags ?? Flags.LAST,
    depth: 0,
    ts_recv: ts + 1000n,
    ts_in_delta: 0,
    sequence: 0,
    levels,
  };
}

/** Encodes records with our encoder (DBN v3 with metadata) and returns the bytes. */
export async function encode(records: readonly DbnRecord[], schema: SchemaName): Promise<Uint8Array> {
  const { encoder, result } = DbnEncoder.toBuffer({ metadata: { dataset: 'GLBX.MDP3', schema } });
  for (const r of records) encoder.write(r);
  await encoder.end();
  return result();
}

/**
 * Encodes and decodes `records`, returning the one batch that holds them all: its cursor can be
 * positioned on each record in turn (`batch.at(i)`) between assertions.
 */
export async function batchOf(records: readonly DbnRecord[], schema: SchemaName): Promise<RecordBatch> {
  const bytes = await encode(records, schema);
  for await (const batch of DbnDecoder.fromBytes(bytes)) {
    assert.equal(batch.count, records.length, 'all test records fit one batch');
    return batch;
  }
  throw new Error('no records decoded');
}

/** The top `k` levels of a book as [price as 9-decimal string, size, count], best first. */
export function topLevels(book: BookView, side: 'bid' | 'ask', k: number): [string, number, number][] {
  const out: [string, number, number][] = [];
  const n = Math.min(k, side === 'bid' ? book.bidLevels : book.askLevels);
  for (let i = 0; i < n; i++) {
    const p = side === 'bid' ? book.bidPx(i) : book.askPx(i);
    const sz = side === 'bid' ? book.bidSz(i) : book.askSz(i);
    const ct = side === 'bid' ? book.bidCt(i) : book.askCt(i);
    out.push([decimal(p), sz, ct]);
  }
  return out;
}

/** A raw price (exact integer number) as a decimal string with 9 fractional digits. */
export function decimal(raw: number): string {
  const neg = raw < 0;
  const s = BigInt(Math.abs(raw)).toString().padStart(10, '0');
  return (neg ? '-' : '') + s.slice(0, -9) + '.' + s.slice(-9);
}
