/**
 * Market data on the services' bus: which product's subjects an instrument's records go to, the
 * instrument announcements that come before them, the end of a replay, and reading a record back
 * from its message.
 *
 * A product is a CME FX future's root (`6EZ6` → `6E`); a spot pair belongs to the product of its
 * future (`EUR/USD` → `6E`), with `spot` before its schema token (`md.6E.spotmbp1`), so that one
 * consumer of `md.6E.>` reads the future, its spot pair and their basis in the order they were
 * published. Any other symbol is its own product (letters and digits only).
 *
 * Subjects of a product `P`:
 * - `md.P.<schema>`: one DBN record (infra/bus/records.ts);
 * - `md.P.symbols`: an instrument of `P`, before its first record: instrument id (uint32 LE), DBN
 *   layout version of its records (uint8), 1 when they carry ts_out (uint8), then its symbol
 *   (UTF-8), as the input's metadata names it;
 * - `md.P.end`: the end of a replay: the last record's ts_recv of the whole input (uint64 LE, ns);
 *   the grid of every product runs to it, as one process's replay does.
 */
import { fxFutureRoot, SPOT_PAIRS } from '../../core/index.js';
import { RecordBatch, RType } from '../../data/dbn/index.js';
import { busSubject } from '../../infra/index.js';

/** The product an instrument's records travel under. */
export function productOf(symbol: string): string {
  const root = fxFutureRoot(symbol);
  if (root !== undefined) return root;
  for (const [product, spot] of Object.entries(SPOT_PAIRS)) if (spot.pair === symbol) return product;
  const own = symbol.replace(/[^A-Za-z0-9]/g, '');
  return own === '' ? 'unknown' : own;
}

/** Whether `symbol` is a spot pair (its schema tokens carry `spot`). */
function isSpot(symbol: string): boolean {
  return fxFutureRoot(symbol) === undefined && Object.values(SPOT_PAIRS).some((s) => s.pair === symbol);
}

const SCHEMAS: Readonly<Record<number, string>> = {
  [RType.MBP_0]: 'trades',
  [RType.MBP_1]: 'mbp1',
  [RType.MBP_10]: 'mbp10',
  [RType.MBO]: 'mbo',
  [RType.INSTRUMENT_DEF]: 'definition',
  [RType.STATISTICS]: 'statistics',
  [RType.STATUS]: 'status',
};

/** The subject of a record of `symbol` (`md.6E.mbp10`, `md.6E.spotmbp1`). */
export function recordSubject(symbol: string, rtype: number): string {
  const schema = SCHEMAS[rtype] ?? `rtype${rtype}`;
  return busSubject('md', productOf(symbol), isSpot(symbol) ? `spot${schema}` : schema);
}

/** An instrument's announcement: id, the layout of its records and its symbol. */
export interface InstrumentNotice {
  readonly instrumentId: number;
  readonly version: number;
  readonly tsOut: boolean;
  readonly symbol: string;
}

export function encodeNotice(n: InstrumentNotice): Uint8Array {
  const sym = new TextEncoder().encode(n.symbol);
  const out = new Uint8Array(6 + sym.length);
  new DataView(out.buffer).setUint32(0, n.instrumentId, true);
  out[4] = n.version;
  out[5] = n.tsOut ? 1 : 0;
  out.set(sym, 6);
  return out;
}

export function decodeNotice(data: Uint8Array, where: string): InstrumentNotice {
  if (data.length < 7 || data[4] < 1 || data[4] > 3 || data[5] > 1)
    throw new Error(`${where}: not an instrument notice (${data.length} bytes)`);
  const dv = new DataView(data.buffer, data.byteOffset, data.byteLength);
  return {
    instrumentId: dv.getUint32(0, true),
    version: data[4],
    tsOut: data[5] === 1,
    symbol: new TextDecoder('utf-8', { fatal: true }).decode(data.subarray(6)),
  };
}

export function encodeEnd(lastNs: bigint): Uint8Array {
  const out = new Uint8Array(8);
  new DataView(out.buffer).setBigUint64(0, lastNs, true);
  return out;
}

export function decodeEnd(data: Uint8Array, where: string): bigint {
  if (data.length !== 8) throw new Error(`${where}: an end message is 8 bytes, got ${data.length}`);
  return new DataView(data.buffer, data.byteOffset, 8).getBigUint64(0, true);
}

/** The kind of an `md.P.*` message by its subject's last token. */
function mdKind(subject: string): 'symbols' | 'end' | 'record' {
  const last = subject.slice(subject.lastIndexOf('.') + 1);
  return last === 'symbols' ? 'symbols' : last === 'end' ? 'end' : 'record';
}

/** An `md.P.*` message read back. */
export type MarketMessage =
  | { readonly kind: 'symbols'; readonly product: string; readonly notice: InstrumentNotice }
  | { readonly kind: 'end'; readonly product: string; readonly endNs: bigint }
  | { readonly kind: 'record'; readonly product: string; readonly batch: RecordBatch };

/**
 * Reads market-data messages. A record is copied into one reused batch (valid until the next
 * message) and read in the layout its instrument's notice announced.
 */
export class RecordReader {
  #batch = new RecordBatch(new Uint8Array(1024), 3, false);
  readonly #layouts = new Map<number, { version: number; tsOut: boolean }>();

  /** The message on `subject` (`where` names it in errors); a notice's layout is noted. */
  message(subject: string, data: Uint8Array, where: string): MarketMessage {
    // `md.<product>.<token>`, read without splitting the subject.
    const product = subject.slice(3, subject.indexOf('.', 3));
    const kind = mdKind(subject);
    if (kind === 'symbols') {
      const notice = decodeNotice(data, where);
      this.#layouts.set(notice.instrumentId, { version: notice.version, tsOut: notice.tsOut });
      return { kind, product, notice };
    }
    if (kind === 'end') return { kind, product, endNs: decodeEnd(data, where) };
    return { kind, product, batch: this.#read(data, where) };
  }

  /** The batch holding `data` as its one record, at index 0. */
  #read(data: Uint8Array, where: string): RecordBatch {
    if (data.length < 16 || data[0] * 4 !== data.length)
      throw new Error(`${where}: not one DBN record (${data.length} bytes, length byte ${data[0]})`);
    let b = this.#batch;
    if (data.length > b.bytes.length) {
      b = new RecordBatch(new Uint8Array(data.length * 2), b.version, b.tsOut);
      this.#batch = b;
    }
    const id = new DataView(data.buffer, data.byteOffset + 4, 4).getUint32(0, true);
    const layout = this.#layouts.get(id) ?? { version: 3, tsOut: false };
    if (b.version !== layout.version) b.version = layout.version;
    if (b.tsOut !== layout.tsOut) {
      b.tsOut = layout.tsOut;
      b.cursor.setTsOut(layout.tsOut);
    }
    b.bytes.set(data, 0);
    b.count = 1;
    b.offsets[0] = 0;
    return b;
  }
}
