/**
 * Records as plain objects, for the edges (dump, JSON, tests, building records to encode).
 * Field names are Databento's. 64-bit values are `bigint` (exact); prices stay raw 1e-9 integers
 * (`formatPrice` renders them); c_char fields are one-character strings; reserved bytes are hex
 * strings so that re-encoding reproduces them exactly. The hot path uses `RecordCursor` instead.
 */
import { quoteValue, UNDEF_PRICE, UNDEF_TIMESTAMP } from '../../core/index.js';
import { DbnEncodeError } from './errors.js';
import { type FieldDef, HEADER_SIZE, LEVEL_SIZE, type RecordLayout } from './layouts.js';
import { readCstr, writeCstr } from './metadata.js';

/** The common record header. `length` is the record size in bytes divided by 4. */
export interface RecordHeader {
  length: number;
  rtype: number;
  publisher_id: number;
  instrument_id: number;
  ts_event: bigint;
}

/** One book level of MBP-1/MBP-10/BBO records. */
export interface BidAskPair {
  bid_px: bigint;
  ask_px: bigint;
  bid_sz: number;
  ask_sz: number;
  bid_ct: number;
  ask_ct: number;
}

/** One level of consolidated records (CMBP-1, CBBO, TCBBO): publisher ids instead of counts. */
export interface ConsolidatedBidAskPair {
  bid_px: bigint;
  ask_px: bigint;
  bid_sz: number;
  ask_sz: number;
  bid_pb: number;
  _reserved1: string;
  ask_pb: number;
  _reserved2: string;
}

/** Any decoded record: the header plus the fields of its layout (and `ts_out` when the stream has it). */
export interface DbnRecord {
  hd: RecordHeader;
  ts_out?: bigint;
  [field: string]: unknown;
}

/** A market-by-order record. */
export interface MboRecord extends DbnRecord {
  order_id: bigint;
  price: bigint;
  size: number;
  flags: number;
  channel_id: number;
  action: string;
  side: string;
  ts_recv: bigint;
  ts_in_delta: number;
  sequence: number;
}

/** A trade (MBP-0) record; MBP-1 and MBP-10 add `levels`. */
export interface TradeRecord extends DbnRecord {
  price: bigint;
  size: number;
  action: string;
  side: string;
  flags: number;
  depth: number;
  ts_recv: bigint;
  ts_in_delta: number;
  sequence: number;
}

/** MBP-1, TBBO and MBP-10 records. */
export interface MbpRecord extends TradeRecord {
  levels: BidAskPair[];
}

/** OHLCV bar records of every interval. */
export interface OhlcvRecord extends DbnRecord {
  open: bigint;
  high: bigint;
  low: bigint;
  close: bigint;
  volume: bigint;
}

function hex(bytes: Uint8Array, off: number, len: number): string {
  let s = '';
  for (let i = 0; i < len; i++) s += bytes[off + i].toString(16).padStart(2, '0');
  return s;
}

function unhex(text: string, len: number, field: string): Uint8Array {
  if (text.length !== len * 2 || !/^[0-9a-fA-F]*$/.test(text)) {
    throw new DbnEncodeError(`${field} must be ${len} bytes of hex, got "${text}"`);
  }
  const out = new Uint8Array(len);
  for (let i = 0; i < len; i++) out[i] = Number.parseInt(text.slice(i * 2, i * 2 + 2), 16);
  return out;
}

/** The source of a JS expression reading field `f` of the record at `o` (see `compileDecoder`). */
function fieldSource(f: FieldDef, at: string): string {
  switch (f.type) {
    case 'u8':
      return `b[${at}]`;
    case 'i8':
      return `dv.getInt8(${at})`;
    case 'u16':
      return `dv.getUint16(${at}, true)`;
    case 'i16':
      return `dv.getInt16(${at}, true)`;
    case 'u32':
      return `dv.getUint32(${at}, true)`;
    case 'i32':
      return `dv.getInt32(${at}, true)`;
    case 'u64':
    case 'ts':
      return `dv.getBigUint64(${at}, true)`;
    case 'i64':
    case 'px':
      return `dv.getBigInt64(${at}, true)`;
    case 'char':
      return `String.fromCharCode(b[${at}])`;
    case 'cstr':
      return `readCstr(b, ${at}, ${f.size})`;
    case 'bytes':
      return `hex(b, ${at}, ${f.size})`;
    case 'levels':
    case 'clevels': {
      const levels: string[] = [];
      for (let i = 0; i < f.count; i++)
        levels.push(levelSource(f.type === 'clevels', `o + ${f.offset + i * LEVEL_SIZE}`));
      return `[${levels.join(', ')}]`;
    }
  }
}

