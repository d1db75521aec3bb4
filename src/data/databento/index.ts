/** Databento's historical HTTP API: pricing, metadata, symbology and downloads to `.dbn.zst` files. */
export {
  Batch,
  type BatchDownload,
  type BatchFile,
  type BatchJob,
  type BatchQuery,
  type FileProgress,
  fileSha256,
  JOB_STATES,
} from './batch.js';
export { DatabentoError, type DatabentoErrorCode } from './errors.js';
export {
  API_KEY_VARIABLE,
  DEFAULT_BASE_URL,
  type Download,
  Historical,
  type HistoricalOptions,
  type RangeProgress,
  type RangeQuery,
  type ResolveQuery,
  retryAfterMs,
} from './historical.js';
export type { DatasetRange, MappingInterval, Resolution } from './schemas.js';
