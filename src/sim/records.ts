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

/** Per-instrument facts the emitter needs: id and tick. */
export interface EmitTarget {
  readonly instrumentId: number;
  readonly tickRaw: number;
}

/** Record counts of a run. */
export interface EmitCounts {
  events: number;
  mbo: number;
  mbp10: number;
  trades: number;
}

/** Staged bytes handed to the encoder at once, at the end of the first event that reaches them. */
const FLUSH_BYTES = 1 << 16;

/**
 * Records of one schema waiting for the encoder. They are written out in batches of whole events
 * (one encoder call per ~64 KiB instead of one per event); the bytes are the same.
 */
class Stage {
  buf: Uint8Array;
  dv: DataView;
  n = 0;
  /** Index of the current event's first record. */
  #eventStart = 0;
  constructor(
    readonly size: number,
    readonly flagsOff: number,
  ) {
    this.buf = new Uint8Array(size * Math.ceil(FLUSH_BYTES / size + 64));
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
  /** Ends the current event: F_LAST on its last record. Returns how many records it had. */
  endEvent(): number {
    const k = this.n - this.#eventStart;
    if (k > 0) this.buf[(this.n - 1) * this.size + this.flagsOff] |= Flags.LAST;
    this.#eventStart = this.n;
    return k;
  }
  /** Writes the staged events out once they fill a batch, or whatever is staged when `all`. */
  flush(enc: DbnEncoder | null, all: boolean): void {
    const bytes = this.n * this.size;
    if (bytes === 0 || (!all && bytes < FLUSH_BYTES)) return;
    enc?.writeEncoded(this.buf.subarray(0, bytes), this.n);
    this.n = 0;
    this.#eventStart = 0;
  }
}

/** `PublishedTop.update`: the change left the published top ten as it was. */
const UNCHANGED = -2;

/**
 * The top ten levels of one instrument as last published in MBP-10: per side and level its tick,
 * size and order count (count 0: no level), and the same levels encoded as the record's 320-byte
 * `levels` field. A book change on one side re-reads that side only and re-encodes only the levels
 * that differ; every record copies the encoded bytes. This holds because every change to an
 * instrument's book is reported to the emitter inside one of that instrument's events.
 */
class PublishedTop {
  /** `side·30 + level·3`: tick, size, count. */
  readonly #levels = new Float64Array(60);
  readonly #fresh = new Float64Array(30);
  readonly bytes = new Uint8Array(320);
  readonly #dv = new DataView(this.bytes.buffer);
  readonly #tickRaw: number;

