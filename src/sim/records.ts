/**
 * Turns matching-engine output into DBN v3 records built in place with a DataView (as
 * test/market-sample.ts does): MBO, MBP-10 and trades. Records of one event are staged and written
 * together so that `F_LAST` marks the last record of the event in each schema; every record of an
 * event shares its `ts_event`, `ts_recv` and sequence number.
 *
 * MBP-10 follows Databento's CME MBP-10: a record for each book change that alters the top ten
 * levels (changes deeper in the book publish nothing) and for each trade (action `T`, side = the
 * aggressor, book unchanged); `F` records have no MBP counterpart.
 */

import { grown, yyyymmddOf } from '../core/index.js';
import type { DbnEncoder, MetadataInit, SchemaName } from '../data/dbn/index.js';
import { Action, Flags, RType, Side } from '../data/dbn/index.js';
import { BID, type EngineOutput, type MatchingEngine } from './engine.js';

const MBO_SIZE = 56;
const MBP10_SIZE = 368;
const TRADE_SIZE = 48;
const PUBLISHER_GLBX = 1;
const TWO32 = 4294967296;
const CHAR_B = Side.BID;
const CHAR_A = Side.ASK;
const CHAR_N = Side.NONE;
const ACTION_T = Action.TRADE;
const ACTION_F = Action.FILL;
const ACTION_R = Action.CLEAR;

/** Per-instrument state the emitter needs: id, tick and the last published top ten. */
export interface EmitTarget {
  readonly instrumentId: number;
  readonly tickRaw: number;
  /** Top-10 levels last published in MBP-10 (see `MatchingEngine.topLevels`). */
  readonly lastTop: Float64Array;
}

/** Record counts of a run. */
export interface EmitCounts {
  events: number;
  mbo: number;
  mbp10: number;
  trades: number;
}

class Stage {
  buf: Uint8Array;
  dv: DataView;
  n = 0;
  constructor(
    readonly size: number,
    readonly flagsOff: number,
  ) {
    this.buf = new Uint8Array(size * 64);
    this.dv = new DataView(this.buf.buffer);
  }
  /** Byte offset of a new record, growing the buffer when full. */
  next(): number {
    if ((this.n + 1) * this.size > this.buf.length) {
      this.buf = grown(this.buf, this.buf.length * 2);
      this.dv = new DataView(this.buf.buffer);
    }
    return this.n++ * this.size;
  }
  flush(enc: DbnEncoder | null): void {
    if (this.n === 0) return;
    this.buf[(this.n - 1) * this.size + this.flagsOff] |= Flags.LAST;
    enc?.writeEncoded(this.buf.subarray(0, this.n * this.size), this.n);
    this.n = 0;
  }
}

/** Writes the records of one run (all instruments) to its encoders, event by event. */
export class RecordEmitter implements EngineOutput {
  readonly #mbo: DbnEncoder | null;
  readonly #mbp: DbnEncoder | null;
  readonly #trades: DbnEncoder | null;
  readonly #sMbo = new Stage(MBO_SIZE, 36);
  readonly #sMbp = new Stage(MBP10_SIZE, 30);
  readonly #sTr = new Stage(TRADE_SIZE, 30);
  readonly #top = new Float64Array(60);
  readonly #baseHi: number;
  readonly #baseLo: number;
  #target: EmitTarget | null = null;
  #evLo = 0;
  #evHi = 0;
  #rvLo = 0;
  #rvHi = 0;
  #seq = 0;
  #inDelta = 0;
  #extraFlags = 0;
  #mbpOff = false;
  /** The current event changed or matched something (whether or not every schema publishes it). */
  #touched = false;
  /** Records written so far. */
  readonly counts: EmitCounts = { events: 0, mbo: 0, mbp10: 0, trades: 0 };

  /**
   * @param baseNs the origin of the event offsets passed to `begin` (the day's start), in ns.
   * @param firstSequence the sequence number of the first event.
   */
  constructor(
    encoders: { mbo: DbnEncoder | null; mbp10: DbnEncoder | null; trades: DbnEncoder | null },
    baseNs: bigint,
    firstSequence: number,
  ) {
    this.#mbo = encoders.mbo;
    this.#mbp = encoders.mbp10;
    this.#trades = encoders.trades;
    this.#baseHi = Number(baseNs >> 32n);
    this.#baseLo = Number(baseNs & 0xffffffffn);
    this.#seq = firstSequence;
  }

  /** Sequence number the next event will carry. */
  get nextSequence(): number {
    return this.#seq;
  }

