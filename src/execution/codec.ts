/**
 * Orders and fills as compact binary messages, for the services that pass them over the bus
 * (`orders`, `fills`): every value exact (prices in raw 1e-9 units as int64, times in ns as uint64,
 * fees as float64), a fraction of JSON's size, read by offset. A message that is cut short, of
 * another version or kind, or with a value outside its field is refused with an `EngineError`
 * (`WIRE_DECODE`) naming what is wrong; a value that does not fit its field is refused on encoding
 * (`WIRE_ENCODE`), never truncated.
 *
 * Version 1, little-endian. Every message starts with a version byte (1) and a kind byte.
 *
 * An order (kind 1), `24 + 8·P + 1 + L` bytes:
 *
 * | offset | size | field                                                                        |
 * |--------|------|------------------------------------------------------------------------------|
 * | 0      | 1    | version, 1                                                                   |
 * | 1      | 1    | kind, 1                                                                      |
 * | 2      | 1    | side: 0 buy, 1 sell                                                          |
 * | 3      | 1    | type: 0 market, 1 limit, 2 stop, 3 stop-limit                                |
 * | 4      | 1    | time in force: 0 DAY, 1 GTC, 2 IOC, 3 FOK, 4 GTT                              |
 * | 5      | 1    | flags: 1 limit price, 2 stop price, 4 expiry, 8 post-only                    |
 * | 6      | 2    | reserved, 0                                                                  |
 * | 8      | 4    | instrument id (uint32)                                                       |
 * | 12     | 4    | reserved, 0                                                                  |
 * | 16     | 8    | quantity (float64: a positive integer)                                       |
 * | 24     | 8·P  | the prices and expiry the flags announce, in that order (int64, int64, uint64) |
 * | …      | 1    | client id length L                                                           |
 * | …      | L    | client id, UTF-8                                                             |
 *
 * A fill (kind 2), `48 + 1 + L` bytes:
 *
 * | offset | size | field                                   |
 * |--------|------|-----------------------------------------|
 * | 0      | 1    | version, 1                              |
 * | 1      | 1    | kind, 2                                 |
 * | 2      | 1    | side: 0 buy, 1 sell                     |
 * | 3      | 1    | liquidity: 0 maker, 1 taker             |
 * | 4      | 4    | instrument id (uint32)                  |
 * | 8      | 8    | quantity (float64)                      |
 * | 16     | 8    | price (int64, raw units)                |
 * | 24     | 8    | fee (float64, account currency)         |
 * | 32     | 8    | time (uint64, ns since the epoch)       |
 * | 40     | 8    | reserved, 0                             |
 * | 48     | 1    | client id length L                      |
 * | 49     | L    | client id, UTF-8                        |
 */
import { EngineError } from '../core/index.js';
import type { Liquidity } from './fees.js';
import type { OrderSide, OrderSpec, OrderType, TimeInForce } from './order.js';
import type { TraderFill } from './trader.js';

const VERSION = 1;
const KIND_ORDER = 1;
const KIND_FILL = 2;
const SIDES: readonly OrderSide[] = ['buy', 'sell'];
const TYPES: readonly OrderType[] = ['market', 'limit', 'stop', 'stop-limit'];
const TIFS: readonly TimeInForce[] = ['DAY', 'GTC', 'IOC', 'FOK', 'GTT'];
const LIQUIDITY: readonly Liquidity[] = ['maker', 'taker'];
const HAS_LIMIT = 1;
const HAS_STOP = 2;
const HAS_EXPIRY = 4;
const POST_ONLY = 8;
const ORDER_HEAD = 24;
const FILL_HEAD = 48;
const MAX_ID = 255;

const utf8 = new TextEncoder();
const fromUtf8 = new TextDecoder('utf-8', { fatal: true });

function encodeError(what: string, value: unknown, expected: string): EngineError {
  return new EngineError('WIRE_ENCODE', `cannot encode ${what} ${String(value)}: expected ${expected}`);
}

function decodeError(what: string, problem: string): EngineError {
  return new EngineError('WIRE_DECODE', `${what}: ${problem}`);
}

function idBytes(clientId: string): Uint8Array {
  const b = utf8.encode(clientId);
  if (b.length === 0 || b.length > MAX_ID)
    throw encodeError('client id', JSON.stringify(clientId), `1 to ${MAX_ID} bytes of UTF-8`);
  return b;
}

