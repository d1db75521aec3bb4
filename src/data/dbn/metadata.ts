/**
 * DBN metadata: the header after the 8-byte prelude ("DBN", version, u32 length), and the legacy
 * DBZ header. Little-endian throughout. Fields keep Databento's snake_case names so that the
 * metadata reads the same here, in Databento's own clients and in `dbn dump` output.
 */
import { UNDEF_TIMESTAMP } from '../../core/index.js';
import {
  NO_SCHEMA,
  NO_STYPE,
  SCHEMAS,
  type SchemaName,
  STYPES,
  type STypeName,
  symbolCstrLen,
} from './constants.js';
import { DbnEncodeError, DbnError } from './errors.js';

/** One interval of a symbol mapping: dates are YYYYMMDD integers, end exclusive. */
export interface MappingInterval {
  start_date: number;
  end_date: number;
  symbol: string;
}

/** How one requested symbol maps to output symbols (usually instrument ids) over time. */
export interface SymbolMapping {
  raw_symbol: string;
  intervals: MappingInterval[];
}

/** Decoded DBN (or DBZ) metadata. `version` is 0 for DBZ. */
export interface Metadata {
  version: number;
  dataset: string;
  schema: SchemaName | null;
  /** Query start, ns since epoch. */
  start: bigint;
  /** Query end, ns since epoch; UNDEF_TIMESTAMP when not set. */
  end: bigint;
  /** Record limit; 0 means none. */
  limit: bigint;
  stype_in: STypeName | null;
  stype_out: STypeName | null;
  ts_out: boolean;
  symbol_cstr_len: number;
  symbols: string[];
  partial: string[];
  not_found: string[];
  mappings: SymbolMapping[];
  /** Deprecated record count of v1 and DBZ headers (u64::MAX when unknown). */
  record_count?: bigint;
}

const FIXED_LEN = 100;

/**
 * Reads a NUL-terminated, fixed-width string, one character per byte (ISO-8859-1), so that
 * `writeCstr` writes the same bytes back. Not TextDecoder('latin1'): WHATWG defines that label
 * as windows-1252, which maps bytes 0x80-0x9F to other code points (0x80 is U+20AC).
 */
export function readCstr(bytes: Uint8Array, off: number, len: number): string {
  let end = off;
  const max = off + len;
  while (end < max && bytes[end] !== 0) end++;
  return Buffer.from(bytes.buffer, bytes.byteOffset + off, end - off).toString('latin1');
}

/**
 * Writes a string into a fixed-width NUL-padded field; throws if it does not fit with its NUL,
 * unless `unterminated` allows exactly `len` characters (bytes read from a field without a NUL,
 * written back verbatim).
 */
export function writeCstr(
  bytes: Uint8Array,
  off: number,
  len: number,
  text: string,
  field = 'string',
  unterminated = false,
): void {
  if (text.length > len || (text.length === len && !unterminated))
    throw new DbnEncodeError(`${field} "${text}" is longer than ${len - 1} characters`);
  for (let i = 0; i < len; i++) bytes[off + i] = i < text.length ? text.charCodeAt(i) & 0xff : 0;
}

function schemaName(code: number): SchemaName | null {
  return code === NO_SCHEMA ? null : (SCHEMAS[code] ?? null);
}
function stypeName(code: number): STypeName | null {
  return code === NO_STYPE ? null : (STYPES[code] ?? null);
}

/** Parses the variable sections (symbols, partial, not_found, mappings) starting at `pos`. */
function readVariable(
  bytes: Uint8Array,
  pos: number,
  end: number,
  strLen: number,
  source: string,
  base: number,
): { symbols: string[]; partial: string[]; not_found: string[]; mappings: SymbolMapping[] } {
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const need = (n: number, what: string) => {
    if (pos + n > end) {
      throw new DbnError('BAD_METADATA', source, base + pos, `metadata ends inside ${what}`);
    }
  };
  const readList = (what: string): string[] => {
    need(4, `${what} count`);
    const count = dv.getUint32(pos, true);
    pos += 4;
    need(count * strLen, what);
    const out: string[] = [];
    for (let i = 0; i < count; i++) {
      out.push(readCstr(bytes, pos, strLen));
      pos += strLen;
    }
    return out;
  };
  const symbols = readList('symbols');
  const partial = readList('partial');
  const not_found = readList('not_found');
  need(4, 'mappings count');
  const mcount = dv.getUint32(pos, true);
  pos += 4;
  const mappings: SymbolMapping[] = [];
  for (let i = 0; i < mcount; i++) {
    need(strLen + 4, 'a symbol mapping');
    const raw_symbol = readCstr(bytes, pos, strLen);
    pos += strLen;
    const icount = dv.getUint32(pos, true);
    pos += 4;
    need(icount * (8 + strLen), 'mapping intervals');
    const intervals: MappingInterval[] = [];
    for (let j = 0; j < icount; j++) {
      const start_date = dv.getUint32(pos, true);
      const end_date = dv.getUint32(pos + 4, true);
      const symbol = readCstr(bytes, pos + 8, strLen);
      pos += 8 + strLen;
      intervals.push({ start_date, end_date, symbol });
    }
    mappings.push({ raw_symbol, intervals });
  }
  return { symbols, partial, not_found, mappings };
}

