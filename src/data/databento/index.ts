/**
 * Databento's historical HTTP API (pricing, metadata, symbology, downloads to `.dbn.zst` files)
 * and its live gateway (the Raw API over TCP, with reconnection and replay).
 */
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
export {
  Live,
  type LiveEvent,
  type LiveListener,
  type LiveOptions,
  type LiveStats,
  type ReconnectPolicy,
  type Recovery,
} from './live.js';
export {
  authLine,
  cramResponse,
  defaultGateway,
  formatGateway,
  type GatewayAddress,
  LIVE_PORT,
  type LiveSubscription,
  parseControl,
  parseGateway,
  SYMBOLS_PER_LINE,
  subscriptionLines,
} from './live-protocol.js';
export { DeliveredRecords } from './live-replay.js';
export type { DatasetRange, MappingInterval, Resolution } from './schemas.js';