function index<T>(list: readonly T[], value: T, what: string): number {
  const i = list.indexOf(value);
  if (i < 0) throw encodeError(what, value, list.join(', '));
  return i;
}

function checkedU32(what: string, v: number): number {
  if (!Number.isInteger(v) || v < 0 || v > 0xffffffff) throw encodeError(what, v, 'a uint32');
  return v;
}

function checkedRaw(what: string, v: number): bigint {
  if (!Number.isSafeInteger(v)) throw encodeError(what, v, 'a whole number of raw units');
  return BigInt(v);
}

function checkedQuantity(v: number): number {
  if (!Number.isSafeInteger(v) || v <= 0) throw encodeError('quantity', v, 'a positive integer');
  return v;
}

/** An order as a message. */
export function encodeOrder(o: OrderSpec): Uint8Array {
  const id = idBytes(o.clientId);
  const limit = o.limitPx === undefined ? null : checkedRaw('limit price', o.limitPx);
  const stop = o.stopPx === undefined ? null : checkedRaw('stop price', o.stopPx);
  const expiry = o.expireAtNs ?? null;
  if (expiry !== null && (expiry < 0n || expiry >= 1n << 64n))
    throw encodeError('expiry', expiry, 'a uint64');
  const flags =
    (limit !== null ? HAS_LIMIT : 0) |
    (stop !== null ? HAS_STOP : 0) |
    (expiry !== null ? HAS_EXPIRY : 0) |
    (o.postOnly === true ? POST_ONLY : 0);
  const words = (limit !== null ? 1 : 0) + (stop !== null ? 1 : 0) + (expiry !== null ? 1 : 0);
  const out = new Uint8Array(ORDER_HEAD + 8 * words + 1 + id.length);
  const dv = new DataView(out.buffer);
  out[0] = VERSION;
  out[1] = KIND_ORDER;
  out[2] = index(SIDES, o.side, 'side');
  out[3] = index(TYPES, o.type, 'order type');
  out[4] = index(TIFS, o.tif, 'time in force');
  out[5] = flags;
  dv.setUint32(8, checkedU32('instrument id', o.instrumentId), true);
  dv.setFloat64(16, checkedQuantity(o.quantity), true);
  let at = ORDER_HEAD;
  if (limit !== null) {
    dv.setBigInt64(at, limit, true);
    at += 8;
  }
  if (stop !== null) {
    dv.setBigInt64(at, stop, true);
    at += 8;
  }
  if (expiry !== null) {
    dv.setBigUint64(at, expiry, true);
    at += 8;
  }
  out[at] = id.length;
  out.set(id, at + 1);
  return out;
}

/** The order of a message `encodeOrder` wrote; `what` names it in errors (a subject, a sequence). */
export function decodeOrder(bytes: Uint8Array, what = 'order message'): OrderSpec {
  const dv = header(bytes, KIND_ORDER, ORDER_HEAD, what);
  const flags = bytes[5];
  if ((flags & ~(HAS_LIMIT | HAS_STOP | HAS_EXPIRY | POST_ONLY)) !== 0)
    throw decodeError(what, `unknown flags ${flags}`);
  let at = ORDER_HEAD;
  const next = (signed: boolean): bigint => {
    if (at + 8 > bytes.length) throw decodeError(what, `cut short at byte ${bytes.length}`);
    const v = signed ? dv.getBigInt64(at, true) : dv.getBigUint64(at, true);
    at += 8;
    return v;
  };
  const limitPx = (flags & HAS_LIMIT) !== 0 ? rawOf(next(true), what, 'limit price') : undefined;
  const stopPx = (flags & HAS_STOP) !== 0 ? rawOf(next(true), what, 'stop price') : undefined;
  const expireAtNs = (flags & HAS_EXPIRY) !== 0 ? next(false) : undefined;
  const clientId = idAt(bytes, at, what);
  return {
    clientId,
    instrumentId: dv.getUint32(8, true),
    side: enumAt(SIDES, bytes[2], what, 'side'),
    type: enumAt(TYPES, bytes[3], what, 'order type'),
    quantity: quantityAt(dv, 16, what),
    tif: enumAt(TIFS, bytes[4], what, 'time in force'),
    ...(limitPx !== undefined ? { limitPx } : {}),
    ...(stopPx !== undefined ? { stopPx } : {}),
    ...(expireAtNs !== undefined ? { expireAtNs } : {}),
    ...((flags & POST_ONLY) !== 0 ? { postOnly: true } : {}),
  };
}