/**
 * Decodes DBN metadata from `bytes`, which holds the 8-byte prelude and `length` bytes after it.
 * Throws DbnError naming `source` and the offset of the problem.
 */
export function decodeMetadata(bytes: Uint8Array, source: string): Metadata {
  if (bytes.length < 8)
    throw new DbnError('TRUNCATED_HEADER', source, bytes.length, 'input ends inside the DBN prelude');
  if (bytes[0] !== 0x44 || bytes[1] !== 0x42 || bytes[2] !== 0x4e) {
    throw new DbnError('BAD_MAGIC', source, 0, 'not a DBN stream (expected "DBN" magic)');
  }
  const version = bytes[3];
  if (version < 1 || version > 3) {
    throw new DbnError(
      'UNSUPPORTED_VERSION',
      source,
      3,
      `DBN version ${version} is not supported (1, 2 or 3)`,
    );
  }
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const length = dv.getUint32(4, true);
  if (length < FIXED_LEN + 4) {
    throw new DbnError('BAD_METADATA', source, 4, `metadata length ${length} is shorter than the fixed part`);
  }
  if (bytes.length < 8 + length) {
    throw new DbnError(
      'TRUNCATED_HEADER',
      source,
      bytes.length,
      `input ends inside the ${length}-byte metadata`,
    );
  }
  const m = 8;
  const dataset = readCstr(bytes, m, 16);
  const schema = dv.getUint16(m + 16, true);
  const start = dv.getBigUint64(m + 18, true);
  const end = dv.getBigUint64(m + 26, true);
  const limit = dv.getBigUint64(m + 34, true);
  let p = m + 42;
  let record_count: bigint | undefined;
  if (version === 1) {
    record_count = dv.getBigUint64(p, true);
    p += 8;
  }
  const stype_in = bytes[p];
  const stype_out = bytes[p + 1];
  const ts_out = bytes[p + 2];
  const strLen = version === 1 ? symbolCstrLen(1) : dv.getUint16(p + 3, true);
  if (strLen === 0 || strLen > 1024) {
    throw new DbnError('BAD_METADATA', source, p + 3, `symbol_cstr_len ${strLen} is not plausible`);
  }
  const schemaDefLen = dv.getUint32(m + FIXED_LEN, true);
  if (schemaDefLen !== 0) {
    throw new DbnError(
      'BAD_METADATA',
      source,
      m + FIXED_LEN,
      `schema definitions (${schemaDefLen} bytes) are not supported`,
    );
  }
  const varPart = readVariable(bytes, m + FIXED_LEN + 4, 8 + length, strLen, source, 0);
  const md: Metadata = {
    version,
    dataset,
    schema: schemaName(schema),
    start,
    end,
    limit,
    stype_in: stypeName(stype_in),
    stype_out: stypeName(stype_out),
    ts_out: ts_out !== 0,
    symbol_cstr_len: strLen,
    ...varPart,
  };
  if (record_count !== undefined) md.record_count = record_count;
  return md;
}

/** Reads the u32 metadata length from a DBN prelude (bytes 4..8). */
export function metadataLength(prelude: Uint8Array): number {
  return new DataView(prelude.buffer, prelude.byteOffset, 8).getUint32(4, true);
}

/**
 * Decodes the DBZ header held in a skippable frame's payload: a 96-byte fixed part (starting with
 * "DBZ" and version 1), then a zstd frame holding the variable sections with 22-byte strings.
 */
