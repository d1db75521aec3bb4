export type { DbnVersion, SchemaName, STypeName } from './constants.js';
export { Flags, RType, rtypeLabel, rtypeName, SCHEMA_RTYPE, SCHEMAS, STYPES } from './constants.js';
export { Action, MbpWord, RecordCursor, Side } from './cursor.js';
export { type Container, DbnDecoder, type DecoderOptions, RecordBatch } from './decoder.js';
export { DbnEncoder, type EncoderOptions } from './encoder.js';
export {
  DbnEncodeError,
  DbnError,
  type DbnErrorCode,
  DbnUsageError,
  ZstdUnavailableError,
} from './errors.js';
export { type FieldDef, LAYOUTS, layoutFor, type RecordLayout } from './layouts.js';
export { hasTsRecv, indexTsNs, MergedRecords } from './merge.js';
export {
  decodeMetadata,
  encodeMetadata,
  type MappingInterval,
  type Metadata,
  type MetadataInit,
  type SymbolMapping,
} from './metadata.js';
export { emptyQuote, MBP1_SIZE, PUBLISHER_NONE, type QuoteFields, writeQuote } from './quote.js';
export {
  type BidAskPair,
  type DbnRecord,
  decodeRecord,
  encodeRecord,
  type MboRecord,
  type MbpRecord,
  type OhlcvRecord,
  type RecordHeader,
  type TradeRecord,
} from './record.js';
export { SymbolMap } from './symbols.js';
export { csvHeader, recordToCsv, recordToJson, recordToJsonLine, type TextOptions } from './text.js';
export { upgradeRecord } from './upgrade.js';
export {
  type StepResult,
  ZSTD_BACKENDS,
  type ZstdBackendName,
  ZstdStreamDecoder,
  ZstdStreamEncoder,
  zstdBackend,
  zstdBackends,
} from './zstd.js';
