/**
 * DBN constants: record types, schemas, symbology types and flags, with Databento's names.
 * Source: Databento's DBN specification and reference implementation (rtype, Schema, SType enums).
 */

/** Record type bytes (the `rtype` of the record header). */
export const RType = {
  MBP_0: 0x00,
  MBP_1: 0x01,
  MBP_10: 0x0a,
  OHLCV_DEPRECATED: 0x11,
  STATUS: 0x12,
  INSTRUMENT_DEF: 0x13,
  IMBALANCE: 0x14,
  ERROR: 0x15,
  SYMBOL_MAPPING: 0x16,
  SYSTEM: 0x17,
  STATISTICS: 0x18,
  OHLCV_1S: 0x20,
  OHLCV_1M: 0x21,
  OHLCV_1H: 0x22,
  OHLCV_1D: 0x23,
  OHLCV_EOD: 0x24,
  MBO: 0xa0,
  CMBP_1: 0xb1,
  CBBO_1S: 0xc0,
  CBBO_1M: 0xc1,
  TCBBO: 0xc2,
  BBO_1S: 0xc3,
  BBO_1M: 0xc4,
} as const;

const RTYPE_NAMES = new Map<number, string>(Object.entries(RType).map(([k, v]) => [v, k]));

/** Databento's name of an rtype ("MBP_10"), or "UNKNOWN". */
export function rtypeName(rtype: number): string {
  return RTYPE_NAMES.get(rtype) ?? 'UNKNOWN';
}

/** `0x0A MBP_10`, the label used in record counts. */
export function rtypeLabel(rtype: number): string {
  return `0x${rtype.toString(16).toUpperCase().padStart(2, '0')} ${rtypeName(rtype)}`;
}

/** Schema names in the order of their u16 codes in the metadata. */
export const SCHEMAS = [
  'mbo',
  'mbp-1',
  'mbp-10',
  'tbbo',
  'trades',
  'ohlcv-1s',
  'ohlcv-1m',
  'ohlcv-1h',
  'ohlcv-1d',
  'definition',
  'statistics',
  'status',
  'imbalance',
  'ohlcv-eod',
  'cmbp-1',
  'cbbo-1s',
  'cbbo-1m',
  'tcbbo',
  'bbo-1s',
  'bbo-1m',
] as const;
export type SchemaName = (typeof SCHEMAS)[number];

/** Symbology type names in the order of their u8 codes. */
export const STYPES = [
  'instrument_id',
  'raw_symbol',
  'smart',
  'continuous',
  'parent',
  'nasdaq_symbol',
  'cms_symbol',
  'isin',
  'us_code',
  'bbg_comp_id',
  'bbg_comp_ticker',
  'figi',
  'figi_ticker',
] as const;
export type STypeName = (typeof STYPES)[number];

/** The record type each schema carries (OHLCV, BBO, ... differ by schema). */
export const SCHEMA_RTYPE: Record<SchemaName, number> = {
  mbo: RType.MBO,
  'mbp-1': RType.MBP_1,
  'mbp-10': RType.MBP_10,
  tbbo: RType.MBP_1,
  trades: RType.MBP_0,
  'ohlcv-1s': RType.OHLCV_1S,
  'ohlcv-1m': RType.OHLCV_1M,
  'ohlcv-1h': RType.OHLCV_1H,
  'ohlcv-1d': RType.OHLCV_1D,
  definition: RType.INSTRUMENT_DEF,
  statistics: RType.STATISTICS,
  status: RType.STATUS,
  imbalance: RType.IMBALANCE,
  'ohlcv-eod': RType.OHLCV_EOD,
  'cmbp-1': RType.CMBP_1,
  'cbbo-1s': RType.CBBO_1S,
  'cbbo-1m': RType.CBBO_1M,
  tcbbo: RType.TCBBO,
  'bbo-1s': RType.BBO_1S,
  'bbo-1m': RType.BBO_1M,
};

/** Bits of the `flags` field of market-data records. */
export const Flags = {
  /** Last record of an event for this instrument: the book is consistent after it. */
  LAST: 1 << 7,
  /** Top-of-book message, not an individual order. */
  TOB: 1 << 6,
  /** Part of a snapshot (replay of the resting book), not a live event. */
  SNAPSHOT: 1 << 5,
  /** Aggregated price level, not an individual order. */
  MBP: 1 << 4,
  /** ts_recv is inaccurate (clock issues or reordering). */
  BAD_TS_RECV: 1 << 3,
  /** An unrecoverable gap was detected in the channel. */
  MAYBE_BAD_BOOK: 1 << 2,
  /** Publisher-specific meaning. */
  PUBLISHER_SPECIFIC: 1 << 1,
} as const;

/** The DBN versions this decoder reads. */
export const SUPPORTED_VERSIONS = [1, 2, 3] as const;
export type DbnVersion = 1 | 2 | 3;

/** Length of fixed-width symbol strings per version (22 in v1, 71 after). */
export function symbolCstrLen(version: number): number {
  return version < 2 ? 22 : 71;
}

/** Metadata "no schema" / "no stype" sentinels. */
export const NO_SCHEMA = 0xffff;
export const NO_STYPE = 0xff;