/** A fill as a message. */
export function encodeFill(f: TraderFill): Uint8Array {
  const id = idBytes(f.clientId);
  if (f.tsNs < 0n || f.tsNs >= 1n << 64n) throw encodeError('fill time', f.tsNs, 'a uint64 of ns');
  const out = new Uint8Array(FILL_HEAD + 1 + id.length);
  const dv = new DataView(out.buffer);
  out[0] = VERSION;
  out[1] = KIND_FILL;
  out[2] = index(SIDES, f.side, 'side');
  out[3] = index(LIQUIDITY, f.liquidity, 'liquidity');
  dv.setUint32(4, checkedU32('instrument id', f.instrumentId), true);
  dv.setFloat64(8, checkedQuantity(f.quantity), true);
  dv.setBigInt64(16, checkedRaw('price', f.price), true);
  if (!Number.isFinite(f.fee)) throw encodeError('fee', f.fee, 'a finite number');
  dv.setFloat64(24, f.fee, true);
  dv.setBigUint64(32, f.tsNs, true);
  out[FILL_HEAD] = id.length;
  out.set(id, FILL_HEAD + 1);
  return out;
}

/** The fill of a message `encodeFill` wrote; `what` names it in errors. */
export function decodeFill(bytes: Uint8Array, what = 'fill message'): TraderFill {
  const dv = header(bytes, KIND_FILL, FILL_HEAD, what);
  const fee = dv.getFloat64(24, true);
  if (!Number.isFinite(fee)) throw decodeError(what, `fee ${fee} is not a finite number`);
  return {
    clientId: idAt(bytes, FILL_HEAD, what),
    instrumentId: dv.getUint32(4, true),
    side: enumAt(SIDES, bytes[2], what, 'side'),
    liquidity: enumAt(LIQUIDITY, bytes[3], what, 'liquidity'),
    quantity: quantityAt(dv, 8, what),
    price: rawOf(dv.getBigInt64(16, true), what, 'price'),
    fee,
    tsNs: dv.getBigUint64(32, true),
  };
}

/** The message's version, kind and fixed part, checked; a view over it. */
function header(bytes: Uint8Array, kind: number, fixed: number, what: string): DataView {
  if (bytes.length < fixed + 2)
    throw decodeError(what, `${bytes.length} bytes, cut short (at least ${fixed + 2})`);
  if (bytes[0] !== VERSION) throw decodeError(what, `version ${bytes[0]}, this engine reads ${VERSION}`);
  if (bytes[1] !== kind) throw decodeError(what, `kind ${bytes[1]}, expected ${kind}`);
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

function idAt(bytes: Uint8Array, at: number, what: string): string {
  if (at >= bytes.length) throw decodeError(what, `cut short at byte ${bytes.length}`);
  const n = bytes[at];
  if (n === 0) throw decodeError(what, 'an empty client id');
  if (at + 1 + n !== bytes.length)
    throw decodeError(what, `${bytes.length} bytes where the client id ends at ${at + 1 + n}`);
  try {
    return fromUtf8.decode(bytes.subarray(at + 1, at + 1 + n));
  } catch {
    throw decodeError(what, 'the client id is not UTF-8');
  }
}

function enumAt<T>(list: readonly T[], i: number, what: string, field: string): T {
  if (i >= list.length) throw decodeError(what, `${field} ${i} is not one of 0–${list.length - 1}`);
  return list[i];
}

function quantityAt(dv: DataView, at: number, what: string): number {
  const q = dv.getFloat64(at, true);
  if (!Number.isSafeInteger(q) || q <= 0) throw decodeError(what, `quantity ${q} is not a positive integer`);
  return q;
}

function rawOf(v: bigint, what: string, field: string): number {
  const n = Number(v);
  if (!Number.isSafeInteger(n)) throw decodeError(what, `${field} ${v} is beyond a safe integer`);
  return n;
}