/** The source of one `BidAskPair` (or `ConsolidatedBidAskPair`) literal at byte `at`. */
function levelSource(consolidated: boolean, at: string): string {
  const common = `bid_px: dv.getBigInt64(${at}, true), ask_px: dv.getBigInt64(${at} + 8, true), bid_sz: dv.getUint32(${at} + 16, true), ask_sz: dv.getUint32(${at} + 20, true)`;
  return consolidated
    ? `{ ${common}, bid_pb: dv.getUint16(${at} + 24, true), _reserved1: hex(b, ${at} + 26, 2), ask_pb: dv.getUint16(${at} + 28, true), _reserved2: hex(b, ${at} + 30, 2) }`
    : `{ ${common}, bid_ct: dv.getUint32(${at} + 24, true), ask_ct: dv.getUint32(${at} + 28, true) }`;
}

/** Reads one whole record of a layout: `(dv, bytes, offset, tsOut) => record`. */
type LayoutDecoder = (dv: DataView, bytes: Uint8Array, offset: number, tsOut: boolean) => DbnRecord;

/**
 * A decoder specialised to `layout`: one object literal with every field read at its constant
 * offset. Against a loop over the field table this is several times faster: every record of a
 * layout gets the same hidden class (no keyed stores by field name), and each read is a direct
 * DataView call the JIT inlines. The source is generated from our own layout tables only (names are
 * quoted with JSON.stringify), never from input.
 */
function compileDecoder(layout: RecordLayout): LayoutDecoder {
  const props = layout.fields.map((f) => `${JSON.stringify(f.name)}: ${fieldSource(f, `o + ${f.offset}`)}`);
  const body = `
    const rec = {
      hd: {
        length: b[o],
        rtype: b[o + 1],
        publisher_id: dv.getUint16(o + 2, true),
        instrument_id: dv.getUint32(o + 4, true),
        ts_event: dv.getBigUint64(o + 8, true),
      },
      ${props.join(',\n      ')}
    };
    if (tsOut) rec.ts_out = dv.getBigUint64(o + ${layout.size}, true);
    return rec;`;
  const make = new Function(
    'readCstr',
    'hex',
    `return function decode${layout.name}(dv, b, o, tsOut) {${body}\n};`,
  );
  return make(readCstr, hex) as LayoutDecoder;
}

const DECODERS = new Map<RecordLayout, LayoutDecoder>();

/** The specialised decoder of `layout`, compiled on first use. */
function decoderOf(layout: RecordLayout): LayoutDecoder {
  let d = DECODERS.get(layout);
  if (d === undefined) {
    d = compileDecoder(layout);
    DECODERS.set(layout, d);
  }
  return d;
}

// The DataView of the bytes last decoded from: records are materialised one after another from the
// same batch, and a view per record would be one more allocation each.
let lastBytes: Uint8Array | null = null;
let lastView: DataView | null = null;

function viewOf(bytes: Uint8Array): DataView {
  if (bytes !== lastBytes || lastView === null) {
    lastView = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    lastBytes = bytes;
  }
  return lastView;
}

/** Materialises the record at `offset` of `bytes` with `layout` (and a trailing ts_out when `tsOut`). */
export function decodeRecord(
  bytes: Uint8Array,
  offset: number,
  layout: RecordLayout,
  tsOut = false,
): DbnRecord {
  return decoderOf(layout)(viewOf(bytes), bytes, offset, tsOut);
}

/** The header of any record (also of rtypes this decoder does not know). */
export function decodeHeader(bytes: Uint8Array, offset: number): RecordHeader {
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return {
    length: bytes[offset],
    rtype: bytes[offset + 1],
    publisher_id: dv.getUint16(offset + 2, true),
    instrument_id: dv.getUint32(offset + 4, true),
    ts_event: dv.getBigUint64(offset + 8, true),
  };
}

function num(v: unknown, name: string): number {
  if (v === undefined) return 0;
  if (typeof v === 'number') return v;
  if (typeof v === 'bigint') return Number(v);
  throw new DbnEncodeError(`Field ${name} must be a number, got ${typeof v}`);
}
function big(v: unknown, name: string, dflt: bigint): bigint {
  if (v === undefined || v === null) return dflt;
  if (typeof v === 'bigint') return v;
  if (typeof v === 'number' && Number.isInteger(v)) return BigInt(v);
  if (typeof v === 'string') return BigInt(v);
  throw new DbnEncodeError(`Field ${name} must be an integer, got ${quoteValue(v)}`);
}