  constructor(tickRaw: number) {
    this.#tickRaw = tickRaw;
    for (let k = 0; k < 10; k++) {
      setUndef(this.#dv, k * 32);
      setUndef(this.#dv, k * 32 + 8);
    }
  }

  /** Re-reads `side`'s top ten from `engine`; returns whether any level changed. */
  refresh(engine: MatchingEngine, side: number): boolean {
    const fresh = this.#fresh;
    const lv = this.#levels;
    engine.sideLevels(side, 10, fresh);
    let changed = false;
    for (let k = 0, b = side * 30; k < 30; k += 3, b += 3) {
      const tick = fresh[k];
      const size = fresh[k + 1];
      const count = fresh[k + 2];
      if (tick === lv[b] && size === lv[b + 1] && count === lv[b + 2]) continue;
      lv[b] = tick;
      lv[b + 1] = size;
      lv[b + 2] = count;
      this.#encode(side, k / 3, tick, size, count);
      changed = true;
    }
    return changed;
  }

  /**
   * After a change on `side` at `tick` (and at `fromTick`, where a modify moved the order from):
   * updates the level alone when the change was confined to it and it was and still is published,
   * or re-reads the side when levels may have appeared or gone within the ten. Returns `UNCHANGED`
   * when the top ten stayed the same, else the level index of `tick` (−1 when not among them).
   */
  update(engine: MatchingEngine, side: number, tick: number, fromTick: number): number {
    if (fromTick !== tick) return this.#reread(engine, side, tick);
    const lv = this.#levels;
    const k = this.indexOf(side, tick);
    if (k < 0) {
      // Below the tenth level a change is not published; a level above it is new.
      const tenth = side * 30 + 27;
      const above = lv[tenth + 2] === 0 || (side === BID ? tick > lv[tenth] : tick < lv[tenth]);
      return above ? this.#reread(engine, side, tick) : UNCHANGED;
    }
    const count = engine.ordersAt(tick);
    if (count === 0) return this.#reread(engine, side, tick);
    const size = engine.sizeAt(tick);
    const b = side * 30 + k * 3;
    if (size === lv[b + 1] && count === lv[b + 2]) return UNCHANGED;
    lv[b + 1] = size;
    lv[b + 2] = count;
    this.#encode(side, k, tick, size, count);
    return k;
  }

  #reread(engine: MatchingEngine, side: number, tick: number): number {
    return this.refresh(engine, side) ? this.indexOf(side, tick) : UNCHANGED;
  }

  /** The level index of `tick` on `side` among the published ten, −1 when it is not one of them. */
  indexOf(side: number, tick: number): number {
    const lv = this.#levels;
    for (let k = 0, b = side * 30; k < 10; k++, b += 3) if (lv[b] === tick && lv[b + 2] > 0) return k;
    return -1;
  }

  #encode(side: number, k: number, tick: number, size: number, count: number): void {
    const dv = this.#dv;
    const o = k * 32;
    if (count === 0) setUndef(dv, o + side * 8);
    else {
      const raw = tick * this.#tickRaw;
      dv.setUint32(o + side * 8, raw >>> 0, true);
      dv.setInt32(o + side * 8 + 4, Math.floor(raw / TWO32), true);
    }
    dv.setUint32(o + 16 + side * 4, size, true);
    dv.setUint32(o + 24 + side * 4, count, true);
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
  readonly #tops = new Map<EmitTarget, PublishedTop>();
  readonly #baseHi: number;
  readonly #baseLo: number;
  #target: EmitTarget | null = null;
  #published: PublishedTop | null = null;
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
    if (this.#target !== target) {
      this.#target = target;
      let top = this.#tops.get(target);
      if (top === undefined) {
        top = new PublishedTop(target.tickRaw);
        this.#tops.set(target, top);
      }
      this.#published = top;
    }
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
    this.counts.mbo += this.#sMbo.endEvent();
    this.counts.mbp10 += this.#sMbp.endEvent();
    this.counts.trades += this.#sTr.endEvent();
    this.#sMbo.flush(this.#mbo, false);
    this.#sMbp.flush(this.#mbp, false);
    this.#sTr.flush(this.#trades, false);
  }

  /** Writes every staged record to the encoders: call it before ending them. */
  flush(): void {
    this.#sMbo.flush(this.#mbo, true);
    this.#sMbp.flush(this.#mbp, true);
    this.#sTr.flush(this.#trades, true);
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
    const top = this.#published!;
    top.refresh(engine, BID);
    top.refresh(engine, 1 - BID);
    this.#stageMbp(Number.NaN, 0, ACTION_R, CHAR_N, 0, Flags.SNAPSHOT);
  }

  mbo(
    engine: MatchingEngine,
    orderId: number,
    side: number,
    tick: number,
    size: number,
    action: number,
    fromTick: number,
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
    // A trade leaves the book as last published; an add, cancel or modify changes only its side.
    // depth: the level index of the price on the side it rests on (the passive side for a trade).
    const top = this.#published!;
    const depth =
      action === ACTION_T ? top.indexOf(1 - side, tick) : top.update(engine, side, tick, fromTick);
    if (depth === UNCHANGED) return;
    this.#stageMbp(raw, size, action, sideChar, Math.max(0, depth), this.#extraFlags);
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
    s.buf.set(this.#published!.bytes, o + 48);
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

/** Writes UNDEF_PRICE (an empty level, or no price) at `o`. */
function setUndef(dv: DataView, o: number): void {
  dv.setUint32(o, 0xffffffff, true);
  dv.setUint32(o + 4, 0x7fffffff, true);
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
