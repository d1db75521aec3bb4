/** The feature store: the interface, the in-memory default and the compact snapshot encoding. */

export {
  decodeFeatureSnapshot,
  encodedSnapshotBytes,
  encodeFeatureSnapshot,
  FEATURE_SNAPSHOT_HEADER_BYTES,
  FEATURE_SNAPSHOT_VERSION,
} from './codec.js';
export { FeatureCodecError, type FeatureCodecErrorCode } from './errors.js';
export { type FeatureStore, MemoryFeatureStore, type StoreHealth } from './store.js';