  /**
   * Starts an event of `target` at `eventOffNs` after the base, received `recvOffNs` after the
   * base (>= the event time), with `inDelta` as `ts_in_delta`. Offsets are integer ns < 2^53.
   */
  begin(target: EmitTarget, eventOffNs: number, recvOffNs: number, inDelta: number): void {
    this.#target = target;
    let t = this.#baseLo + eventOffNs;
    let carry = Math.floor(t / TWO32);
    this.#evLo = t - carry * TWO32;
    this.#evHi = this.#baseHi + carry;
    t = this.#baseLo + recvOffNs;
    carry = Math.floor(t / TWO32);
    this.#rvLo = t - carry * TWO32;
    this.#rvHi = this.#baseHi + carry;
    this.#inDelta = inDelta;
  }

  /** Ends the event: marks F_LAST on its last record in each schema and writes them. */
  end(): void {
    // Sequence numbers count venue events, so MBP-10 and trades files are the same bytes whether
    // or not MBO is written; deeper-than-ten changes leave gaps in MBP-10 sequences, as at CME.
    if (this.#touched) {
      this.counts.events++;
      this.#seq++;
      this.#touched = false;
    }
    this.counts.mbo += this.#sMbo.n;
    this.counts.mbp10 += this.#sMbp.n;
    this.counts.trades += this.#sTr.n;
    this.#sMbo.flush(this.#mbo);
    this.#sMbp.flush(this.#mbp);
    this.#sTr.flush(this.#trades);
  }

  /**
   * Emits the start of a snapshot: an `R` (clear) record; the adds that follow until
   * `endSnapshot` carry F_SNAPSHOT and publish no MBP-10 records of their own.
   */
  beginSnapshot(): void {
    this.#extraFlags = Flags.SNAPSHOT;
    this.#mbpOff = true;
    this.#touched = true;
    if (this.#mbo) {
      const s = this.#sMbo;
      const o = s.next();
      this.#header(s.dv, o, MBO_SIZE, RType.MBO);
      s.dv.setUint32(o + 16, 0, true);
      s.dv.setUint32(o + 20, 0, true);
      s.dv.setUint32(o + 24, 0xffffffff, true);
      s.dv.setUint32(o + 28, 0x7fffffff, true);
      s.dv.setUint32(o + 32, 0, true);
      s.buf[o + 36] = Flags.SNAPSHOT;
      s.buf[o + 37] = 0;
      s.buf[o + 38] = ACTION_R;
      s.buf[o + 39] = CHAR_N;
      this.#tail(s.dv, o + 40);
    }
  }