export function decodeDbzMetadata(
  payload: Uint8Array,
  source: string,
  base: number,
  decompress: (b: Uint8Array) => Uint8Array,
): Metadata {
  if (payload.length < 96)
    throw new DbnError(
      'TRUNCATED_HEADER',
      source,
      base + payload.length,
      'DBZ metadata is shorter than 96 bytes',
    );
  if (payload[0] !== 0x44 || payload[1] !== 0x42 || payload[2] !== 0x5a) {
    throw new DbnError('BAD_MAGIC', source, base, 'skippable frame does not hold DBZ metadata');
  }
  if (payload[3] !== 1)
    throw new DbnError('UNSUPPORTED_VERSION', source, base + 3, `DBZ version ${payload[3]} is not supported`);
  const dv = new DataView(payload.buffer, payload.byteOffset, payload.byteLength);
  const dataset = readCstr(payload, 4, 16);
  const schema = dv.getUint16(20, true);
  const start = dv.getBigUint64(22, true);
  const end = dv.getBigUint64(30, true);
  const limit = dv.getBigUint64(38, true);
  const record_count = dv.getBigUint64(46, true);
  const stype_in = payload[55];
  const stype_out = payload[56];
  let inner: Uint8Array;
  try {
    inner = decompress(payload.subarray(96));
  } catch (cause) {
    throw new DbnError(
      'CORRUPT_ZSTD',
      source,
      base + 96,
      `DBZ metadata frame does not decompress: ${(cause as Error).message}`,
      {
        cause,
      },
    );
  }
  const innerDv = new DataView(inner.buffer, inner.byteOffset, inner.byteLength);
  if (inner.length < 4 || innerDv.getUint32(0, true) !== 0) {
    throw new DbnError('BAD_METADATA', source, base + 96, 'DBZ metadata has schema definitions or is empty');
  }
  const varPart = readVariable(inner, 4, inner.length, 22, source, base + 96);
  return {
    version: 0,
    dataset,
    schema: schemaName(schema),
    start,
    end,
    limit,
    stype_in: stypeName(stype_in),
    stype_out: stypeName(stype_out),
    ts_out: false,
    symbol_cstr_len: 22,
    ...varPart,
    record_count,
  };
}

/** Input for encoding: the same shape as decoded metadata, with defaults for what is left out. */
export type MetadataInit = Partial<Omit<Metadata, 'version' | 'symbol_cstr_len'>> & { dataset: string };

/**
 * Encodes DBN v3 metadata (prelude included), padding it so that the first record starts at an
 * 8-byte-aligned offset, as Databento's encoder does.
 */
export function encodeMetadata(init: MetadataInit): Uint8Array {
  const strLen = symbolCstrLen(3);
  const symbols = init.symbols ?? [];
  const partial = init.partial ?? [];
  const notFound = init.not_found ?? [];
  const mappings = init.mappings ?? [];
  let varLen = 4 + 4 * 3 + (symbols.length + partial.length + notFound.length) * strLen + 4;
  for (const mp of mappings) varLen += strLen + 4 + mp.intervals.length * (8 + strLen);
  let length = FIXED_LEN + varLen;
  const pad = (8 - ((8 + length) % 8)) % 8;
  length += pad;
  const out = new Uint8Array(8 + length);
  const dv = new DataView(out.buffer);
  out.set([0x44, 0x42, 0x4e, 3]);
  dv.setUint32(4, length, true);
  writeCstr(out, 8, 16, init.dataset, 'dataset');
  const schemaCode = init.schema == null ? NO_SCHEMA : SCHEMAS.indexOf(init.schema);
  if (schemaCode < 0) throw new DbnEncodeError(`Unknown schema "${init.schema}"`);
  dv.setUint16(24, schemaCode, true);
  dv.setBigUint64(26, init.start ?? 0n, true);
  dv.setBigUint64(34, init.end ?? UNDEF_TIMESTAMP, true);
  dv.setBigUint64(42, init.limit ?? 0n, true);
  const stypeCode = (s: STypeName | null | undefined) => {
    if (s == null) return NO_STYPE;
    const c = STYPES.indexOf(s);
    if (c < 0) throw new DbnEncodeError(`Unknown stype "${s}"`);
    return c;
  };
  out[50] = stypeCode(init.stype_in);
  out[51] = stypeCode(init.stype_out);
  out[52] = init.ts_out ? 1 : 0;
  dv.setUint16(53, strLen, true);
  let p = 8 + FIXED_LEN;
  dv.setUint32(p, 0, true);
  p += 4;
  for (const list of [symbols, partial, notFound]) {
    dv.setUint32(p, list.length, true);
    p += 4;
    for (const s of list) {
      writeCstr(out, p, strLen, s, 'symbol');
      p += strLen;
    }
  }
  dv.setUint32(p, mappings.length, true);
  p += 4;
  for (const mp of mappings) {
    writeCstr(out, p, strLen, mp.raw_symbol, 'raw_symbol');
    p += strLen;
    dv.setUint32(p, mp.intervals.length, true);
    p += 4;
    for (const iv of mp.intervals) {
      dv.setUint32(p, iv.start_date, true);
      dv.setUint32(p + 4, iv.end_date, true);
      writeCstr(out, p + 8, strLen, iv.symbol, 'mapping symbol');
      p += 8 + strLen;
    }
  }
  return out;
}
