/** Redis adapters: the connection (health, backoff), the feature store and the model response cache. */

export {
  checkRedisUrl,
  DEFAULT_REDIS_URL,
  type HealthListener,
  REDIS_URL_ENV,
  RedisConnection,
  type RedisConnectionOptions,
  redisUrlFromEnv,
  retryDelayMs,
} from './connection.js';
export { RedisError, type RedisErrorCode } from './errors.js';
export {
  type FeatureStoreWrites,
  RedisFeatureStore,
  type RedisFeatureStoreOptions,
} from './feature-store.js';
export { RedisResponseCache, type RedisResponseCacheOptions } from './response-cache.js';
