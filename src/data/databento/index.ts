/** Databento's historical HTTP API: pricing, metadata, symbology and downloads to `.dbn.zst` files. */
export { DatabentoError, type DatabentoErrorCode } from './errors.js';
export {
  API_KEY_VARIABLE,
  DEFAULT_BASE_URL,
  type Download,
  Historical,
  type HistoricalOptions,
  type RangeQuery,
  type ResolveQuery,
  retryAfterMs,
} from './historical.js';
export type { DatasetRange, MappingInterval, Resolution } from './schemas.js';
