/**
 * A broker's quote (bid and offer, no depth: IG's spot prices, the simulator's spot pairs) as a DBN
 * MBP-1 record written in place into a reused buffer: no object per record, so a simulator writing
 * millions of them and a live feed writing each as it comes share one writer.
 *
 * The record is a top-of-book update (`M`odify, flags `LAST | TOB`): side `N` when both sides
 * moved, else the side that did, with that side's price and size; the bid and ask level follow.
 */
import { Flags, RType } from './constants.js';

/** Bytes of an MBP-1 record (DBN v2 and v3). */
export const MBP1_SIZE = 80;
/** No Databento publisher id exists for a broker's quotes (IG): 0. */
export const PUBLISHER_NONE = 0;

const TWO32 = 4294967296;
const SIDE_BID = 66; // B
const SIDE_ASK = 65; // A
const SIDE_NONE = 78; // N
const ACTION_MODIFY = 77; // M

/** One quote's fields; the caller keeps one and changes it per record. */
export interface QuoteFields {
  instrumentId: number;
  publisherId: number;
  tsEventNs: bigint;
  tsRecvNs: bigint;
  /** ts_recv − ts_event, ns (an int32). */
  tsInDelta: number;
  sequence: number;
  /** Raw 1e-9 prices. */
  bidPx: number;
  askPx: number;
  bidSize: number;
  askSize: number;
  /** Which sides moved since the instrument's previous quote (both on its first). */
  bidChanged: boolean;
  askChanged: boolean;
}

/** A quote with nothing set, to fill in. */
export function emptyQuote(): QuoteFields {
  return {
    instrumentId: 0,
    publisherId: PUBLISHER_NONE,
    tsEventNs: 0n,
    tsRecvNs: 0n,
    tsInDelta: 0,
    sequence: 0,
    bidPx: 0,
    askPx: 0,
    bidSize: 0,
    askSize: 0,
    bidChanged: true,
    askChanged: true,
  };
}

/** Writes `q` as an MBP-1 record into `buf` at `offset` (`dv` views `buf`'s buffer). */
export function writeQuote(buf: Uint8Array, dv: DataView, offset: number, q: QuoteFields): void {
  const side = q.bidChanged && q.askChanged ? SIDE_NONE : q.bidChanged ? SIDE_BID : SIDE_ASK;
  const o = offset;
  buf.fill(0, o, o + MBP1_SIZE);
  buf[o] = MBP1_SIZE >> 2;
  buf[o + 1] = RType.MBP_1;
  dv.setUint16(o + 2, q.publisherId, true);
  dv.setUint32(o + 4, q.instrumentId, true);
  dv.setBigUint64(o + 8, q.tsEventNs, true);
  setPx(dv, o + 16, side === SIDE_NONE ? Number.NaN : side === SIDE_BID ? q.bidPx : q.askPx);
  dv.setUint32(o + 24, side === SIDE_NONE ? 0 : side === SIDE_BID ? q.bidSize : q.askSize, true);
  buf[o + 28] = ACTION_MODIFY;
  buf[o + 29] = side;
  buf[o + 30] = Flags.LAST | Flags.TOB;
  dv.setBigUint64(o + 32, q.tsRecvNs, true);
  dv.setInt32(o + 40, q.tsInDelta, true);
  dv.setUint32(o + 44, q.sequence, true);
  setPx(dv, o + 48, q.bidPx);
  setPx(dv, o + 56, q.askPx);
  dv.setUint32(o + 64, q.bidSize, true);
  dv.setUint32(o + 68, q.askSize, true);
  dv.setUint32(o + 72, 1, true);
  dv.setUint32(o + 76, 1, true);
}

/** A raw price as an int64 (NaN: UNDEF_PRICE). */
function setPx(dv: DataView, o: number, v: number): void {
  if (Number.isNaN(v)) {
    dv.setUint32(o, 0xffffffff, true);
    dv.setUint32(o + 4, 0x7fffffff, true);
  } else {
    dv.setUint32(o, v >>> 0, true);
    dv.setUint32(o + 4, Math.floor(v / TWO32), true);
  }
}