function writeLevel(
  dv: DataView,
  bytes: Uint8Array,
  off: number,
  lv: Record<string, unknown>,
  consolidated: boolean,
): void {
  dv.setBigInt64(off, big(lv.bid_px, 'bid_px', UNDEF_PRICE), true);
  dv.setBigInt64(off + 8, big(lv.ask_px, 'ask_px', UNDEF_PRICE), true);
  dv.setUint32(off + 16, num(lv.bid_sz, 'bid_sz'), true);
  dv.setUint32(off + 20, num(lv.ask_sz, 'ask_sz'), true);
  if (consolidated) {
    dv.setUint16(off + 24, num(lv.bid_pb, 'bid_pb'), true);
    bytes.set(
      lv._reserved1 === undefined ? new Uint8Array(2) : unhex(String(lv._reserved1), 2, '_reserved1'),
      off + 26,
    );
    dv.setUint16(off + 28, num(lv.ask_pb, 'ask_pb'), true);
    bytes.set(
      lv._reserved2 === undefined ? new Uint8Array(2) : unhex(String(lv._reserved2), 2, '_reserved2'),
      off + 30,
    );
  } else {
    dv.setUint32(off + 24, num(lv.bid_ct, 'bid_ct'), true);
    dv.setUint32(off + 28, num(lv.ask_ct, 'ask_ct'), true);
  }
}

/**
 * Writes `rec` with `layout` at `offset` of `out` (which must have room for the record) and
 * returns the bytes written. The header `length` is computed, never taken from `rec`. Missing
 * fields take neutral defaults: UNDEF_PRICE for prices, UNDEF_TIMESTAMP for timestamps, 0, "".
 * A string must leave room for its NUL, unless `unterminated`: then a string that fills its whole
 * field (as `decodeRecord` reads a field without a NUL) is written back as it was.
 */
export function encodeRecord(
  rec: DbnRecord,
  layout: RecordLayout,
  out: Uint8Array,
  offset: number,
  tsOut = false,
  unterminated = false,
): number {
  const size = layout.size + (tsOut ? 8 : 0);
  const dv = new DataView(out.buffer, out.byteOffset, out.byteLength);
  out.fill(0, offset, offset + size);
  out[offset] = size / 4;
  out[offset + 1] = rec.hd.rtype;
  dv.setUint16(offset + 2, rec.hd.publisher_id, true);
  dv.setUint32(offset + 4, rec.hd.instrument_id, true);
  dv.setBigUint64(offset + 8, big(rec.hd.ts_event, 'ts_event', UNDEF_TIMESTAMP), true);
  for (const f of layout.fields) {
    const o = offset + f.offset;
    const v = rec[f.name];
    switch (f.type) {
      case 'u8':
        out[o] = num(v, f.name);
        break;
      case 'i8':
        dv.setInt8(o, num(v, f.name));
        break;
      case 'u16':
        dv.setUint16(o, num(v, f.name), true);
        break;
      case 'i16':
        dv.setInt16(o, num(v, f.name), true);
        break;
      case 'u32':
        dv.setUint32(o, num(v, f.name), true);
        break;
      case 'i32':
        dv.setInt32(o, num(v, f.name), true);
        break;
      case 'u64':
        dv.setBigUint64(o, big(v, f.name, 0n), true);
        break;
      case 'ts':
        dv.setBigUint64(o, big(v, f.name, UNDEF_TIMESTAMP), true);
        break;
      case 'i64':
        dv.setBigInt64(o, big(v, f.name, 0n), true);
        break;
      case 'px':
        dv.setBigInt64(o, big(v, f.name, UNDEF_PRICE), true);
        break;
      case 'char':
        out[o] = v === undefined || v === '' ? 0 : String(v).charCodeAt(0) & 0xff;
        break;
      case 'cstr':
        writeCstr(out, o, f.size, v === undefined ? '' : String(v), f.name, unterminated);
        break;
      case 'bytes':
        if (v !== undefined) out.set(unhex(String(v), f.size, f.name), o);
        break;
      case 'levels':
      case 'clevels': {
        const levels = (v ?? []) as Record<string, unknown>[];
        if (levels.length > f.count)
          throw new DbnEncodeError(`${layout.name} holds ${f.count} levels, got ${levels.length}`);
        for (let i = 0; i < f.count; i++) {
          writeLevel(dv, out, o + i * LEVEL_SIZE, levels[i] ?? {}, f.type === 'clevels');
        }
        break;
      }
    }
  }
  if (tsOut) dv.setBigUint64(offset + layout.size, big(rec.ts_out, 'ts_out', UNDEF_TIMESTAMP), true);
  return size;
}

export { HEADER_SIZE };
