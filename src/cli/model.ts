/**
 * The model provider of a command that decides (`decide`, `paper`, `live`): the configured one
 * behind its response cache, which is this process's memory or, with `llm.cache: redis`, Redis
 * shared by every process (SCALPER_REDIS_URL), so that a model is asked once for all of them. A
 * Redis that does not answer at start is an error naming it; one lost later only costs misses.
 */
import type { Logger } from '../core/index.js';
import { RedisResponseCache } from '../infra/index.js';
import { type CachedProvider, createProvider, type LlmConfig } from '../llm/index.js';

export interface OpenedModel {
  /** The provider, or null when none is configured. */
  readonly llm: CachedProvider | null;
  /** Lets go of the shared cache's connection (nothing for a memory cache). */
  close(): Promise<void>;
}

/**
 * Opens the model provider `cfg` configures, with its cache. `shared` sets the Redis server (default
 * SCALPER_REDIS_URL), the keys' prefix (default `scalper:`) and how long to wait for the server at
 * start (default 5 s) of a shared cache.
 */
export async function openModel(
  cfg: LlmConfig,
  log?: Logger,
  shared: { readonly url?: string; readonly prefix?: string; readonly connectTimeoutMs?: number } = {},
): Promise<OpenedModel> {
  if (cfg.provider === 'none') return { llm: null, close: async () => {} };
  if (cfg.cache === 'memory') return { llm: createProvider(cfg, { logger: log }), close: async () => {} };
  const cache = await RedisResponseCache.open({ ...shared, logger: log, name: 'scalper-llm-cache' });
  try {
    return { llm: createProvider(cfg, { logger: log, cache }), close: () => cache.close() };
  } catch (e) {
    await cache.close();
    throw e;
  }
}
