/**
 * The compact binary encoding of a `FeatureSnapshot`, used where a snapshot leaves the process (the
 * Redis feature store). JSON would turn every NaN ("not ready") into null and the ns timestamp into
 * a float or a string; this encoding keeps every value exactly, is a fraction of JSON's size and is
 * read by offset.
 *
 * Version 1, little-endian, `16 + 8·N + 1 + L` bytes where N = `FEATURE_COLUMNS.length` and L the
 * symbol's UTF-8 length:
 *
 * | offset     | size | field                                                         |
 * |------------|------|---------------------------------------------------------------|
 * | 0          | 1    | version, 1                                                    |
 * | 1          | 1    | session, index into `FX_SESSION_NAMES`                        |
 * | 2          | 2    | column count N (uint16), checked against `FEATURE_COLUMNS`    |
 * | 4          | 4    | instrument_id (uint32)                                        |
 * | 8          | 8    | ts_ns (uint64, ns since the epoch)                            |
 * | 16         | 8·N  | the feature columns as float64, in `FEATURE_COLUMNS` order    |
 * | 16 + 8·N   | 1    | symbol length L in bytes                                      |
 * | 17 + 8·N   | L    | symbol, UTF-8                                                 |
 *
 * The float64 columns start 8-byte aligned. `ts` is not stored: it is formatted from `ts_ns` as the
 * feature engine formats it. A float64 holds every JavaScript number, so NaN, ±Infinity and -0 come
 * back as they went in. A new column changes N; a reader refuses a count other than its own rather
 * than shift every value by a column, and a layout change takes a new version.
 */
import { FX_SESSION_NAMES, type FxSessionName, formatTimestamp } from '../../core/index.js';
import { FEATURE_COLUMNS, type FeatureSnapshot } from '../../features/index.js';
import { FeatureCodecError } from './errors.js';

/** The encoding's version byte. */
export const FEATURE_SNAPSHOT_VERSION = 1;
/** Bytes before the first column. */
export const FEATURE_SNAPSHOT_HEADER_BYTES = 16;

const N = FEATURE_COLUMNS.length;
const SYMBOL_AT = FEATURE_SNAPSHOT_HEADER_BYTES + 8 * N;
const UINT64_MAX = 2n ** 64n - 1n;
const UTF8 = new TextEncoder();
const UTF8_STRICT = new TextDecoder('utf-8', { fatal: true });
const SESSION_INDEX: ReadonlyMap<string, number> = new Map(FX_SESSION_NAMES.map((s, i) => [s, i]));

/** The encoded size of a snapshot whose symbol is `symbolBytes` bytes of UTF-8. */
export function encodedSnapshotBytes(symbolBytes: number): number {
  return SYMBOL_AT + 1 + symbolBytes;
}

/** Encodes `s` (see the module comment); a `FeatureCodecError` names what does not fit. */
export function encodeFeatureSnapshot(s: FeatureSnapshot): Buffer {
  const where = `instrument ${s.instrument_id}`;
  const fail = (detail: string) => new FeatureCodecError('FEATURE_ENCODE', where, detail);
  if (!Number.isInteger(s.instrument_id) || s.instrument_id < 0 || s.instrument_id > 0xffff_ffff)
    throw fail(`instrument_id must be a uint32, got ${s.instrument_id}`);
  if (typeof s.ts_ns !== 'bigint' || s.ts_ns < 0n || s.ts_ns > UINT64_MAX)
    throw fail(`ts_ns must be a bigint within uint64, got ${String(s.ts_ns)}`);
  const session = SESSION_INDEX.get(s.session);
  if (session === undefined)
    throw fail(`session "${s.session}" is not one of ${FX_SESSION_NAMES.join(', ')}`);
  const symbol = UTF8.encode(s.symbol);
  if (symbol.length > 255) throw fail(`symbol is ${symbol.length} bytes of UTF-8, more than 255`);
  const buf = Buffer.allocUnsafe(encodedSnapshotBytes(symbol.length));
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  view.setUint8(0, FEATURE_SNAPSHOT_VERSION);
  view.setUint8(1, session);
  view.setUint16(2, N, true);
  view.setUint32(4, s.instrument_id, true);
  view.setBigUint64(8, s.ts_ns, true);
  for (let i = 0; i < N; i++) {
    const v = s[FEATURE_COLUMNS[i]];
    if (typeof v !== 'number') throw fail(`column "${FEATURE_COLUMNS[i]}" is ${typeof v}, not a number`);
    view.setFloat64(FEATURE_SNAPSHOT_HEADER_BYTES + 8 * i, v, true);
  }
  view.setUint8(SYMBOL_AT, symbol.length);
  buf.set(symbol, SYMBOL_AT + 1);
  return buf;
}

/**
 * Decodes bytes written by `encodeFeatureSnapshot` into a frozen snapshot. `where` (the store key,
 * say) names the value in the `FeatureCodecError` thrown for bytes that are not a snapshot of this
 * version and column set.
 */
export function decodeFeatureSnapshot(bytes: Uint8Array, where: string): FeatureSnapshot {
  const fail = (detail: string) => new FeatureCodecError('FEATURE_DECODE', where, detail);
  if (bytes.length < SYMBOL_AT + 1)
    throw fail(`${bytes.length} bytes, shorter than the ${SYMBOL_AT + 1} of a snapshot with an empty symbol`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const version = view.getUint8(0);
  if (version !== FEATURE_SNAPSHOT_VERSION)
    throw fail(`encoding version ${version}, this engine reads ${FEATURE_SNAPSHOT_VERSION}`);
  const columns = view.getUint16(2, true);
  if (columns !== N) throw fail(`${columns} feature columns, this engine has ${N}`);
  const session: FxSessionName | undefined = FX_SESSION_NAMES[view.getUint8(1)];
  if (session === undefined)
    throw fail(`session index ${view.getUint8(1)} is not one of 0..${FX_SESSION_NAMES.length - 1}`);
  const symbolLength = view.getUint8(SYMBOL_AT);
  if (bytes.length !== encodedSnapshotBytes(symbolLength))
    throw fail(
      `${bytes.length} bytes, a snapshot with a ${symbolLength}-byte symbol has ${encodedSnapshotBytes(symbolLength)}`,
    );
  let symbol: string;
  try {
    symbol = UTF8_STRICT.decode(bytes.subarray(SYMBOL_AT + 1));
  } catch {
    throw fail('the symbol is not valid UTF-8');
  }
  const tsNs = view.getBigUint64(8, true);
  const out: Record<string, unknown> = {
    ts: formatTimestamp(tsNs) ?? '',
    ts_ns: tsNs,
    symbol,
    instrument_id: view.getUint32(4, true),
    session,
  };
  for (let i = 0; i < N; i++)
    out[FEATURE_COLUMNS[i]] = view.getFloat64(FEATURE_SNAPSHOT_HEADER_BYTES + 8 * i, true);
  return Object.freeze(out) as FeatureSnapshot;
}