  /** Ends a snapshot with one MBP-10 record (action `R`) holding the rebuilt top ten. */
  endSnapshot(engine: MatchingEngine): void {
    this.#extraFlags = 0;
    this.#mbpOff = false;
    const target = this.#target!;
    engine.topLevels(10, this.#top);
    target.lastTop.set(this.#top);
    this.#stageMbp(Number.NaN, 0, ACTION_R, CHAR_N, 0, Flags.SNAPSHOT);
  }

  mbo(
    engine: MatchingEngine,
    orderId: number,
    side: number,
    tick: number,
    size: number,
    action: number,
  ): void {
    const target = this.#target!;
    const raw = tick * target.tickRaw;
    const sideChar = side === BID ? CHAR_B : CHAR_A;
    this.#touched = true;
    if (this.#mbo) {
      const s = this.#sMbo;
      const o = s.next();
      const dv = s.dv;
      this.#header(dv, o, MBO_SIZE, RType.MBO);
      dv.setUint32(o + 16, orderId >>> 0, true);
      dv.setUint32(o + 20, Math.floor(orderId / TWO32), true);
      dv.setUint32(o + 24, raw >>> 0, true);
      dv.setInt32(o + 28, Math.floor(raw / TWO32), true);
      dv.setUint32(o + 32, size, true);
      s.buf[o + 36] = this.#extraFlags;
      s.buf[o + 37] = 0;
      s.buf[o + 38] = action;
      s.buf[o + 39] = sideChar;
      this.#tail(dv, o + 40);
    }
    if (this.#mbp === null || this.#mbpOff || action === ACTION_F) return;
    const top = this.#top;
    engine.topLevels(10, top);
    const last = target.lastTop;
    if (action !== ACTION_T) {
      let same = true;
      for (let i = 0; i < 60; i++) {
        const a = top[i];
        const b = last[i];
        if (a !== b && !(Number.isNaN(a) && Number.isNaN(b))) {
          same = false;
          break;
        }
      }
      if (same) return;
      last.set(top);
    }
    // depth: the level index of the price on the side it rests on (the passive side for a trade).
    const restSide = action === ACTION_T ? 1 - side : side;
    let depth = 0;
    for (let k = 0; k < 10; k++) {
      if (top[k * 6 + restSide * 3] === tick) {
        depth = k;
        break;
      }
    }
    this.#stageMbp(raw, size, action, sideChar, depth, this.#extraFlags);
  }

  trade(_engine: MatchingEngine, aggressor: number, tick: number, size: number, depth: number): void {
    if (!this.#trades) return;
    const raw = tick * this.#target!.tickRaw;
    const s = this.#sTr;
    const o = s.next();
    const dv = s.dv;
    this.#header(dv, o, TRADE_SIZE, RType.MBP_0);
    dv.setUint32(o + 16, raw >>> 0, true);
    dv.setInt32(o + 20, Math.floor(raw / TWO32), true);
    dv.setUint32(o + 24, size, true);
    s.buf[o + 28] = ACTION_T;
    s.buf[o + 29] = aggressor === BID ? CHAR_B : CHAR_A;
    s.buf[o + 30] = 0;
    s.buf[o + 31] = depth;
    this.#tail(dv, o + 32);
  }

  #stageMbp(raw: number, size: number, action: number, sideChar: number, depth: number, flags: number): void {
    const target = this.#target!;
    const s = this.#sMbp;
    const o = s.next();
    const dv = s.dv;
    this.#header(dv, o, MBP10_SIZE, RType.MBP_10);
    if (Number.isNaN(raw)) {
      dv.setUint32(o + 16, 0xffffffff, true);
      dv.setUint32(o + 20, 0x7fffffff, true);
    } else {
      dv.setUint32(o + 16, raw >>> 0, true);
      dv.setInt32(o + 20, Math.floor(raw / TWO32), true);
    }
    dv.setUint32(o + 24, size, true);
    s.buf[o + 28] = action;
    s.buf[o + 29] = sideChar;
    s.buf[o + 30] = flags;
    s.buf[o + 31] = depth;
    this.#tail(dv, o + 32);
    const top = this.#top;
    const tr = target.tickRaw;
    for (let k = 0; k < 10; k++) {
      const lo = o + 48 + k * 32;
      const t = k * 6;
      setPx(dv, lo, top[t], tr);
      setPx(dv, lo + 8, top[t + 3], tr);
      dv.setUint32(lo + 16, top[t + 1], true);
      dv.setUint32(lo + 20, top[t + 4], true);
      dv.setUint32(lo + 24, top[t + 2], true);
      dv.setUint32(lo + 28, top[t + 5], true);
    }
  }

  #header(dv: DataView, o: number, size: number, rtype: number): void {
    dv.setUint8(o, size >> 2);
    dv.setUint8(o + 1, rtype);
    dv.setUint16(o + 2, PUBLISHER_GLBX, true);
    dv.setUint32(o + 4, this.#target!.instrumentId, true);
    dv.setUint32(o + 8, this.#evLo, true);
    dv.setUint32(o + 12, this.#evHi, true);
  }

  /** ts_recv, ts_in_delta and sequence at `o` (the same layout in MBO, MBP and trade records). */
  #tail(dv: DataView, o: number): void {
    dv.setUint32(o, this.#rvLo, true);
    dv.setUint32(o + 4, this.#rvHi, true);
    dv.setInt32(o + 8, this.#inDelta, true);
    dv.setUint32(o + 12, this.#seq, true);
  }
}

/** Writes a tick price (NaN = empty level: UNDEF_PRICE) in raw units. */
function setPx(dv: DataView, o: number, tick: number, tickRaw: number): void {
  if (Number.isNaN(tick)) {
    dv.setUint32(o, 0xffffffff, true);
    dv.setUint32(o + 4, 0x7fffffff, true);
    return;
  }
  const raw = tick * tickRaw;
  dv.setUint32(o, raw >>> 0, true);
  dv.setInt32(o + 4, Math.floor(raw / TWO32), true);
}

/**
 * Metadata of one file of trading date `date` covering [startNs, endNs): raw symbols mapped to
 * their instrument ids from the UTC date of the first record (the evening before the trading date,
 * in UTC) to the calendar day after the trading date.
 */
export function dayMetadata(
  dataset: string,
  schema: SchemaName,
  date: string,
  startNs: bigint,
  endNs: bigint,
  symbols: readonly { rawSymbol: string; instrumentId: number }[],
): MetadataInit {
  const next = Date.parse(`${date}T00:00:00Z`) + 86_400_000;
  const endDate = Number(new Date(next).toISOString().slice(0, 10).replaceAll('-', ''));
  return {
    dataset,
    schema,
    start: startNs,
    end: endNs,
    stype_in: 'raw_symbol',
    stype_out: 'instrument_id',
    symbols: symbols.map((s) => s.rawSymbol),
    mappings: symbols.map((s) => ({
      raw_symbol: s.rawSymbol,
      intervals: [{ start_date: yyyymmddOf(startNs), end_date: endDate, symbol: String(s.instrumentId) }],
    })),
  };
}
